"""Forms of the account pages: invitations, passwords, two-factor codes."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from app.accounts.invites import ROLES
from app.accounts.passwords import MISMATCH, WeakPassword, check_password

ROLE_NAMES = {"admin": _l("Admin"), "recruiter": _l("Recruiter"), "viewer": _l("Viewer")}


def role_choices() -> list[tuple[str, str]]:
    return [(role, str(ROLE_NAMES[role])) for role in ROLES]


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter the email address to invite.")),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Role"), choices=role_choices, default="recruiter")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices)


class NewPasswordForm(FlaskForm):
    """A password chosen through an invitation or reset link, typed twice. `email` is the
    account's, checked against the password; never a field of the form."""

    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a password."))])
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(_l("Enter the password again."))]
    )

    def __init__(self, email: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.account_email = email

    def validate_password(self, field) -> None:
        try:
            check_password(field.data or "", self.account_email)
        except WeakPassword as weak:
            raise ValidationError(gettext(weak.message, count=weak.count)) from weak

    def validate_confirm(self, field) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError(gettext(MISMATCH))


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
            Length(max=254),
        ],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
    )


class ConfirmCodeForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from the app"), validators=[DataRequired(_l("Enter the code.")), Length(max=20)]
    )


class RequireTwoFactorForm(FlaskForm):
    required = BooleanField(_l("Require two-factor sign-in for everyone"))
