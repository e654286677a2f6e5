import json
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from posts.editorial.previews import preview_path, revoke_previews
from posts.models import Entry
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def draft(**fields) -> Entry:
    return EntryFactory(
        title="A secret draft", status=Entry.Status.DRAFT, published_at=None, **fields
    )


def test_a_preview_link_shows_the_draft_to_a_reader_without_an_account(client):
    entry = draft(body="Not *yet* public.")
    assert client.get(entry.get_absolute_url()).status_code == 404
    response = client.get(preview_path(entry))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A secret draft" in html and "<em>yet</em>" in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "private, no-store"
    assert not response.cookies


def test_a_scheduled_entry_can_be_previewed_too(client):
    entry = EntryFactory(published_at=timezone.now() + timedelta(days=3))
    assert entry.is_scheduled
    assert client.get(entry.get_absolute_url()).status_code == 404
    assert client.get(preview_path(entry)).status_code == 200


def test_the_page_cache_never_keeps_a_preview(client, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    entry = draft()
    path = preview_path(entry)
    assert client.get(path).status_code == 200
    entry.title = "Changed since"
    entry.save()
    second = client.get(path)
    assert "Changed since" in second.content.decode()
    assert "X-Cache" not in second


def test_a_link_expires_after_the_configured_age(client, settings):
    settings.BLOGSITE_PREVIEW_MAX_AGE = timedelta(days=7)
    entry = draft()
    path = preview_path(entry)
    with time_machine.travel(timedelta(days=6), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(timedelta(days=8), tick=False):
        response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_revoking_withdraws_every_link_given_out(client):
    entry = draft()
    old_path = preview_path(entry)
    revoke_previews(entry)
    response = client.get(old_path)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert client.get(preview_path(entry)).status_code == 200


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJlIjoxfQ:1abc:forged", "a" * 300, "%00%ff", ":::"],
)
def test_a_tampered_link_is_a_404_never_a_500(client, token):
    draft()
    response = client.get(reverse("posts:preview", kwargs={"token": token}))
    assert response.status_code == 404


def test_a_link_to_another_entry_cannot_be_forged_from_a_good_one(client):
    entry, other = draft(), draft()
    good = preview_path(entry).split("/")[2]
    _payload, stamp, signature = good.split(":")
    # The other entry's id and token, with the good link's time stamp and signature.
    payload = signing.b64_encode(
        json.dumps({"e": other.pk, "t": other.preview_token}, separators=(",", ":")).encode()
    ).decode()
    forged = f"{payload}:{stamp}:{signature}"
    assert client.get(reverse("posts:preview", kwargs={"token": good})).status_code == 200
    assert client.get(reverse("posts:preview", kwargs={"token": forged})).status_code == 404


def test_a_link_to_a_deleted_entry_is_a_404(client):
    entry = draft()
    path = preview_path(entry)
    entry.delete()
    assert client.get(path).status_code == 404


def test_once_published_the_link_leads_to_the_entry(client):
    entry = draft()
    path = preview_path(entry)
    entry.status = Entry.Status.PUBLISHED
    entry.save()
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == entry.get_absolute_url()


def test_the_change_page_of_a_draft_gives_a_share_link_and_a_revoke_button(staff_client, client):
    entry = draft()
    page = staff_client.get(reverse("admin:posts_entry_change", args=[entry.pk]))
    link = page.context["share_preview_url"]
    assert link.startswith("http://testserver/preview/")
    html = page.content.decode()
    assert 'id="share-preview-url"' in html and link in html
    revoke = reverse("admin:posts_entry_revoke_previews", args=[entry.pk])
    assert revoke in html
    assert client.get(link).status_code == 200

    assert staff_client.get(revoke).status_code == 405
    assert staff_client.post(revoke).status_code == 302
    assert client.get(link).status_code == 410


def test_a_published_entry_has_no_share_link(staff_client):
    entry = EntryFactory()
    page = staff_client.get(reverse("admin:posts_entry_change", args=[entry.pk]))
    assert "share_preview_url" not in page.context
    assert 'id="share-preview-url"' not in page.content.decode()


def test_an_author_cannot_revoke_links_of_others(author_client):
    entry = draft()
    token = entry.preview_token
    revoke = reverse("admin:posts_entry_revoke_previews", args=[entry.pk])
    assert author_client.post(revoke).status_code == 404
    entry.refresh_from_db()
    assert entry.preview_token == token


def test_a_draft_page_is_shared_by_a_link_and_the_link_can_be_withdrawn(client, editor_client):
    from posts.editorial.previews import preview_path
    from posts.models import Page, new_preview_token
    from tests.factories import PageFactory

    page = PageFactory(slug="soon", title="Coming soon", status=Page.Status.DRAFT)
    change = editor_client.get(f"/admin/posts/page/{page.pk}/change/").content.decode()
    assert "Share a preview" in change
    link = preview_path(page)
    response = client.get(link)
    assert response.status_code == 200 and "Coming soon" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert client.get("/soon/").status_code == 404  # the address itself stays closed
    Page.objects.filter(pk=page.pk).update(preview_token=new_preview_token())
    assert client.get(link).status_code == 410
    page.status = Page.Status.PUBLISHED
    page.save()
    assert client.get(preview_path(page))["Location"] == "/soon/"
