"""The contrast maths, and the palette derived from any accent meeting every ratio it promises."""

from __future__ import annotations

import random
import re
from itertools import product

import pytest

from app.colors import (
    BLACK,
    WHITE,
    contrast_ratio,
    derive_palette,
    parse_hex,
    readable_on,
    relative_luminance,
    text_on,
    theme_variables,
    to_hex,
)
from tests.conftest import TESTS

GRID = [to_hex(rgb) for rgb in product(range(0, 256, 51), repeat=3)]  # 216 corners and steps
SAMPLE = [to_hex(tuple(random.Random(seed).randrange(256) for _ in range(3))) for seed in range(300)]
ACCENTS = GRID + SAMPLE + ["#ffd24d", "#ffff00", "#00ff00", "#777777", "#767676", "#2454d6"]
BACKGROUNDS = ["#ffffff", "#000000", "#777777", "#f4f1ea", "#0b1a33"]
STYLESHEET = TESTS.parent / "static" / "site.css"


def ratio(a: str, b: str) -> float:
    return contrast_ratio(parse_hex(a), parse_hex(b))


def test_contrast_ratio_matches_the_values_wcag_publishes():
    assert relative_luminance(WHITE) == pytest.approx(1.0)
    assert relative_luminance(BLACK) == 0.0
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, BLACK) == pytest.approx(21.0)
    assert ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert ratio("#2454d6", "#2454d6") == 1.0


def test_the_colours_that_failed_before_are_below_their_ratio():
    """The old input border and a yellow accent as link and ring: what the palette must replace."""
    assert ratio("#d5dae1", "#ffffff") < 3
    assert ratio("#ffd24d", "#ffffff") < 3
    assert ratio("#ffffff", "#ffd24d") < 4.5  # white text on the yellow button


@pytest.mark.parametrize("written", ["#abc", "abc", "#AABBCC", "aabbcc", " #aabbcc "])
def test_hex_colours_are_read_in_their_short_and_long_forms(written):
    assert parse_hex(written) == (0xAA, 0xBB, 0xCC)


@pytest.mark.parametrize("bad", ["", "#ab", "red", "#gggggg", "#aabbccdd", "url(x)"])
def test_anything_else_is_refused(bad):
    with pytest.raises(ValueError):
        parse_hex(bad)


def test_text_on_any_colour_reads_at_least_4_5_to_1():
    for colour in ACCENTS:
        assert contrast_ratio(text_on(parse_hex(colour)), parse_hex(colour)) >= 4.5, colour


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_every_derived_pair_meets_its_ratio_for_every_accent(background):
    for accent in ACCENTS:
        p = derive_palette(accent, bg=background)
        assert p.accent == accent, "the button keeps the brand colour"
        assert ratio(p.accent_text, p.accent) >= 4.5, (accent, background)
        assert ratio(p.link, background) >= 4.5, (accent, background)
        assert ratio(p.focus, background) >= 3, (accent, background)
        assert ratio(p.border, background) >= 3, (accent, background)
        for text in (p.text, p.muted, p.error):
            assert ratio(text, background) >= 4.5, (accent, background)


def test_an_accent_that_already_reads_well_is_kept_unchanged():
    p = derive_palette("#2454d6")
    assert p.link == p.focus == "#2454d6"


def test_a_light_accent_is_darkened_only_as_far_as_needed():
    link = parse_hex(derive_palette("#ffd24d").link)
    assert contrast_ratio(link, WHITE) >= 4.5
    assert contrast_ratio(link, WHITE) < 4.8, "not pushed further towards black than needed"
    r, g, b = link
    assert r > g > b, "still a yellow-brown, not a grey"


def test_an_accent_on_a_dark_background_is_lightened():
    colour = parse_hex("#1a2b80")
    lighter = readable_on(colour, parse_hex("#000000"), 4.5)
    assert relative_luminance(lighter) > relative_luminance(colour)


def test_the_hosts_text_on_the_accent_is_kept_when_it_reads_and_replaced_when_it_does_not():
    assert derive_palette("#0a7d5a", accent_text="#fffff0").accent_text == "#fffff0"
    assert derive_palette("#ffd24d", accent_text="#ffffff").accent_text == "#000000"


def test_the_stylesheet_holds_the_default_palette():
    """site.css's own colours are the default theme, so a theme emits only what it changes."""
    root = re.search(r":root \{(.*?)\}", STYLESHEET.read_text(), re.S).group(1)
    declared = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-f]{6})", root))
    assert {k: declared.get(k) for k in derive_palette().variables()} == derive_palette().variables()


def test_a_theme_emits_only_the_variables_it_changes():
    assert theme_variables({}) == {}
    yellow = theme_variables({"accent": "ffd24d"})
    assert yellow["--accent"] == "#ffd24d" and yellow["--accent-text"] == "#000000"
    assert ratio(yellow["--link"], "#ffffff") >= 4.5 and ratio(yellow["--focus"], "#ffffff") >= 3
    assert "--text" not in yellow and "--bg" not in yellow
    dark = theme_variables({"bg": "0b1a33"})
    assert dark["--bg"] == "#0b1a33" and ratio(dark["--text"], "#0b1a33") >= 4.5
