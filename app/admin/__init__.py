"""HR area: login, jobs and their questions, the applications inbox and deliveries."""

from flask import Blueprint
from flask_login import current_user

bp = Blueprint("admin", __name__)


@bp.before_request
def require_login():
    """Every admin page needs a signed-in HR user; only the login page itself is open."""
    from flask import request

    from app.extensions import login_manager

    if request.endpoint in ("admin.login",) or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


from app.admin import embed, jobs, outbox, settings, views  # noqa: E402,F401
