"""HR area: login, jobs and their questions, the applications inbox and deliveries."""

from flask import Blueprint
from flask_login import current_user

bp = Blueprint("admin", __name__)


@bp.before_request
def require_login():
    """Every admin page needs a signed-in HR user whose session has not run out; only the login
    page itself is open (the other sign-in steps are on the `account` blueprint)."""
    from flask import request

    from app.admin.login import session_ended
    from app.extensions import login_manager

    if request.endpoint in ("admin.login",):
        return None
    if current_user.is_authenticated and not session_ended():
        return None
    return login_manager.unauthorized()


@bp.before_request
def require_permission():
    """What the signed-in user's role may do, for every route: the table in app/admin/roles.py."""
    from flask import request

    from app.admin.roles import guard

    if request.endpoint in ("admin.login",) and not current_user.is_authenticated:
        return None
    return guard(current_user, request.endpoint, request.method, request.view_args or {})


@bp.app_template_global("may")
def may_in_templates(permission: str) -> bool:
    """`may("edit_jobs")` in templates (macros too): navigation and buttons show only what the
    signed-in user's role may use."""
    from app.admin.roles import may

    return may(current_user, permission)


def _register_sign_in_pages(state) -> None:
    """The sign-in steps, invitation and password links: under the same prefix, without the guard."""
    from app.admin.login import account_bp

    state.app.register_blueprint(account_bp, url_prefix=state.url_prefix)


bp.record_once(_register_sign_in_pages)


from app.admin import (  # noqa: E402,F401
    account,
    audit,
    embed,
    erasures,
    job_actions,
    job_questions,
    jobs,
    library,
    outbox,
    settings,
    users,
    views,
)
