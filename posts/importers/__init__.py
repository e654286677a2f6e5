"""Moving in and out: Jekyll/Hugo Markdown and WordPress WXR importers, the Markdown exporter.

Each importer turns its source into `Post` records (posts.importers.base) without touching the
database; `base.Importer` then writes them all in one transaction, or none of them.
"""
