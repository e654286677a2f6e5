import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from posts.models import Entry, Image

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_load_demo_loads_once(client):
    assert "Loaded 7 demo entries" in run("load_demo")
    assert Entry.objects.published().count() == 5
    assert Entry.objects.scheduled().count() == 1
    assert Entry.objects.filter(status=Entry.Status.DRAFT).count() == 1
    assert Image.objects.count() == 3
    assert "already has content" in run("load_demo")
    assert Entry.objects.count() == 7
    # The demo shows off the renderer: a table, highlighted code, footnotes, a picture.
    bodies = "".join(Entry.objects.values_list("body_html", flat=True))
    for piece in ("<table>", '<span class="k">', 'class="footnote-ref"', "<img src=", "<h2>"):
        assert piece in bodies
    for entry in Entry.objects.published():
        assert client.get(entry.get_absolute_url()).status_code == 200


def test_load_demo_dry_run_changes_nothing():
    assert "Would load" in run("load_demo", "--dry-run")
    assert Entry.objects.count() == 0


def test_demo_admin_prints_a_password_once(settings):
    settings.DEBUG = True
    first = run("demo_admin")
    password = first.split("password:")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    again = run("demo_admin")
    assert password not in again and "exists" in again


def test_demo_admin_refuses_outside_local_runs(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local runs"):
        run("demo_admin")
    assert not get_user_model().objects.exists()


def test_render_entries_stores_only_what_changed():
    from tests.factories import EntryFactory

    stale, fresh = EntryFactory(body="Some *words*."), EntryFactory(body="Other words.")
    Entry.objects.filter(pk=stale.pk).update(body_html="<p>rendered by an older version</p>")
    assert "1 entries would change." in run("render_entries", "--dry-run")
    stale.refresh_from_db()
    assert stale.body_html == "<p>rendered by an older version</p>"
    fresh_updated = Entry.objects.get(pk=fresh.pk).updated_at
    assert "1 entries changed." in run("render_entries")
    stale.refresh_from_db()
    assert stale.body_html == "<p>Some <em>words</em>.</p>\n"
    assert Entry.objects.get(pk=fresh.pk).updated_at == fresh_updated
    assert "0 entries changed." in run("render_entries")
