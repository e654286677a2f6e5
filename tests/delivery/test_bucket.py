"""Static publishing straight into an S3-compatible bucket (moto's S3 server on 127.0.0.1)."""

import uuid

import pytest
from django.core.management import CommandError, call_command

from posts.models import Entry
from tests.factories import EntryFactory
from tests.s3 import moto_s3

pytestmark = pytest.mark.django_db

BASE = "https://blog.example.org"


@pytest.fixture
def bucket(monkeypatch, settings):
    """moto's S3 server, an empty bucket, and publish_static pointed at that endpoint.

    Named afresh each test: moto keeps its buckets in this process, across its servers.
    """
    with moto_s3(monkeypatch) as (client, endpoint):
        settings.MEDIA_S3_ENDPOINT_URL = endpoint
        settings.ALLOWED_HOSTS = ["blog.example.org"]
        name = f"blog-site-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=name)
        yield client, name


def keys(client, name: str, prefix: str = "") -> set[str]:
    listing = client.list_objects_v2(Bucket=name, Prefix=prefix)
    return {item["Key"] for item in listing.get("Contents", [])}


def publish(target: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("publish_static", target, "--base-url", BASE, stdout=out)
    return out.getvalue()


def test_the_site_goes_into_the_bucket_with_the_types_a_static_host_sends(bucket):
    client, name = bucket
    entry = EntryFactory(title="Straight to the bucket", tags=["cloud"])
    assert f"written, 0 unchanged, 0 removed, in s3://{name}/www." in publish(f"s3://{name}/www")
    published = keys(client, name, "www/")
    page = "www" + entry.get_absolute_url() + "index.html"
    assert {"www/index.html", page, "www/feed/index.xml", "www/404.html"} <= published
    assert "www/.blogsite-published" in published and "www/_redirects" in published
    assert any(key.startswith("www/static/") for key in published)
    head = client.head_object(Bucket=name, Key=page)
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert client.head_object(Bucket=name, Key="www/_redirects")["ContentType"] == (
        "text/plain; charset=utf-8"
    )
    html = client.get_object(Bucket=name, Key=page)["Body"].read().decode()
    assert "Straight to the bucket" in html
    assert f'<link rel="canonical" href="{BASE}{entry.get_absolute_url()}">' in html


def test_a_rebuild_puts_only_what_changed_and_deletes_only_what_is_gone(bucket):
    from posts.delivery.bucket import publish_to_bucket

    client, name = bucket
    kept = EntryFactory(title="Kept", tags=["cloud"])
    gone = EntryFactory(title="Gone soon", tags=["cloud"])
    first = publish_to_bucket(f"s3://{name}/www", BASE)
    again = publish_to_bucket(f"s3://{name}/www", BASE)
    assert again.written == [] and again.removed == []
    assert again.unchanged == len(first.written)
    kept.title = "Kept, revised"
    kept.save()
    gone_page = gone.get_absolute_url().lstrip("/") + "index.html"
    Entry.objects.filter(pk=gone.pk).delete()
    changed = publish_to_bucket(f"s3://{name}/www", BASE)
    assert kept.get_absolute_url().lstrip("/") + "index.html" in changed.written
    assert len(changed.written) < again.unchanged / 4
    assert changed.removed == [gone_page]
    assert "www/" + gone_page not in keys(client, name, "www/")


def test_a_prefix_holding_other_objects_is_refused(bucket):
    client, name = bucket
    EntryFactory(title="Kept")
    client.put_object(Bucket=name, Key="www/theirs.txt", Body=b"not ours")
    with pytest.raises(CommandError, match="publish_static did not write"):
        publish(f"s3://{name}/www")
    assert keys(client, name) == {"www/theirs.txt"}
    publish(f"s3://{name}/elsewhere/")  # another prefix of the same bucket is free
    assert "elsewhere/index.html" in keys(client, name, "elsewhere/")
    assert "www/theirs.txt" in keys(client, name)
    with pytest.raises(CommandError, match="not an s3://bucket/prefix"):
        publish("s3:///no-bucket")
