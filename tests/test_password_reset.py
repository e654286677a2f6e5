"""Staff password reset by email, through a real SMTP server (aiosmtpd) started by the test."""

import email
import email.policy
import os
import re
import socket
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from tests.conftest import database_url
from tests.factories import StaffFactory, UserFactory
from tests.test_settings import ROOT, run_python

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new harbour at dawn"
LINK = re.compile(r"http://testserver(/admin/reset/[^/\s]+/[^/\s]+/)")


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free local port, and the site's mail sent to it."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def fresh_limits():
    """The limits count in the shared cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def ask(client, address: str, **extra):
    """Ask for a reset link; the mail task runs when the request's transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("admin_password_reset"), {"email": address}, **extra)


def test_a_staff_member_resets_the_password_from_the_mailed_link_and_logs_in(client, inbox):
    staff = StaffFactory(email="grace@example.org")
    login_page = client.get(reverse("admin:login")).content.decode()
    assert f'href="{reverse("admin_password_reset")}"' in login_page
    assert "Forgotten your login credentials?" in login_page

    response = ask(client, "Grace@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    [mail] = inbox.messages
    assert mail["X-Envelope-To"] == "grace@example.org"
    assert mail["From"] == "blogsite@localhost"
    text = mail.get_body(("plain",)).get_content()
    assert staff.get_username() in text
    path = LINK.search(text).group(1)

    form = client.get(path, follow=True)  # Django swaps the token for a session, then asks
    assert form.status_code == 200
    set_password = form.redirect_chain[-1][0]
    done = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")

    client.logout()
    login = client.post(
        reverse("admin:login"),
        {"username": staff.get_username(), "password": NEW_PASSWORD, "next": "/admin/"},
    )
    assert login.status_code == 302 and login["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
    # The link works once.
    again = client.get(path, follow=True)
    assert "invalid" in again.content.decode().lower()


@pytest.mark.parametrize(
    "who",
    ["nobody", "reader", "inactive staff", "staff without a password"],
)
def test_every_other_address_gets_the_same_answer_and_no_mail(client, inbox, who):
    StaffFactory(email="known@example.org")
    address = f"{who.replace(' ', '-')}@example.org"
    if who == "reader":
        UserFactory(email=address)
    elif who == "inactive staff":
        StaffFactory(email=address, is_active=False)
    elif who == "staff without a password":
        user = StaffFactory(email=address)
        user.set_unusable_password()
        user.save()
    known = ask(client, "known@example.org")
    other = ask(client, address)
    assert (other.status_code, other["Location"]) == (known.status_code, known["Location"])
    assert [m["X-Envelope-To"] for m in inbox.messages] == ["known@example.org"]
    done = client.get(other["Location"]).content.decode()
    assert "if an account exists" in done


def test_one_mailbox_gets_a_few_links_an_hour_known_or_not(client, inbox, settings):
    settings.BLOGSITE_RESET_PER_ADDRESS_HOUR = 2
    StaffFactory(email="known@example.org")
    answers = {}
    for address in ("known@example.org", "unknown@example.org"):
        first = [ask(client, address).status_code for _ in range(2)]
        refused = ask(client, address)
        answers[address] = (first, refused.status_code, refused["Retry-After"].isdigit())
        assert "Too many reset requests. Please try again in" in refused.content.decode()
    assert answers["known@example.org"] == answers["unknown@example.org"] == ([302, 302], 429, True)
    assert len(inbox.messages) == 2  # the third request for the known address sent nothing
    # Another address from the same client is not held back by that mailbox's limit.
    assert ask(client, "third@example.org").status_code == 302


def test_one_client_address_gets_a_few_requests_an_hour(client, inbox, settings):
    settings.BLOGSITE_RESET_PER_IP_HOUR = 3
    for number in range(3):
        assert ask(client, f"someone{number}@example.org").status_code == 302
    refused = ask(client, "someone-else@example.org")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 3600
    # Another client is still served.
    assert ask(client, "someone-else@example.org", REMOTE_ADDR="192.0.2.7").status_code == 302


def test_a_malformed_address_is_a_form_error_not_a_failure(client, inbox):
    response = ask(client, "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert inbox.messages == []


def test_a_mail_server_that_is_down_is_not_a_500(client, settings):
    StaffFactory(email="known@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    response = ask(client, "known@example.org")
    assert response.status_code == 302  # Django's form logs the failure and answers as ever


def test_mail_goes_to_the_console_locally_and_by_smtp_in_production():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)"
    local = run_python(code, DEBUG="1")
    assert local.stdout.split() == [
        "django.core.mail.backends.console.EmailBackend",
        "localhost",
        "25",
    ]
    production = run_python(
        code, DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="blog.example.org",
        EMAIL_HOST="smtp.example.org", EMAIL_PORT="587",
    )  # fmt: skip
    assert production.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", "587",
    ]  # fmt: skip


def test_the_reset_pages_wear_the_admins_header_and_lead_back_to_its_login(client):
    for name in ("admin_password_reset", "password_reset_done", "password_reset_complete"):
        html = client.get(reverse(name)).content.decode()
        assert "blogsite admin" in html and "Django administration" not in html, name
    html = client.get(reverse("password_reset_complete")).content.decode()
    assert f'href="{reverse("admin:login")}"' in html


@pytest.mark.django_db(transaction=True)
def test_the_request_queues_the_mail_and_the_task_worker_sends_it(client, inbox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    staff = StaffFactory(email="ada@example.org")

    response = ask(client, "ada@example.org")
    assert response.status_code == 302
    assert inbox.messages == []  # queued: the request did not wait on the mail server
    from django_tasks_db.models import DBTaskResult

    [queued] = DBTaskResult.objects.filter(task_path__endswith=".send_reset_mail")
    assert queued.args_kwargs["args"][0] == [staff.pk]  # ids only: no address, no token

    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "EMAIL_BACKEND": settings.EMAIL_BACKEND,
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
    }
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    [mail] = inbox.messages
    assert mail["X-Envelope-To"] == "ada@example.org"
    path = LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    form = client.get(path, follow=True)
    assert "new_password1" in form.content.decode()  # the worker's link opens the form
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


def test_a_reset_for_someone_who_left_the_staff_meanwhile_sends_nothing(inbox):
    from blogsite.password_reset import send_reset_mail

    former = StaffFactory(email="former@example.org", is_staff=False)
    assert send_reset_mail.call([former.pk], "testserver", False) == 0
    assert inbox.messages == []
