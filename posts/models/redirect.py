"""Old addresses answered with a 301, and the rules an address must follow to be stored."""

from urllib.parse import quote, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from posts.models.entry import Entry

# WordPress's query-string addresses: /?p=12 and /?page_id=7 still circulate in old links.
LEGACY_QUERY_KEYS = ("p", "page_id")


def has_control_characters(text: str) -> bool:
    """Return True if text holds a space, a line break or another control character."""
    return any(ord(char) < 0x21 or ord(char) == 0x7F for char in text)


def normalize_path(address: str) -> str:
    """Return the form an old address is stored in: the decoded path (as request.path
    gives it), and only a legacy query."""
    parts = urlsplit(address.strip())
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        path = "/" + path
    for key in LEGACY_QUERY_KEYS:
        for pair in parts.query.split("&"):
            name, _, value = pair.partition("=")
            if name == key and value:
                return f"{path}?{key}={value}"
    return path


def is_safe_target(target: str) -> bool:
    """Return True for a path on this site or an http(s) address; never javascript: or //host."""
    if has_control_characters(target):
        return False  # a line break here splits headers and the _redirects file
    parts = urlsplit(target)
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    return target.startswith("/") and not target.startswith("//") and "\\" not in target


def is_storable_path(old_path: str) -> bool:
    """Return True for an old address that can be stored: /…, no spaces or line breaks."""
    return old_path.startswith("/") and not has_control_characters(old_path)


def rule_address(address: str) -> str:
    """Return an address as a redirects file line holds it: percent-encoded, no spaces."""
    return quote(address, safe=":/?#[]@!$&'()*+,;=%~")


def candidates(path: str) -> list[str]:
    """Return the stored forms to look up for a request path: as is, with and without a slash."""
    if path.endswith("/") and path != "/":
        return [path, path.rstrip("/")]
    return [path, path + "/"]


class Redirect(models.Model):
    """An old address (an imported permalink, a renamed tag) answered with a 301 to its page."""

    old_path = models.CharField(
        max_length=1000,
        unique=True,
        help_text=_("The old address, from the first slash: /2013/01/hello.html or /?p=12."),
    )
    entry = models.ForeignKey(
        Entry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
        help_text=_("The entry it leads to; its address is followed when its slug changes."),
    )
    page = models.ForeignKey(
        "posts.Page",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
        help_text=_("The page it leads to; its address is followed when the page moves."),
    )
    target = models.CharField(
        max_length=1000,
        blank=True,
        help_text=_("Where it leads when it is not an entry: a path on this site or a full URL."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]

    def __str__(self) -> str:
        return f"{self.old_path} → {self.destination()}"

    def clean(self) -> None:
        if not self.entry_id and not self.page_id and not self.target:
            raise ValidationError(_("Choose an entry or a page, or give a target address."))
        if not is_storable_path(self.old_path):
            raise ValidationError(
                {"old_path": _("Start with / and leave out spaces and line breaks.")}
            )
        if self.target and not is_safe_target(self.target):
            raise ValidationError(
                {"target": _("Give a path on this site (/tags/x/) or an http(s) address.")}
            )

    def destination(self) -> str:
        """Return the address this redirect sends readers to."""
        if self.entry_id:
            return self.entry.get_absolute_url()
        return self.page.get_absolute_url() if self.page_id else self.target
