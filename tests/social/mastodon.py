"""Activities shaped as Mastodon sends them (after its documentation of ActivityPub), written
for these tests: a Follow, a reply with mentions and a content warning, a Delete of an actor.

Mastodon puts its extension terms in a context object, sends ids under /users/<name>, and
signs with the key <actor>#main-key; a reply's HTML wraps mentions in h-card spans.
"""

MASTODON_CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    {
        "ostatus": "http://ostatus.org#",
        "atomUri": "ostatus:atomUri",
        "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
        "conversation": "ostatus:conversation",
        "sensitive": "as:sensitive",
        "toot": "http://joinmastodon.org/ns#",
        "votersCount": "toot:votersCount",
    },
]


def follow(actor: str, target: str, number: int = 1) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.rsplit('/users/', 1)[0]}/{number}f0a1c2e-follow",
        "type": "Follow",
        "actor": actor,
        "object": target,
    }


def undo_follow(actor: str, target: str, number: int = 1) -> dict:
    inner = follow(actor, target, number)
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#follows/{number}/undo",
        "type": "Undo",
        "actor": actor,
        "object": {key: value for key, value in inner.items() if key != "@context"},
    }


def reply(actor: str, entry_url: str, blog_actor: str, number: int = 1, **note) -> dict:
    """A public reply that mentions the blog, behind a content warning."""
    server = actor.rsplit("/users/", 1)[0]
    name = actor.rsplit("/", 1)[1]
    status = f"{actor}/statuses/11{number:04d}"
    content = (
        '<p><span class="h-card" translate="no"><a href="http://testserver/" '
        'class="u-url mention">@<span>blog</span></a></span> Herons wait so well. '
        "I watched one for an hour.</p><p>Second thought: they <em>are</em> patient.</p>"
    )
    obj = {
        "id": status,
        "type": "Note",
        "summary": "birds, long",
        "inReplyTo": entry_url,
        "published": "2026-12-05T10:00:00Z",
        "url": f"{server}/@{name}/11{number:04d}",
        "attributedTo": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [f"{actor}/followers", blog_actor],
        "sensitive": True,
        "atomUri": status,
        "inReplyToAtomUri": entry_url,
        "conversation": f"tag:{server.split('//')[1]},2026-12-05:objectType=Conversation",
        "content": content,
        "contentMap": {"en": content},
        "attachment": [],
        "tag": [{"type": "Mention", "href": blog_actor, "name": "@blog@testserver"}],
        "replies": {"id": f"{status}/replies", "type": "Collection"},
        **note,
    }
    return {
        "@context": MASTODON_CONTEXT,
        "id": f"{status}/activity",
        "type": "Create",
        "actor": actor,
        "published": "2026-12-05T10:00:00Z",
        "to": obj["to"],
        "cc": obj["cc"],
        "object": obj,
    }


def delete_actor(actor: str) -> dict:
    """Mastodon's account deletion: the object is the actor's own id, sent to everyone."""
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#delete",
        "type": "Delete",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": actor,
    }


def like(actor: str, entry_url: str, number: int = 1) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#likes/{number}",
        "type": "Like",
        "actor": actor,
        "object": entry_url,
    }


def announce(actor: str, entry_url: str, number: int = 1) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/statuses/22{number:04d}/activity",
        "type": "Announce",
        "actor": actor,
        "published": "2026-12-05T11:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [entry_url.split("/20")[0] + "/social/actor/"],
        "object": entry_url,
    }
