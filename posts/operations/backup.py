"""Back-ups while the site serves, and restoring one into an empty install.

A back-up is a folder: the database (SQLite's online backup API, or pg_dump), a copy of
the uploads under media/, and manifest.json with the SHA-256 of every file. Restoring checks
every checksum before it touches anything, and refuses a database that already holds
content unless told to replace it.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A back-up or restore that cannot go ahead; the message says why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Back-ups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _media_root() -> Path | None:
    """Return MEDIA_ROOT when uploads are on disk; None when they live in a bucket."""
    return None if settings.MEDIA_S3_BUCKET else Path(settings.MEDIA_ROOT)


def backup(destination: Path, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Write a consistent snapshot of the database and the uploads into destination.

    Return the manifest. The database is copied first, then the uploads: a picture is stored
    before its row is committed, so every file the snapshot names is in the copy. A back-up
    that fails removes what it wrote, so the folder can be used again.
    """
    destination = Path(destination)
    media_root = _media_root()
    _check_destination(destination, media_root)
    vendor = _vendor(alias)
    created = not destination.exists()
    try:
        destination.mkdir(parents=True, exist_ok=True)
        return _write_backup(destination, vendor, alias, media_root)
    except OSError as err:
        _discard(destination, created)
        raise BackupError(f"The back-up into {destination} failed and was removed: {err}") from err
    except BaseException:
        _discard(destination, created)
        raise


def _check_destination(destination: Path, media_root: Path | None) -> None:
    if destination.exists() and not destination.is_dir():
        raise BackupError(f"{destination} is not a folder: give a new or empty folder.")
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: give a new or empty folder.")
    if media_root is None:
        return
    # Inside MEDIA_ROOT the copy of the uploads would copy itself without end, and the
    # database would sit in the public media folder.
    target, media = destination.resolve(), media_root.resolve()
    if target.is_relative_to(media):
        raise BackupError(
            f"{destination} is inside MEDIA_ROOT ({media_root}), which the site serves: "
            "give a folder outside it."
        )
    if media.is_relative_to(target):
        raise BackupError(
            f"{destination} holds MEDIA_ROOT ({media_root}): give a folder outside it."
        )


def _write_backup(destination: Path, vendor: str, alias: str, media_root: Path | None) -> dict:
    if vendor == "sqlite":
        database_file = destination / SQLITE_FILE
        _sqlite_backup(alias, database_file)
    else:
        database_file = destination / POSTGRES_FILE
        _pg_dump(connections[alias].settings_dict, database_file)
    if media_root is not None and media_root.exists():
        _copy_media(media_root, destination / MEDIA_DIR)
    files = sorted(
        path for path in destination.rglob("*") if path.is_file() and path.name != MANIFEST
    )
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "file": database_file.name},
        "media": MEDIA_DIR if media_root is not None else None,
        "files": {path.relative_to(destination).as_posix(): sha256_of(path) for path in files},
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _copy_media(media_root: Path, target: Path) -> None:
    # The site keeps serving: a picture or folder deleted while we copy is no longer part of
    # it, so it is left out rather than failing the back-up. Any other error stops it.
    def unless_gone(err: OSError) -> None:
        if not isinstance(err, FileNotFoundError):
            raise err

    for folder, _dirs, names in os.walk(media_root, onerror=unless_gone, followlinks=True):
        for name in names:
            source = Path(folder) / name
            copy = target / source.relative_to(media_root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(source, copy)
            except FileNotFoundError:
                if not source.exists():
                    copy.unlink(missing_ok=True)
                    continue
                raise


def _discard(destination: Path, created: bool) -> None:
    # The folder was new or empty: everything in it is ours to remove.
    if created:
        shutil.rmtree(destination, ignore_errors=True)
        return
    for child in destination.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _sqlite_backup(alias: str, target: Path) -> None:
    # The online backup API copies a consistent state while other processes keep writing.
    connection = connections[alias]
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        # The copy inherits WAL mode; opening a WAL database writes -wal and -shm files
        # beside it, which the back-up does not list. A single self-contained file it is.
        copy.execute("PRAGMA journal_mode=DELETE")


def _pg_command(tool: str, database: dict, arguments: list[str]) -> tuple[list[str], dict]:
    """Return the command line and environment that run a PostgreSQL tool on database.

    Django's own client builds them, as for dbshell, so sslmode, sslrootcert, service and
    passfile from OPTIONS reach the tool; the password travels only in the environment.
    """
    client_args, client_env = PostgresClient.settings_to_cmd_args_env(
        {"OPTIONS": {}, **database}, []
    )
    options = database.get("OPTIONS") or {}
    # client_args is [psql, -U user, -h host, -p port, dbname]; dbname is left out only
    # when a service names the database instead.
    connection, dbname = client_args[1:], ""
    if database.get("NAME") or not options.get("service"):
        connection, dbname = client_args[1:-1], client_args[-1]
    # --dbname rather than a positional name: pg_restore's one positional is the dump, and
    # a name starting with "-" must not read as an option. Empty leaves it to the service.
    command = [tool, *connection, f"--dbname={dbname}", *arguments]
    return command, {**os.environ, **(client_env or {})}


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; it is needed for PostgreSQL back-ups "
            "(Debian: apt-get install postgresql-client)."
        )
    return path


