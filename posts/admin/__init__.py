"""The editor: Django's admin for entries, pages, authors, series, pictures, redirects, tags
and the site.

Each module registers its ModelAdmin on import; Django's autodiscovery imports only this
package, so importing them here is what puts them in the admin.
"""

from posts.admin import (  # noqa: F401
    authors,
    entries,
    images,
    pages,
    redirects,
    series,
    site,
    tags,
)
