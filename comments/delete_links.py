"""The signed link, mailed to a commenter, that deletes their own comment.

The token in the link is the secret: it names the comment and expires after
COMMENTS_DELETE_LINK_DAYS. Imports only the comment model.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from comments.models import Comment

DELETE_SALT = "comments.delete"


def delete_link(comment: Comment) -> str:
    """Return the absolute address of the signed link that deletes comment."""
    token = signing.dumps(comment.pk, salt=DELETE_SALT)
    path = reverse("comments:delete", kwargs={"token": token})
    return settings.BLOGSITE_SITE_URL.rstrip("/") + path


def comment_from_token(token: str) -> Comment | None:
    """Return the comment a link's token names, or None if it is forged or expired."""
    try:
        pk = signing.loads(
            token, salt=DELETE_SALT, max_age=settings.COMMENTS_DELETE_LINK_DAYS * 86400
        )
    except signing.BadSignature:
        return None
    return Comment.objects.filter(pk=pk).first()