def _pg_dump(database: dict, target: Path) -> None:
    arguments = ["--format=custom", "--no-owner", "--no-acl", "--file", str(target)]
    _run(*_pg_command(_pg_tool("pg_dump"), database, arguments))


def _run(command: list[str], environment: dict) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def read_manifest(source: Path) -> dict:
    """Return a back-up's manifest after checking every file against its checksum.

    Every name must stay inside the back-up, the database among the checksummed files, and
    the folder must hold nothing else: no unlisted file and no symbolic link.
    """
    source = Path(source)
    if not source.is_dir():
        raise BackupError(f"No such folder: {source}")
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError as err:
        raise BackupError(f"{source} holds no {MANIFEST}: it is not a back-up.") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BackupError(f"{source / MANIFEST} is damaged: {err}") from err
    except OSError as err:
        raise BackupError(f"Cannot read {source / MANIFEST}: {err}") from err
    _check_shape(manifest, source / MANIFEST)
    files = manifest["files"]
    for name in [*files, manifest["database"]["file"]]:
        _check_name(source, name)
    if manifest["database"]["file"] not in files:
        raise BackupError(
            f"{source / MANIFEST} names {manifest['database']['file']!r} as the database, "
            "but it is not among its checksummed files. Nothing was restored."
        )
    bad, root = [], source.resolve()
    for name, checksum in files.items():
        path = source / name
        if path.is_symlink():
            bad.append(f"{name} is a symbolic link")
        elif not path.resolve().is_relative_to(root):
            bad.append(f"{name} leads outside the back-up through a symbolic link")
        elif not path.is_file():
            bad.append(f"{name} is missing")
        elif sha256_of(path) != checksum:
            bad.append(f"{name} does not match its checksum")
    if bad:
        raise BackupError("The back-up is damaged: " + "; ".join(bad) + ". Nothing was restored.")
    _check_nothing_else(source, files)
    return manifest


def _check_shape(manifest, where: Path) -> None:
    # A hand-edited or foreign manifest must fail here, not as a KeyError deep in restore().
    if not isinstance(manifest, dict):
        raise BackupError(f"{where} is damaged: it holds no JSON object.")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown back-up format {manifest.get('format')!r}.")
    database, files = manifest.get("database"), manifest.get("files")
    problems = [
        (not isinstance(manifest.get("created_at"), str), "created_at"),
        (not isinstance(database, dict), "database"),
        (isinstance(database, dict) and not isinstance(database.get("vendor"), str), "vendor"),
        (isinstance(database, dict) and not isinstance(database.get("file"), str), "file"),
        (manifest.get("media") not in (None, MEDIA_DIR), "media"),
        (
            not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()),
            "files",
        ),
    ]
    wrong = [key for failed, key in problems if failed]
    if wrong:
        raise BackupError(f"{where} is damaged: missing or wrong {', '.join(wrong)}.")


