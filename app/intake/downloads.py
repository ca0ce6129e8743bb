"""Sending a stored file to a browser or an ATS, streamed from the storage port.

The bytes pass through the app rather than through a presigned link to the bucket: every download
stays behind our own check (an HR sign-in, or a signed resume link we can expire), the bucket
needs no address reachable from outside, and no bearer URL to a resume lands in a browser's
history or a proxy's log. Resumes are at most a few megabytes, so streaming them costs little.
"""

from __future__ import annotations

from flask import Response, abort, send_file

from app.storage import MissingFile, Storage


def send_stored(storage: Storage, key: str, *, content_type: str, filename: str) -> Response:
    """The file as an attachment under the name and type the candidate's upload was given;
    404 when storage no longer holds it."""
    try:
        stream = storage.open(key)
    except MissingFile:
        abort(404)
    return send_file(stream, mimetype=content_type, as_attachment=True, download_name=filename)
