"""An S3-compatible server for tests: moto's, in a thread of the test's process on 127.0.0.1,
bound to port 0 by the server itself (the real port is read back from its socket)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import boto3
from moto.server import ThreadedMotoServer

# moto accepts any key; these only need to be well formed. Set for boto3's own credential chain,
# which is how the service is given credentials in production too.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing-key-id",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_s3() -> Iterator[str]:
    """Start the server; yields its endpoint URL and stops it afterwards."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def new_bucket(endpoint: str) -> str:
    """A fresh, private bucket, so tests sharing one server never see each other's files."""
    name = f"careers-{secrets.token_hex(6)}"
    client(endpoint).create_bucket(Bucket=name)
    return name


@lru_cache
def client(endpoint: str):
    """A client of our own, to arrange and inspect the bucket as the service never would."""
    return boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
    ).client("s3", endpoint_url=endpoint)


def aws_environment(monkeypatch) -> None:
    """boto3's standard environment, pointed at nothing on this machine but these values."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
