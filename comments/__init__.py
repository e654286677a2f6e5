"""Readers answer: comments with moderation and spam defence, and Webmentions both ways.

One app for both, because a received Webmention is a reader's answer like a comment: the
same model, the same moderation queue, the same place on the entry page and in the feeds.
Talks to posts only through its public modules (models, rendering, delivery, ratelimit, links).
"""
