"""Where uploaded files live: the storage port, and the setting that picks its implementation.

Callers hold a `Storage` and never a path: the same web and worker code runs on one machine with
a private local folder (the default) and on many with an S3-compatible bucket, where no process
keeps files of its own. Keys are ours and random (`resumes/<32 hex>`): nothing a candidate sent
ever becomes a key, a path or an object's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

from flask import Flask

from app.config import ConfigError

EXTENSION = "careers.storage"
KEY_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}")


class StorageError(RuntimeError):
    """Storage refused or failed an operation."""


class MissingFile(StorageError):
    """No file is stored under the key (never saved, or removed)."""


class StorageUnavailable(StorageError):
    """Storage could not be reached or did not answer in time: worth trying again later."""


class Storage(Protocol):
    """What the service needs from a file store. Raises only StorageError and its subclasses,
    and ValueError for a key that is not one of ours."""

    def save(self, data: bytes, *, folder: str = "") -> str:
        """Store `data` whole under a new random key in `folder`; the key."""
        ...

    def read(self, key: str) -> bytes: ...

    def open(self, key: str) -> IO[bytes]:
        """A stream of the file, for downloads; the caller closes it."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file; removing a missing one is not an error."""
        ...

    def move(self, key: str, folder: str = "") -> str:
        """Give a held file a new key in `folder` (a kept upload becoming an application's)."""
        ...

    def older_than(self, folder: str, cutoff: float) -> list[str]:
        """Keys of the files directly in `folder` last written before `cutoff` (epoch seconds)."""
        ...

    def remove_partial(self, *, now: float) -> int:
        """Remove what a write interrupted by a crash left; the number removed."""
        ...

    def check(self) -> None:
        """Raise StorageError unless files can be stored now (a readiness check)."""
        ...


def check_key(key: str) -> str:
    """The key, if it could be one of ours: short slash-separated parts, none hidden or `..`."""
    parts = key.split("/") if isinstance(key, str) else []
    if not parts or len(parts) > 4 or not all(KEY_PART.fullmatch(part) for part in parts):
        raise ValueError("not a storage key")
    return key


def build_storage(settings: Mapping[str, Any]) -> Storage:
    """The storage STORAGE_URL names: empty for the local folder UPLOAD_DIR, or
    `s3://bucket[/prefix]` (with S3_ENDPOINT_URL for an S3-compatible server, S3_REGION).
    Credentials come from the standard AWS environment and files, never from our settings."""
    url = settings.get("STORAGE_URL") or ""
    if not url:
        from app.storage.local import LocalStorage

        return LocalStorage(settings["UPLOAD_DIR"])
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError("STORAGE_URL must be empty (local folder) or s3://bucket[/prefix]")
    try:
        from app.storage.s3 import build
    except ImportError as exc:
        raise ConfigError("STORAGE_URL is s3://...: install boto3 ('careers-intake[s3]')") from exc
    return build(
        bucket=parts.netloc,
        prefix=parts.path.strip("/"),
        endpoint_url=settings.get("S3_ENDPOINT_URL") or None,
        region=settings.get("S3_REGION") or None,
    )


def storage_for(app: Flask) -> Storage:
    """The storage create_app built for this app."""
    storage: Storage = app.extensions[EXTENSION]
    return storage
