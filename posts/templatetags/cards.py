"""Entry cards, bylines and tag lists, built in Python: a list page shows ten, and Django
templates are slow at that. The entry and search pages use the same tags."""

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from posts.links import tag_path
from posts.rendering.escaping import format_html, format_html_join
from posts.rendering.pictures import CARD_SIZES, picture_html

register = template.Library()


@register.simple_tag
def byline(entry, reading_time: bool = False) -> str:
    """The date, the authors and, on entry pages, the reading time."""
    parts = []
    if entry.published_at is not None:
        when = timezone.localtime(entry.published_at)
        parts.append(
            format_html(
                '<time datetime="{}">{}</time>', when.isoformat(), dateformat.format(when, "j F Y")
            )
        )
    parts.append(format_html('<span class="author">{} {}</span>', _("by"), author_names(entry)))
    if reading_time:
        minutes = entry.reading_minutes
        label = ngettext("%(minutes)d minute read", "%(minutes)d minutes read", minutes)
        parts.append(
            format_html('<span class="reading-time">· {}</span>', label % {"minutes": minutes})
        )
    return format_html(
        '<p class="byline">{}</p>', format_html_join(" ", "{}", ((part,) for part in parts))
    )


def author_names(entry) -> str:
    """The entry's authors, each linked to their page: "Ada Lovelace and Charles Babbage"."""
    names = [
        format_html('<a href="{}" rel="author">{}</a>', person.url, person.name)
        if person.url
        else format_html("{}", person.name)
        for person in entry.byline_list
    ]
    if len(names) == 1:
        return names[0]
    # "A and B", "A, B and C": the last two joined by "and", the others by commas.
    head = format_html_join(", ", "{}", ((name,) for name in names[:-1]))
    return format_html("{} {} {}", head, _("and"), names[-1])


@register.simple_tag
def tag_list(tags) -> str:
    """The tag links of an entry, by name."""
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
        cover, url, entry.title, byline(entry), summary, tag_list(entry.tag_list),
    )  # fmt: skip
