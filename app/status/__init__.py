"""The candidate's status page: what they sent, where it is, and their data rights.

No login: the signed link in the confirmation email is the key (app/intake/status_links.py),
and /status sends the links again to the address that applied.
"""

from flask import Blueprint

bp = Blueprint("status", __name__)

from app.status import erase, views  # noqa: E402,F401  (routes register on import)
