"""The forms of the settings pages; each keeps what was typed when it is refused."""

from __future__ import annotations

import json
import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.colors import HEX
from app.config import ConfigError, check_embed_origins
from app.settings.branding import contrast_errors
from app.settings.store import SECRET_FIELDS

OPTION_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,40})\s*=\s*(.*)")
NUMERIC_OPTIONS = frozenset({"cache_ttl", "jobs_ttl", "rate_limit_per_minute"})
RESERVED_OPTIONS = frozenset({"kind", "base_url"})
MAX_RECIPIENTS = 20


def hex_colour(_form: Any, field: Any) -> None:
    if field.data and not HEX.fullmatch(field.data.strip()):
        raise ValidationError("Give a colour as #rrggbb, e.g. #0a7d5a.")


def lines(text: str | None) -> list[str]:
    return [item for item in re.split(r"[\s,;]+", text or "") if item]


class BrandingForm(FlaskForm):
    company_name = StringField("Company name", validators=[DataRequired(), Length(max=120)])
    logo = FileField("Logo (PNG or JPEG, up to 512 KB)")
    remove_logo = BooleanField("Remove the logo")
    accent = StringField("Accent colour (buttons, links)", validators=[DataRequired(), hex_colour])
    accent_text = StringField(
        "Text on the accent (empty: black or white, whichever reads better)",
        validators=[Optional(), hex_colour],
    )
    text = StringField("Text colour", validators=[DataRequired(), hex_colour])
    bg = StringField("Background colour", validators=[DataRequired(), hex_colour])
    home_intro = TextAreaField(
        "Introduction on the careers home page (plain text; an empty line starts a paragraph)",
        validators=[Optional(), Length(max=2000)],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        errors = contrast_errors(self.accent.data, self.text.data, self.bg.data, self.accent_text.data or "")
        for name, message in errors.items():
            getattr(self, name).errors.append(message)
        return not errors

    def theme(self) -> dict[str, str]:
        colours = {"accent": self.accent.data, "accent_text": self.accent_text.data, "text": self.text.data}
        return normal_theme(colours | {"bg": self.bg.data})


def normal_theme(colours: dict[str, str]) -> dict[str, str]:
    """Colours as #rrggbb in lower case, empty ones left out, so equal themes compare equal."""
    return {k: "#" + v.strip().lstrip("#").lower() for k, v in colours.items() if v and v.strip()}


class EmbedForm(FlaskForm):
    origins = TextAreaField("Sites allowed to embed the careers pages (one origin per line)")

    def validate_origins(self, field: Any) -> None:
        try:
            self.checked = check_embed_origins({"EMBED_ALLOWED_ORIGINS": lines(field.data)})
        except ConfigError as exc:
            raise ValidationError(str(exc).replace("EMBED_ALLOWED_ORIGINS entry", "The entry")) from exc


class AtsForm(FlaskForm):
    kind = SelectField("ATS", choices=[])
    base_url = StringField("API address (base URL)", validators=[Optional(), Length(max=300)])
    options = TextAreaField(
        "Other settings, one per line as name = value (e.g. stage = New)", validators=[Length(max=4000)]
    )
    token = PasswordField("Token (Skailer, Workable)", validators=[Length(max=2000)])
    api_key = PasswordField("API key (Dover, Greenhouse v1)", validators=[Length(max=2000)])
    api_token = PasswordField("API token (NexivoHR)", validators=[Length(max=2000)])
    client_secret = PasswordField("Client secret (Greenhouse v3)", validators=[Length(max=2000)])

    def validate_options(self, field: Any) -> None:
        self.parsed = parse_options(field.data or "")

    def secrets(self) -> dict[str, str]:
        """The credentials typed this time; an empty field keeps the stored one."""
        return {name: getattr(self, name).data for name in SECRET_FIELDS if getattr(self, name).data}


def parse_options(text: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = OPTION_LINE.fullmatch(line.strip())
        if not match:
            raise ValidationError(f"Line {number} is not name = value.")
        name, raw = match.group(1), match.group(2).strip()
        if name in SECRET_FIELDS:
            raise ValidationError(f"Line {number}: {name} is a secret; enter it in its own field below.")
        if name in RESERVED_OPTIONS:
            raise ValidationError(f"Line {number}: {name} has its own field above.")
        found[name] = option_value(name, raw)
    return found


def option_value(name: str, raw: str) -> Any:
    """Text stays text (an id like 0042 keeps its zeros); true/false, lists and objects are
    read as JSON, numbers only for the settings that are numbers."""
    if raw in ("true", "false") or raw.startswith(("{", "[")) or name in NUMERIC_OPTIONS:
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ValidationError(f"{name}: {raw!r} is not a valid value.") from exc
    return raw


def options_text(settings: dict[str, Any]) -> str:
    hidden = RESERVED_OPTIONS | set(SECRET_FIELDS)
    return "\n".join(
        f"{k} = {v if isinstance(v, str) else json.dumps(v)}" for k, v in settings.items() if k not in hidden
    )


class ConsentForm(FlaskForm):
    text = TextAreaField("Consent text", validators=[DataRequired(), Length(max=5000)])
    version = StringField(
        "Version (change it whenever the text changes)", validators=[DataRequired(), Length(max=40)]
    )


class RecipientsForm(FlaskForm):
    recipients = TextAreaField(
        "HR addresses told of new applications (when a job names none) and of delivery problems",
        validators=[Length(max=5000)],
    )

    def validate_recipients(self, field: Any) -> None:
        items = lines(field.data)
        if len(items) > MAX_RECIPIENTS:
            raise ValidationError(f"Give at most {MAX_RECIPIENTS} addresses.")
        for item in items:
            try:
                validate_email(item, check_deliverability=False)
            except EmailNotValidError as exc:
                raise ValidationError(f"{item} is not an email address.") from exc
        self.addresses = list(dict.fromkeys(item.lower() for item in items))
