"""Headers every response carries, and the friendly answer to an oversized upload."""
from __future__ import annotations

from flask import Flask, Response, render_template, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'; frame-ancestors 'none'")


def register_security(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(("/admin", "/applications")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(413)
    def too_large(_error):
        limit = app.config["MAX_UPLOAD_MB"]
        return render_template("errors/too_large.html", limit=limit), 413

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/not_found.html"), 404

    @app.errorhandler(429)
    def too_many(_error):
        return render_template("errors/too_many.html"), 429
