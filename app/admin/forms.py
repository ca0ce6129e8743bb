"""Forms of the HR area."""

from __future__ import annotations

import re
from collections.abc import Sequence

from babel import Locale
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.admin.job_choices import (
    country_choices,
    country_code,
    currency_choices,
    employment_type_choices,
    workplace_choices,
)
from app.i18n import JOB_LANGUAGES
from app.intake.questions import NO_OPTIONS, lacks_options, options_from
from app.jobs_markdown import MAX_SOURCE_CHARS
from app.models import QUESTION_KINDS


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired()])


class CountryField(SelectField):
    """A country from the list; a name sent as text ("Germany") is read as its code (DE)."""

    def process_data(self, value) -> None:
        """A stored name (from a jobs file) shows as its country, so saving repairs it."""
        self.data = country_code(value) or value

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            code = country_code(valuelist[0])
            self.data = valuelist[0] if code is None else code

    def pre_validate(self, form) -> None:
        if self.data and self.data not in dict(self.choices or []):
            raise ValidationError("Choose the country from the list.")


class JobForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    department = StringField("Team", validators=[Optional(), Length(max=120)])
    location = StringField("Location (city)", validators=[Optional(), Length(max=200)])
    country = CountryField("Country", choices=[], validate_choice=False)
    workplace = SelectField("Workplace", default="on_site")
    employment_type = SelectField("Employment type", default="FULL_TIME")
    description = TextAreaField(
        "Description (Markdown)", validators=[Optional(), Length(max=MAX_SOURCE_CHARS)]
    )
    language = SelectField(
        "Language of the description",
        choices=[("", "Not set")] + [(code, Locale.parse(code).english_name) for code in JOB_LANGUAGES],
        default="",
    )
    salary_min = IntegerField("Salary from (per year)", validators=[Optional(), NumberRange(min=0)])
    salary_max = IntegerField("Salary to (per year)", validators=[Optional(), NumberRange(min=0)])
    salary_currency = SelectField("Currency", default="")
    opens_on = DateField("Opens on (empty: as soon as it is published)", validators=[Optional()])
    valid_through = DateField("Closes after (empty: stays open)", validators=[Optional()])
    resume_required = BooleanField("Resume required", default=True)
    stage = StringField("ATS stage for new applicants", validators=[Optional(), Length(max=120)])
    source = StringField("ATS source for new applicants", validators=[Optional(), Length(max=120)])
    published = BooleanField("Published")
    notify_emails = StringField(
        "Tell these HR addresses of each application (comma-separated; empty: the site-wide list)",
        validators=[Optional(), Length(max=1000)],
    )

    def __init__(self, *args, stages: Sequence[str] = (), sources: Sequence[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "Not set")] + country_choices()
        self.salary_currency.choices = [("", "None")] + currency_choices()
        self.employment_type.choices = employment_type_choices()
        self.workplace.choices = workplace_choices()
        self.stages, self.sources = list(stages), list(sources)

    def validate_salary_max(self, field) -> None:
        low, high = self.salary_min.data, field.data
        if low is not None and high is not None and high < low:
            raise ValidationError(f"The maximum salary must be at least the minimum ({low}).")

    def validate_salary_currency(self, field) -> None:
        if (self.salary_min.data or self.salary_max.data) and not field.data:
            raise ValidationError("Choose the currency the salary is paid in.")

    def validate_valid_through(self, field) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError("The closing date must be on or after the opening date.")

    def validate_stage(self, field) -> None:
        if self.stages and field.data and field.data not in self.stages:
            raise ValidationError("Choose a stage the ATS offers for this job.")

    def validate_source(self, field) -> None:
        if self.sources and field.data and field.data not in self.sources:
            raise ValidationError("Choose a source the ATS offers.")

    def validate_notify_emails(self, field) -> None:
        items = [item for item in re.split(r"[\s,;]+", field.data or "") if item]
        if any("@" not in item for item in items):
            raise ValidationError("Give email addresses separated by commas.")


class DescriptionPreviewForm(FlaskForm):
    """The description as typed, for the live preview (CSRF-checked like every change)."""

    description = TextAreaField(validators=[Optional(), Length(max=MAX_SOURCE_CHARS)])


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


class ConfirmForm(FlaskForm):
    """A destructive action's form: it acts only when sent from its confirmation step, which
    adds `confirm=yes`; a bare POST (an old button, a forged click) asks first instead."""

    confirm = HiddenField()

    def confirmed(self) -> bool:
        return self.validate_on_submit() and self.confirm.data == "yes"


class QuestionSetForm(FlaskForm):
    name = StringField("Name of the set", validators=[DataRequired(), Length(max=120)])
    question_ids = SelectMultipleField(
        "Questions in the set",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_question_ids(self, field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one question for the set.")


class LibraryPickForm(FlaskForm):
    """Adds a library question, or a whole set, to a job in one step."""

    item = SelectField("From the question library", validators=[DataRequired("Choose a question or a set.")])
