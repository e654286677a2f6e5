"""Whole pages as a browser receives them: well-formed HTML5, static files through whitenoise."""

import re

import html5lib
import pytest
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry
from tests.factories import EntryFactory, ImageFactory

pytestmark = pytest.mark.django_db

RICH_BODY = """\
## Section

Text with a [link](https://example.org/), `code`, and a footnote.[^1]

```python
print("hi")
```

| a | b |
|---|---|
| 1 | 2 |

- [x] done

<div><p>Unclosed paragraph inside raw HTML
</div>

[^1]: The note.
"""


def parse_errors(html: str) -> list:
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(html)
    return parser.errors


def test_the_checker_reports_broken_html():
    assert parse_errors("<!DOCTYPE html><title>x</title><p></div>") != []
    assert parse_errors("<title>x</title><p>no doctype") != []


def public_pages(client, staff_client) -> dict[str, str]:
    when = timezone.make_aware(timezone.datetime(2025, 6, 3, 9))
    entry = EntryFactory(body=RICH_BODY, tags=["html"], cover=ImageFactory(), published_at=when)
    draft = EntryFactory(status=Entry.Status.DRAFT, published_at=None)
    EntryFactory.create_batch(11, tags=["html"], published_at=when)
    return {
        "index": client.get("/").content.decode(),
        "index page 2": client.get("/?page=2").content.decode(),
        "entry": client.get(entry.get_absolute_url()).content.decode(),
        "tag": client.get(reverse("posts:tag", kwargs={"slug": "html"})).content.decode(),
        "year": client.get("/2025/").content.decode(),
        "month": client.get("/2025/06/").content.decode(),
        "404": client.get("/no/such/page/").content.decode(),
        "tags": client.get(reverse("posts:tags")).content.decode(),
        "search": client.get(reverse("posts:search"), {"q": "footnote"}).content.decode(),
        "empty search": client.get(reverse("posts:search")).content.decode(),
        "draft preview": staff_client.get(draft.get_absolute_url()).content.decode(),
    }


def test_public_pages_are_well_formed_html5(client, staff_client):
    for name, html in public_pages(client, staff_client).items():
        assert parse_errors(html) == [], name
        assert html.lstrip().startswith("<!DOCTYPE html>"), name
        assert re.search(r'<html lang="[a-z-]+">', html), name
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert len(re.findall(r"<h1[ >]", html)) == 1, name
        assert '<main id="content"' in html and 'href="#content"' in html, name
        # Readable without JavaScript: the only script elements are JSON-LD data, never run,
        # and the statistics beacon, which counts the view and changes nothing on the page.
        scripts = r"<script(?![^>]*(?:application/ld\+json|/static/stats/beacon\.))"
        assert re.findall(scripts, html) == [], name


def test_pages_link_hashed_static_files_that_whitenoise_serves_compressed(client):
    html = client.get("/").content.decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "the index should link the hashed name of site.css"
    response = client.get(stylesheet.group(1), headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] in {"gzip", "br"}
    assert "immutable" in response["Cache-Control"]


def test_templates_are_cached():
    loaders = engines["django"].engine.template_loaders
    assert isinstance(loaders[0], CachedLoader)
