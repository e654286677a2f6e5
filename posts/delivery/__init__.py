"""Serving readers: the page cache, response headers, old addresses, feeds, sitemaps,
pagination and the static publish.

May use models, search, rendering and links; never views, admin, editorial or importers.
"""
