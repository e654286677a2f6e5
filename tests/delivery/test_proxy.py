"""Whose address a login comes from behind the reverse proxy, and so whom a lockout holds."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import StaffFactory

PROXY = "10.0.0.2"  # the reverse proxy in front of the app server
EDITOR = "198.51.100.7"
STRANGER = "203.0.113.9"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(db):
    user = StaffFactory(username="editor")
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(password: str, forwarded_for: str | None, remote: str = PROXY) -> int:
    """POST the admin's login form as a browser behind the proxy would; return the status."""
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    response = Client().post(
        reverse("admin:login"), {"username": "editor", "password": password}, **headers
    )
    return response.status_code


def fail_five_times(forwarded_for: str | None, remote: str = PROXY) -> None:
    """Five wrong passwords: the fifth reaches the limit and is answered 429."""
    statuses = [log_in("wrong", forwarded_for, remote) for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_a_stranger_behind_the_proxy_cannot_lock_the_editor_out(settings, editor):
    settings.BLOGSITE_TRUSTED_PROXIES = 1
    fail_five_times(forwarded_for=STRANGER)
    assert log_in(PASSWORD, forwarded_for=STRANGER) == 429  # the stranger is locked out
    assert log_in(PASSWORD, forwarded_for=EDITOR) == 302  # the editor is not


def test_a_forged_forwarded_for_does_not_borrow_the_editors_address(settings, editor):
    settings.BLOGSITE_TRUSTED_PROXIES = 1
    # The stranger sends the editor's address; the proxy appends the one it saw.
    fail_five_times(forwarded_for=f"{EDITOR}, {STRANGER}")
    assert log_in(PASSWORD, forwarded_for=EDITOR) == 302
    assert log_in(PASSWORD, forwarded_for=STRANGER) == 429


def test_without_trusted_proxies_the_header_is_ignored(editor):
    # The default: a client reaching the app directly cannot dodge a lockout with the header.
    statuses = [
        log_in("wrong", forwarded_for=f"192.0.2.{number}", remote=STRANGER) for number in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(PASSWORD, forwarded_for=EDITOR, remote=STRANGER) == 429
    assert log_in(PASSWORD, forwarded_for=None, remote=EDITOR) == 302


def test_a_header_that_is_no_address_falls_back_to_the_connection(settings, editor):
    settings.BLOGSITE_TRUSTED_PROXIES = 1
    fail_five_times(forwarded_for="not-an-address")
    assert log_in(PASSWORD, forwarded_for=None) == 429  # counted against the proxy itself
    assert log_in(PASSWORD, forwarded_for=EDITOR) == 302
