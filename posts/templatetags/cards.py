"""Entry cards for list pages, built in Python: a page shows ten, and templates are slow."""

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from posts.links import tag_path
from posts.pictures import CARD_SIZES, picture_html

register = template.Library()


def byline_html(entry) -> str:
    """The date and author line, as templates/posts/includes/byline.html writes it."""
    author = entry.author.get_full_name() or entry.author.get_username()
    if entry.published_at is None:
        return format_html(
            '<p class="byline"><span class="author">{} {}</span></p>', _("by"), author
        )
    when = timezone.localtime(entry.published_at)
    return format_html(
        '<p class="byline"><time datetime="{}">{}</time> <span class="author">{} {}</span></p>',
        when.isoformat(), dateformat.format(when, "j F Y"), _("by"), author,
    )  # fmt: skip


def tag_list_html(tags) -> str:
    """The tag links, as templates/posts/includes/tag_list.html writes them."""
    if not tags:
        return ""
    items = format_html_join(
        "",
        '<li><a href="{}" rel="tag">{}</a></li>',
        ((tag_path(t.slug), t.name) for t in sorted(tags, key=lambda t: t.name)),
    )
    return format_html('<ul class="tags" aria-label="{}">{}</ul>', _("Tags"), items)


@register.simple_tag
def entry_card(entry, eager: bool = False) -> str:
    """Render one entry of a list: cover, title, byline, summary and tags."""
    url = entry.get_absolute_url()
    cover = ""
    if entry.cover:
        picture = picture_html(entry.cover, alt="", sizes=CARD_SIZES, eager=eager)
        cover = format_html(
            '<a class="card-cover" href="{}" tabindex="-1" aria-hidden="true">{}</a>', url, picture
        )
    summary = format_html('<p class="summary">{}</p>', entry.summary) if entry.summary else ""
    return format_html(
        '<article class="card">{}<div class="card-text"><h2 class="card-title">'
        '<a href="{}">{}</a></h2>{}{}{}</div></article>',
        cover, url, entry.title, byline_html(entry), summary, tag_list_html(entry.tag_list),
    )  # fmt: skip
