"""Hostile addresses: generated paths, query strings and headers never get a 500.

A seeded generator (the same requests every run, a different seed by BLOGSITE_FUZZ_SEED)
sends a few thousand GETs through Django's test client at every public route: junk unicode,
very long segments, %00, ../, bad page numbers and dates, FTS syntax in searches, and
conditional headers. Every answer must be one a reader can get in normal use.
"""

import os
import random
from urllib.parse import quote

import pytest
from django.test import Client

from tests.factories import EntryFactory, ImageFactory

ALLOWED = {200, 301, 302, 304, 400, 404}
REQUESTS = int(os.environ.get("BLOGSITE_FUZZ_REQUESTS", "2000"))
SEED = int(os.environ.get("BLOGSITE_FUZZ_SEED", "9"))

JUNK = [
    "", "0", "-1", "00", "13", "1e9", "9" * 40, "..", "../..", "%00", "%", "%zz", "%C0%AF",
    "%ff", "%2e%2e", "%2F", "\x00", "\x7f", ".", "~", "😀", "ü", "ß", "İ", "ﬁ", "\u202e",
    "\u0301", "日本語", "עברית", "a" * 3000, "\ufeff", "x" * 255, "con", "index.php",
    "<script>", "'", '"', "%0d%0aSet-Cookie:x=1", "%25", "+", " ", ";", "@", "\\", "\t",
]  # fmt: skip
PAGES = [
    "1", "2", "0", "-1", "last", "1.5", "abc", "99999999999999999999999", "%00", "1%00",
    "", "٣", "1e3", " 1", "0x10", "9" * 400,
]  # fmt: skip
SEARCHES = [
    "kernel", '"', '""', "AND", "OR", "NOT", "NEAR(a b)", "*", "a*", "^a", "-", "-x", "(", ")",
    "a:b", "col:x", "{a b}", "'", "\\", "%", "%00", "\x00", "😀 日本", "a " * 500, "x" * 5000,
    "<script>alert(1)</script>", "a OR b AND -c", "web search -\"x\"", ":", "&", "|", "!",
]  # fmt: skip
CONDITIONAL = [
    {},
    {"HTTP_IF_NONE_MATCH": "*"},
    {"HTTP_IF_NONE_MATCH": '"abc"'},
    {"HTTP_IF_NONE_MATCH": 'W/"abc", "def"'},
    {"HTTP_IF_NONE_MATCH": "garbage,,,\x00"},
    {"HTTP_IF_MODIFIED_SINCE": "Sat, 29 Oct 1994 19:43:31 GMT"},
    {"HTTP_IF_MODIFIED_SINCE": "Fri, 31 Dec 9999 23:59:59 GMT"},
    {"HTTP_IF_MODIFIED_SINCE": "not a date"},
    {"HTTP_IF_MODIFIED_SINCE": "Thu, 01 Jan 1970 00:00:00 GMT"},
    {"HTTP_IF_MODIFIED_SINCE": "Sun, 06 Nov 1994 08:49:37 GMT", "HTTP_IF_NONE_MATCH": '"x"'},
    {"HTTP_RANGE": "bytes=0-1"},
    {"HTTP_ACCEPT_LANGUAGE": "x" * 300},
    {"HTTP_ACCEPT_ENCODING": "gzip, \x00"},
]


class Generator:
    def __init__(self, seed: int, entry, tag: str, image_path: str):
        self.random = random.Random(seed)
        self.entry, self.tag, self.image_path = entry, tag, image_path

    def segment(self) -> str:
        choice = self.random.random()
        if choice < 0.5:
            return self.random.choice(JUNK)
        if choice < 0.7:
            return self.random.choice([self.entry.slug, self.tag, "2025", "01", "feed"])
        length = self.random.choice([1, 5, 20, 300])
        return "".join(chr(self.random.randint(1, 0x2FFFF)) for _ in range(length))

    def encode(self, text: str) -> str:
        # Mostly percent-encoded as a browser would; sometimes sent with its % escapes raw.
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
        return text if "%" in text and self.random.random() < 0.5 else quote(text, safe="/")

    def path(self) -> str:
        date = self.entry.published_at
        year, month = str(date.year), f"{date.month:02d}"
        s = self.segment
        templates = [
            lambda: "/",
            lambda: f"/{s()}/",
            lambda: f"/{s()}",
            lambda: f"/{self.random.choice([year, s()])}/",
            lambda: f"/{year}/{self.random.choice([month, s()])}/",
            lambda: f"/{self.random.choice([year, s()])}/{self.random.choice([month, s()])}/{s()}/",
            lambda: f"/{year}/{month}/{self.random.choice([self.entry.slug, s()])}{s()}/",
            lambda: self.entry.get_absolute_url(),
            lambda: "/tags/",
            lambda: f"/tags/{s()}/",
            lambda: f"/tags/{self.random.choice([self.tag, s()])}/feed/",
            lambda: f"/tags/{self.random.choice([self.tag, s()])}/feed/rss/",
            lambda: "/feed/",
            lambda: "/feed/rss/",
            lambda: "/search/",
            lambda: "/robots.txt",
            lambda: "/sitemap.xml",
            lambda: f"/sitemap.xml/{s()}",
            lambda: "/healthz",
            lambda: f"/media/{self.random.choice([self.image_path, s(), '../' + s()])}",
            lambda: f"/static/{s()}",
            lambda: "/favicon.ico",
            lambda: "/" + "/".join(s() for _ in range(self.random.randint(2, 8))),
        ]
        return self.encode(self.random.choice(templates)())

    def query(self) -> str:
        pairs = []
        for _ in range(self.random.choice([0, 0, 1, 1, 2, 4])):
            key = self.random.choice(["page", "page", "q", "q", "p", "page_id", self.segment()])
            source = {"page": PAGES, "q": SEARCHES}.get(key, JUNK)
            value = self.random.choice(source) if self.random.random() < 0.8 else self.segment()
            pairs.append(f"{self.encode(key)}={self.encode(value)}")
        return "&".join(pairs)

    def request(self) -> tuple[str, dict]:
        query = self.query()
        url = self.path() + (f"?{query}" if query else "")
        return url, self.random.choice(CONDITIONAL)


@pytest.fixture
def site(db):
    image = ImageFactory()
    entry = EntryFactory(title="A fuzzed entry", body=f"![x]({image.file.url})", tags=["fuzz"])
    for number in range(12):  # more than a page, so ?page=2 exists
        EntryFactory(tags=["fuzz", f"t{number}"])
    return entry, "fuzz", image.file.name


@pytest.mark.parametrize("page_cache", [False, True], ids=["uncached", "page-cache"])
def test_generated_requests_never_get_a_server_error(site, settings, page_cache):
    settings.BLOGSITE_PAGE_CACHE = page_cache
    entry, tag, image_path = site
    generator = Generator(SEED + page_cache, entry, tag, image_path)
    client = Client()
    bad = []
    for _ in range(REQUESTS // 2):
        url, headers = generator.request()
        try:
            status = client.get(url, **headers).status_code
        except Exception as err:  # the test client re-raises what a view raised: a 500
            bad.append((url[:200], headers, repr(err)[:300]))
            continue
        if status not in ALLOWED:
            bad.append((url[:200], headers, status))
    assert bad == []
