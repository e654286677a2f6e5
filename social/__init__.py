"""Following the blog from the social web: ActivityPub (WebFinger, NodeInfo, actors, inbox,
outbox, followers) and HTTP Signatures.

Talks to posts through its models and public functions, to comments through its models and
moderation functions, and to other servers only through outbound.fetch.
"""
