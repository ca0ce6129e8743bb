"""Job descriptions written in Markdown: rendered to HTML once, when HR saves or previews, and
passed through the same sanitiser as every description (app/html.py), so what the preview
shows is what candidates see.

HTML is allowed inside the Markdown, so a description synced from an ATS (HTML) is a valid
source as it stands. Headings move one level down: the job's title is the page's only h1.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.html import sanitize

MAX_SOURCE_CHARS = 100_000  # a description longer than this is refused by the form
DEEPEST_HEADING = 4  # the sanitiser keeps h2-h4


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")


_MARKDOWN = _parser()


def _lower_headings(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, DEEPEST_HEADING)
            token.tag = f"h{level}"


def render_markdown(source: str | None) -> str:
    """Sanitised HTML for a Markdown description; "" for an empty one."""
    if not source or not source.strip():
        return ""
    tokens = _MARKDOWN.parse(source[:MAX_SOURCE_CHARS])
    _lower_headings(tokens)
    return sanitize(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))
