"""The JSON-LD this site shows the social web: actors, Articles, activities and collections.

Every address is absolute, built on BLOGSITE_SITE_URL. The site has one actor (the blog, a
Service) and, where SOCIAL_AUTHOR_ACTORS allows, one Person per author profile; all sign
with the site's one key, each under its own key id.
"""

import hashlib
import json
import mimetypes
from datetime import UTC
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from posts.models import AuthorProfile, Entry
from social.models import SiteKey
from social.signatures import new_key_pair

ACTIVITY_JSON = "application/activity+json"
CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def absolute(path: str) -> str:
    return urljoin(settings.BLOGSITE_SITE_URL.rstrip("/") + "/", path)


def domain() -> str:
    """The host (and port, if not the default) of handles: @blog@domain."""
    return settings.SOCIAL_DOMAIN or urlsplit(settings.BLOGSITE_SITE_URL).netloc


def site_key() -> SiteKey:
    """Return the site's key pair, made the first time it is asked for."""
    key = SiteKey.objects.order_by("pk").first()
    if key is None:
        public, private = new_key_pair()
        with transaction.atomic():
            key = SiteKey.objects.select_for_update().order_by("pk").first() or (
                SiteKey.objects.create(public_pem=public, private_pem=private)
            )
    return key


# Our actors are named by a "path": "" for the blog, an author profile's slug otherwise.


def actor_id(local: str = "") -> str:
    if not local:
        return absolute(reverse("social:actor"))
    return absolute(reverse("social:author", kwargs={"slug": local}))


def key_id(local: str = "") -> str:
    return actor_id(local) + "#main-key"


def followers_id(local: str = "") -> str:
    if not local:
        return absolute(reverse("social:followers"))
    return absolute(reverse("social:author-followers", kwargs={"slug": local}))


def outbox_id(local: str = "") -> str:
    if not local:
        return absolute(reverse("social:outbox"))
    return absolute(reverse("social:author-outbox", kwargs={"slug": local}))


def author_profile(slug: str) -> AuthorProfile | None:
    """Return the profile whose actor this slug names, if author actors are on."""
    if not settings.SOCIAL_AUTHOR_ACTORS or not slug:
        return None
    return AuthorProfile.objects.public().select_related("user", "avatar").filter(slug=slug).first()


def _image(image) -> dict:
    kind = mimetypes.guess_type(image.file.name)[0] or "image/jpeg"
    found = {"type": "Image", "mediaType": kind, "url": absolute(image.file.url)}
    if image.alt:
        found["name"] = image.alt
    return found


def actor(local: str = "", profile: AuthorProfile | None = None) -> dict:
    """Return the actor document of the blog (local "") or of an author's profile."""
    from posts.models import SiteSettings

    key = site_key()
    me = actor_id(local)
    document = {
        "@context": CONTEXT,
        "id": me,
        "inbox": absolute(reverse("social:inbox")),
        "outbox": outbox_id(local),
        "followers": followers_id(local),
        "manuallyApprovesFollowers": settings.SOCIAL_MANUAL_APPROVAL,
        "discoverable": True,
        "endpoints": {"sharedInbox": absolute(reverse("social:inbox"))},
        "publicKey": {"id": key_id(local), "owner": me, "publicKeyPem": key.public_pem},
    }
    if profile is None:
        site = SiteSettings.objects.select_related("default_social_image").first()
        title = (site and site.title) or settings.BLOGSITE_TITLE
        tagline = (site and site.tagline) or settings.BLOGSITE_TAGLINE
        # The site's picture for link previews, else its icon (which some apps cannot show).
        picture = site.default_social_image if site else None
        icon = {"type": "Image", "mediaType": "image/svg+xml", "url": absolute("/favicon.ico")}
        document.update(
            type="Service",
            preferredUsername=settings.SOCIAL_USERNAME,
            name=title,
            summary=f"<p>{_escape(tagline)}</p>",
            url=absolute(reverse("posts:index")),
            icon=_image(picture) if picture else icon,
        )
    else:
        document.update(
            type="Person",
            preferredUsername=profile.slug,
            name=profile.name,
            summary=profile.bio_html,
            url=absolute(profile.get_absolute_url()),
        )
        if profile.avatar_id:
            document["icon"] = _image(profile.avatar)
    return document


