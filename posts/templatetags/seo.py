import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from posts.pictures import share_image

register = template.Library()

# JSON inside <script> must not close the element or open a comment.
_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def entry_jsonld(context, entry) -> str:
    """Return a schema.org BlogPosting for an entry, as a JSON-LD script element."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": entry.title,
        "description": entry.summary,
        "url": request.build_absolute_uri(entry.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(entry.get_absolute_url()),
        "datePublished": entry.published_at.isoformat() if entry.published_at else None,
        "dateModified": entry.updated_at.isoformat(),
        "author": {
            "@type": "Person",
            "name": entry.author.get_full_name() or entry.author.get_username(),
        },
        "keywords": [tag.name for tag in entry.tags.all()],
        "wordCount": len(entry.body_text.split()),
    }
    if entry.cover:
        url, width, height = share_image(entry.cover)
        data["image"] = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(url),
            "width": width,
            "height": height,
        }
    payload = json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def share_image_url(context, image) -> str:
    """Return the absolute address of an Image's link-preview version."""
    return context["request"].build_absolute_uri(share_image(image)[0])
