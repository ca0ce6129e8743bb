"""Embeddable job list and apply form, framed by the host sites HR allowed.

The iframe works without any cookie: a signed, expiring, single-use token in the form replaces
the session-bound CSRF token, so browsers that block third-party cookies can still apply.
"""

from flask import Blueprint

bp = Blueprint("embed", __name__, url_prefix="/embed")

from app.embed import views  # noqa: E402,F401  (routes register on import)
