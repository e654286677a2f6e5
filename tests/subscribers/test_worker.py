"""The real task worker (`manage.py db_worker`, database backend) killed with SIGKILL in the
middle of a mailing and started again: the SMTP server gets each recipient exactly once."""

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from subscribers.addresses import address_hash
from subscribers.models import Delivery, Mailing, Subscriber
from tests.conftest import cache_url_env
from tests.factories import EntryFactory

ROOT = Path(__file__).resolve().parents[2]
READERS = 2000


def start_worker(settings, port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "BLOGSITE_SITE_URL": "https://blog.example.org",
        "BLOGSITE_MAIL_BATCH_SIZE": str(settings.BLOGSITE_MAIL_BATCH_SIZE),
        "BLOGSITE_MAIL_STALE_SECONDS": str(settings.BLOGSITE_MAIL_STALE_SECONDS),
        "BLOGSITE_MAIL_CHECK_SECONDS": str(settings.BLOGSITE_MAIL_CHECK_SECONDS),
        "LOG_LEVEL": "WARNING",
        **cache_url_env(settings),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def database_tasks(settings):
    if connection.vendor != "sqlite" or connection.settings_dict["NAME"].startswith(":"):
        pytest.skip("the worker shares the test's database through a SQLite file")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.BLOGSITE_MAIL_BATCH_SIZE = 100
    settings.BLOGSITE_MAIL_STALE_SECONDS = 2
    settings.BLOGSITE_MAIL_CHECK_SECONDS = 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_mailing_and_restarted_sends_each_reader_exactly_once(
    settings, database_tasks, smtp_server, tmp_path
):
    inbox, port = smtp_server
    log = (tmp_path / "worker.log").open("w")
    addresses = [f"reader{n:04d}@example.org" for n in range(READERS)]
    Subscriber.objects.bulk_create(
        Subscriber(
            email=address, email_hash=address_hash(address), status=Subscriber.Status.CONFIRMED
        )
        for address in addresses
    )
    entry = EntryFactory(title="For two thousand readers")  # enqueues the mailing's check

    worker = start_worker(settings, port, log)
    try:
        assert wait_for(lambda: len(inbox.messages) >= READERS // 3, 120), (
            tmp_path / "worker.log"
        ).read_text()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        received_before = len(inbox.messages)
        assert 0 < received_before < READERS, "killed in the middle of sending"
        states = collections.Counter(Delivery.objects.values_list("status", flat=True))
        print(f"\nkilled after {received_before} messages; deliveries then: {dict(states)}")

        worker = start_worker(settings, port, log)
        mailing = Mailing.objects.get(entry=entry)
        finished = wait_for(
            lambda: Mailing.objects.get(pk=mailing.pk).state == Mailing.State.DONE, 180
        )
        assert finished, dict(
            collections.Counter(Delivery.objects.values_list("status", flat=True))
        )
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)

    counts = collections.Counter(inbox.recipients())
    print(f"received {len(inbox.messages)} messages for {len(counts)} readers")
    assert sorted(counts) == addresses  # nobody skipped
    assert set(counts.values()) == {1}  # nobody twice
    assert Delivery.objects.filter(status__in=["sent", "committed"]).count() == READERS
