"""Static publishing straight to an S3-compatible bucket: `publish_static s3://bucket/prefix`.

The site is rendered into a scratch folder exactly as for a folder target, then each file is
put in the bucket only when its bytes differ from the object there (by MD5, which is S3's
ETag for an object put whole), with its Content-Type; objects the previous publish listed
(its `.blogsite-published` object) that the site no longer has are deleted, and nothing else.
The bucket is reached as the media bucket is: MEDIA_S3_ENDPOINT_URL and MEDIA_S3_REGION where
set, and boto3's own credentials (AWS_ACCESS_KEY_ID and the rest).
"""

import hashlib
import mimetypes
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings

from posts.delivery.publish import WRITTEN_LIST, Report, publish_site

TEXT_TYPES = ("application/xml", "application/json", "application/javascript", "image/svg+xml")


class NotOurs(Exception):
    """The bucket's prefix holds objects that no publish_static wrote."""


def parse_target(target: str) -> tuple[str, str]:
    """Return (bucket, prefix) of an s3://bucket/prefix address; the prefix ends in / or is ''."""
    parts = urlsplit(target)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"{target} is not an s3://bucket/prefix address")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def s3_client():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=getattr(settings, "MEDIA_S3_ENDPOINT_URL", "") or None,
        region_name=getattr(settings, "MEDIA_S3_REGION", "") or None,
    )


def content_type(name: str) -> str:
    """Return the Content-Type a static host should send for a published file."""
    if "." not in PurePosixPath(name).name:  # _redirects, the list of written files
        return "text/plain; charset=utf-8"
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in TEXT_TYPES:
        return f"{guessed}; charset=utf-8"
    return guessed


def publish_to_bucket(target: str, base_url: str, client=None) -> Report:
    """Publish the site into the bucket and prefix target names; return what changed there."""
    bucket, prefix = parse_target(target)
    client = client or s3_client()
    existing = _objects(client, bucket, prefix)
    listing = prefix + WRITTEN_LIST
    if existing and listing not in existing:
        raise NotOurs(f"{target} holds objects that publish_static did not write")
    before = set()
    if listing in existing:
        body = client.get_object(Bucket=bucket, Key=listing)["Body"].read()
        before = set(body.decode("utf-8").splitlines())
    with tempfile.TemporaryDirectory(prefix="blogsite-publish-") as scratch:
        rendered = publish_site(Path(scratch), base_url)
        report = Report(failed=rendered.failed, workers=rendered.workers)
        now = set()
        for path in sorted(Path(scratch).rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(scratch).as_posix()
            now.add(relative)
            content = path.read_bytes()
            if (
                existing.get(prefix + relative)
                == hashlib.md5(content, usedforsecurity=False).hexdigest()
            ):
                report.unchanged += relative != WRITTEN_LIST
                continue
            client.put_object(
                Bucket=bucket, Key=prefix + relative, Body=content,
                ContentType=content_type(relative),
            )  # fmt: skip
            if relative != WRITTEN_LIST:
                report.written.append(relative)
    now.discard(WRITTEN_LIST)
    for relative in sorted(before - now):
        client.delete_object(Bucket=bucket, Key=prefix + relative)
        report.removed.append(relative)
    return report


def _objects(client, bucket: str, prefix: str) -> dict[str, str]:
    """Return every key under prefix with its ETag (the MD5 of an object put whole)."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["ETag"].strip('"')
    return found
