"""Files in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...), so web processes keep none.

The only module that knows botocore's exceptions: each is translated into our StorageError
tree, with the operation and the error code, never a credential or a header.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.storage import MissingFile, StorageError, StorageUnavailable, check_key

MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
TIMEOUTS = {"connect_timeout": 3, "read_timeout": 20}


class S3Storage:
    """Objects under `prefix` in `bucket`. An object holds the bytes only: its name, type and
    owner stay in our database, so the bucket holds no personal data besides the files."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    def save(self, data: bytes, *, folder: str = "") -> str:
        name = secrets.token_hex(16)
        key = check_key(f"{folder}/{name}" if folder else name)
        with _translated("PutObject", key):
            # One PUT: the object appears whole or not at all.
            self._client.put_object(Bucket=self.bucket, Key=self._object(key), Body=data)
        return key

    def read(self, key: str) -> bytes:
        stream = self.open(key)
        try:
            with _translated("GetObject", key):
                return stream.read()
        finally:
            stream.close()

    def open(self, key: str) -> IO[bytes]:
        with _translated("GetObject", key):
            response = self._client.get_object(Bucket=self.bucket, Key=self._object(key))
        return cast(IO[bytes], response["Body"])

    def exists(self, key: str) -> bool:
        try:
            with _translated("HeadObject", key):
                self._client.head_object(Bucket=self.bucket, Key=self._object(key))
        except MissingFile:
            return False
        return True

    def delete(self, key: str) -> None:
        with _translated("DeleteObject", key):
            self._client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def move(self, key: str, folder: str = "") -> str:
        """Copied inside the bucket (the bytes never pass through us), then the old one removed."""
        name = secrets.token_hex(16)
        new_key = check_key(f"{folder}/{name}" if folder else name)
        source = {"Bucket": self.bucket, "Key": self._object(key)}
        with _translated("CopyObject", key):
            self._client.copy_object(Bucket=self.bucket, Key=self._object(new_key), CopySource=source)
        self.delete(key)
        return new_key

    def older_than(self, folder: str, cutoff: float) -> list[str]:
        start = self._object(folder) + "/"
        found = []
        with _translated("ListObjectsV2", folder):
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start, Delimiter="/"
            )
            for page in pages:
                for item in page.get("Contents", ()):
                    if item["LastModified"].timestamp() < cutoff:
                        found.append(item["Key"][len(self.prefix) :])
        return found

    def remove_partial(self, *, now: float) -> int:
        """Nothing to remove: a PUT is whole or absent, and no multipart upload is ever begun."""
        return 0

    def check(self) -> None:
        with _translated("HeadBucket", ""):
            self._client.head_bucket(Bucket=self.bucket)


@contextmanager
def _translated(operation: str, key: str) -> Iterator[None]:
    """botocore's errors as ours: a missing object, an unreachable store, or a refusal."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "unknown"))
        message = f"s3: {operation} {key} -> {code}"
        if code in MISSING_CODES:
            raise MissingFile(message) from exc
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in ("SlowDown", "RequestTimeout") or status >= 500:
            raise StorageUnavailable(message) from exc
        raise StorageError(message) from exc
    except BotoCoreError as exc:  # connection refused, timeouts, a body cut short
        raise StorageUnavailable(f"s3: {operation} {key} -> {type(exc).__name__}") from exc


def build(*, bucket: str, prefix: str, endpoint_url: str | None, region: str | None) -> S3Storage:
    """A client with explicit timeouts and standard retries. Credentials come from boto3's own
    chain (AWS_* environment, ~/.aws files, instance or task roles); creating it connects nowhere.
    A custom endpoint is addressed by path (bucket in the path), which every S3-compatible
    server understands."""
    config = Config(
        **TIMEOUTS,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url, region_name=region, config=config
    )
    return S3Storage(client, bucket, prefix)