def _escape(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text))


def _absolute_html(html: str) -> str:
    """Return html with root-relative addresses made absolute: other servers show it."""
    from bs4 import BeautifulSoup

    if '="/' not in html:
        return html
    document = BeautifulSoup(html, "html.parser")
    for tag, attribute in (("a", "href"), ("img", "src"), ("source", "src"), ("video", "poster")):
        for element in document.find_all(tag, attrs={attribute: True}):
            if element[attribute].startswith("/") and not element[attribute].startswith("//"):
                element[attribute] = absolute(element[attribute])
    for element in document.find_all(["img", "source"], attrs={"srcset": True}):
        parts = []
        for candidate in element["srcset"].split(","):
            address, _, size = candidate.strip().partition(" ")
            if address.startswith("/") and not address.startswith("//"):
                address = absolute(address)
            parts.append(f"{address} {size}".strip())
        element["srcset"] = ", ".join(parts)
    return str(document)


def authors_local(entry: Entry) -> list[str]:
    """Return the actor paths of an entry's authors who have one (author actors on)."""
    if not settings.SOCIAL_AUTHOR_ACTORS:
        return []
    profiles = AuthorProfile.objects.filter(
        user_id__in=[line.user_id for line in entry.byline_list if line.user_id]
    ).values_list("user_id", "slug")
    by_user = dict(profiles)
    return [by_user[line.user_id] for line in entry.byline_list if line.user_id in by_user]


def entry_url(entry: Entry) -> str:
    return absolute(entry.get_absolute_url())


def article(entry: Entry, local: str = "") -> dict:
    """Return the entry as an Article, attributed to the actor local names."""
    url = entry_url(entry)
    summary = entry.excerpt.strip() or entry.summary
    document = {
        "@context": CONTEXT,
        "id": url,
        "type": "Article",
        "name": entry.title,
        "content": _absolute_html(entry.body_html),
        "summary": summary,
        "url": url,
        "published": _iso(entry.published_at),
        "attributedTo": actor_id(local),
        "to": [PUBLIC],
        "cc": [followers_id(local)],
        "tag": [
            {
                "type": "Hashtag",
                "name": f"#{tag.name}",
                "href": absolute(reverse("posts:tag", kwargs={"slug": tag.slug})),
            }
            for tag in entry.tags.all()
        ],
    }
    if entry.updated_at and entry.published_at and entry.updated_at > entry.published_at:
        document["updated"] = _iso(entry.updated_at)
    if entry.cover_id:
        document["attachment"] = [_image(entry.cover)]
        document["image"] = _image(entry.cover)
    return document


def content_hash(document: dict) -> str:
    """Return a hash of what followers see of an Article."""
    shown = {key: value for key, value in document.items() if key != "updated"}
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def _iso(moment) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wrap(kind: str, local: str, obj, activity_id: str, cc: list[str] | None = None) -> dict:
    """Return an activity of this site's actor local around obj."""
    activity = {
        "@context": CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor_id(local),
        "object": obj,
    }
    if kind in ("Create", "Update", "Delete"):
        activity["to"] = [PUBLIC]
        activity["cc"] = cc if cc is not None else [followers_id(local)]
        if isinstance(obj, dict) and obj.get("published"):
            activity["published"] = obj["published"]
    return activity


def ordered_collection(collection_id: str, total: int, first: str | None) -> dict:
    document = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if first:
        document["first"] = first
    return document


def collection_page(page_id: str, part_of: str, items: list, next_id: str | None) -> dict:
    document = {
        "@context": CONTEXT,
        "id": page_id,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    }
    if next_id:
        document["next"] = next_id
    return document
