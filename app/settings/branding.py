"""Branding checks: a logo is taken only as a PNG or JPEG judged by its bytes (never an SVG,
which can carry script), and brand colours are held to the WCAG ratios of app/colors.py."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from app.colors import TEXT_RATIO, UI_RATIO, contrast_ratio, derive_palette, parse_hex

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 4096
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START, JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"


class LogoRefused(ValueError):
    """The file is not a logo we serve; the message says why, for the form."""


@dataclass(frozen=True)
class LogoFile:
    data: bytes
    content_type: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16]


def check_logo(data: bytes) -> LogoFile:
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused(f"The logo is larger than {MAX_LOGO_BYTES // 1024} KB.")
    if data.startswith(PNG_SIGNATURE):
        _check_png(data)
        return LogoFile(data, "image/png")
    if data.startswith(JPEG_START) and data.rstrip(b"\x00").endswith(JPEG_END):
        return LogoFile(data, "image/jpeg")
    raise LogoRefused("The logo must be a PNG or JPEG image (its content is checked, not its name).")


def _check_png(data: bytes) -> None:
    """The first chunk of a PNG is IHDR with the image's size; anything else is not a PNG."""
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise LogoRefused("The logo must be a PNG or JPEG image (its content is checked, not its name).")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
        raise LogoRefused(f"The logo must be at most {MAX_LOGO_SIDE} pixels on each side.")


def contrast_errors(accent: str, text: str, bg: str, accent_text: str = "") -> dict[str, str]:
    """Colour pairs people could not read, by field: refused, since the page would show them."""
    errors = {}
    text_ratio = contrast_ratio(parse_hex(text), parse_hex(bg))
    if text_ratio < TEXT_RATIO:
        errors["text"] = (
            f"Text on the background reads {text_ratio:.1f}:1; it needs at least {TEXT_RATIO}:1. "
            "Choose a darker text or a lighter background (or the other way round)."
        )
    if accent_text:
        on_accent = contrast_ratio(parse_hex(accent_text), parse_hex(accent))
        if on_accent < TEXT_RATIO:
            errors["accent_text"] = (
                f"Button text on the accent reads {on_accent:.1f}:1; it needs at least {TEXT_RATIO}:1. "
                "Leave it empty to use black or white, whichever reads better."
            )
    return errors


def contrast_warnings(accent: str, bg: str) -> list[str]:
    """Pairs the site mends itself: an accent too light for links is darkened for them."""
    ratio = contrast_ratio(parse_hex(accent), parse_hex(bg))
    if ratio >= TEXT_RATIO:
        return []
    palette = derive_palette(accent, bg=bg)
    focus = "" if ratio >= UI_RATIO else f" and the focus ring {palette.focus}"
    return [
        f"The accent reads {ratio:.1f}:1 on the background, too little for links: links will use "
        f"{palette.link}{focus} instead, so they stay readable. Buttons keep the accent."
    ]
