"""CSV in and out: Ghost, Substack and Mailchimp columns; consent; unsubscribed hashes."""

import csv
import io

import pytest
from taggit.models import Tag

from subscribers import csvio
from subscribers.models import Subscriber
from tests.subscribers.conftest import confirmed

pytestmark = pytest.mark.django_db


def test_an_import_confirms_only_rows_that_say_so_with_a_consent_date():
    Tag.objects.create(name="python")
    lines = [
        "email,confirmed,consent_at,tags",
        "yes@example.org,true,2024-03-01T10:00:00Z,python",
        "nodate@example.org,true,,",
        "pending@example.org,false,2024-03-01,",
        "not an address,true,2024-03-01,",
        '"evil@example.org\r\nBcc: x@example.org",true,2024-03-01,',  # row 6, over two lines
        "a" * 5000 + "@example.org,true,2024-03-01,",
    ]
    data = ("\n".join(lines) + "\n").encode()
    report = csvio.import_csv(data)
    assert (report.added, report.confirmed) == (3, 1)
    assert [problem.split(":")[0] for problem in report.problems] == ["Row 5", "Row 6", "Row 7"]
    assert not Subscriber.objects.filter(email__contains="evil").exists()
    yes = Subscriber.objects.get(email="yes@example.org")
    assert yes.status == Subscriber.Status.CONFIRMED
    assert yes.consent_at.isoformat().startswith("2024-03-01T10:00")
    assert [t.name for t in yes.tags.all()] == ["python"] and not yes.all_tags
    assert Subscriber.objects.get(email="nodate@example.org").status == "pending"
    assert Subscriber.objects.get(email="pending@example.org").status == "pending"
    assert Subscriber.objects.filter(source=Subscriber.Source.IMPORT).count() == 3


def test_an_unsubscribed_address_is_never_imported_again():
    confirmed("left@example.org").forget()
    report = csvio.import_csv(b"email,confirmed,consent_at\nLeft@Example.org,yes,2024-01-01\n")
    assert (report.added, report.blocked) == (0, 1)
    assert not Subscriber.objects.filter(email="left@example.org").exists()


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("ghost", "email,name,subscribed_to_emails,created_at,labels\na@example.org,A,true,"
                  "2023-05-01T00:00:00.000Z,\n"),
        ("substack", "email,active_subscription,email_disabled,subscription_created_at\n"
                     "a@example.org,false,false,2023-05-01T00:00:00.000Z\n"),
        ("mailchimp", "Email Address,OPTIN_TIME,CONFIRM_TIME\n"
                      "a@example.org,2023-05-01 00:00:00,2023-05-01 00:01:00\n"),
    ],
)  # fmt: skip
def test_each_services_export_imports_as_confirmed(kind, data):
    report = csvio.import_csv(data.encode())
    assert (report.added, report.confirmed, report.problems) == (1, 1, [])
    assert Subscriber.objects.get().consent_at.year == 2023


@pytest.mark.parametrize("kind", sorted(csvio.FORMATS))
def test_an_export_has_the_services_columns_and_imports_back(kind):
    confirmed("out@example.org", tags=[Tag.objects.create(name="go")])
    confirmed("gone@example.org").forget()
    text = csvio.export_csv(Subscriber.objects.all(), kind)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == csvio.FORMATS[kind]
    assert [row[0] for row in rows[1:]] == ["out@example.org"]  # the unsubscribed are gone
    Subscriber.objects.all().delete()
    report = csvio.import_csv(text.encode())
    assert report.added == 1 and report.problems == []


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe not utf-8 \xff", b"name,age\nx,1\n", b'email\n"unterminated\n'],
)
def test_a_broken_file_is_refused_with_a_message(data):
    report = csvio.import_csv(data)
    assert report.added == 0 and report.problems
