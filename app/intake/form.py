"""The apply form: fixed candidate fields plus one field per custom question of the job.

Both the careers page and the embed render it; app/intake/apply.py takes what it sends.
"""

from __future__ import annotations

import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.intake import demographics
from app.models import Job, Question
from app.resume.formats import accept_attribute, format_names

HONEYPOT = "nickname"


def valid_phone(_form, field) -> None:
    if not field.data:
        return
    digits = sum(ch.isdigit() for ch in field.data)
    if digits < 7 or digits > 15 or any(ch.isalpha() for ch in field.data.replace("ext", "")):
        raise ValidationError(_l("Enter a phone number with 7 to 15 digits, e.g. +44 20 7946 0958."))


SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
WEB_ADDRESS_MESSAGE = _l("Enter a web address like linkedin.com/in/your-name.")


def with_scheme(value: str | None) -> str | None:
    """People type `linkedin.com/in/x` without `https://`: such an address means https."""
    value = (value or "").strip()
    if value.startswith("//"):
        return "https:" + value
    if value and not SCHEME.match(value) and not value.startswith(("/", "mailto:")):
        return "https://" + value
    return value


def web_address_field(label, validators: list) -> URLField:
    """A web address field that takes an address without its scheme and stores it with one."""
    return URLField(
        label,
        filters=[with_scheme],
        validators=validators + [URL(message=WEB_ADDRESS_MESSAGE), Length(max=500)],
        render_kw={"type": "text", "inputmode": "url", "spellcheck": "false"},
    )


def normalise_phone(value: str, region: str | None = None) -> str:
    """E.164 where the number can be read; the candidate's text otherwise (never lose it)."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value.strip()
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return value.strip()


def file_field(label: str) -> FileField:
    """A file input whose hint and `accept` list name exactly the formats the server takes."""
    return FileField(label, description=format_names(), render_kw={"accept": accept_attribute()})


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApplyFormBase(FlaskForm):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Enter your first name.")), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(_l("Enter your last name.")), Length(max=100)]
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), valid_phone])
    url = web_address_field(_l("LinkedIn or website"), [Optional()])
    location = StringField(_l("Where are you based?"), validators=[Optional(), Length(max=200)])
    cover_letter = TextAreaField(_l("Cover letter"), validators=[Optional(), Length(max=20000)])
    resume = file_field(_l("Resume"))
    held_resume = HiddenField()
    consent = BooleanField(
        validators=[
            DataRequired(
                _l("Please agree to the processing of your data so we can consider your application.")
            )
        ]
    )
    future_consent = BooleanField()  # optional, off by default: keep it for other openings
    submission_key = HiddenField()
    update_of = HiddenField()  # the earlier application the candidate agreed this one updates
    draft = HiddenField()  # the secret of the saved draft the form was opened from
    nickname = StringField(_l("Leave this field empty"))  # honeypot: people never see it
    # utm_*, src and referrer, carried from the page that sent the candidate here
    utm = HiddenField()


def question_field_name(question: Question) -> str:
    return f"q_{question.id}"


def held_field_name(name: str) -> str:
    return f"held_{name}"


def _question_field(question: Question):
    label = question.label
    required = question.required
    message = _l("Answer the question “%(label)s”.", label=label)
    needed = [DataRequired(message)] if required else [Optional()]
    choices = [(o, o) for o in question.options or []]
    if question.kind == "long_text":
        return TextAreaField(label, validators=needed + [Length(max=10000)])
    if question.kind == "url":
        return web_address_field(label, needed)
    if question.kind == "single_select":
        return RadioField(
            label,
            choices=choices,
            validators=[InputRequired(_l("Choose one option for “%(label)s”.", label=label))]
            if required
            else [Optional()],
            validate_choice=True,
        )
    if question.kind == "multi_select":
        return MultiCheckboxField(
            label,
            choices=choices,
            validators=[DataRequired(_l("Choose at least one option for “%(label)s”.", label=label))]
            if required
            else [Optional()],
        )
    if question.kind == "yes_no":
        return RadioField(
            label,
            choices=[("yes", _l("Yes")), ("no", _l("No"))],
            validators=[InputRequired(_l("Answer yes or no to “%(label)s”.", label=label))]
            if required
            else [Optional()],
        )
    if question.kind == "file":
        return file_field(label)
    return StringField(label, validators=needed + [Length(max=1000)])


def apply_form_for(job: Job, **kwargs) -> ApplyFormBase:
    """A form class with the job's questions; built per request (questions change in admin)."""
    attrs = {}
    for question in job.questions:
        attrs[question_field_name(question)] = _question_field(question)
        if question.kind == "file":
            attrs[held_field_name(question_field_name(question))] = HiddenField()
    attrs.update(demographics.form_fields(job))
    form_class = type("ApplyForm", (ApplyFormBase,), attrs)
    return form_class(**kwargs)
