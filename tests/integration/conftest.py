"""Integration suite against real services: PostgreSQL, a Celery broker (Redis or RabbitMQ), and an
S3-protocol server (moto's standalone server, started here as a separate process).

On a machine without these services the suite is skipped with a message; with INTEGRATION=required
(what .ci/run sets) a missing service is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

REQUIRED = os.environ.get("INTEGRATION") == "required"
ROOT = Path(__file__).resolve().parents[2]


def _unavailable(what: str) -> None:
    if REQUIRED:
        pytest.fail(f"integration service missing: {what} (INTEGRATION=required)", pytrace=False)
    pytest.skip(f"integration service not available: {what}")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-protocol server process (moto_server) on a free loopback port."""
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if exe is None:
        _unavailable("moto_server (pip install 'moto[server]')")
    port = _free_port()
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while not _port_open("127.0.0.1", port):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            _unavailable("moto_server did not start")
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def broker_url() -> str:
    url = os.environ.get("INTEGRATION_BROKER_URL", "redis://127.0.0.1:6379/15")
    parsed = urlparse(url)
    default_port = 5672 if parsed.scheme.startswith("amqp") else 6379
    if not _port_open(parsed.hostname or "127.0.0.1", parsed.port or default_port):
        _unavailable(f"broker at {url}")
    return url


@pytest.fixture(scope="session")
def integration_broker_url() -> str:
    return broker_url()


@pytest.fixture
def s3_storage(settings: object, s3_endpoint: str) -> Iterator[str]:
    """Point Django's default storage at a fresh private bucket on the S3 server."""
    import uuid

    import boto3

    bucket = f"kyc-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "endpoint_url": s3_endpoint,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    yield bucket
