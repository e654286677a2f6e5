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
    assert "http://127.0.0.1:8000/admin/" in first and "http://127.0.0.1:8000/admin/" in again


def test_demo_admin_prints_the_address_make_run_serves(settings):
    settings.DEBUG = True
    assert "Made the admin account for http://127.0.0.1:8301/admin/\n" in run(
        "demo_admin", "--base-url", "http://127.0.0.1:8301/"
    )
    assert "log in at http://0.0.0.0:9000/admin/." in run(
        "demo_admin", "--base-url", "http://0.0.0.0:9000"
    )
    with pytest.raises(CommandError, match="must start with http"):
        run("demo_admin", "--base-url", "127.0.0.1:8301")


@pytest.mark.parametrize(("broken", "expected"), [(1, "1 problem."), (2, "2 problems.")])
def test_an_import_that_fails_counts_its_problems_in_plain_words(tmp_path, broken, expected):
    for number in range(broken):
        (tmp_path / f"2024-01-0{number + 1}-broken.md").write_text("---\ntitle: [\n---\nText.\n")
    with pytest.raises(CommandError) as raised:
        run("import_markdown", str(tmp_path))
    assert str(raised.value).startswith(f"Nothing was imported: {expected}\n")
    assert "(s)" not in str(raised.value)


def test_demo_admin_refuses_outside_local_runs(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local runs"):
        run("demo_admin")
    assert not get_user_model().objects.exists()


def test_render_entries_stores_only_what_changed():
    from tests.factories import EntryFactory

    stale, fresh = EntryFactory(body="Some *words*."), EntryFactory(body="Other words.")
    Entry.objects.filter(pk=stale.pk).update(body_html="<p>rendered by an older version</p>")
    assert "1 entry would change." in run("render_entries", "--dry-run")
    stale.refresh_from_db()
    assert stale.body_html == "<p>rendered by an older version</p>"
    fresh_updated = Entry.objects.get(pk=fresh.pk).updated_at
    assert "1 entry changed." in run("render_entries")
    stale.refresh_from_db()
    assert stale.body_html == "<p>Some <em>words</em>.</p>\n"
    assert Entry.objects.get(pk=fresh.pk).updated_at == fresh_updated
    assert "0 entries changed." in run("render_entries")


def make_dry_run(target: str, venv, *variables: str) -> list[str]:
    """Return the commands `make -n` would run for target after pyproject.toml changed."""
    import shutil
    import subprocess
    from pathlib import Path

    if not shutil.which("make"):
        pytest.skip("make is not installed")
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    for made in ("bin/python", ".installed", ".installed-dev"):
        (venv / made).touch()
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        # Under `make test` this runs as a sub-make, which would print its directory.
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml", target, f"VENV={venv}",
         *variables],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.splitlines()


def test_make_test_installs_the_test_tools_without_reinstalling_the_project(tmp_path):
    commands = make_dry_run("test", tmp_path / "venv")
    installs = [line for line in commands if "pip install" in line]
    assert installs, commands
    # The project goes in only where pip does not know it yet: never over a running site.
    for line in installs:
        assert "-e ." not in line or line.startswith(f"{tmp_path}/venv/bin/python -m pip show")
    assert any(line.endswith("-m pytest") for line in commands)


def test_make_run_tells_demo_admin_where_it_serves(tmp_path):
    commands = make_dry_run("run", tmp_path / "venv", "PORT=8301")
    assert f"{tmp_path}/venv/bin/python manage.py demo_admin --base-url http://127.0.0.1:8301" in (
        commands
    )
    assert commands[-1].endswith("runserver 127.0.0.1:8301")
