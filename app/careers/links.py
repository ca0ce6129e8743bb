"""Links the public pages build: attribution carried from page to page, and share links.

A visit that lands on the listing or a job page with `utm_*` or `src` keeps them on every link
towards the form, which stores them with the application (the embed does the same through its
own url_defaults). Canonical and shared addresses never carry them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask_babel import gettext

CARRIED_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "src")
MAX_VALUE = 200  # the form keeps no more of each value


def carried(args: Mapping[str, str]) -> dict[str, str]:
    """The attribution in a request's query, to pass on in the links of its page."""
    return {key: args[key][:MAX_VALUE] for key in CARRIED_KEYS if args.get(key)}


@dataclass(frozen=True)
class ShareLink:
    name: str  # what the link says: "LinkedIn", "X (Twitter)", "Email" (in the page's language)
    href: str


def tagged(url: str, network: str) -> str:
    """The job's address as shared on `network`, so applications that follow it say where from."""
    return f"{url}?{urlencode({'utm_source': network, 'utm_medium': 'share'})}"


def share_links(url: str, title: str) -> list[ShareLink]:
    """Plain links to each network's own share page: no script of theirs runs on ours."""
    linkedin = urlencode({"url": tagged(url, "linkedin")})
    x = urlencode({"url": tagged(url, "x"), "text": title})
    email = f"subject={quote(title)}&body={quote(tagged(url, 'email'))}"
    return [
        ShareLink("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?{linkedin}"),
        ShareLink("X (Twitter)", f"https://x.com/intent/post?{x}"),
        ShareLink(gettext("Email"), f"mailto:?{email}"),
    ]
