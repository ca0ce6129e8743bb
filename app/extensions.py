"""Flask extensions, created unbound and initialised in create_app."""

from typing import Any

from flask import Flask, Response
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase, Session


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
cache = Cache()  # public pages and ATS lookups; Redis when set (app.shared)


def application_stored(response: Response) -> bool:
    """The apply limit counts applications taken in (answered by a redirect to the thanks page),
    not forms sent back to be corrected: a candidate's typo does not use up their limit."""
    return response.status_code in (302, 303)


def db_session() -> Session:
    """The app context's SQLAlchemy session itself, for services typed with a plain Session:
    `db.session` is a scoped proxy to it, which type checkers do not take for a Session."""
    return db.session()


def cache_backend(app: Flask) -> Any:
    """The cachelib cache `cache` holds for `app` (Redis or this process's memory), for code
    that runs outside a request, such as the delivery workers."""
    return app.extensions["cache"][cache]
