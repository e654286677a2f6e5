"""What every public page's frame shows from the database: the site's settings and menu.

Read once per content version (three queries, and one for the next scheduled publication,
which it is never kept past) and kept in the shared cache under it, so a page with a warm
frame asks the database nothing more for it, and any change anywhere (posts.signals bumps
the version) shows on the next request. Imports models and posts.delivery.cache.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from posts.delivery.cache import content_version, seconds_until_next_publication
from posts.links import tag_path
from posts.models import Entry, Image, MenuItem, SiteSettings


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    external: bool = False


@dataclass(frozen=True)
class Frame:
    title: str
    tagline: str
    footer_text: str = ""
    menu: tuple[Link, ...] = ()
    social_links: tuple[Link, ...] = ()
    # The picture link previews show for a page with none of its own (posts.templatetags.seo).
    social_image: Image | None = None


def default_frame() -> Frame:
    """Return the frame of a site whose settings were never edited: the environment's."""
    return Frame(title=settings.BLOGSITE_TITLE, tagline=settings.BLOGSITE_TAGLINE)


def _key(token: str) -> str:
    return f"blogsite:frame:{token}"


def site_frame() -> Frame:
    """Return the frame for the current content version: from the cache, or read and kept."""
    token, _changed = content_version()
    frame = cache.get(_key(token))
    if frame is None:
        frame = read_frame()
        # Not past the next scheduled publication: a page due then joins the menu on time.
        due = seconds_until_next_publication()
        timeout = settings.BLOGSITE_PAGE_CACHE_TIMEOUT if due is None else max(1, int(due))
        cache.set(_key(token), frame, timeout=min(timeout, settings.BLOGSITE_PAGE_CACHE_TIMEOUT))
    return frame


def remember_frame(frame: Frame) -> None:
    """Keep this frame as the current version's (tests start every test from a known one)."""
    token, _changed = content_version()
    cache.set(_key(token), frame, timeout=settings.BLOGSITE_PAGE_CACHE_TIMEOUT)


def read_frame() -> Frame:
    """Read the settings, their links and the menu: three queries, whatever their size."""
    row = (
        SiteSettings.objects.select_related("default_social_image")
        .prefetch_related("social_links")
        .first()
    )
    base = default_frame()
    if row is None:
        return base
    tag_public = Exists(Entry.objects.published().filter(tags=OuterRef("tag_id")))
    items = (
        MenuItem.objects.filter(site=row)
        .select_related("page", "tag")
        .annotate(tag_public=tag_public)
        .order_by("order", "pk")
    )
    return Frame(
        title=row.title or base.title,
        tagline=row.tagline or base.tagline,
        footer_text=row.footer_text,
        menu=tuple(link for item in items if (link := _menu_link(item)) is not None),
        social_links=tuple(
            Link(link.label, link.url, external=True) for link in row.social_links.all()
        ),
        social_image=row.default_social_image,
    )


def _menu_link(item: MenuItem) -> Link | None:
    """Return what a menu item shows, or None while it leads nowhere a reader may go."""
    if item.kind == MenuItem.Kind.PAGE:
        if item.page is None or not item.page.is_published:
            return None  # a draft page's title and address stay unsaid
        return Link(item.label or item.page.title, item.page.get_absolute_url())
    if item.kind == MenuItem.Kind.TAG:
        if item.tag is None or not item.tag_public:
            return None  # as its page: a tag only drafts carry is not named
        return Link(item.label or item.tag.name, tag_path(item.tag.slug))
    if not item.url:
        return None
    return Link(item.label or _("Link"), item.url, external=not item.url.startswith("/"))
