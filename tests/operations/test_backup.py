"""Back-up and restore: a round trip gives back the same rows and the same files, byte for byte."""

import hashlib
import json
import os
import secrets
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from posts.models import Entry, Redirect
from posts.operations import backup as backups
from tests.factories import EntryFactory, ImageFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def all_rows(cursor, tables) -> dict:
    """Return every row of every table, in a stable order."""
    rows = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT * FROM "{table}"')
        rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def database_rows() -> dict:
    with connection.cursor() as cursor:
        return all_rows(cursor, connection.introspection.table_names())


def media_files(root) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def blog(media_root):
    StaffFactory(username="editor")
    cover = ImageFactory(alt_text="A cover")
    first = EntryFactory(title="First", body=f"![in body]({cover.file.url})", tags=["a", "b"])
    EntryFactory(title="Second", cover=cover, tags=["b"])
    EntryFactory(title="A draft", status=Entry.Status.DRAFT, published_at=None)
    Redirect.objects.create(old_path="/old/", entry=first)
    return media_root


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg; see the PostgreSQL one")
def test_backup_then_restore_into_an_empty_install_gives_back_every_row_and_file(blog, tmp_path):
    rows, files = database_rows(), media_files(blog)
    assert len(files) >= 3  # the picture and its renditions
    call_command("backup", str(tmp_path / "b"))
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.sqlite3", *(f"media/{name}" for name in files)}

    with pytest.raises(CommandError, match="already holds content"):
        call_command("restore", str(tmp_path / "b"))

    call_command("flush", "--noinput")  # an empty install: tables, no content
    shutil.rmtree(blog)
    blog.mkdir()
    assert not backups.has_content()

    call_command("restore", str(tmp_path / "b"))
    assert database_rows() == rows
    assert media_files(blog) == files


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg")
def test_restore_with_force_replaces_content(blog, tmp_path):
    rows = database_rows()
    backups.backup(tmp_path / "b")
    EntryFactory(title="Written after the back-up")
    call_command("restore", str(tmp_path / "b"), "--force")
    assert database_rows() == rows


def test_a_damaged_backup_is_refused_before_anything_is_restored(blog, tmp_path):
    backups.backup(tmp_path / "b")
    picture = next((tmp_path / "b" / "media").rglob("*.png"))
    picture.write_bytes(picture.read_bytes() + b"x")
    call_command("flush", "--noinput")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(tmp_path / "b"))
    assert not backups.has_content()


def test_a_missing_file_or_manifest_is_named(blog, tmp_path):
    manifest = backups.backup(tmp_path / "b")
    (tmp_path / "b" / manifest["database"]["file"]).unlink()
    with pytest.raises(CommandError, match="is missing"):
        call_command("restore", str(tmp_path / "b"), "--force")
    with pytest.raises(CommandError, match="not a back-up"):
        call_command("restore", str(tmp_path))


