"""Pages in the admin: the entry's editor, clashing addresses refused, roles kept."""

import pytest
from django.urls import reverse

from posts.models import Page, Redirect
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db

ADD_PAGE = reverse("admin:posts_page_add")


def page_form(author, **fields) -> dict:
    data = {
        "title": "About",
        "body": "Hello **readers**.",
        "cover": "",
        "excerpt": "",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "parent": "",
        "slug": "about",
        "author": author.pk,
        "seo_title": "",
        "meta_description": "",
        "social_image": "",
    }
    data.update(fields)
    return data


def test_the_add_page_uses_the_markdown_editor(editor_client):
    html = editor_client.get(ADD_PAGE).content.decode()
    assert "markdownx-editor" in html
    assert "posts/admin/preview" in html


def test_an_editor_writes_and_publishes_a_page(editor_client, editor, client):
    response = editor_client.post(ADD_PAGE, page_form(editor))
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    page = Page.objects.get()
    assert (page.path, page.status) == ("/about/", Page.Status.PUBLISHED)
    assert page.body_html == "<p>Hello <strong>readers</strong>.</p>\n"
    assert client.get("/about/").status_code == 200


@pytest.mark.parametrize("slug", ["tags", "feed", "2024", "admin"])
def test_an_address_the_site_uses_is_refused_with_a_clear_error(editor_client, editor, slug):
    response = editor_client.post(ADD_PAGE, page_form(editor, slug=slug))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert errors == [
        f"The address /{slug}/ is taken by the site itself (/{slug}/): "
        "choose another slug or parent."
    ]
    assert not Page.objects.exists()


def test_a_page_nested_under_a_parent(editor_client, editor):
    parent = PageFactory(slug="projects")
    response = editor_client.post(ADD_PAGE, page_form(editor, slug="unikernels", parent=parent.pk))
    assert response.status_code == 302
    assert Page.objects.get(slug="unikernels").path == "/projects/unikernels/"


def test_moving_a_page_in_the_admin_leaves_a_redirect(editor_client, editor, client):
    page = PageFactory(slug="about", author=editor)
    change = reverse("admin:posts_page_change", args=[page.pk])
    response = editor_client.post(change, page_form(editor, slug="about-us"))
    assert response.status_code == 302
    assert Redirect.objects.get().old_path == "/about/"
    assert client.get("/about/")["Location"] == "/about-us/"


def test_an_author_may_write_a_page_but_not_publish_it(author_client, author, client):
    response = author_client.post(ADD_PAGE, page_form(author, slug="mine"))
    assert response.status_code == 302
    page = Page.objects.get()
    assert page.status == Page.Status.DRAFT
    assert client.get("/mine/").status_code == 404
    # Published by an editor, it is read-only to the author.
    page.status = Page.Status.PUBLISHED
    page.save()
    change = reverse("admin:posts_page_change", args=[page.pk])
    response = author_client.post(change, page_form(author, slug="mine", title="Changed"))
    assert response.status_code == 403
    assert Page.objects.get().title == "About"


def test_the_prepublish_check_runs_on_pages(editor_client):
    page = PageFactory(body="[gone](/nowhere/)\n\n### Skipped a level")
    html = editor_client.get(reverse("admin:posts_page_change", args=[page.pk])).content.decode()
    assert "Pre-publish check" in html
    assert "The link to /nowhere/ leads to a missing page." in html
    assert "no tags" not in html


def test_hostile_markdown_in_a_page_is_sanitised(editor_client, editor, client):
    body = '<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror="alert(1)">'
    assert editor_client.post(ADD_PAGE, page_form(editor, body=body)).status_code == 302
    html = client.get("/about/").content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html and "onerror=" not in html


def test_each_save_keeps_a_revision_that_can_be_compared_and_restored(editor_client, editor):
    response = editor_client.post(ADD_PAGE, page_form(editor, body="First words."))
    page = Page.objects.get()
    change = reverse("admin:posts_page_change", args=[page.pk])
    editor_client.post(change, page_form(editor, body="Second words."))
    assert list(page.revisions.values_list("body", flat=True)) == ["Second words.", "First words."]
    assert "Revisions" in editor_client.get(change).content.decode()
    history = editor_client.get(reverse("admin:posts_page_revisions", args=[page.pk]))
    assert history.status_code == 200
    assert "First" in history.content.decode() and "Second" in history.content.decode()
    first = page.revisions.get(body="First words.")
    restore = reverse("admin:posts_page_restore", args=[page.pk, first.pk])
    response = editor_client.post(restore)
    assert response.status_code == 302 and response["Location"] == change
    page.refresh_from_db()
    assert page.body == "First words." and page.body_html == "<p>First words.</p>\n"
    assert page.revisions.count() == 3


def test_an_author_cannot_restore_a_published_pages_revision(author_client, editor):
    page = PageFactory(author=editor, body="Published text.")
    from posts.editorial.revisions import record_revision

    revision = record_revision(page, editor)
    restore = reverse("admin:posts_page_restore", args=[page.pk, revision.pk])
    assert author_client.post(restore).status_code == 403
