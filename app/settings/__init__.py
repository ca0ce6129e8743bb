"""Settings HR changes in the browser (admin only): the database overrides config, which stays
the bootstrap; secrets are sealed with a key from the environment; every change is recorded."""

from flask import Flask
from werkzeug.local import LocalProxy

from app.settings.changes import record_change
from app.settings.secrets import SettingsKeyError
from app.settings.store import Consent, SiteSettings, current, forget

__all__ = ["Consent", "SettingsKeyError", "SiteSettings", "current", "forget", "record_change", "register"]


def register(app: Flask) -> None:
    """Templates read the settings in force as `site` (site.company_name, site.theme, ...),
    looked up only when a template uses them."""
    app.jinja_env.globals["site"] = LocalProxy(current)
