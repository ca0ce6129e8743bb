"""Which hosts the site answers for, and the public address every absolute link is built from.

Absolute links (sitemap, JSON-LD, embed snippets) end up in cached pages and in other people's
systems, so they come from PUBLIC_BASE_URL, never from the request's Host header: one request
with a forged Host (or X-Forwarded-Host, behind a proxy) must not change what every visitor
gets. Requests for any other host are refused with 400 (Flask's TRUSTED_HOSTS).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for

DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """The host of PUBLIC_BASE_URL, the ALLOWED_HOSTS, SERVER_NAME when set, and in development
    the loopback names `make run` is reached by."""
    hosts = [urlsplit(config["PUBLIC_BASE_URL"]).hostname or ""]
    allowed = config.get("ALLOWED_HOSTS") or []
    if isinstance(allowed, str):
        allowed = allowed.replace(",", " ").split()
    hosts.extend(allowed)
    if config.get("SERVER_NAME"):
        hosts.append(str(config["SERVER_NAME"]).partition(":")[0])
    if config.get("ENV") == "development":
        hosts.extend(DEVELOPMENT_HOSTS)
    return sorted({host.lower() for host in hosts if host})


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of a page as the public reaches it: PUBLIC_BASE_URL and the path."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for(endpoint, **values)


def register_hosts(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    app.jinja_env.globals["public_url"] = public_url
