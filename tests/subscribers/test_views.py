"""Sign-up with double opt-in, one-click unsubscribe and the tag page, through a real SMTP
server; the guards a cached, cookie-free form relies on; hostile addresses."""

import re
import time

import pytest
from django.urls import reverse
from taggit.models import Tag

from subscribers.addresses import address_hash
from subscribers.formguard import new_stamp
from subscribers.models import Subscriber
from tests.factories import EntryFactory
from tests.subscribers.conftest import confirmed

pytestmark = pytest.mark.django_db

ORIGIN = {"Origin": "http://testserver"}
CONFIRM_LINK = re.compile(r"https://blog\.example\.org(/subscribe/confirm/[^/\s]+/)")


def public_tag(name: str) -> Tag:
    """A tag a published entry carries: the only kind readers may follow."""
    EntryFactory(tags=[name])
    return Tag.objects.get(name=name)


def sign_up(client, address: str, headers=ORIGIN, stamp=None, meta=None, **fields):
    data = {"email": address, "stamp": stamp or new_stamp(time.time() - 10), **fields}
    return client.post(reverse("subscribers:subscribe"), data, headers=headers, **(meta or {}))


def confirm_link(message) -> str:
    return CONFIRM_LINK.search(message.get_body(("plain",)).get_content()).group(1)


