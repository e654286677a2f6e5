import pytest

from stats.flush import flush
from stats.middleware import parse_user_agent
from stats.models import FeedReaders
from stats.reports import feed_readers
from tests.factories import EntryFactory


@pytest.mark.parametrize(
    ("agent", "service", "feed_id", "subscribers"),
    [
        ("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; )", "Feedly", "", 123),
        ("Mozilla/5.0 (compatible; Feedly/1.0; +http://www.feedly.com/; 1,204 subscribers)",
         "Feedly", "", 1204),
        ("Mozilla/5.0 (compatible; 5 subscribers)", None, None, None),
        ("Tiny Tiny RSS/23.04 (https://tt-rss.org/) 4 subscribers", "Tiny Tiny RSS", "", 4),
        ("SomeReader/2.0 (7 readers)", "SomeReader", "", 7),
        ("Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 9 subscribers; feed-id=8812)",
         "Inoreader", "8812", 9),
        ("NewsBlur Feed Fetcher - 45 subscribers - https://www.newsblur.com/site/77/x",
         "NewsBlur", "", 45),
        ("Feedbin feed-id:1552 - 3 subscribers", "Feedbin", "1552", 3),
        ("theoldreader.com (2 subscribers)", "The Old Reader", "", 2),
        ("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", None, None, None),
        ("Spammer/1.0 (99999999999 subscribers)", None, None, None),
    ],
)  # fmt: skip
def test_subscriber_counts_are_read_from_fetchers_user_agents(agent, service, feed_id, subscribers):
    report = parse_user_agent(agent)
    if service is None:
        assert report is None
        return
    assert (report.service, report.feed_id, report.subscribers) == (service, feed_id, subscribers)


@pytest.mark.django_db
def test_fetches_are_noted_on_cached_feeds_and_summed_per_service(client, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    EntryFactory()
    feedly = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; {} subscribers)"
    assert client.get("/feed/", HTTP_USER_AGENT=feedly.format(100))["X-Cache"] == "miss"
    hit = client.get("/feed/", HTTP_USER_AGENT=feedly.format(140))
    assert hit["X-Cache"] == "hit"
    client.get("/feed/rss/", HTTP_USER_AGENT=feedly.format(5))
    client.get("/feed/", HTTP_USER_AGENT="NewsBlur Feed Fetcher - 12 subscribers - https://x")
    client.get("/", HTTP_USER_AGENT=feedly.format(999))  # not a feed: not noted
    client.post("/feed/", HTTP_USER_AGENT=feedly.format(999))
    flush()
    client.get("/feed/", HTTP_USER_AGENT=feedly.format(120))  # a smaller figure later today
    flush()
    flush()
    assert FeedReaders.objects.count() == 3
    _day, services = feed_readers()
    assert {row["service"]: row["subscribers"] for row in services} == {
        "Feedly": 145, "NewsBlur": 12
    }  # fmt: skip
