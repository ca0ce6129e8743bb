"""The catalogs: every public string extracted, and translated in German, French and Spanish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from app.config import DEFAULTS
from app.i18n import DEFAULT_CONSENT, LANGUAGES, TRANSLATIONS, compile_catalogs

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def read(path: Path, locale: str | None = None):
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def msgids(catalog) -> set:
    return {message.id for message in catalog if message.id}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    catalog = read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert untranslated == [], f"{language}: translate these (and remove any fuzzy flag)"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_the_placeholders_of_its_message(language):
    catalog = read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check() if errors]
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_holds_exactly_the_messages_of_the_template(language):
    template = msgids(read(TRANSLATIONS / "messages.pot"))
    catalog = msgids(read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language))
    assert catalog == template, "run `make translations`"


def test_the_template_catalog_holds_every_string_the_code_and_templates_mark(tmp_path):
    """A string wrapped for translation but not extracted would reach candidates in English."""
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        # as `make translations` extracts them
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "lazy_gettext",
         "-k", "_l", "--no-location", "--sort-output", "-o", str(extracted), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )  # fmt: skip
    assert msgids(read(extracted)) == msgids(read(TRANSLATIONS / "messages.pot")), "run `make translations`"


def test_the_default_consent_is_the_one_the_catalogs_translate():
    assert DEFAULTS["CONSENT_TEXT"] == DEFAULT_CONSENT


def test_a_missing_or_stale_compiled_catalog_is_built_from_its_source(tmp_path):
    source, target = tmp_path / "source", tmp_path / "compiled"
    (source / "de" / "LC_MESSAGES").mkdir(parents=True)
    po = source / "de" / "LC_MESSAGES" / "messages.po"
    shutil.copy(TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po", po)

    compile_catalogs(source, target)
    assert Translations.load(str(target), ["de"]).gettext("Open positions") == "Offene Stellen"

    earlier = po.stat().st_mtime_ns - 10**9  # a catalog brought back older than the build
    po.write_text(po.read_text().replace('msgstr "Offene Stellen"', 'msgstr "Freie Stellen"'))
    os.utime(po, ns=(earlier, earlier))
    compile_catalogs(source, target)
    assert Translations.load(str(target), ["de"]).gettext("Open positions") == "Freie Stellen"
