"""An HTML safety checker for the tests, written apart from posts.rendering.markdown on purpose.

It shares no code and no lists with the sanitiser it checks: its allowlists are written out
here, and it reads URLs the way a browser does (entities decoded by the parser, then tabs and
newlines dropped and surrounding spaces and control characters stripped) before looking at
the scheme. `problems(html)` returns what it finds; an empty list means safe.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img",
    "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp",
    "section", "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip
GLOBAL_ATTRIBUTES = {"class", "title", "lang", "dir"}
ATTRIBUTES = {
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "iframe": {"src", "title", "loading", "sandbox", "allow", "allowfullscreen", "referrerpolicy"},
    "source": {"srcset", "sizes", "type", "media"},
    "input": {"type", "checked", "disabled"},
    "li": {"id"},
    "ol": {"start", "reversed"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "details": {"open"},
}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "background", "cite"}
SAFE_SCHEMES = {"http", "https", "mailto"}
DANGEROUS_SCHEMES = {"javascript", "vbscript", "data"}
# The only hosts an iframe may show: the players posts.rendering.embeds writes, listed again here.
FRAME_HOSTS = {
    "www.youtube-nocookie.com", "player.vimeo.com", "speakerdeck.com", "www.slideshare.net",
    "codepen.io", "framatube.org", "peertube.tv", "tilvids.com", "video.blender.org",
}  # fmt: skip
STYLE = re.compile(r"^\s*$|^\s*text-align\s*:\s*(left|right|center)\s*;?\s*$", re.IGNORECASE)
# What a browser removes from a URL before reading its scheme (WHATWG URL parsing).
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_URL_EDGE = "".join(chr(c) for c in range(0x21))
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """Return the scheme a browser would see in an attribute's (already decoded) URL."""
    cleaned = _URL_TAB_OR_NEWLINE.sub("", value).strip(_URL_EDGE)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in TAGS:
            self.found.append(f"closing tag </{tag}>")

    def handle_comment(self, data):
        self.found.append(f"comment <!--{data[:40]}-->")

    def handle_decl(self, decl):
        self.found.append(f"declaration <!{decl[:40]}>")

    def handle_pi(self, data):
        self.found.append(f"processing instruction <?{data[:40]}>")

    def unknown_decl(self, data):
        self.found.append(f"unknown declaration {data[:40]}")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.found.append(f"tag <{tag}>")
            return
        allowed = GLOBAL_ATTRIBUTES | ATTRIBUTES.get(tag, set())
        values = {}
        for name, value in attrs:
            value = value or ""
            values[name] = value
            if name.startswith("on"):
                self.found.append(f"event handler {name}= on <{tag}>")
            elif name not in allowed:
                self.found.append(f"attribute {name}= on <{tag}>")
            if name in URL_ATTRIBUTES:
                urls = _srcset_urls(value) if name == "srcset" else [value]
                for url in urls:
                    self._check_url(tag, name, url)
            if name == "style" and not STYLE.match(value):
                self.found.append(f"style {value[:60]!r} on <{tag}>")
        if tag == "input" and (values.get("type") != "checkbox" or "disabled" not in values):
            self.found.append(f"input that is not a disabled checkbox: {values}")
        if tag == "iframe":
            self._check_frame(values)

    def _check_url(self, tag: str, name: str, url: str) -> None:
        scheme = url_scheme(url)
        if scheme is None:
            return  # relative: this site
        if scheme == "data" and tag in ("img", "source") and name in ("src", "srcset"):
            if not url_scheme_body(url).startswith("image/") or "svg" in url.lower():
                self.found.append(f"non-picture data: URL in {name}= on <{tag}>")
            return
        if scheme in DANGEROUS_SCHEMES:
            self.found.append(f"{scheme}: URL in {name}= on <{tag}>: {url[:60]!r}")
        elif scheme not in SAFE_SCHEMES:
            self.found.append(f"unexpected scheme {scheme}: in {name}= on <{tag}>")

    def _check_frame(self, values: dict) -> None:
        src = values.get("src", "")
        host = urlsplit(src).hostname or ""
        if url_scheme(src) != "https" or host not in FRAME_HOSTS:
            self.found.append(f"iframe from {src[:60]!r}")
        if "sandbox" not in values:
            self.found.append("iframe without a sandbox")


def url_scheme_body(url: str) -> str:
    return _URL_TAB_OR_NEWLINE.sub("", url).strip(_URL_EDGE).partition(":")[2].lower()


def problems(fragment: str) -> list[str]:
    """Return every unsafe thing in an HTML fragment; an empty list means it is safe."""
    checker = _Checker()
    checker.feed(fragment)
    # Markup left in the parser's buffer (an unclosed "<tag ...") would be flushed as text,
    # but a browser could read it as a tag joined with what follows on the page.
    if checker.rawdata.lstrip().startswith("<"):
        checker.found.append(f"unfinished markup at the end: {checker.rawdata[:60]!r}")
    checker.close()
    return checker.found
