"""manage.py commands: each parses its arguments, calls one function of a part, and prints."""
