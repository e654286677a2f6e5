"""Running on the open internet: deploy checks, headers, health, faults, lockouts, S3."""

import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.urls import reverse

from posts.delivery.security import content_security_policy
from posts.models import Image
from tests.factories import EntryFactory, StaffFactory, image_bytes
from tests.s3 import free_port, moto_s3
from tests.test_settings import run_python

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_check_passes_with_only_the_three_required_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is theirs, not a deployment's.
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "blog.example.org",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client, staff_client):
    entry = EntryFactory()
    for response in (
        client.get("/"),
        client.get(entry.get_absolute_url()),
        client.get("/no/such/page/"),
        staff_client.get(reverse("admin:posts_entry_add")),
    ):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-src https://codepen.io" in csp and "https://www.youtube-nocookie.com" in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]


def test_static_files_carry_the_pages_security_headers(client):
    # Whitenoise answers before the headers middleware: an SVG opened on its own is a
    # document, and was served with no CSP and could be framed by any site.
    for name in ("favicon.svg", "css/site.css"):
        response = client.get(static(name))
        assert response.status_code == 200, name
        assert response["Content-Security-Policy"] == content_security_policy(), name
        assert response["X-Frame-Options"] == "DENY", name
        assert "camera=()" in response["Permissions-Policy"], name
        assert response["X-Content-Type-Options"] == "nosniff", name


@pytest.mark.django_db
def test_hsts_on_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_uploads_are_served_as_what_they_really_are(client):
    # A PNG named .html is stored and served as a PNG, with nosniff: never as a page.
    image, _ = Image.objects.from_upload(SimpleUploadedFile("evil.html", image_bytes()))
    assert image.file.name.endswith(".png")
    response = client.get(image.file.url)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/media/" + "a" * 3000, "/media/../../etc/passwd", "/media/%00"])
def test_a_bad_upload_address_is_a_404_or_400_never_a_500(client, path):
    assert client.get(path).status_code in (400, 404)


@pytest.mark.django_db
def test_healthz_says_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_a_database_that_is_away_gives_a_503_with_retry_after(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "r = c.get('/'); "
        "print(r.status_code, r.headers.get('Retry-After'), b'Back in a moment' in r.content); "
        "h = c.get('/healthz'); print(h.status_code, h.json()['database'])"
    )
    missing = tmp_path / "no-such-folder" / "db.sqlite3"  # SQLite cannot create the folder
    # A fresh cache: pages cached earlier would (rightly) still be served while the database
    # is away, and this test is about what happens when one must be rendered.
    result = run_python(
        code,
        DATABASE_URL=f"sqlite:///{missing}",
        ALLOWED_HOSTS="testserver",
        CACHE_URL=f"filecache://{tmp_path / 'cache'}",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["503 30 True", "503 failed"]
    assert "Traceback" not in result.stdout


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out(client):
    StaffFactory(username="target")
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "target", "password": "wrong"})
    locked = client.post(login, {"username": "target", "password": "correct horse battery staple"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.fixture
def redis_server():
    """A Redis server of the test's own on a spare port, which the test may stop and start."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server")
    port = free_port()

    def start():
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                return process
            except OSError:
                time.sleep(0.05)
        process.kill()
        pytest.fail("redis-server did not start")

    server = {"process": start(), "port": port, "start": start}
    yield server
    server["process"].kill()


def redis_cache(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }


@pytest.mark.django_db
def test_pages_keep_rendering_when_redis_goes_away_and_caching_resumes(
    client, staff_client, settings, redis_server
):
    settings.CACHES = redis_cache(redis_server["port"])
    EntryFactory(title="Still here")
    assert client.get("/healthz").json() == {"database": "ok", "cache": "ok"}

    redis_server["process"].kill()
    redis_server["process"].wait()
    response = client.get("/")
    assert response.status_code == 200 and b"Still here" in response.content
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json() == {"database": "ok", "cache": "failed"}
    assert caches["default"].get("anything") is None  # a miss, not an exception
    assert staff_client.get(reverse("admin:posts_entry_changelist")).status_code == 200

    redis_server["process"] = redis_server["start"]()
    assert client.get("/healthz").json() == {"database": "ok", "cache": "ok"}


@pytest.fixture
def s3(monkeypatch, settings):
    """moto's S3 server on 127.0.0.1, a bucket, and media storage pointed at it."""
    with moto_s3(monkeypatch) as (client, endpoint):
        client.create_bucket(Bucket="blog-media")
        settings.MEDIA_URL = f"{endpoint}/blog-media/"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "blog-media", "endpoint_url": endpoint,
                            "querystring_auth": False, "file_overwrite": False,
                            "default_acl": "public-read"},
            },
        }  # fmt: skip
        yield client, endpoint


@pytest.mark.django_db
def test_media_and_renditions_live_on_s3(s3, client):
    import urllib.request

    from PIL import Image as PILImage

    from tests.models.test_image import GPS_IFD, phone_photo

    s3_client, endpoint = s3
    image, _ = Image.objects.from_upload(SimpleUploadedFile("IMG_1.JPG", phone_photo((1200, 800))))
    keys = {item["Key"] for item in s3_client.list_objects_v2(Bucket="blog-media")["Contents"]}
    assert image.file.name in keys
    assert {r["name"] for r in image.renditions} <= keys
    assert len(keys) == 1 + len(image.renditions) == 5  # 480 and 800 (its own width), x2
    # Read back over HTTP from the S3 endpoint, as a reader's browser would.
    assert image.file.url.startswith(f"{endpoint}/blog-media/images/")
    with urllib.request.urlopen(image.file.url) as response:
        served = PILImage.open(io.BytesIO(response.read()))
        assert served.getexif().get_ifd(GPS_IFD) == {} and served.size == (800, 1200)
    entry = EntryFactory(body=f"![]({image.file.url})")
    assert f'srcset="{endpoint}/blog-media/renditions/' in entry.body_html
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200
    assert f"img-src 'self' data: {endpoint}" in page["Content-Security-Policy"]
