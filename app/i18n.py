"""The public pages in the candidate's language: English, German, French and Spanish.

The language comes from the address first (`/de/jobs/3`, the same views under a language
prefix, so a page can be linked and indexed in one language), then from the embed's `?lang=`,
then from the browser's Accept-Language, and English otherwise. The HR area stays English.

Catalogs live in app/translations; their compiled .mo files are built from the .po files into
the instance folder when the app starts, so they are never committed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask_babel import Babel, format_currency, format_date, get_locale, gettext
from werkzeug.routing import BaseConverter

from app.resume.formats import ACCEPTED_FORMATS, EXTENSIONS, format_names

LANGUAGES = ("en", "de", "fr", "es")
DEFAULT_LANGUAGE = "en"
# What HR may say a job is written in: ours, and the languages a European job is often in.
JOB_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LOCALISED_BLUEPRINTS = ("careers",)
UNLOCALISED_ENDPOINTS = frozenset({"careers.sitemap"})
ENGLISH_ONLY_BLUEPRINTS = ("admin",)  # the HR area is not translated yet
EMBED_PAGES = ("embed.jobs", "embed.job", "embed.apply", "embed.thanks", "embed.received")
AUTOFILL = ("api.parse_resume", "api.parse_status")
ENDPOINTS_KEY = "i18n.localised_endpoints"
WORDED_TYPES = ("text/html", "application/json")

babel = Babel()


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later, by gettext(message)."""
    return message


# The default consent (app/config.py's CONSENT_TEXT), so its translations are in the catalogs.
DEFAULT_CONSENT = N_(
    "I agree that my application data and resume are processed and stored "
    "for this and related job openings for up to 12 months."
)

EMPLOYMENT_TYPE_NAMES = {
    "FULL_TIME": N_("Full time"),
    "PART_TIME": N_("Part time"),
    "CONTRACTOR": N_("Contract"),
    "TEMPORARY": N_("Temporary"),
    "INTERN": N_("Internship"),
    "VOLUNTEER": N_("Volunteer"),
    "PER_DIEM": N_("Per diem"),
    "OTHER": N_("Other"),
}


class LanguageConverter(BaseConverter):
    """`/<lang:lang_code>/...` matches only the languages we have, so it never hides a route."""

    regex = "|".join(LANGUAGES)


def init_i18n(app: Flask) -> None:
    """Babel for the app, with the catalogs compiled; call after the blueprints are registered."""
    compiled = Path(app.instance_path) / "translations"
    compile_catalogs(TRANSLATIONS, compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    babel.init_app(app, locale_selector=select_language)
    app.url_map.converters["lang"] = LanguageConverter
    app.extensions[ENDPOINTS_KEY] = add_language_prefix(app)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
    app.url_value_preprocessor(take_language_prefix)
    app.url_defaults(keep_language)
    app.after_request(say_language)
    app.jinja_env.globals.update(
        current_language=current_language,
        language_links=language_links,
        language_name=language_name,
        unprefixed_public_url=unprefixed_public_url,
        employment_type_name=employment_type_name,
        file_formats=file_formats,
        format_date=format_date,
        format_currency=format_currency,
        consent_text=consent_text,
    )


def add_language_prefix(app: Flask) -> frozenset[str]:
    """Each public route again under `/<lang>`: the same view, endpoint and methods, so
    url_for builds the prefixed address whenever it is given a `lang_code`."""
    endpoints = set()
    for rule in list(app.url_map.iter_rules()):
        blueprint = rule.endpoint.partition(".")[0]
        if blueprint not in LOCALISED_BLUEPRINTS or rule.endpoint in UNLOCALISED_ENDPOINTS:
            continue
        app.add_url_rule(
            "/<lang:lang_code>" + rule.rule,
            endpoint=rule.endpoint,
            methods=sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}),
            defaults=rule.defaults,
            provide_automatic_options=getattr(rule, "provide_automatic_options", None),  # set by Flask
        )
        endpoints.add(rule.endpoint)
    return frozenset(endpoints)


