"""manage.py commands of the statistics: export the daily rows, flush the counters now."""
