"""CPU time of a cached page hit with statistics on and off, and of a beacon, in one process.

wrk's requests/s on a shared machine swing by tens of percent from one run to the next;
the CPU time one process spends answering the same cached page, measured in many short
interleaved rounds, does not. Two test clients on two host names share one process: one
whose middleware chain and page were made with BLOGSITE_STATS on, one with it off. The beacon
comes from a new address each time (the costliest case). Prints the median microseconds
per request of each, the cached page's throughput ratio on / off, and the beacon's to the
cached page. Used by bench/stats.py; runs on its own too:

    .venv/bin/python bench/stats_cpu.py DATABASE_FILE [--rounds 40] [--hits 300]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--hits", type=int, default=300)
    args = parser.parse_args()
    var = ROOT / "var"
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "blogsite.settings", "DEBUG": "0", "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "on.example,off.example", "BLOGSITE_PLAIN_HTTP": "1",
        "DATABASE_URL": f"sqlite:///{args.database}", "LOG_LEVEL": "WARNING",
        # Under var/, as the site keeps them: /tmp may sit on a slower file system.
        "CACHE_URL": f"filecache://{tempfile.mkdtemp(prefix='bench-cpu-cache-', dir=var)}",
        "BLOGSITE_STATS_DIR": tempfile.mkdtemp(prefix="bench-cpu-counters-", dir=var),
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
    })  # fmt: skip
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client, override_settings

    from posts.models import Entry

    path = Entry.objects.published().order_by("-published_at")[5].get_absolute_url()
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"
    clients = {}
    for name, on in (("on", True), ("off", False)):
        client = Client(HTTP_HOST=f"{name}.example", HTTP_USER_AGENT=agent)
        with override_settings(BLOGSITE_STATS=on):
            client.get(path)  # builds this client's middleware chain, and caches the page
            assert (b"stats/beacon" in client.get(path).content) == on
        assert client.get(path)["X-Cache"] == "hit"
        clients[name] = client
    from urllib.parse import urlencode

    # As navigator.sendBeacon sends URLSearchParams: form-encoded.
    beacon_body = urlencode({"p": path, "r": "https://news.example.org/", "h": "on.example"})
    form = "application/x-www-form-urlencoded"
    sent = [0]

    def beacon() -> None:
        sent[0] += 1
        address = f"10.{sent[0] // 65536 % 256}.{sent[0] // 256 % 256}.{sent[0] % 256}"
        clients["on"].post("/stats/hit", beacon_body, content_type=form, REMOTE_ADDR=address)

    runs = {
        "on": lambda: clients["on"].get(path),
        "off": lambda: clients["off"].get(path),
        "beacon": beacon,
    }
    samples = {name: [] for name in runs}
    for round_ in range(args.rounds):
        order = list(runs) if round_ % 2 == 0 else list(reversed(runs))
        for name in order:
            start = time.process_time()
            for _ in range(args.hits):
                runs[name]()
            samples[name].append((time.process_time() - start) / args.hits * 1e6)
    on, off, hit = (statistics.median(samples[name]) for name in ("on", "off", "beacon"))
    print(f"{on:.1f} {off:.1f} {off / on:.3f} {hit:.1f} {on / hit:.3f}")


if __name__ == "__main__":
    main()