def take_language_prefix(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The views never see `lang_code`; links built during this request keep it."""
    if values and "lang_code" in values:
        g.lang_code = values.pop("lang_code")


def keep_language(endpoint: str, values: dict[str, Any]) -> None:
    """url_for on a localised page stays in its language: the prefix for public pages (also
    from an embed page in `?lang=`, such as the blocked page's link to the careers site), `lang`
    in the query for the embed and the autofill endpoint. `lang_code=None` asks for the
    unprefixed address (the browser's language)."""
    if not has_request_context():
        return
    if endpoint in current_app.extensions.get(ENDPOINTS_KEY, ()):
        lang = values.pop("lang_code", g.get("lang_code") or query_language())
        if lang:
            values["lang_code"] = lang
    elif endpoint in EMBED_PAGES + AUTOFILL and query_language():
        values.setdefault("lang", request.args["lang"])
    elif endpoint in AUTOFILL and g.get("lang_code"):
        values.setdefault("lang", g.lang_code)


def query_language() -> str | None:
    """`?lang=` when it names one of ours: the embed's language, kept on its links."""
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else None


def path_language(path: str) -> str | None:
    first = path.lstrip("/").partition("/")[0]
    return first if first in LANGUAGES else None


def select_language() -> str:
    if not has_request_context() or request.blueprint in ENGLISH_ONLY_BLUEPRINTS:
        return DEFAULT_LANGUAGE
    chosen = path_language(request.path) or request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def say_language(response: Response) -> Response:
    """Caches must keep one copy per language where the browser's language chose it."""
    if request.blueprint in ENGLISH_ONLY_BLUEPRINTS or response.mimetype not in WORDED_TYPES:
        return response  # static files, stylesheets and feeds read the same in every language
    response.headers["Content-Language"] = current_language()
    if not (path_language(request.path) or request.args.get("lang") in LANGUAGES):
        response.vary.add("Accept-Language")
    return response


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name as a reader of `in_language` (the page's, by default) says it."""
    try:
        return Locale.parse(code).get_display_name(in_language or current_language()) or code
    except (ValueError, TypeError):
        return code


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: a reader finds theirs whatever the page's
    url: str  # this page in that language, relative
    public_url: str  # the same, absolute (hreflang)
    current: bool


def language_links() -> list[LanguageLink]:
    """This page in each language, for the switcher and the hreflang links; none where the page
    has no localised address (an error page, the embed)."""
    endpoint = request.endpoint
    if endpoint not in current_app.extensions.get(ENDPOINTS_KEY, ()) or request.method != "GET":
        return []
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    here = current_language()
    links = []
    for code in LANGUAGES:
        url = this_page(lang_code=code)
        public = base + this_page(lang_code=code, tracked=False)
        own_name = language_name(code, code)
        links.append(LanguageLink(code, own_name[:1].upper() + own_name[1:], url, public, code == here))
    return links


def unprefixed_public_url() -> str:
    """This page's address without a language (hreflang x-default: the browser decides)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + this_page(lang_code=None, tracked=False)


def this_page(lang_code: str | None, tracked: bool = True) -> str:
    """The address of the page being served, with its query, in another language. The reader's
    switcher keeps the visit's attribution (utm_*, src) on its way to the form; the addresses
    given to search engines (hreflang) leave it out, as the canonical link does."""
    values: dict[str, Any] = {
        k: v for k, v in request.args.items() if k != "lang" and (tracked or not is_tracking(k))
    }
    values.update(request.view_args or {}, lang_code=lang_code)
    return url_for(request.endpoint or "careers.jobs", **values)


def is_tracking(key: str) -> bool:
    return key.startswith("utm_") or key == "src"


def file_formats(formats: Iterable[str] = ACCEPTED_FORMATS) -> str:
    """ "PDF, DOC ... or MHT" with the page's "or": "PDF, DOC ... oder MHT" in German."""
    if current_language() == DEFAULT_LANGUAGE:
        return format_names(formats)  # the house style: no comma before "or"
    names = [fmt.upper() for fmt in EXTENSIONS if fmt in set(formats)]
    return format_list(names, style="or", locale=current_language())


def employment_type_name(code: str) -> str:
    name = EMPLOYMENT_TYPE_NAMES.get(code)
    return gettext(name) if name else code.replace("_", " ").capitalize()


def consent_text() -> str:
    """The consent in the page's language: the configured text, translated when the catalogs
    hold it (the default text is in them), as the candidate reads and agrees to it."""
    from app.settings import current as current_settings

    return gettext(current_settings().consent().text)


def catalogs(directory: Path) -> Iterator[Path]:
    yield from sorted(directory.glob("*/LC_MESSAGES/messages.po"))


def compile_catalogs(source: Path, target: Path) -> None:
    """Build each .mo into `target` (the instance folder: the code's own may be read-only)
    unless it was built from this very .po: it carries the .po's modification time, so any
    change to the catalog, even one that makes it older, builds it again. The file is written
    aside and moved into place, so processes starting together never read half of one."""
    for po_path in catalogs(source):
        language = po_path.parent.parent.name
        mo_path = target / language / "LC_MESSAGES" / "messages.mo"
        po_time = po_path.stat().st_mtime_ns
        if mo_path.exists() and mo_path.stat().st_mtime_ns == po_time:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.utime(temporary, ns=(po_time, po_time))
        os.replace(temporary, mo_path)
