"""One guarded way to talk to other sites: Webmentions now, subscribers and ActivityPub later.

Every request has a time limit for the whole exchange and a size limit on what is read;
only http and https are spoken; the host is resolved here and every address it resolves
to must be public (no private, loopback, link-local, reserved or multicast address), and
the connection goes to the address that was checked, so a second DNS answer cannot swap
it. Redirects are followed by hand, each new address checked the same way. Hosts named in
BLOGSITE_FETCH_ALLOW_HOSTS skip the address check (tests and a local test site only).

Imports Django's settings and urllib3; no model, view or app of this project.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 16_384


class FetchRefused(Exception):
    """The address is not one this site may talk to, or the exchange broke a limit."""


class FetchTimedOut(FetchRefused):
    """The other site took longer than the time limit."""


@dataclass
class Fetched:
    url: str  # the final address, after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    truncated: bool = False  # the body was cut at the size limit
    links: list[str] = field(default_factory=list)  # raw Link header values

    def text(self) -> str:
        """Return the body as text, in its declared charset, undecodable bytes replaced."""
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def user_agent() -> str:
    """Return the User-Agent naming this site, so other sites know who asks."""
    return f"{settings.BLOGSITE_TITLE} (blogsite; +{settings.BLOGSITE_SITE_URL})"


def public_addresses(host: str, port: int) -> list[str]:
    """Return the addresses host resolves to, refusing if any is not a public one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchRefused(f"{host} does not resolve") from err
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not all(_public(part) for part in (address, *_embedded_ipv4(address))):
            raise FetchRefused(f"{host} resolves to a non-public address ({address})")
        addresses.append(str(address))
    if not addresses:
        raise FetchRefused(f"{host} does not resolve")
    return addresses


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def _embedded_ipv4(address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries and a router may deliver to: mapped
    (::ffff:a.b.c.d), 6to4 (2002:ab:cd::), Teredo (2001:0::) and NAT64 (64:ff9b::a.b.c.d).
    "2002:7f00:1::" is a global IPv6 address by its own prefix, and reaches 127.0.0.1."""
    if address.version != 6:
        return []
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ipv4 for ipv4 in found if ipv4 is not None]


def _allowed_test_host(host: str) -> bool:
    return host.lower() in {name.lower() for name in settings.BLOGSITE_FETCH_ALLOW_HOSTS}


def _target(url: str) -> tuple[str, str, int, str]:
    """Return (scheme, host, port, address to connect to) for url, or refuse it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https addresses are fetched, not {scheme or 'none'}")
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError as err:
        raise FetchRefused("the address has a bad port") from err
    if not host:
        raise FetchRefused("the address has no host")
    if _allowed_test_host(host):
        return scheme, host, port, socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0]
    return scheme, host, port, public_addresses(host, port)[0]


def fetch(
    url: str,
    *,
    method: str = "GET",
    fields: dict[str, str] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    max_redirects: int = 5,
) -> Fetched:
    """Fetch url (or POST form fields, or a body, to it) within the limits; raise FetchRefused if
    not allowed.

    A body over max_bytes is cut there (Fetched.truncated). timeout bounds the whole exchange,
    redirects included.
    """
    timeout = settings.BLOGSITE_FETCH_TIMEOUT if timeout is None else timeout
    max_bytes = settings.BLOGSITE_FETCH_MAX_KB * 1024 if max_bytes is None else max_bytes
    deadline = time.monotonic() + timeout
    for _hop in range(max_redirects + 1):
        response = _one_request(url, method, fields, body, headers or {}, deadline, max_bytes)
        location = response.headers.get("location")
        if response.status in REDIRECTS and location:
            url = urljoin(url, location)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, fields, body = "GET", None, None
            continue
        return response
    raise FetchRefused(f"more than {max_redirects} redirects")


def _one_request(url, method, fields, body, headers, deadline, max_bytes) -> Fetched:
    scheme, host, port, address = _target(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTimedOut(f"{url} took too long")
    limits = urllib3.Timeout(connect=remaining, read=remaining)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, timeout=limits, retries=False, server_hostname=host,
            assert_hostname=host,
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=limits, retries=False)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if scheme == "https" else 80
    sent = {
        "Host": host if port == default_port else f"{host}:{port}",
        "User-Agent": user_agent(),
        "Accept-Encoding": "identity",
        **headers,
    }
    try:
        if fields is not None:
            response = pool.request_encode_body(
                method, path, fields=fields, headers=sent, encode_multipart=False,
                redirect=False, preload_content=False,
            )  # fmt: skip
        else:
            response = pool.request(
                method, path, body=body, headers=sent, redirect=False, preload_content=False
            )
        read, truncated = _read(response, deadline, max_bytes, url)
    except (urllib3.exceptions.TimeoutError, TimeoutError) as err:
        raise FetchTimedOut(f"{url} took too long") from err
    except urllib3.exceptions.HTTPError as err:
        raise FetchRefused(f"{url} could not be fetched: {err.__class__.__name__}") from err
    finally:
        pool.close()
    names = {name.lower(): value for name, value in response.headers.items()}
    return Fetched(
        url=url,
        status=response.status,
        headers=names,
        body=read,
        truncated=truncated,
        links=response.headers.getlist("link"),
    )


def _read(response, deadline: float, max_bytes: int, url: str) -> tuple[bytes, bool]:
    chunks, size = [], 0
    try:
        while size <= max_bytes:
            if time.monotonic() > deadline:
                raise FetchTimedOut(f"{url} took too long")
            chunk = response.read1(CHUNK)  # whatever has come, not a full chunk
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[:max_bytes], True
    finally:
        response.release_conn()
