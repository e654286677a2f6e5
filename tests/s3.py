"""moto's S3 server on 127.0.0.1 for the tests that store files in a bucket."""

import contextlib
import socket

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def moto_s3(monkeypatch):
    """Start moto's S3 server with test credentials; yield (boto3 client, endpoint); stop it.

    Skips the test where moto or boto3 is not installed.
    """
    server_module = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        yield boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1"), endpoint
    finally:
        server.stop()
