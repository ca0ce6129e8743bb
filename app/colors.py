"""Readable colours from any brand colour, by the WCAG 2 contrast formula.

A host site themes the embed with its own accent, which may be too light for links or a focus
ring on white (a yellow reads 1.5:1) or too dark for white button text. Instead of refusing it,
the colours the page needs are derived from it: the accent itself stays the button fill, the text
on it is black or white, and links, the focus ring and input borders are the accent (or a grey)
darkened or lightened just enough to meet their ratio against the page background.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

RGB = tuple[int, int, int]

TEXT_RATIO = 4.5  # WCAG 1.4.3: text and links
UI_RATIO = 3.0  # WCAG 1.4.11: focus indicators, input borders
BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)
HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
MIX_STEPS = 100


def parse_hex(value: str) -> RGB:
    """`#abc`, `abc`, `#aabbcc` or `aabbcc` as an (r, g, b) triple; ValueError otherwise."""
    match = HEX.fullmatch(value.strip())
    if not match:
        raise ValueError(f"not a hex colour: {value!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: RGB) -> float:
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """From 1 (same luminance) to 21 (black on white), as WCAG defines it."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: RGB) -> RGB:
    """Black or white, whichever reads better; one of them always reaches 4.5:1 (at worst 4.58)."""
    return BLACK if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background) else WHITE


def _mix(colour: RGB, target: RGB, share: float) -> RGB:
    r, g, b = (round(c + (t - c) * share) for c, t in zip(colour, target, strict=True))
    return (r, g, b)


def readable_on(colour: RGB, background: RGB, ratio: float) -> RGB:
    """`colour` itself when it meets `ratio` against `background`, else the colour mixed the
    least towards black or white that does, so a brand colour keeps as much of its hue as it can.
    The direction is the one whose end (pure black or white) reads best on the background, which
    always reaches any ratio up to 4.58."""
    if contrast_ratio(colour, background) >= ratio:
        return colour
    target = text_on(background)
    for step in range(1, MIX_STEPS + 1):
        mixed = _mix(colour, target, step / MIX_STEPS)
        if contrast_ratio(mixed, background) >= ratio:
            return mixed
    return target


@dataclass(frozen=True)
class Palette:
    """The page's colours as CSS custom properties (field `link_colour` → `--link-colour`)."""

    accent: str  # button fill, as given
    accent_text: str  # text on the accent
    link: str  # links and text-like accents on the background
    focus: str  # the focus ring, drawn on the background
    border: str  # input borders
    text: str
    muted: str  # hints and meta lines
    error: str
    bg: str

    def variables(self) -> dict[str, str]:
        return {"--" + f.name.replace("_", "-"): getattr(self, f.name) for f in fields(self)}


DEFAULTS = {"accent": "#2454d6", "text": "#1b1f24", "bg": "#ffffff"}
BORDER_GREY = "#6b7280"
MUTED_GREY = "#5b6573"
ERROR_RED = "#b3261e"


def derive_palette(
    accent: str = DEFAULTS["accent"],
    *,
    bg: str = DEFAULTS["bg"],
    text: str = DEFAULTS["text"],
    accent_text: str | None = None,
) -> Palette:
    """Every colour the stylesheet uses, each meeting its ratio: text, links, hints and errors
    4.5:1 on the background, the focus ring and input borders 3:1, the text on the accent 4.5:1
    (the host's own choice kept when it does)."""
    fill, page = parse_hex(accent), parse_hex(bg)
    on_fill = parse_hex(accent_text) if accent_text else text_on(fill)
    if contrast_ratio(on_fill, fill) < TEXT_RATIO:
        on_fill = text_on(fill)
    return Palette(
        accent=to_hex(fill),
        accent_text=to_hex(on_fill),
        link=to_hex(readable_on(fill, page, TEXT_RATIO)),
        focus=to_hex(readable_on(fill, page, UI_RATIO)),
        border=to_hex(readable_on(parse_hex(BORDER_GREY), page, UI_RATIO)),
        text=to_hex(readable_on(parse_hex(text), page, TEXT_RATIO)),
        muted=to_hex(readable_on(parse_hex(MUTED_GREY), page, TEXT_RATIO)),
        error=to_hex(readable_on(parse_hex(ERROR_RED), page, TEXT_RATIO)),
        bg=to_hex(page),
    )


def theme_variables(theme: dict[str, str]) -> dict[str, str]:
    """The custom properties a theme changes from the stylesheet's own palette (the default
    one), derived from the theme's validated hex colours (keys accent, accent_text, text, bg)."""
    given = {k: "#" + v.lstrip("#") for k, v in theme.items() if v}
    derived = derive_palette(
        given.get("accent", DEFAULTS["accent"]),
        bg=given.get("bg", DEFAULTS["bg"]),
        text=given.get("text", DEFAULTS["text"]),
        accent_text=given.get("accent_text"),
    ).variables()
    default = derive_palette().variables()
    explicit = {"--" + k.replace("_", "-") for k in given}
    return {k: v for k, v in derived.items() if v != default[k] or k in explicit}
