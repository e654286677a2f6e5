import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stats.models import DaySummary, FeedReaders, PageDay, ReferrerDay
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/stats/daysummary/"


def fill(entries: int) -> list:
    today = timezone.localdate()
    made = [EntryFactory(tags=[f"tag-{n}", "common"]) for n in range(entries)]
    for back in range(40):
        day = today - datetime.timedelta(days=back)
        DaySummary.objects.create(day=day, views=10 + back, visitors=5)
        for number, entry in enumerate(made):
            PageDay.objects.create(day=day, path=entry.get_absolute_url(), entry=entry,
                                   views=number + 1, visitors=1)  # fmt: skip
        ReferrerDay.objects.create(day=day, domain="news.example.org", views=3)
    FeedReaders.objects.create(day=today, service="Feedly", feed="/feed/", subscribers=120)
    FeedReaders.objects.create(day=today, service="Feedly", feed="/feed/rss/", subscribers=3)
    FeedReaders.objects.create(day=today, service="NewsBlur", feed="/feed/", subscribers=7)
    return made


def test_editors_see_the_dashboard_with_charts_and_tables(editor_client):
    made = fill(3)
    response = editor_client.get(DASHBOARD, {"days": 7})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<rect class="views"') == 7
    assert "Whole site, last 7 days: 91 views" in html  # 10+11+...+16
    assert made[2].title in html and "news.example.org" in html
    assert "common" in html and made[0].author.username in html
    feeds = {row["service"]: row["subscribers"] for row in response.context["feeds"]}
    assert feeds == {"Feedly": 123, "NewsBlur": 7}
    for span in (30, 365):
        html = editor_client.get(DASHBOARD, {"days": span}).content.decode()
        assert html.count('<rect class="views"') == span
    assert editor_client.get(DASHBOARD, {"days": "x"}).status_code == 200


def test_the_dashboard_reads_a_fixed_number_of_queries(
    editor_client, django_assert_max_num_queries
):
    fill(1)
    with django_assert_max_num_queries(20) as one:
        editor_client.get(DASHBOARD, {"days": 365})
    for model in (PageDay, DaySummary, ReferrerDay, FeedReaders):
        model.objects.all().delete()
    fill(10)
    with django_assert_max_num_queries(len(one.captured_queries)):
        editor_client.get(DASHBOARD, {"days": 365})


def test_authors_and_anonymous_readers_cannot_see_it(author_client, client):
    assert author_client.get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD).status_code == 302
    assert "Statistics" not in author_client.get("/admin/").content.decode()


def test_no_row_can_be_added_or_changed_by_hand(admin_client):
    assert admin_client.get(DASHBOARD + "add/").status_code in (403, 404)


def test_each_entrys_page_has_its_own_chart(editor_client):
    (entry,) = fill(1)
    html = editor_client.get(reverse("admin:posts_entry_change", args=[entry.pk])).content.decode()
    assert 'id="entry-stats-heading"' in html
    assert html.count('<rect class="views"') == 30
    assert f"{entry}, last 30 days: 30 views" in html


def test_the_newsletter_part_shows_subscribers_sign_ups_and_each_entrys_mail(editor_client):
    from tests.subscribers.history import newsletter_history

    expected = newsletter_history(subscribers=9, entries=2)
    for days in (7, 30, 365):
        response = editor_client.get(DASHBOARD, {"days": days})
        html = response.content.decode()
        assert 'id="newsletter-heading"' in html
        assert html.count('<rect class="signups"') == days
        assert html.count('<rect class="unsubscribes"') == days
    assert '<strong class="newsletter-now">7</strong> confirmed subscribers now' in html
    # Nine form sign-ups over nine days (the import is none), three left today.
    assert "Newsletter, last 365 days: 9 sign-ups confirmed and 3 unsubscribes" in html
    first = response.context["newsletter"].mailings[0]
    assert first.title == expected["entries"][0].title
    assert (first.sent, first.failed, first.waiting) == (5, 2, 2)
    assert expected["entries"][1].title in html
    week = editor_client.get(DASHBOARD, {"days": 7}).content.decode()
    assert "Newsletter, last 7 days: 7 sign-ups confirmed and 3 unsubscribes" in week


def test_no_newsletter_part_before_anyone_subscribes(editor_client):
    fill(2)
    html = editor_client.get(DASHBOARD).content.decode()
    assert "Top entries" in html and "newsletter" not in html.lower()


def test_no_newsletter_part_without_the_subscribers_app(editor_client, settings):
    from tests.subscribers.history import newsletter_history

    newsletter_history(subscribers=3, entries=1)
    assert 'id="newsletter-heading"' in editor_client.get(DASHBOARD).content.decode()
    # A site without the app has none of its models in the admin either (Editors may see them).
    from django.contrib import admin

    registered = {
        m: a for m, a in admin.site._registry.items() if m._meta.app_label == "subscribers"
    }
    for model in registered:
        admin.site.unregister(model)
    try:
        settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "subscribers"]
        response = editor_client.get(DASHBOARD)
    finally:
        admin.site._registry.update(registered)
    assert response.status_code == 200
    assert "Top entries" in response.content.decode()
    assert "newsletter" not in response.content.decode().lower()


def test_the_newsletter_part_reads_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries
):
    from tests.subscribers.history import newsletter_history

    fill(1)
    editor_client.get(DASHBOARD)  # the session and the flush chain settle first
    with CaptureQueriesContext(connection) as without:
        editor_client.get(DASHBOARD, {"days": 365})
    newsletter_history(subscribers=1, entries=1, tag="a")
    # Nobody subscribed: one count. Then three more: sign-ups, departures, mailings.
    with django_assert_num_queries(len(without.captured_queries) + 3) as one:
        html = editor_client.get(DASHBOARD, {"days": 365}).content.decode()
    assert html.count("Mailed entry") == 1
    newsletter_history(subscribers=10, entries=10, tag="b")
    with django_assert_num_queries(len(one.captured_queries)):
        html = editor_client.get(DASHBOARD, {"days": 365}).content.decode()
    assert html.count("Mailed entry") == 10
