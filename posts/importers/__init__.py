"""Moving in and out: Jekyll/Hugo Markdown and WordPress WXR importers, the Markdown exporter.

Each importer turns its source into `Post` records (posts.importers.records) without touching the
database; `writer.Importer` then writes them all in one transaction, or none of them.
"""
