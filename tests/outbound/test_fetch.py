"""The fetch guard, against a real server on 127.0.0.1: limits, schemes, addresses, redirects."""

import time

import pytest

from outbound.fetch import FetchRefused, FetchTimedOut, fetch, public_addresses
from tests.otherside import OtherSite, Page


@pytest.fixture
def other(settings):
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    settings.BLOGSITE_FETCH_TIMEOUT = 1.0
    with OtherSite() as site:
        yield site


def test_a_page_is_fetched_with_the_sites_user_agent(other):
    other.pages["/a"] = Page(b"<p>hello</p>")
    fetched = fetch(other.url("/a"))
    assert (fetched.status, fetched.body, fetched.truncated) == (200, b"<p>hello</p>", False)
    answer = fetch(other.url("/endpoint"), method="POST", fields={"source": "s", "target": "t"})
    assert answer.status == 202
    assert other.received[0]["agent"].startswith("blogsite (blogsite; +")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/", "http://localhost/", "http://10.0.0.1/", "http://169.254.169.254/",
     "http://[::1]/", "http://192.168.1.1/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/"],
)  # fmt: skip
def test_private_loopback_and_link_local_addresses_are_refused(url, settings):
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = []
    with pytest.raises(FetchRefused, match="non-public"):
        fetch(url)


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1", "2002:c0a8:101::", "2002:a9fe:a9fe::",
     "::ffff:10.0.0.1"],
)  # fmt: skip
def test_ipv6_forms_that_carry_a_private_ipv4_address_are_refused(address, settings):
    # NAT64 and 6to4 addresses are global by their own prefix; what a router delivers them
    # to is the IPv4 address inside.
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = []
    with pytest.raises(FetchRefused, match="non-public"):
        public_addresses(address, 80)


def test_ipv6_forms_that_carry_a_public_ipv4_address_pass():
    assert public_addresses("64:ff9b::808:808", 80) == ["64:ff9b::808:808"]
    assert public_addresses("2002:808:808::1", 80) == ["2002:808:808::1"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/"])
def test_only_http_and_https(url):
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch(url)


def test_a_redirect_to_a_private_address_is_refused(other):
    other.pages["/jump"] = Page(status=302, headers={"Location": "http://169.254.169.254/meta"})
    with pytest.raises(FetchRefused, match="non-public"):
        fetch(other.url("/jump"))


def test_a_redirect_to_an_allowed_host_is_followed(other):
    other.pages["/jump"] = Page(status=301, headers={"Location": "/landing"})
    other.pages["/landing"] = Page(b"landed")
    fetched = fetch(other.url("/jump"))
    assert (fetched.url, fetched.body) == (other.url("/landing"), b"landed")


def test_a_slow_source_times_out(other):
    other.pages["/slow"] = Page(b"late", delay=3)
    started = time.monotonic()
    with pytest.raises(FetchTimedOut):
        fetch(other.url("/slow"))
    assert time.monotonic() - started < 2.5


def test_a_huge_source_is_cut_at_the_limit(other):
    other.pages["/huge"] = Page(b"x" * 65536, repeat=160)  # 10 MB
    fetched = fetch(other.url("/huge"), max_bytes=100_000)
    assert fetched.truncated and len(fetched.body) == 100_000


def test_a_public_name_resolves_and_passes():
    try:
        addresses = public_addresses("dns.google", 443)
    except FetchRefused:
        pytest.skip("no DNS here")
    assert addresses


@pytest.fixture
def tls_site(tmp_path, settings):
    """An https site on 127.0.0.1 named "localhost", with a certificate made here."""
    import datetime
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "6")
            self.end_headers()
            self.wfile.write(b"secret")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = ["localhost"]
    yield f"https://localhost:{server.server_address[1]}/", cert_file
    server.shutdown()
    server.server_close()


def test_https_certificates_are_verified(tls_site, monkeypatch):
    url, cert_file = tls_site
    with pytest.raises(FetchRefused):
        fetch(url)  # a certificate no one vouches for
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # now trusted: the same site answers
    assert fetch(url).body == b"secret"
