"""The blog: entries, tags and pictures, written in the admin and served to readers.

Parts, from the bottom up (pyproject.toml's import-linter contracts hold the direction):
rendering, imagefiles and links know no database; models store entries, pictures, old
addresses and revisions; search keeps the full-text index; delivery and editorial serve
readers and writers; operations and signals act on the whole site; importers bring blogs
in and out; views, admin, templatetags and management commands face people; urls on top.
"""
