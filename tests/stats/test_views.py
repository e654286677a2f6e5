import datetime
from urllib.parse import unquote, urlencode

import pytest
from django.utils import timezone

from stats.flush import flush
from stats.models import DaySummary, PageDay, ReferrerDay
from tests.factories import EntryFactory, PageFactory
from tests.stats.conftest import BROWSER, beacon

pytestmark = pytest.mark.django_db


def stored(path: str) -> tuple[int, int]:
    flush()
    row = PageDay.objects.filter(path=path).first()
    return (row.views, row.visitors) if row else (0, 0)


def test_a_beacon_counts_a_view_and_a_visitor_and_answers_204_without_a_cookie(client):
    entry = EntryFactory()
    response = beacon(client, entry.get_absolute_url(), referrer="https://news.example.org/x")
    assert response.status_code == 204
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"
    assert stored(entry.get_absolute_url()) == (1, 1)
    row = PageDay.objects.get()
    assert row.entry == entry
    assert ReferrerDay.objects.get().domain == "news.example.org"
    summary = DaySummary.objects.get(day=timezone.localdate())
    assert (summary.views, summary.visitors) == (1, 1)


def test_the_same_visitor_is_one_visitor_but_every_view_counts(client):
    entry, other = EntryFactory(), EntryFactory()
    for _ in range(3):
        beacon(client, entry.get_absolute_url())
    beacon(client, other.get_absolute_url())
    beacon(client, entry.get_absolute_url(), ip="198.51.100.9")
    assert stored(entry.get_absolute_url()) == (4, 2)
    assert stored(other.get_absolute_url()) == (1, 1)
    summary = DaySummary.objects.get()
    assert (summary.views, summary.visitors) == (5, 2)


def test_a_different_browser_at_the_same_address_is_another_visitor(client):
    entry = EntryFactory()
    beacon(client, entry.get_absolute_url())
    beacon(client, entry.get_absolute_url(), HTTP_USER_AGENT=BROWSER.replace("131", "130"))
    assert stored(entry.get_absolute_url()) == (2, 2)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_DNT": "1"},
        {"HTTP_SEC_GPC": "1"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_X_MOZ": "prefetch"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 AppleWebKit/537.36 (compatible; GPTBot/1.2; +https://openai.com/gptbot)"},
        {"HTTP_USER_AGENT": "curl/8.5.0"},
        {"HTTP_USER_AGENT": "python-requests/2.32.3"},
        {"HTTP_USER_AGENT": BROWSER.replace("Chrome/", "HeadlessChrome/")},
        {"HTTP_USER_AGENT": ""},
    ],
    ids=["dnt", "gpc", "sec-purpose", "purpose", "x-moz", "googlebot", "bingbot", "gptbot",
         "curl", "requests", "headless", "no-agent"],
)  # fmt: skip
def test_opt_outs_prefetches_and_bots_are_not_counted(client, headers):
    entry = EntryFactory()
    assert beacon(client, entry.get_absolute_url(), **headers).status_code == 204
    assert (
        client.get("/stats/pixel.gif", {"p": entry.get_absolute_url()}, **headers).status_code
        == 200
    )
    assert stored(entry.get_absolute_url()) == (0, 0)
    assert flush().views == 0


def test_dnt_0_is_counted(client):
    entry = EntryFactory()
    beacon(client, entry.get_absolute_url(), HTTP_DNT="0")
    assert stored(entry.get_absolute_url()) == (1, 1)


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/search/", "/feed/", "/stats/hit", "/nowhere/at/all/", "relative", "",
     "/tags/\x00/", "/" + "a" * 600, "/preview/abc/"],
)  # fmt: skip
def test_only_public_pages_are_counted(client, path):
    assert beacon(client, path).status_code == 204
    assert flush().views == 0
    assert not PageDay.objects.exists()


def test_public_pages_of_every_kind_count_and_published_files_count_as_their_page(client):
    entry = EntryFactory(tags=["notes"])
    year = timezone.localtime(entry.published_at).year
    pages = ["/", "/tags/", "/tags/notes/", f"/{year}/", "/authors/", "/series/"]
    for path in [*pages, entry.get_absolute_url() + "index.html"]:
        beacon(client, path)
    flush()
    assert set(PageDay.objects.values_list("path", flat=True)) == {*pages, entry.get_absolute_url()}


