"""manage.py commands of the blog: each parses its arguments, calls one function, prints."""
