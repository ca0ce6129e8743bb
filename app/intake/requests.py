"""Reading an apply form that carries a file over the limit, instead of refusing the request.

A request over Flask's MAX_CONTENT_LENGTH is refused before it is read, so the candidate would
lose everything they typed. The apply pages read a larger request (MAX_APPLY_REQUEST_MB) and
keep at most one byte over the file limit of each file, enough for the form to say which file
is too large while showing the rest of the form again.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO

from flask import Request, current_app

APPLY_ENDPOINTS = frozenset({"careers.apply", "embed.apply", "drafts.save"})
MEMORY_BYTES = 512 * 1024  # a file part beyond this is spooled to disk, as Werkzeug does


class CappedSpool(SpooledTemporaryFile):
    """A file part's store that keeps its first `cap` bytes and drops the rest unseen."""

    def __init__(self, cap: int) -> None:
        super().__init__(max_size=MEMORY_BYTES)
        self._room = cap

    def write(self, data) -> int:  # type: ignore[override]
        kept = bytes(data[: max(self._room, 0)])
        self._room -= len(kept)
        if kept:
            super().write(kept)
        return len(data)


class CareersRequest(Request):
    """Flask's request, with the apply pages' larger body limit and capped file parts."""

    def _reads_apply_form(self) -> bool:
        return self.endpoint in APPLY_ENDPOINTS

    @property
    def max_content_length(self) -> int | None:
        if self._reads_apply_form():
            return int(current_app.config["MAX_APPLY_REQUEST_MB"]) * 1024 * 1024
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.fset(self, value)  # type: ignore[attr-defined]

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        if self._reads_apply_form():
            return CappedSpool(int(current_app.config["MAX_UPLOAD_BYTES"]) + 1)  # type: ignore[return-value]
        return super()._get_file_stream(total_content_length, content_type, filename, content_length)
