"""Reading other sites' pages: the links in them and their Webmention endpoint."""

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

LINK_HEADER = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
REL = re.compile(r'rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))', re.IGNORECASE)


def soup(text: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "html5lib")


def same_url(a: str, b: str) -> bool:
    """Return True if two absolute URLs name the same page (case of host, trailing slash)."""

    def norm(url: str) -> str:
        parts = urlsplit(url.strip())
        path = parts.path or "/"
        return urlunsplit(
            (parts.scheme.lower(), parts.netloc.lower(), path.rstrip("/") or "/", parts.query, "")
        )

    return norm(a) == norm(b)


def links_to(document, base: str, target: str) -> bool:
    """Return True if the parsed page links to target (a link, a picture, a quote's cite)."""
    for tag, attribute in (("a", "href"), ("link", "href"), ("img", "src"), ("blockquote", "cite")):
        for element in document.find_all(tag, attrs={attribute: True}):
            if same_url(urljoin(base, element[attribute]), target):
                return True
    return False


def endpoint_from_headers(values: list[str], base: str) -> str | None:
    for value in values:
        for match in LINK_HEADER.finditer(value):
            for rel in REL.finditer(match.group(2)):
                if "webmention" in (rel.group(1) or rel.group(2) or "").lower().split():
                    return urljoin(base, match.group(1))
    return None


def endpoint_from_html(document, base: str) -> str | None:
    """The first <link> or <a> with rel="webmention", in document order, relative to base."""
    for element in document.find_all(["link", "a"], attrs={"href": True}):
        if "webmention" in [rel.lower() for rel in element.get("rel") or []]:
            return urljoin(base, element["href"])
    return None