def _check_name(source: Path, name: str) -> None:
    # Lexical only; read_manifest() also resolves each path, so a linked folder cannot lead out.
    path = PurePosixPath(name)
    inside = name and not path.is_absolute() and ".." not in path.parts
    if not inside:
        raise BackupError(
            f"{source / MANIFEST} names {name!r}: every name must be a relative path "
            "inside the back-up. Nothing was restored."
        )


def _check_nothing_else(source: Path, files: dict) -> None:
    # Restore copies what the manifest names and nothing more; a planted file or a link
    # (to /etc, to a secret) means someone other than `backup` wrote into this folder.
    extra, links = [], []
    for folder, dirs, names in os.walk(source):  # does not follow links to folders
        for name in dirs + names:
            path = Path(folder) / name
            relative = path.relative_to(source).as_posix()
            if path.is_symlink():
                links.append(relative)
            elif not path.is_dir() and relative not in files and relative != MANIFEST:
                extra.append(relative)
    if links:
        raise BackupError(
            f"The back-up holds symbolic links: {', '.join(sorted(links))}. Nothing was restored."
        )
    if extra:
        raise BackupError(
            f"The back-up holds files its manifest does not list: {', '.join(sorted(extra))}. "
            "Nothing was restored."
        )


def has_content(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Return True if the database holds users, entries, pictures or redirects."""
    from posts.models import Entry, Image, Redirect

    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    models = [get_user_model(), Entry, Image, Redirect]
    return any(
        model._meta.db_table in tables and model.objects.using(alias).exists() for model in models
    )


def restore(source: Path, force: bool = False, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Bring a back-up into this install: its database, then its uploads. Return the manifest.

    Refuses a database that already holds content unless force is set, and a back-up whose
    files do not match their checksums.
    """
    source = Path(source)
    manifest = read_manifest(source)
    vendor = _vendor(alias)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"This back-up is of a {manifest['database']['vendor']} database; "
            f"this install uses {vendor}."
        )
    if not force and has_content(alias):
        raise BackupError(
            "The database already holds content; restore into an empty install, "
            "or use --force to replace it."
        )
    database_file = source / manifest["database"]["file"]
    if vendor == "sqlite":
        _sqlite_restore(alias, database_file)
    else:
        _pg_restore(connections[alias].settings_dict, database_file)
    media_root = _media_root()
    if manifest["media"] and media_root is not None:
        _restore_media(source, manifest["files"], media_root)
    from posts.delivery.cache import bump_content_version

    bump_content_version()  # every cached page predates the restore
    return manifest


def _restore_media(source: Path, files: dict, media_root: Path) -> None:
    # Only the files the manifest names, each a regular file that stays inside the back-up's
    # media/ and lands inside MEDIA_ROOT: what is written here is served to the public.
    media, root = (source / MEDIA_DIR).resolve(), media_root.resolve()
    prefix = f"{MEDIA_DIR}/"
    for name in sorted(files):
        if not name.startswith(prefix):
            continue
        path, target = source / name, media_root / name.removeprefix(prefix)
        if path.is_symlink() or not path.resolve().is_relative_to(media):
            raise BackupError(f"{name} is not a file inside the back-up's {MEDIA_DIR}/.")
        if not target.resolve().is_relative_to(root):
            raise BackupError(f"{name} would be written outside MEDIA_ROOT ({media_root}).")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _sqlite_restore(alias: str, database_file: Path) -> None:
    # Check the copy before it replaces the live database: a damaged file would otherwise
    # fail half-way with sqlite3.DatabaseError, or be copied in as it is.
    try:
        with closing(sqlite3.connect(database_file)) as copy:
            result = copy.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as err:
        result = [(str(err),)]
    if result != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in result[:3])
        raise BackupError(
            f"{database_file.name} is not a sound SQLite database ({problems}). "
            "Nothing was restored."
        )
    connection = connections[alias]
    connection.ensure_connection()
    with closing(sqlite3.connect(database_file)) as copy:
        copy.backup(connection.connection)


def _pg_restore(database: dict, dump: Path) -> None:
    connections[DEFAULT_DB_ALIAS].close()  # pg_restore --clean drops tables we hold open
    arguments = ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction"]
    _run(*_pg_command(_pg_tool("pg_restore"), database, [*arguments, str(dump)]))
