"""Files in a private local folder outside static/, under random names: the default storage."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import IO

from app.storage import MissingFile, StorageUnavailable, check_key

PART_PREFIX = ".part-"
PART_FILE_TTL = 3600  # seconds: a write still going after an hour was killed


class LocalStorage:
    """Local-folder storage. Keys are random names; nothing the candidate sent becomes a path."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def save(self, data: bytes, *, folder: str = "") -> str:
        name = secrets.token_hex(16)
        key = check_key(f"{folder}/{name}" if folder else name)
        target_dir = self.root / folder if folder else self.root
        target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write then rename, so a crash never leaves a half file under a valid key.
        fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=PART_PREFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target_dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def read(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def open(self, key: str) -> IO[bytes]:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise MissingFile(f"local: no file under {key}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def move(self, key: str, folder: str = "") -> str:
        new_key = self.save(self.read(key), folder=folder)
        self.delete(key)
        return new_key

    def older_than(self, folder: str, cutoff: float) -> list[str]:
        directory = self.root / check_key(folder)
        if not directory.is_dir():
            return []
        return [
            f"{folder}/{path.name}"
            for path in directory.iterdir()
            if not path.name.startswith(".") and path.is_file() and path.stat().st_mtime < cutoff
        ]

    def remove_partial(self, *, now: float) -> int:
        """Temporary files of writes a killed process never finished, once they are an hour old."""
        removed = 0
        for path in self.root.rglob(PART_PREFIX + "*"):
            if path.is_file() and path.stat().st_mtime < now - PART_FILE_TTL:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StorageUnavailable(f"local: cannot create the upload folder ({exc.strerror})") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable("local: the upload folder is not writable")
