"""The messages the app sends: the confirmation, and an entry to one subscriber.

An entry's mail is rendered once per mailing (EntryMail); each recipient's message only adds
their own headers and links. Knows Django's mail and templates, and posts' models.
"""

import binascii
import secrets
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formataddr, formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string

from posts.models import Entry
from subscribers.links import absolute, confirm_url, manage_url, unsubscribe_url
from subscribers.mailhtml import mail_html, mail_text
from subscribers.models import Subscriber
from subscribers.transport import RawMessage

UNSUBSCRIBE_MARK = "%%UNSUBSCRIBE%%"  # placed once in the rendered mail, swapped per reader
MANAGE_MARK = "%%MANAGE%%"


def one_line(text: str) -> str:
    """Return text fit for a header: control characters (CR, LF, tab) become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def site_host() -> str:
    return urlsplit(settings.BLOGSITE_SITE_URL).hostname or "localhost"


def sender() -> str:
    return formataddr((one_line(settings.BLOGSITE_TITLE), settings.DEFAULT_FROM_EMAIL))


def confirmation_message(
    subscriber: Subscriber, all_tags: bool = True, tag_ids: list[int] = ()
) -> EmailMessage:
    """Return the double opt-in mail: one signed link that expires."""
    context = {
        "site_title": settings.BLOGSITE_TITLE,
        "confirm_url": confirm_url(subscriber, all_tags, tag_ids),
        "hours": settings.BLOGSITE_SUBSCRIBE_CONFIRM_HOURS,
    }
    return EmailMessage(
        subject=one_line(f"Confirm your subscription to {settings.BLOGSITE_TITLE}"),
        body=render_to_string("subscribers/mail/confirm.txt", context),
        from_email=sender(),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def _header(name: str, value: str) -> str:
    """Return 'Name: value' folded, RFC 2047-encoded where it is not ASCII."""
    charset = "us-ascii" if value.isascii() else "utf-8"
    return f"{name}: " + Header(value, charset, header_name=name).encode(linesep="\r\n")


def _qp_part(content_type: str, text: str) -> bytes:
    body = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head = (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return head.encode("ascii") + body


@dataclass
class EntryMail:
    """An entry rendered for mail once, ready to be addressed to each subscriber."""

    entry_id: int
    subject: str
    html: str
    text: str
    list_id: str
    boundary: str = field(default_factory=lambda: f"==blogsite-{secrets.token_hex(12)}")
    _fixed: str | None = None

    @classmethod
    def for_entry(cls, entry: Entry) -> "EntryMail":
        context = {
            "entry": entry,
            "entry_url": absolute(entry.get_absolute_url()),
            "site_title": settings.BLOGSITE_TITLE,
            "site_url": absolute("/"),
            "body_html": mail_html(entry.body_html, settings.BLOGSITE_SITE_URL),
            "body_text": mail_text(entry.body_text),
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "manage_url": MANAGE_MARK,
        }
        title = one_line(settings.BLOGSITE_TITLE)
        return cls(
            entry_id=entry.pk,
            subject=one_line(entry.title),
            html=render_to_string("subscribers/mail/entry.html", context),
            text=render_to_string("subscribers/mail/entry.txt", context),
            list_id=f"{title} <entries.{site_host()}>",
        )

    def _personal(self, subscriber: Subscriber, test: bool = False) -> tuple[str, str, dict]:
        """Return the reader's unsubscribe and settings addresses and their own headers."""
        unsubscribe, manage = unsubscribe_url(subscriber), manage_url(subscriber)
        mailto = settings.BLOGSITE_UNSUBSCRIBE_MAILTO or settings.DEFAULT_FROM_EMAIL
        mailto_link = f"mailto:{mailto}?subject=unsubscribe%20{subscriber.key}"
        test_part = ".test" if test else ""
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>, <{mailto_link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id,
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
            # One per (entry, reader): a message handed over twice is one to the reader.
            "Message-ID": (
                f"<entry-{self.entry_id}.reader-{subscriber.pk}{test_part}@{site_host()}>"
            ),
        }
        return unsubscribe, manage, headers

    def _bodies(self, unsubscribe: str, manage: str) -> tuple[str, str]:
        text = self.text.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(MANAGE_MARK, manage)
        html = self.html.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(MANAGE_MARK, manage)
        return text, html

    def message_for(self, subscriber: Subscriber, test: bool = False) -> EmailMultiAlternatives:
        """Return the message to one subscriber, with their own links and Message-ID."""
        unsubscribe, manage, headers = self._personal(subscriber, test)
        text, html = self._bodies(unsubscribe, manage)
        message = EmailMultiAlternatives(
            subject=("[Test] " if test else "") + self.subject,
            body=text,
            from_email=sender(),
            to=[subscriber.email],
            headers=headers,
        )
        message.attach_alternative(html, "text/html")
        return message

    def raw_for(self, subscriber: Subscriber) -> RawMessage:
        """Return the same message as message_for, as bytes, without building it anew.

        Building a MIME message with Python's email package took about 4 ms a reader, more
        than handing it to the server; this joins headers and quoted-printable parts made
        with the C codec, a few tens of microseconds. Tests parse its output as mail.
        """
        if self._fixed is None:
            # The same for every reader of this entry: encoded once.
            self._fixed = "\r\n".join(
                [
                    "MIME-Version: 1.0",
                    f'Content-Type: multipart/alternative; boundary="{self.boundary}"',
                    _header("Subject", self.subject),
                    "From: " + sender(),
                    _header("List-Id", self.list_id),
                    "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                    "Precedence: bulk",
                    "Auto-Submitted: auto-generated",
                ]
            )
        unsubscribe, manage, headers = self._personal(subscriber)
        mailto = headers["List-Unsubscribe"].split(", ", 1)[1]
        text, html = self._bodies(unsubscribe, manage)
        own = "\r\n".join(
            [
                f"To: {subscriber.email}",
                f"Date: {formatdate(localtime=False)}",
                f"Message-ID: {headers['Message-ID']}",
                # Folded after the comma: the line stays under 998 characters.
                f"List-Unsubscribe: <{unsubscribe}>,\r\n {mailto}",
            ]
        )
        boundary = self.boundary.encode("ascii")
        data = (
            self._fixed.encode("ascii") + b"\r\n" + own.encode("ascii")
            + b"\r\n\r\n--" + boundary + b"\r\n"
            + _qp_part("text/plain", text)
            + b"\r\n--" + boundary + b"\r\n"
            + _qp_part("text/html", html)
            + b"\r\n--" + boundary + b"--\r\n"
        )  # fmt: skip
        return RawMessage(recipient=subscriber.email, data=data)
