from django import template

from posts.rendering.pictures import BODY_SIZES, CARD_SIZES, picture_html

register = template.Library()


@register.simple_tag
def picture(image, size: str = "body", eager: bool = False, alt: str | None = None) -> str:
    """Render an Image as a responsive <picture>: {% picture entry.cover "card" eager=True %}."""
    if image is None:
        return ""
    sizes = CARD_SIZES if size == "card" else BODY_SIZES
    return picture_html(image, alt=alt, sizes=sizes, eager=eager)
