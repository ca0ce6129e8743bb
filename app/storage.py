"""Where uploaded files live: a private folder outside static/, under random names."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


class Storage:
    """Local-folder storage. Keys are random names; nothing the candidate sent becomes a path."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def save(self, data: bytes, *, folder: str = "") -> str:
        target_dir = self.root / folder if folder else self.root
        target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = secrets.token_hex(16)
        key = f"{folder}/{name}" if folder else name
        # Write then rename, so a crash never leaves a half file under a valid key.
        fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target_dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def path(self, key: str) -> Path:
        candidate = (self.root / key).resolve()
        if self.root.resolve() not in candidate.parents:
            raise ValueError("storage key outside the upload folder")
        return candidate

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def move(self, key: str, folder: str = "") -> str:
        """Give a held file a permanent key (used when a kept upload becomes an application)."""
        data = self.read(key)
        new_key = self.save(data, folder=folder)
        self.delete(key)
        return new_key
