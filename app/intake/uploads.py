"""Checking uploaded files by their content, and holding a good file while the form is fixed.

When the form comes back with an error, a browser cannot refill a file input. So a file that
passed its checks is kept under a random key and the form carries a signed token for it: the
candidate does not have to choose it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app.i18n import file_formats
from app.intake.submit import HELD_FOLDER, Upload
from app.resume.formats import ACCEPTED_FORMATS, CONTENT_TYPES, accept_attribute, detect_format
from app.resume.runner import check_readable
from app.resume.structure import KIND_NAMES, NotADocument, check_structure
from app.storage import Storage

HOLD_SECONDS = 24 * 3600
ACCEPT = accept_attribute()  # the file input's `accept` list, from the same table


def choose_another() -> str:
    """The way out every refusal ends with, naming the formats (see app.i18n.file_formats)."""
    return gettext(
        "Please save your resume again, or upload it as a %(formats)s file.", formats=file_formats()
    )


class UploadRejected(ValueError):
    """A candidate-facing reason a file cannot be taken."""


class FileTooLarge(UploadRejected):
    """The file is over the size limit: the form answers 413, and names the limit."""


def too_large_message(max_bytes: int) -> str:
    """The refusal of a file over the limit, in the page's language."""
    return gettext(
        "This file is larger than %(size)s MB, the largest we accept. Please choose a smaller file.",
        size=max_bytes // (1024 * 1024),
    )


@dataclass(frozen=True)
class CheckedFile:
    upload: Upload
    format: str


def read_upload(file: FileStorage | None, max_bytes: int, *, deep: bool = True) -> CheckedFile | None:
    """The checked file, None when none was chosen, or UploadRejected with the reason.

    The bytes must be a document of the kind the name claims, and (`deep`) the document must
    open, which is tried in the parse pool within a short limit. The autofill endpoint skips
    that step: its parse answers the same question.
    """
    if file is None or not file.filename:
        return None
    data = file.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(too_large_message(max_bytes))
    if not data:
        raise UploadRejected(gettext("This file is empty. Please choose your resume file."))
    fmt = detect_format(data)
    if fmt not in ACCEPTED_FORMATS:
        raise UploadRejected(
            gettext(
                "We could not recognise this file as a %(formats)s document, "
                "whatever its name says. Please upload a %(formats)s file.",
                formats=file_formats(),
            )
        )
    try:
        check_structure(data, fmt, file.filename)
    except NotADocument as exc:
        raise UploadRejected(f"{exc} {choose_another()}") from exc
    if deep and check_readable(data, fmt) is not None:
        damaged = gettext("We could not open this %(kind)s file: it seems damaged.", kind=KIND_NAMES[fmt])
        raise UploadRejected(f"{damaged} {choose_another()}")
    filename = display_name(file.filename, fmt)
    return CheckedFile(Upload.from_bytes(data, filename, CONTENT_TYPES[fmt]), fmt)


def display_name(original: str, fmt: str) -> str:
    """A safe file name for people to see: the candidate's name, with the true extension."""
    stem = secure_filename(original.rsplit(".", 1)[0])[:80] or "resume"
    return f"{stem}.{fmt}"


class HeldFiles:
    def __init__(self, storage: Storage, secret_key: str) -> None:
        self._storage = storage
        self._signer = URLSafeTimedSerializer(secret_key, salt="held-upload")

    def hold(self, checked: CheckedFile) -> str:
        """A signed token for the file, copied into the held folder unless it is there already."""
        upload = checked.upload
        key = upload.held_key or self._storage.save(upload.content(), folder=HELD_FOLDER)
        return self._signer.dumps(
            {
                "key": key,
                "name": upload.filename,
                "type": upload.content_type,
                "size": upload.size,
                "sha": upload.sha256,
                "fmt": checked.format,
            }
        )

    def take(self, token: str | None) -> CheckedFile | None:
        """The file a token holds; None for no token, a forged or stale one, or a file removed."""
        if not token:
            return None
        try:
            info = self._signer.loads(token, max_age=HOLD_SECONDS)
        except BadSignature:
            return None
        if not str(info.get("key", "")).startswith(HELD_FOLDER + "/"):
            return None
        if not self._storage.exists(info["key"]):
            return None
        upload = Upload(info["name"], info["type"], info["size"], info["sha"], held_key=info["key"])
        return CheckedFile(upload, info["fmt"])
