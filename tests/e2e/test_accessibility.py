"""axe-core in Debian's Chromium: no WCAG violations on the pages readers see, light or dark."""

import pytest

from tests.factories import EntryFactory, ImageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = """\
Some prose with [a link](https://example.org/) and `inline code`.

## Code

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"  # a comment
```

![]({picture})

| Column | Other |
|--------|------:|
| a      |     1 |

- [x] a task
- [ ] another

A note.[^1]

[^1]: The footnote.
"""


@pytest.fixture
def pages(live_server):
    picture = ImageFactory(alt_text="A blue rectangle", caption="A caption")
    entry = EntryFactory(
        title="Everything at once",
        body=BODY.replace("{picture}", picture.file.url),
        tags=["accessibility", "testing"],
        cover=ImageFactory(alt_text="Another blue rectangle"),
    )
    EntryFactory(title="A neighbour", tags=["testing"])
    base = live_server.url
    return {
        "index": base + "/",
        "entry": base + entry.get_absolute_url(),
        "tag": base + "/tags/testing/",
        "tags": base + "/tags/",
        "search": base + "/search/?q=everything",
        "404": base + "/no/such/page/",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_public_pages_have_no_axe_violations(browser, pages, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    reports = {}
    for name, url in pages.items():
        page.goto(url)
        results = axe.run(page)
        if results.violations_count:
            reports[name] = results.generate_report()
    context.close()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())
