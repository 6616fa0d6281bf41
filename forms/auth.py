"""Forms for registering, activating and signing in."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Optional,
    StopValidation,
    ValidationError,
)

from forms import EmailAddress, fits, strip
from models import EmailToken, OutboxMessage, User
from services import contact_details, passwords, two_step


def _email_field(label: str, required_message: str) -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired(required_message),
            fits(User.email, "Email address"),
            EmailAddress(),
        ],
    )


class RegisterEmailForm(FlaskForm):
    COLUMNS = {"email": User.email, "confirm_email": User.email}
    email = _email_field("Email address", "Enter your email address")
    confirm_email = _email_field("Confirm email address", "Enter your email address again")

    def validate_confirm_email(self, field: EmailField) -> None:
        if (self.email.data or "").lower() != (field.data or "").lower():
            raise ValidationError("Email addresses must match")


def _text(label: str, required: str | None, column) -> StringField:
    first = DataRequired(required) if required else Optional()
    return StringField(label, filters=[strip], validators=[first, fits(column, label)])


class DetailsForm(FlaskForm):
    COLUMNS = {
        "title": User.title,
        "first_name": User.first_name,
        "last_name": User.last_name,
        "address_line_1": User.address_line_1,
        "address_line_2": User.address_line_2,
        "town": User.town,
        "postcode": User.postcode,
        "phone": User.phone,
    }

    title = _text("Title", None, User.title)
    first_name = _text("First name", "Enter your first name", User.first_name)
    last_name = _text("Last name", "Enter your last name", User.last_name)
    address_line_1 = _text(
        "Address line 1", "Enter address line 1, typically the building and street", User.address_line_1
    )
    address_line_2 = _text("Address line 2", None, User.address_line_2)
    town = _text("Town or city", "Enter town or city", User.town)
    postcode = _text("Postcode", "Enter postcode", User.postcode)
    phone = _text("Phone number", None, User.phone)

    def validate_postcode(self, field: StringField) -> None:
        normalised = contact_details.normalise_postcode(field.data)
        if normalised is None:
            raise ValidationError("Enter a full UK postcode, like TA1 1HE")
        field.data = normalised

    def validate_phone(self, field: StringField) -> None:
        normalised = contact_details.normalise_uk_phone(field.data)
        if normalised is None:
            raise ValidationError("Enter a UK phone number, like 01823 355000 or 07700 900982")
        field.data = normalised


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[InputRequired("Enter a password")])


def _confirm_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[InputRequired("Enter your password again")])


class PasswordForm(FlaskForm):
    """Choose a password. The email it must differ from is given by the view."""

    password = _new_password("Create a password")
    confirm_password = _confirm_password("Confirm password")

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = email

    def validate_password(self, field: PasswordField) -> None:
        problems = passwords.policy_errors(field.data or "", self.account_email, current_app.config)
        if problems:
            # Every broken rule gets its own message, beside the field and in the summary.
            field.errors.extend(problems)
            raise StopValidation()

    def validate_confirm_password(self, field: PasswordField) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError("Passwords must match")


class ResetPasswordForm(PasswordForm):
    password = _new_password("New password")
    confirm_password = _confirm_password("Confirm new password")


class ChangePasswordForm(PasswordForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password")]
    )
    password = _new_password("New password")
    confirm_password = _confirm_password("Confirm new password")


class ForgottenPasswordForm(FlaskForm):
    COLUMNS = {"email": OutboxMessage.recipient}  # an address with no account is told so
    email = _email_field("Email address", "Enter your email address")


class ChangeEmailForm(FlaskForm):
    COLUMNS = {"email": EmailToken.new_email}
    email = _email_field("New email address", "Enter your new email address")
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password")]
    )


class SignInForm(FlaskForm):
    COLUMNS = {"email": None}
    email = _email_field("Email address", "Enter your email address")
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


class ActivationRequestForm(FlaskForm):
    COLUMNS = {"email": None}
    email = _email_field("Email address", "Enter your email address")


class PasswordConfirmForm(FlaskForm):
    """Any change to how the account signs in needs the password."""

    password = PasswordField("Your password", validators=[InputRequired("Enter your password")])


class SecurityCodeForm(FlaskForm):
    COLUMNS = {"code": None}
    code = StringField("Security code", filters=[strip])

    def validate_code(self, field: StringField) -> None:
        problem = two_step.entry_error(field.data)
        if problem:
            raise ValidationError(problem)


class AddAuthenticatorForm(SecurityCodeForm):
    password = PasswordField("Your password", validators=[InputRequired("Enter your password")])
