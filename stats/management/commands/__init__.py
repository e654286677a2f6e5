"""export_stats and flush_stats: each parses its arguments, calls one function, prints."""
