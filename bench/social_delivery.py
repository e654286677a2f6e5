"""Benchmark the social web's fan-out: an entry published to 1,000 followers on 50 servers.

A fresh SQLite database in a temporary folder gets F followers spread over S local inbox
servers (a process of their own: S HTTP servers on 127.0.0.1 that answer 202 and count what
they receive). An entry is then published as an editor would, and every delivery runs in
this process, one after the other, as one task worker runs them (the immediate backend).
Two shapes are measured:

- **shared**: every server offers a shared inbox, so the entry is one delivery per server;
- **personal**: no server offers one, so it is one delivery per follower.

It prints, for each, the deliveries made, the seconds from the save to the last delivery,
deliveries a second, the fan-out's peak Python allocations (tracemalloc) and the process's
peak resident memory, and checks that the servers received as many as were sent. Usage:

    .venv/bin/python bench/social_delivery.py [--followers 1000] [--servers 50]
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVERS = r"""
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = 0
lock = threading.Lock()

class Inbox(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        global received
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            received += 1
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

servers = [ThreadingHTTPServer(("127.0.0.1", 0), Inbox) for _ in range(int(sys.argv[1]))]
for server in servers:
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
print(" ".join(str(server.server_address[1]) for server in servers), flush=True)
for line in sys.stdin:
    print(received, flush=True)
"""


def setup_django(folder: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "CACHE_URL": f"filecache://{folder}/cache",
            "DEBUG": "1",
            "SECRET_KEY": "bench-only",
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "BLOGSITE_FETCH_ALLOW_HOSTS": "127.0.0.1",
            "BLOGSITE_SITE_URL": "http://127.0.0.1:8000",
            "BLOGSITE_STATS": "0",
            "MEDIA_ROOT": f"{folder}/media",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def add_followers(ports: list[int], followers: int, shared: bool) -> None:
    from social.models import Follower, RemoteActor, Server

    Follower.objects.all().delete()
    RemoteActor.objects.all().delete()
    servers = [Server.objects.get_or_create(host=f"127.0.0.1:{port}")[0] for port in ports]
    actors = []
    for number in range(followers):
        server = servers[number % len(servers)]
        base = f"http://{server.host}"
        actors.append(
            RemoteActor(
                uri=f"{base}/users/u{number}",
                server=server,
                key_id=f"{base}/users/u{number}#main-key",
                public_key_pem="unused",
                inbox=f"{base}/users/u{number}/inbox",
                shared_inbox=f"{base}/inbox" if shared else "",
            )
        )
    RemoteActor.objects.bulk_create(actors)
    Follower.objects.bulk_create(
        Follower(actor=actor, follow_id=f"{actor.uri}#follow", state="accepted")
        for actor in RemoteActor.objects.all()
    )


def publish_once(title: str) -> tuple[int, float, int]:
    """Publish an entry; return deliveries sent, seconds, and peak traced bytes."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from posts.models import Entry
    from social.models import Delivery

    author = get_user_model().objects.get_or_create(username="bench")[0]
    before = Delivery.objects.filter(status="sent").count()
    tracemalloc.start()
    start = time.perf_counter()
    with transaction.atomic():
        Entry.objects.create(
            title=title, author=author, body="Words.\n\n" * 50, status="published",
            published_at=timezone.now(),
        )  # fmt: skip
    seconds = time.perf_counter() - start
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Delivery.objects.filter(status="sent").count() - before, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="social-bench-") as folder:
        setup_django(folder)
        inboxes = subprocess.Popen(
            [sys.executable, "-c", SERVERS, str(options.servers)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            ports = [int(port) for port in inboxes.stdout.readline().split()]
            counted = 0
            print(f"{options.followers} followers on {options.servers} servers")
            for shape in ("shared", "personal"):
                add_followers(ports, options.followers, shared=shape == "shared")
                sent, seconds, peak = publish_once(f"Entry for {shape} inboxes")
                inboxes.stdin.write("count\n")
                inboxes.stdin.flush()
                total = int(inboxes.stdout.readline())
                received, counted = total - counted, total
                print(
                    f"{shape:>8}: {sent} deliveries in {seconds:.2f} s, "
                    f"{sent / seconds:.0f}/s, peak allocations {peak / 1e6:.1f} MB, "
                    f"received {received} ({'ok' if received == sent else 'MISMATCH'})"
                )
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak resident memory of this process: {rss:.0f} MB")
        finally:
            inboxes.stdin.close()
            inboxes.terminate()
            inboxes.wait()


if __name__ == "__main__":
    main()
