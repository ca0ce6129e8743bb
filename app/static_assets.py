"""Static files: content-hashed addresses cached for a year, compression, and the favicon.

Every `url_for("static", filename=...)` gets `?v=<hash of the file's bytes>`, so a changed file
has a new address: a response for the address whose hash matches the file is cached for a year
as immutable; any other (no hash, an old one) is revalidated. The loader script host sites paste
(`embed.js`) keeps its plain address: a pasted hash would pin host pages to one version.

Compression (brotli or gzip) is given to static files and to the public pages every visitor
gets the same; pages that carry a form token or a signed-in session are sent as they are, so
a secret never shares a compressed body with text an attacker can put in the address (BREACH).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request, send_from_directory
from flask_compress import Compress
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
UNHASHED = frozenset({"embed.js"})
COMPRESSED_ENDPOINTS = frozenset(
    {"static", "favicon", "careers.jobs", "careers.job", "careers.sitemap", "embed.jobs", "embed.job"}
)
compress = Compress()


class Hashes:
    """Content hashes of the static files, read again when a file's size or time changes."""

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._known: dict[str, tuple[int, int, str]] = {}

    def of(self, filename: str) -> str | None:
        path = safe_join(self._folder, filename)
        if path is None or not Path(path).is_file():
            return None
        stat = Path(path).stat()
        known = self._known.get(filename)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def register_static_assets(app: Flask) -> None:
    hashes = Hashes(str(app.static_folder))
    app.config.update(
        COMPRESS_REGISTER=False,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
    )
    compress.init_app(app)

    @app.url_defaults
    def hashed_static(endpoint: str, values: dict) -> None:
        filename = values.get("filename")
        if endpoint == "static" and filename and filename not in UNHASHED:
            digest = hashes.of(filename)
            if digest:
                values.setdefault("v", digest)

    @app.after_request
    def cache_and_compress(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args.get("v") == hashes.of(filename):
                response.headers["Cache-Control"] = IMMUTABLE
            else:
                response.headers["Cache-Control"] = "no-cache"
        if request.endpoint in COMPRESSED_ENDPOINTS:
            return compress.after_request(response)
        return response

    @app.get("/favicon.ico")
    def favicon():
        response = send_from_directory(str(app.static_folder), "favicon.ico", max_age=86400)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response
