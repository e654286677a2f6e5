import datetime

import pytest
from django.utils import timezone

from subscribers.models import Mailing, Subscriber
from subscribers.reports import newsletter_report
from tests.factories import EntryFactory
from tests.subscribers.history import newsletter_history

pytestmark = pytest.mark.django_db


def span(days: int) -> tuple[datetime.date, int]:
    return timezone.localdate() - datetime.timedelta(days=days - 1), days


def test_nothing_to_report_before_anyone_subscribes():
    EntryFactory()
    assert newsletter_report(*span(30)) is None


def test_counts_sign_ups_departures_and_each_entrys_mail():
    expected = newsletter_history(subscribers=9, entries=3)
    report = newsletter_report(*span(7))
    assert report.confirmed_now == expected["confirmed_now"] == 7  # 9 - 3 gone + 1 imported
    assert [d.day for d in report.days] == [span(7)[0] + datetime.timedelta(n) for n in range(7)]
    today = report.days[-1]
    # One form sign-up confirmed each day back from today; the import is no sign-up.
    assert [d.confirmed for d in report.days] == [1] * 7
    assert today.unsubscribed == 3 and sum(d.unsubscribed for d in report.days) == 3
    assert [m.title for m in report.mailings] == [e.title for e in expected["entries"]]
    first = report.mailings[0]
    assert (first.sent, first.failed, first.waiting) == (5, 2, 2)
    assert (expected["sent"], expected["failed"], expected["waiting"]) == (5, 2, 2)


def test_the_span_leaves_out_what_came_before_it():
    newsletter_history(subscribers=9, entries=3)
    report = newsletter_report(*span(2))
    assert [d.confirmed for d in report.days] == [1, 1]
    assert len(report.mailings) == 2  # the third entry was e-mailed two days ago


def test_held_skipped_and_unread_entries_are_not_mailings_and_only_the_latest_are_listed():
    newsletter_history(subscribers=2, entries=4)
    Mailing.objects.create(entry=EntryFactory(), state=Mailing.State.HOLD)
    Mailing.objects.create(entry=EntryFactory(), state=Mailing.State.SKIPPED)
    Mailing.objects.create(entry=EntryFactory(), state=Mailing.State.DONE)  # to nobody
    report = newsletter_report(*span(30), recent=3)
    assert [m.title for m in report.mailings] == [f"Mailed entry {n}" for n in range(3)]


def test_everyone_gone_still_reports_the_departures():
    newsletter_history(subscribers=0, entries=0)
    Subscriber.objects.get().forget()
    report = newsletter_report(*span(7))
    assert report.confirmed_now == 0
    assert report.days[-1].unsubscribed == 1


@pytest.mark.parametrize(("days", "listed"), [(7, 8), (365, 10)])
def test_four_queries_whatever_the_numbers(django_assert_num_queries, days, listed):
    newsletter_history(subscribers=1, entries=1, tag="a")
    with django_assert_num_queries(4):
        newsletter_report(*span(days))
    newsletter_history(subscribers=10, entries=10, tag="b")
    with django_assert_num_queries(4):
        report = newsletter_report(*span(days))
    # A week holds b0..b6 and a0; a year holds all eleven, of which the latest ten are listed.
    assert len(report.mailings) == listed
