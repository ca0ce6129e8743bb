"""Public pages: job listings, job pages, the apply form and the thank-you page."""

from flask import Blueprint

bp = Blueprint("careers", __name__)

from app.careers import views  # noqa: E402,F401  (routes register on import)
