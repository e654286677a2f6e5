"""Benchmark e-mailing an entry to 10,000 subscribers, next to smtplib sending the same messages.

A fresh SQLite database in a temporary folder gets N confirmed subscribers and one entry,
published as an editor would (the save enqueues the mailing). Then, side by side in one run:

- **worker**: the real task worker (`manage.py db_worker --batch`, database backend) sends the
  mailing in batches of BLOGSITE_MAIL_BATCH_SIZE to a local aiosmtpd server in a process of
  its own, recording each delivery before and after its SMTP transaction;
- **smtplib**: the same messages, rendered beforehand, sent by smtplib's `sendmail` over one
  connection to a fresh server of the same kind, with nothing recorded.

The worker runs first, so that its peak memory is its own (the smtplib process holds all
the prepared messages). It prints messages a second for each (the worker's from its first
to its last recorded send, and from process start to exit), their ratio, the worker's peak
resident memory (its own ru_maxrss, Django's start included) and that each
server received N messages. With --runs, each run publishes a new entry and the pair is
measured again: on a shared machine the figures move with the load. Usage:

    .venv/bin/python bench/subscribers_delivery.py [--subscribers 10000] [--batch-size 200]
        [--runs 1]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = r"""
import asyncio, signal, socket, sys, threading
from aiosmtpd.controller import Controller

class Count:
    received = 0
    async def handle_DATA(self, server, session, envelope):
        Count.received += len(envelope.rcpt_tos)
        return "250 OK"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: done.set())
done.wait()
controller.stop()
print(Count.received, flush=True)
"""

LAUNCHER = r"""
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_pid, status, usage = os.wait4(child.pid, 0)
print(status, usage.ru_maxrss)
"""

SMTPLIB = r"""
import pickle, smtplib, sys, time
messages = pickle.load(open(sys.argv[2], "rb"))
start = time.perf_counter()
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as connection:
    for sender, recipient, data in messages:
        connection.sendmail(sender, [recipient], data)
print(time.perf_counter() - start, flush=True)
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A counting aiosmtpd server in a process of its own."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(self.port)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> int:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=30)
        return int(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-subscribers-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DEBUG": "0",  # as in production: DEBUG keeps every SQL query in memory
        "ALLOWED_HOSTS": "localhost",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "CACHE_URL": f"filecache://{work / 'cache'}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "BLOGSITE_SITE_URL": "https://blog.example.org",
        "BLOGSITE_MAIL_BATCH_SIZE": str(args.batch_size),
        "BLOGSITE_MAIL_CHECK_SECONDS": "0",  # no periodic check: --batch ends when all is sent
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Max, Min
    from django.utils import timezone

    from posts.models import Entry
    from subscribers.addresses import address_hash
    from subscribers.compose import EntryMail
    from subscribers.models import Delivery, Subscriber

    call_command("migrate", verbosity=0)
    addresses = [f"reader{n:05d}@example.org" for n in range(args.subscribers)]
    Subscriber.objects.bulk_create(
        (
            Subscriber(email=a, email_hash=address_hash(a), status=Subscriber.Status.CONFIRMED)
            for a in addresses
        ),
        batch_size=1000,
    )
    author = get_user_model().objects.create(username="bench")
    for run in range(args.runs):
        body = "\n\n".join(
            f"Paragraph {n} of the entry, with [a link](/tags/) and some *emphasis*."
            for n in range(12)
        )
        entry = Entry.objects.create(
            title=f"A benchmark entry, run {run}", author=author, body=body,
            status=Entry.Status.PUBLISHED, published_at=timezone.now(),
        )  # fmt: skip

        # The worker: the real db_worker process, the mailing enqueued by the entry's save.
        server = Server()
        worker_env = {**os.environ, "EMAIL_PORT": str(server.port)}
        started = time.perf_counter()
        log = work / f"worker-{run}.log"
        with log.open("w") as stderr:
            # Started by a small launcher that reports its peak: Linux counts in a child's
            # peak the process it was forked from, and this one holds the whole database.
            launched = subprocess.run(
                [sys.executable, "-c", LAUNCHER, sys.executable, "manage.py", "db_worker",
                 "--batch", "--no-startup-delay", "--interval", "0.05"],
                cwd=ROOT, env=worker_env, stdout=subprocess.PIPE, stderr=stderr, text=True,
            )  # fmt: skip
        wall = time.perf_counter() - started
        status, peak_kb = (int(part) for part in launched.stdout.split()[-2:])
        peak_mb = peak_kb / 1024
        worker_received = server.stop()
        if status:
            print(log.read_text()[-3000:])
        span = Delivery.objects.filter(mailing__entry=entry).aggregate(
            first=Min("claimed_at"), last=Max("sent_at")
        )
        sent = Delivery.objects.filter(mailing__entry=entry, status=Delivery.Status.SENT).count()
        sending_seconds = (span["last"] - span["first"]).total_seconds()

        # smtplib: the same messages, rendered first, over one connection.
        import pickle

        mail = EntryMail.for_entry(entry)
        from django.conf import settings

        prepared = [
            (
                settings.DEFAULT_FROM_EMAIL,
                s.email,
                mail.message_for(s).message().as_bytes(linesep="\r\n"),
            )
            for s in Subscriber.objects.order_by("pk")
        ]
        (work / "messages.pickle").write_bytes(pickle.dumps(prepared))
        del prepared
        server = Server()
        out = subprocess.run(
            [sys.executable, "-c", SMTPLIB, str(server.port), str(work / "messages.pickle")],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        smtplib_seconds = float(out.split()[-1])
        smtplib_received = server.stop()

        worker_rate = sent / sending_seconds
        smtplib_rate = args.subscribers / smtplib_seconds
        print(f"run {run + 1}: subscribers {args.subscribers}, batch size {args.batch_size}")
        print(
            f"smtplib, one connection, prepared messages: {smtplib_rate:8.0f} messages/s "
            f"({smtplib_seconds:.1f} s; server received {smtplib_received})"
        )
        print(
            f"worker (db_worker --batch), sending:        {worker_rate:8.0f} messages/s "
            f"({sending_seconds:.1f} s; {sent} recorded sent; server received {worker_received})"
        )
        print(
            f"worker, process start to exit:              {sent / wall:8.0f} messages/s "
            f"({wall:.1f} s)"
        )
        print(f"ratio worker/smtplib (sending):             {worker_rate / smtplib_rate:8.2f}")
        print(f"peak worker memory (max RSS):               {peak_mb:8.0f} MB")
        print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
