"""The blog's records: entries, pages, authors, series, pictures, old addresses, revisions,
autosaves and the site's settings and menu.

May use: posts.rendering (an entry renders its Markdown when saved), posts.imagefiles (a
picture is cleaned and resized when stored) and posts.links. Never the parts above it:
no view, admin, cache or importer.
"""

from posts.models.authors import AuthorProfile, Byline, EntryAuthor, public_name
from posts.models.autosave import Autosave
from posts.models.entry import (
    Entry,
    EntryImage,
    EntryQuerySet,
    new_preview_token,
    next_free_slug,
)
from posts.models.image import Image, ImageQuerySet, file_sha256
from posts.models.page import Page, PageImage, PageQuerySet, route_clash
from posts.models.redirect import Redirect
from posts.models.rendered import RenderedMarkdown, post_rerender
from posts.models.revision import Revision
from posts.models.series import Series
from posts.models.site import MenuItem, SiteSettings, SocialLink

__all__ = [
    "AuthorProfile",
    "Autosave",
    "Byline",
    "Entry",
    "EntryAuthor",
    "EntryImage",
    "EntryQuerySet",
    "Image",
    "ImageQuerySet",
    "MenuItem",
    "Page",
    "PageImage",
    "PageQuerySet",
    "Redirect",
    "RenderedMarkdown",
    "Revision",
    "Series",
    "SiteSettings",
    "SocialLink",
    "file_sha256",
    "new_preview_token",
    "next_free_slug",
    "post_rerender",
    "public_name",
    "route_clash",
]