def test_signing_up_mails_a_link_and_nothing_else_until_it_is_opened(client, inbox):
    response = sign_up(client, "Reader@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("subscribers:sent")
    assert not response.cookies  # the page answering stays cookie-free
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    [mail] = inbox.messages
    assert mail["X-Envelope-To"] == "reader@example.org"
    assert "Confirm your subscription" in mail["Subject"]

    page = client.get(confirm_link(mail))
    assert page.status_code == 200
    assert "You are subscribed" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.consent_at is not None and subscriber.all_tags


def test_the_tags_chosen_take_effect_only_with_the_confirmation(client, inbox):
    python, django = public_tag("python"), public_tag("django")
    sign_up(client, "tags@example.org", tags=[python.pk])
    subscriber = Subscriber.objects.get()
    assert subscriber.all_tags and not subscriber.tags.exists()
    client.get(confirm_link(inbox.messages[0]))
    subscriber.refresh_from_db()
    assert not subscriber.all_tags
    assert list(subscriber.tags.all()) == [python]
    assert django not in subscriber.tags.all()


def test_an_expired_or_damaged_link_says_so(client, inbox, settings):
    sign_up(client, "late@example.org")
    link = confirm_link(inbox.messages[0])
    damaged = client.get(link[:-3] + "xx/")
    assert damaged.status_code == 410
    settings.BLOGSITE_SUBSCRIBE_CONFIRM_HOURS = 0
    time.sleep(1.1)
    expired = client.get(link)
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


@pytest.mark.parametrize("state", ["new", "pending", "confirmed", "unsubscribed"])
def test_asking_again_sends_a_link_and_answers_alike_whatever_was_known(client, inbox, state):
    address = "again@example.org"
    if state == "pending":
        sign_up(client, address)
        inbox.messages.clear()
    elif state == "confirmed":
        confirmed(address)
    elif state == "unsubscribed":
        confirmed(address).forget()
    response = sign_up(client, address)
    assert (response.status_code, response["Location"]) == (302, reverse("subscribers:sent"))
    assert inbox.recipients() == [address]
    assert Subscriber.objects.count() == 1
    expected = Subscriber.Status.CONFIRMED if state == "confirmed" else Subscriber.Status.PENDING
    assert Subscriber.objects.get().status == expected


@pytest.mark.parametrize(
    "address",
    [
        "victim@example.org\r\nBcc: everyone@example.org",
        "victim@example.org\nBcc: x@example.org",
        "a" * 5000 + "@example.org",
        '"quoted local"@example.org',
        "o'brien@example.org",
        "<angle@example.org>",
        "two@example.org, three@example.org",
        "no-at-sign",
        "ünïcode@example.org",
        "user@exa mple.org",
        "user@-bad-.example",
    ],
)
def test_hostile_addresses_are_refused_with_a_message_and_nothing_is_sent(client, inbox, address):
    response = sign_up(client, address)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="subscribe-error"' in html
    assert "e-mail" in html.lower() or "address" in html.lower()
    assert inbox.messages == []
    assert not Subscriber.objects.exists()


def test_an_idn_domain_is_stored_as_ascii_and_mailed_there(client, inbox):
    assert sign_up(client, "leser@bücher.example").status_code == 302
    assert Subscriber.objects.get().email == "leser@xn--bcher-kva.example"
    assert inbox.recipients() == ["leser@xn--bcher-kva.example"]


def test_a_post_from_another_site_is_refused_and_keeps_what_was_typed(client, inbox):
    for headers in (
        {"Origin": "https://evil.example"},
        {},
        {"Referer": "https://evil.example/"},
        {"Referer": "http://["},  # not an address at all: refused, not a 500
    ):
        response = sign_up(client, "kept@example.org", headers=headers)
        assert response.status_code == 403
        assert 'value="kept@example.org"' in response.content.decode()
    assert (
        sign_up(client, "kept@example.org", headers={"Referer": "http://testserver/x/"}).status_code
        == 302
    )
    assert inbox.recipients() == ["kept@example.org"]


def test_a_filled_trap_field_sends_nothing_but_answers_as_ever(client, inbox):
    response = sign_up(client, "robot@example.org", website="https://spam.example")
    assert (response.status_code, response["Location"]) == (302, reverse("subscribers:sent"))
    assert inbox.messages == [] and not Subscriber.objects.exists()


@pytest.mark.parametrize("stamp", ["", "forged", "now"])
def test_a_missing_forged_or_instant_stamp_asks_again_with_a_fresh_one(client, inbox, stamp):
    stamp = new_stamp() if stamp == "now" else stamp
    data = {"email": "fast@example.org", "stamp": stamp}
    response = client.post(reverse("subscribers:subscribe"), data, headers=ORIGIN)
    assert response.status_code == 400
    html = response.content.decode()
    assert "press Subscribe again" in html and 'value="fast@example.org"' in html
    assert inbox.messages == []


def test_a_stamp_older_than_the_limit_asks_again(client, inbox, settings):
    settings.BLOGSITE_SUBSCRIBE_FORM_MAX_AGE_DAYS = 1
    assert (
        sign_up(client, "old@example.org", stamp=new_stamp(time.time() - 2 * 86400)).status_code
        == 400
    )
    assert inbox.messages == []


def test_one_address_and_one_client_are_limited(client, inbox, settings):
    settings.BLOGSITE_SUBSCRIBE_PER_ADDRESS_HOUR = 2
    settings.BLOGSITE_SUBSCRIBE_PER_IP_HOUR = 4
    assert [sign_up(client, "same@example.org").status_code for _ in range(3)] == [302, 302, 429]
    refused = sign_up(client, "same@example.org")
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 3600
    assert "Too many sign-ups" in refused.content.decode()
    assert len(inbox.messages) == 2
    # The address limit counts the address, not the client; the client's limit is spent now.
    assert sign_up(client, "other@example.org").status_code == 429
    other_client = sign_up(client, "other@example.org", meta={"REMOTE_ADDR": "192.0.2.9"})
    assert other_client.status_code == 302
    assert inbox.recipients()[-1] == "other@example.org"


def test_the_sign_up_page_and_footer_form_carry_no_cookie_and_no_csrf_token(client, inbox):
    for url in (reverse("subscribers:subscribe"), reverse("posts:index")):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and not response.cookies, url
        assert "csrfmiddlewaretoken" not in html
        assert 'name="stamp"' in html and 'id="footer-subscribe-email"' in html


def test_unsubscribe_by_the_link_keeps_only_a_hash(client, inbox):
    subscriber = confirmed("leaving@example.org", tags=[public_tag("go")])
    page = client.get(reverse("subscribers:unsubscribe", args=[subscriber.key]))
    assert page.status_code == 200 and "You are unsubscribed" in page.content.decode()
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    subscriber.refresh_from_db()
    assert subscriber.email is None
    assert subscriber.email_hash == address_hash("leaving@example.org")
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not subscriber.tags.exists()
    # The link has done its work: again, it finds nobody.
    assert client.get(reverse("subscribers:unsubscribe", args=[subscriber.key])).status_code == 404


def test_unsubscribe_by_rfc_8058_post_needs_no_token_or_origin(client, inbox):
    subscriber = confirmed("oneclick@example.org")
    response = client.post(
        reverse("subscribers:unsubscribe", args=[subscriber.key]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.email is None


def test_an_unknown_key_is_a_404(client):
    assert client.get(reverse("subscribers:unsubscribe", args=["nope"])).status_code == 404
    assert client.get(reverse("subscribers:manage", args=["nope"])).status_code == 404


def test_the_tag_page_changes_what_a_subscriber_follows(client, inbox):
    python = public_tag("python")
    subscriber = confirmed("chooser@example.org")
    url = reverse("subscribers:manage", args=[subscriber.key])
    page = client.get(url)
    assert page.status_code == 200 and "python" in page.content.decode()
    saved = client.post(url, {"tags": [python.pk]}, headers=ORIGIN)
    assert "Saved." in saved.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.all_tags and list(subscriber.tags.all()) == [python]
    # From another site: nothing changes.
    client.post(url, {"all_tags": "on"}, headers={"Origin": "https://evil.example"})
    subscriber.refresh_from_db()
    assert not subscriber.all_tags


def test_a_tag_only_a_draft_carries_is_not_offered(client):
    from posts.models import Entry

    public_tag("gardens")
    EntryFactory(tags=["secret-launch"], status=Entry.Status.DRAFT)
    page = client.get(reverse("subscribers:subscribe")).content.decode()
    assert "gardens" in page and "secret-launch" not in page


@pytest.mark.parametrize("tags", [1, 10])
def test_the_sign_up_page_reads_the_same_queries_with_1_or_10_tags(
    client, django_assert_num_queries, tags
):
    for n in range(tags):
        public_tag(f"tag {n}")
    client.get(reverse("subscribers:subscribe"))  # the site's menu, once per content version
    with django_assert_num_queries(1):  # the tags, in one query
        page = client.get(reverse("subscribers:subscribe"))
    assert page.content.decode().count('name="tags"') == tags


@pytest.mark.parametrize("tags", [1, 10])
def test_the_tag_page_reads_the_same_queries_with_1_or_10_tags(
    client, django_assert_num_queries, tags
):
    subscriber = confirmed("few@example.org", all_tags=False)
    subscriber.tags.set([public_tag(f"tag {n}") for n in range(tags)])
    client.get(reverse("subscribers:manage", args=[subscriber.key]))  # the menu, as above
    with django_assert_num_queries(3):  # the subscriber, their tags, every tag
        page = client.get(reverse("subscribers:manage", args=[subscriber.key]))
    assert page.content.decode().count("checked") == tags
