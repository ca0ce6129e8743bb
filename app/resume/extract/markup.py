"""HTML and MHT resumes: job boards export these, often named ".doc"."""

from __future__ import annotations

import email
import email.policy
from html.parser import HTMLParser

from ..errors import UnreadableResume
from .plain import decode_text
from .result import Extracted

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "header",
        "footer",
        "article",
        "ul",
        "ol",
        "table",
        "dt",
        "dd",
        "address",
        "hr",
    }
)
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "xml"})


class _TextCollector(HTMLParser):
    """Text with a line break at every block boundary and link targets kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http", "mailto:")):
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a" and self.links:
            href = self.links.pop()
            recent = "".join(self.parts[-6:])
            if href.removeprefix("mailto:") not in recent:
                self.parts.append(f" {href}")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data.replace("\xa0", " "))


def html_to_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def extract_html(data: bytes, **_limits) -> Extracted:
    return Extracted(text=html_to_text(decode_text(data, html=True)))


def extract_mht(data: bytes, **_limits) -> Extracted:
    """The first HTML (or plain text) part of a MIME archive."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/html", "text/plain"):
            payload = part.get_payload(decode=True)
            payload = payload if isinstance(payload, bytes) else b""
            charset = part.get_content_charset() or "utf-8"
            try:
                text = payload.decode(charset, errors="replace")
            except LookupError:
                text = payload.decode("utf-8", errors="replace")
            return Extracted(text=html_to_text(text) if kind == "text/html" else text)
    raise UnreadableResume("no text part in MIME archive")