def test_a_unicode_path_is_stored_as_the_entrys_address_whichever_way_it_comes(client):
    entry = EntryFactory(slug="café-notes")
    beacon(client, entry.get_absolute_url())  # location.pathname: percent-encoded
    client.get(
        "/stats/pixel.gif",
        {"p": unquote(entry.get_absolute_url())},
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR="203.0.113.7",
    )
    assert stored(entry.get_absolute_url()) == (2, 1)


def test_own_site_and_nonsense_referrers_are_not_domains(client):
    entry = EntryFactory()
    for referrer in ["http://testserver/", "", "javascript:alert(1)", "http://[::1", "not a url",
                     "https://exa mple.org/", "https://" + "a" * 300 + ".org/"]:  # fmt: skip
        beacon(client, entry.get_absolute_url(), referrer=referrer)
    assert stored(entry.get_absolute_url())[0] == 7
    assert not ReferrerDay.objects.exists()


def test_hostile_beacons_get_204_and_store_nothing(client):
    assert (
        client.post("/stats/hit", b"\xff\xfe garbage", content_type="text/plain").status_code == 204
    )
    assert client.post("/stats/hit", {"p": ["/", "/tags/"]}).status_code == 204
    assert client.get("/stats/hit").status_code == 405
    assert client.post("/stats/pixel.gif").status_code == 405
    assert client.get("/stats/pixel.gif", {"p": "/admin/"}).status_code == 200


def test_the_pixel_counts_readers_without_javascript(client):
    entry = EntryFactory()
    response = client.get(
        "/stats/pixel.gif", {"p": entry.get_absolute_url()}, HTTP_USER_AGENT=BROWSER
    )
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert not response.cookies
    assert stored(entry.get_absolute_url()) == (1, 1)


def test_pages_carry_the_script_and_the_pixel_and_no_cookie(client, settings):
    entry = EntryFactory()
    response = client.get(entry.get_absolute_url())
    html = response.content.decode()
    assert 'src="/static/stats/beacon.' in html
    assert 'data-endpoint="/stats/hit"' in html
    pixel = "/stats/pixel.gif?" + urlencode({"p": entry.get_absolute_url()})
    assert f'<noscript><img class="stats-pixel" src="{pixel}"' in html
    assert not response.cookies
    settings.BLOGSITE_STATS = False
    assert "stats/beacon" not in client.get(entry.get_absolute_url()).content.decode()


def test_a_statically_published_site_elsewhere_counts_through_the_apps_address(client, settings):
    settings.BLOGSITE_STATS_ORIGIN = "https://app.example.org/"
    html = client.get("/").content.decode()
    assert 'data-endpoint="https://app.example.org/stats/hit"' in html
    assert 'src="https://app.example.org/stats/pixel.gif?p=%2F"' in html


def test_cached_pages_stay_cached_with_the_script(client, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    entry = EntryFactory()
    assert client.get(entry.get_absolute_url())["X-Cache"] == "miss"
    response = client.get(entry.get_absolute_url())
    assert response["X-Cache"] == "hit"
    assert "stats/beacon" in response.content.decode()
    assert not response.cookies


def test_views_counted_yesterday_are_stored_on_yesterday(client):
    entry = EntryFactory()
    beacon(client, entry.get_absolute_url())
    flush(today=timezone.localdate() + datetime.timedelta(days=1))
    assert PageDay.objects.get().day == timezone.localdate()


def test_a_published_page_counts_and_an_address_only_shaped_like_one_does_not(client):
    about = PageFactory(slug="about")
    beacon(client, about.get_absolute_url())
    beacon(client, "/no-such-page/")
    assert flush().views == 1
    assert stored(about.get_absolute_url()) == (1, 1)
    assert not PageDay.objects.filter(path="/no-such-page/").exists()


def test_addresses_only_shaped_like_an_entry_tag_author_series_or_archive_count_nowhere(client):
    entry = EntryFactory(tags=["notes"])
    local = timezone.localtime(entry.published_at)
    draft = EntryFactory(status="draft", tags=["secret-draft-tag"])
    real = [entry.get_absolute_url(), "/tags/notes/", f"/{local.year}/", f"/{local:%Y/%m}/"]
    forged = [
        f"/{local:%Y/%m}/made-up-slug/",
        "/tags/made-up/",
        "/tags/secret-draft-tag/",  # a tag only a draft carries is a 404 too
        "/authors/nobody/",
        "/series/no-such-series/",
        f"/{local.year - 30}/",
        f"/{local.year - 30}/01/",
        draft.get_absolute_url(),
    ]
    for path in real + forged:
        beacon(client, path)
    assert flush().views == len(real)
    assert set(PageDay.objects.values_list("path", flat=True)) == set(real)