def test_backup_wants_a_new_or_empty_folder(blog, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"))


def test_postgresql_tools_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump is not installed"):
        backups._pg_tool("pg_dump")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://… (CI's second pass)"
)
def test_postgresql_backup_restores_into_another_database_row_for_row(blog, tmp_path):
    psycopg = pytest.importorskip("psycopg")
    from psycopg.types.string import TextLoader

    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump or pg_restore is not installed")
    rows, files = database_rows(), media_files(blog)
    manifest = backups.backup(tmp_path / "b")
    assert manifest["database"] == {"vendor": "postgresql", "file": "database.pgdump"}

    settings_dict = connection.settings_dict
    target = f"blogsite_restore_{secrets.token_hex(4)}"
    names = {"host": "HOST", "port": "PORT", "user": "USER", "password": "PASSWORD"}
    params = {key: settings_dict[name] for key, name in names.items() if settings_dict.get(name)}
    with psycopg.connect(dbname=settings_dict["NAME"], autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        backups._pg_restore({**settings_dict, "NAME": target}, tmp_path / "b" / "database.pgdump")
        with psycopg.connect(dbname=target, **params) as restored:
            # Read as Django's connection reads: times in UTC, JSON as its text.
            restored.adapters.register_loader("jsonb", TextLoader)
            cursor = restored.cursor()
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = [name for (name,) in cursor.fetchall()]
            assert all_rows(cursor, tables) == rows
    finally:
        with psycopg.connect(dbname=settings_dict["NAME"], autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    assert {f"media/{name}" for name in files} <= set(manifest["files"])


WRITER = """
import time
import django
django.setup()
from django.contrib.auth.models import User
from posts.models import Entry
author = User.objects.create(username="writer")
end = time.monotonic() + 4
while time.monotonic() < end:
    entry = Entry.objects.create(title="Written during the back-up", author=author,
                                 status="published", body="Still writing.")
    entry.tags.add("busy", f"t{entry.pk % 7}")
"""


def test_a_backup_taken_while_another_process_writes_is_consistent(tmp_path):
    import sqlite3
    import subprocess
    import sys
    import time

    from tests.delivery.test_faults import ROOT, manage, site_environment

    environment = site_environment(
        f"sqlite:///{tmp_path / 'live.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media")
    )
    manage(environment, "migrate", "-v0")
    writer = subprocess.Popen([sys.executable, "-c", WRITER], cwd=ROOT, env=environment)
    try:
        time.sleep(2)
        assert writer.poll() is None, "the writer should still be writing"
        manage(environment, "backup", str(tmp_path / "b"))
    finally:
        assert writer.wait(timeout=30) == 0
    copy = sqlite3.connect(tmp_path / "b" / "database.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
    entries = copy.execute("SELECT count(*) FROM posts_entry").fetchone()[0]
    # Every entry in the snapshot has both its tags: no half-written entry was copied.
    orphans = copy.execute(
        "SELECT count(*) FROM posts_entry e WHERE "
        "(SELECT count(*) FROM taggit_taggeditem t WHERE t.object_id = e.id) != 2"
    ).fetchone()[0]
    live = sqlite3.connect(tmp_path / "live.sqlite3")
    assert 0 < entries < live.execute("SELECT count(*) FROM posts_entry").fetchone()[0]
    assert orphans <= 1  # the entry being tagged at the snapshot's instant, at most
    # And it restores into an empty install, entry for entry.
    fresh = site_environment(
        f"sqlite:///{tmp_path / 'fresh.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media2")
    )
    manage(fresh, "migrate", "-v0")
    manage(fresh, "restore", str(tmp_path / "b"))
    restored = sqlite3.connect(tmp_path / "fresh.sqlite3")
    assert restored.execute("SELECT count(*) FROM posts_entry").fetchone()[0] == entries


def edit_manifest(folder, change) -> None:
    """Rewrite a back-up's manifest.json through change(manifest)."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def test_restore_refuses_a_symlink_even_when_its_checksum_matches(blog, tmp_path):
    backups.backup(tmp_path / "b")
    secret = tmp_path / "secret.env"
    secret.write_text("SECRET_KEY=do-not-publish\n")
    picture = next((tmp_path / "b" / "media").rglob("*.png"))
    name = str(picture.relative_to(tmp_path / "b"))
    picture.unlink()
    picture.symlink_to(secret)
    edit_manifest(tmp_path / "b", lambda m: m["files"].update({name: backups.sha256_of(secret)}))
    call_command("flush", "--noinput")
    shutil.rmtree(blog)
    blog.mkdir()
    with pytest.raises(CommandError, match="symbolic link"):
        call_command("restore", str(tmp_path / "b"))
    assert not backups.has_content()
    assert media_files(blog) == {}


def test_restore_refuses_files_the_manifest_does_not_list(blog, tmp_path):
    backups.backup(tmp_path / "b")
    (tmp_path / "b" / "media" / "planted.html").write_text("<script>steal()</script>")
    call_command("flush", "--noinput")
    with pytest.raises(CommandError, match=r"does not list: media/planted\.html"):
        call_command("restore", str(tmp_path / "b"))
    assert not backups.has_content()
    assert not (blog / "planted.html").exists()


OUTSIDE = "a file beside the back-up\n"
OUTSIDE_SHA = hashlib.sha256(OUTSIDE.encode()).hexdigest()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m["files"].update({"../outside.txt": OUTSIDE_SHA}), "inside the back-up"),
        (lambda m: m["files"].update({"/etc/hostname": "0" * 64}), "inside the back-up"),
        (lambda m: m["database"].update(file="../outside.txt"), "inside the back-up"),
        (lambda m: m["database"].update(file="nowhere.sqlite3"), "not among its checksummed"),
    ],
    ids=["dotdot-file", "absolute-file", "dotdot-database", "unlisted-database"],
)
def test_every_name_in_the_manifest_stays_inside_the_backup(blog, tmp_path, change, message):
    (tmp_path / "outside.txt").write_text(OUTSIDE)
    backups.backup(tmp_path / "b")
    edit_manifest(tmp_path / "b", change)
    call_command("flush", "--noinput")
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(tmp_path / "b"))
    assert not backups.has_content()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg")
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_database_file_is_a_clear_error(blog, tmp_path, damage):
    backups.backup(tmp_path / "b")
    database = tmp_path / "b" / "database.sqlite3"
    data = database.read_bytes()
    database.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"x" * len(data))
    edit_manifest(
        tmp_path / "b", lambda m: m["files"].update({database.name: backups.sha256_of(database)})
    )
    call_command("flush", "--noinput")
    with pytest.raises(CommandError, match=r"database\.sqlite3 is not a sound SQLite database"):
        call_command("restore", str(tmp_path / "b"))
    assert not backups.has_content()


@pytest.mark.parametrize(
    "manifest",
    [
        [1],
        {"format": 1},
        {"format": 1, "created_at": "x", "database": {"vendor": "sqlite"}, "files": {}},
        {
            "format": 1,
            "created_at": "x",
            "database": {"vendor": "sqlite", "file": "d"},
            "files": {"d": 1},
        },
    ],
    ids=["list", "format-only", "no-database-file", "number-checksum"],
)
def test_a_malformed_manifest_is_a_clear_error(tmp_path, manifest):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=r"manifest\.json is damaged"):
        call_command("restore", str(tmp_path / "b"))


def test_backup_refuses_a_destination_inside_media_root(blog):
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", str(blog / "backups" / "today"))
    assert not (blog / "backups").exists()


def test_backup_refuses_a_destination_that_holds_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "b" / "media"  # not made yet, so the folder is empty
    with pytest.raises(CommandError, match="holds MEDIA_ROOT"):
        call_command("backup", str(tmp_path / "b"))


def test_backup_into_an_existing_file_is_a_clear_error(blog, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("backup", str(tmp_path / "file"))


def test_a_picture_deleted_during_the_backup_is_left_out(blog, tmp_path, monkeypatch):
    copyfile = shutil.copyfile
    deleted = []

    def delete_the_first_picture_then_copy(source, target, **kwargs):
        if not deleted and os.fspath(source).endswith(".png"):
            deleted.append(source)
            backups.Path(source).unlink()  # deleted by an editor between listing and copying
        return copyfile(source, target, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", delete_the_first_picture_then_copy)
    manifest = backups.backup(tmp_path / "b")
    monkeypatch.undo()
    names = {manifest["database"]["file"], *(f"media/{name}" for name in media_files(blog))}
    assert deleted and set(manifest["files"]) == names
    backups.read_manifest(tmp_path / "b")  # and the back-up restores


def test_a_failed_backup_removes_what_it_wrote(blog, tmp_path, monkeypatch):
    def disk_full(source, target, **kwargs):
        raise OSError(28, "No space left on device")

    (tmp_path / "empty").mkdir()
    monkeypatch.setattr(shutil, "copyfile", disk_full)
    for destination in [tmp_path / "new", tmp_path / "empty"]:
        with pytest.raises(CommandError, match="No space left on device"):
            call_command("backup", str(destination))
    assert not (tmp_path / "new").exists()
    assert list((tmp_path / "empty").iterdir()) == []
    monkeypatch.undo()
    call_command("backup", str(tmp_path / "new"))  # nothing half-written blocks the next one


def test_database_options_such_as_sslmode_reach_pg_dump_and_pg_restore(monkeypatch, tmp_path):
    runs = []

    def run(command, env, **kwargs):
        runs.append((command, env))
        return backups.subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backups.subprocess, "run", run)
    database = {
        **{
            "NAME": "blog",
            "USER": "site",
            "PASSWORD": "s3cret",
            "HOST": "db.example",
            "PORT": 5433,
        },
        "OPTIONS": {"sslmode": "verify-full", "sslrootcert": "/ca.pem"},
    }
    backups._pg_dump(database, tmp_path / "dump")
    backups._pg_restore(database, tmp_path / "dump")
    assert [command[0] for command, _ in runs] == ["/usr/bin/pg_dump", "/usr/bin/pg_restore"]
    for command, env in runs:
        assert env["PGSSLMODE"] == "verify-full" and env["PGSSLROOTCERT"] == "/ca.pem"
        assert env["PGPASSWORD"] == "s3cret" and "s3cret" not in " ".join(command)
        assert command[1:7] == ["-U", "site", "-h", "db.example", "-p", "5433"]
        assert "--dbname=blog" in command


def test_restoring_a_folder_that_does_not_exist_says_so(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No such folder"):
        call_command("restore", str(tmp_path / "nope"))
