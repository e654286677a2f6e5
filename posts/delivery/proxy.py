"""The client's address, read through the reverse proxies this site is told to trust.

Behind a proxy every request comes from the proxy's address (REMOTE_ADDR); the client's own
is in X-Forwarded-For, which anyone may also send. So the header is believed only as far as
BLOGSITE_TRUSTED_PROXIES says: each trusted proxy appends the address it saw to the right,
and the entry that many places from the right is the client. With 0 (the default), the header
is ignored. django-axes asks this function (AXES_CLIENT_IP_CALLABLE) whom to lock out.
Imports only Django.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """Return the client's IP address: REMOTE_ADDR, or X-Forwarded-For's as far as trusted."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.BLOGSITE_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if not forwarded:
        return remote  # not through the proxy: the address that connected is the client
    # Fewer entries than trusted proxies: the request came in past the outer ones, and
    # the leftmost entry is the furthest address any trusted proxy vouches for.
    candidate = forwarded[-min(trusted, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote  # a proxy that writes something else is not a source of addresses
