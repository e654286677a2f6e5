"""Staff password reset by email: Django's own views, for active staff only, rate-limited.

The admin's login page links here ("Forgotten your password?") because a URL named
admin_password_reset exists (blogsite/urls.py). The answer is the same whether or not an
address belongs to anyone: mail goes only to active staff with a usable password, and the
limits count every address asked for, known or not. Counters live in Django's cache, shared
by every worker. The mail itself is a task: the request never waits on the mail server.
Imports Django, django_tasks and posts' client address and rate limit only.
"""

import hashlib
import time
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django_tasks import task

from posts.delivery.proxy import client_address
from posts.ratelimit import take_turn

WINDOW_SECONDS = 3600


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending only to active staff (readers have no accounts to reset)."""

    def get_users(self, email: str):
        return (user for user in super().get_users(email) if user.is_staff)

    def save(self, domain_override=None, use_https=False, request=None, **kwargs) -> None:
        """Queue the reset mail for the task worker, once the request's transaction commits.

        The task is given user ids, never the address typed or a token: the task table keeps
        its arguments, and a reset link there would be a key left lying about.
        """
        domain = domain_override or get_current_site(request).domain
        user_ids = [user.pk for user in self.get_users(self.cleaned_data["email"])]
        if user_ids:
            transaction.on_commit(partial(send_reset_mail.enqueue, user_ids, domain, use_https))


@task()
def send_reset_mail(user_ids: list[int], domain: str, use_https: bool) -> int:
    """Mail a reset link to each of these users still allowed one; return how many were sent.

    A user who has left the staff, been deactivated or lost their password since the request
    gets nothing. The link is made here, so it is as fresh as the mail.
    """
    sent = 0
    addresses = get_user_model().objects.filter(pk__in=user_ids).values_list("email", flat=True)
    for address in sorted(set(addresses)):
        form = StaffPasswordResetForm(data={"email": address})
        if form.is_valid():
            users = list(form.get_users(address))
            # Django's own save makes the token and the mail from its templates.
            PasswordResetForm.save(form, domain_override=domain, use_https=use_https)
            sent += len(users)
    return sent


def _take_turn(key: str, limit: int, now: float) -> int:
    """Count one request against key's hour; return 0 if within limit, else seconds to wait."""
    return take_turn("password-reset", key, limit, WINDOW_SECONDS, now)


def reset_wait(request: HttpRequest, email: str) -> int:
    """Count a reset request from this client for this address; return seconds to wait, or 0.

    Both counters move on every request, so a flood from one address of the network and a
    flood at one mailbox are each stopped, whichever comes first.
    """
    now = time.time()
    # The address is kept only as a hash: the cache holds no one's email.
    mailbox = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    waits = [
        _take_turn(f"ip:{client_address(request)}", settings.BLOGSITE_RESET_PER_IP_HOUR, now),
        _take_turn(f"to:{mailbox}", settings.BLOGSITE_RESET_PER_ADDRESS_HOUR, now),
    ]
    return max(waits)


class StaffPasswordResetView(PasswordResetView):
    """Ask for a reset link by email; the same answer for every address, within the limits."""

    form_class = StaffPasswordResetForm

    def form_valid(self, form) -> HttpResponse:
        wait = reset_wait(self.request, form.cleaned_data["email"])
        if not wait:
            return super().form_valid(form)
        minutes = max(1, round(wait / 60))
        form.add_error(
            None,
            ngettext(
                "Too many reset requests. Please try again in %(minutes)d minute.",
                "Too many reset requests. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        response = self.form_invalid(form)
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
        return response
