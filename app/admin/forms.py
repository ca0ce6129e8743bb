"""Forms of the HR area."""

from __future__ import annotations

import re

from babel import Locale
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from app.i18n import JOB_LANGUAGES
from app.intake.questions import NO_OPTIONS, lacks_options, options_from
from app.models import EMPLOYMENT_TYPES, QUESTION_KINDS


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired()])


class JobForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    department = StringField("Team", validators=[Optional(), Length(max=120)])
    location = StringField("Location", validators=[Optional(), Length(max=200)])
    country = StringField("Country code (ISO, e.g. GB)", validators=[Optional(), Length(min=2, max=2)])
    remote = BooleanField("Remote")
    employment_type = SelectField(
        "Employment type", choices=[(t, t.replace("_", " ").title()) for t in EMPLOYMENT_TYPES]
    )
    description_html = TextAreaField("Description (HTML)", validators=[Optional()])
    language = SelectField(
        "Language of the description",
        choices=[("", "Not set")] + [(code, Locale.parse(code).english_name) for code in JOB_LANGUAGES],
        default="",
    )
    salary_min = IntegerField("Salary from", validators=[Optional(), NumberRange(min=0)])
    salary_max = IntegerField("Salary to", validators=[Optional(), NumberRange(min=0)])
    salary_currency = StringField("Currency (e.g. EUR)", validators=[Optional(), Length(min=3, max=3)])
    valid_through = DateField("Open until", validators=[Optional()])
    resume_required = BooleanField("Resume required", default=True)
    stage = StringField("ATS stage for new applicants", validators=[Optional(), Length(max=120)])
    source = StringField("ATS source for new applicants", validators=[Optional(), Length(max=120)])
    published = BooleanField("Published")
    notify_emails = StringField(
        "Tell these HR addresses of each application (comma-separated; empty: the site-wide list)",
        validators=[Optional(), Length(max=1000)],
    )

    def validate_notify_emails(self, field) -> None:
        items = [item for item in re.split(r"[\s,;]+", field.data or "") if item]
        if any("@" not in item for item in items):
            raise ValidationError("Give email addresses separated by commas.")


class QuestionForm(FlaskForm):
    label = StringField("Question", validators=[DataRequired(), Length(max=500)])
    kind = SelectField("Type", choices=[(k, k.replace("_", " ")) for k in QUESTION_KINDS])
    required = BooleanField("Required")
    choices_text = TextAreaField("Options (one per line, for select questions)")
    position = IntegerField("Order", default=0, validators=[Optional()])

    def options(self) -> list[str]:
        return options_from(self.choices_text.data)

    def validate_choices_text(self, _field) -> None:
        if lacks_options(self.kind.data, self.options()):
            raise ValidationError(NO_OPTIONS)


class ActionForm(FlaskForm):
    """An empty form: a CSRF token for buttons that change something."""
