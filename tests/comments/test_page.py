"""What an entry page reads of its discussion: the same rows and values as the ORM gives."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment, Discussion
from comments.page import approved_comments, switched_on
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_the_approved_comments_are_the_orms_rows_with_the_same_values(entry):
    other = EntryFactory()
    Status = Comment.Status
    first = Comment.objects.create(entry=entry, name="Ada", body="First", status=Status.APPROVED)
    Comment.objects.create(entry=entry, name="Bo", body="Waiting", status=Status.PENDING)
    Comment.objects.create(entry=entry, name="Cy", body="Spam", status=Status.SPAM)
    Comment.objects.create(entry=other, name="Di", body="Elsewhere", status=Status.APPROVED)
    reply = Comment.objects.create(
        entry=entry, parent=first, name="Ed", body="A reply", status=Status.APPROVED,
        source="https://elsewhere.example/a-reply", kind=Comment.Kind.REPLY, notified=True,
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        shown = approved_comments(entry)
    assert len(queries) == 1
    expected = list(Comment.objects.approved().filter(entry=entry).order_by("created_at", "pk"))
    assert [c.pk for c in shown] == [first.pk, reply.pk] == [c.pk for c in expected]
    for read, orm in zip(shown, expected, strict=True):
        for field in Comment._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
    assert shown[1].notified is True and shown[0].notified is False  # not SQLite's 1 and 0
    assert isinstance(shown[0].created_at, datetime.datetime) and shown[0].created_at.tzinfo


def test_a_discussion_is_on_unless_switched_off(entry):
    with CaptureQueriesContext(connection) as queries:
        assert switched_on(entry) is True  # no row: the site's settings decide
    assert len(queries) == 1
    Discussion.objects.create(entry=entry, open=False)
    assert switched_on(entry) is False
    Discussion.objects.filter(entry=entry).update(open=True)
    assert switched_on(entry) is True
    assert switched_on(EntryFactory()) is True
