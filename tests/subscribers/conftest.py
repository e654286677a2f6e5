"""A real SMTP server (aiosmtpd) for the subscribers' tests, and ways to make subscribers."""

import email
import email.policy
import logging
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.test import Client

from subscribers.addresses import address_hash
from subscribers.models import Subscriber


class Inbox:
    """An aiosmtpd handler keeping every message; it can refuse with a code for a while."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.refuse_next = 0  # answer this many DATA commands with refuse_code
        self.refuse_code = "451 4.3.0 Try again later"
        self.refused = 0
        self.reject_rcpt: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject_rcpt:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return self.refuse_code
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [message["X-Envelope-To"] for message in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    # aiosmtpd logs every command at INFO: thousands of lines that slow the server down.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def inbox(settings, smtp_server):
    """The site's mail sent by SMTP to a real server on a free local port."""
    handler, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.BLOGSITE_SITE_URL = "https://blog.example.org"
    return handler


@pytest.fixture
def client(django_capture_on_commit_callbacks):
    """The test client, running what each request leaves for after its commit (tasks)."""

    class CommittingClient(Client):
        def request(self, **request):
            with django_capture_on_commit_callbacks(execute=True):
                return super().request(**request)

    return CommittingClient()


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def confirmed(address: str, all_tags: bool = True, tags=()) -> Subscriber:
    subscriber = Subscriber.objects.create(
        email=address,
        email_hash=address_hash(address),
        status=Subscriber.Status.CONFIRMED,
        all_tags=all_tags,
    )
    if tags:
        subscriber.tags.set(tags)
    return subscriber
