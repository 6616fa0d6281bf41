"""Forms on the staff review pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forms import EmailAddress, fits, strip
from models import ChildLink, User


def _reason(label: str, required: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired(required),
            Length(max=2000, message="This must be 2,000 characters or fewer"),
        ],
    )


class ApproveForm(FlaskForm):
    child = RadioField(
        "Which record should the family be linked to?", validators=[InputRequired("Select a record")]
    )

    def __init__(self, *args, matches=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child.choices = [(child.public_id, child.full_name) for child in matches] + [
            ("new", "Create a new record from this request")
        ]


class RejectForm(FlaskForm):
    COLUMNS = {"reason": ChildLink.reason}
    reason = _reason("Reason the family will read", "Enter the reason the family will read")


class AskForm(FlaskForm):
    COLUMNS = {"question": ChildLink.question}
    question = _reason("What do you need to know?", "Enter your question for the family")


class RevokeForm(FlaskForm):
    COLUMNS = {"reason": ChildLink.reason}
    reason = _reason("Reason the family will read", "Enter the reason the family will read")


class StaffMemberForm(FlaskForm):
    COLUMNS = {"first_name": User.first_name, "last_name": User.last_name, "email": User.email}

    first_name = StringField(
        "First name",
        filters=[strip],
        validators=[DataRequired("Enter their first name"), fits(User.first_name, "First name")],
    )
    last_name = StringField(
        "Last name",
        filters=[strip],
        validators=[DataRequired("Enter their last name"), fits(User.last_name, "Last name")],
    )
    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[
            DataRequired("Enter their email address"),
            fits(User.email, "Email address"),
            EmailAddress(),
        ],
    )
    role = RadioField(
        "Role",
        choices=[("staff", "Staff: reviews requests"), ("admin", "Admin: also manages staff accounts")],
        validators=[InputRequired("Select a role")],
    )


class ShareDocumentForm(FlaskForm):
    checked = BooleanField(
        "I have checked the document, its name and its description: they show no address, phone number, "
        "email address or other way to find or contact the adult who sent it",
        validators=[DataRequired("Confirm that you have checked the document before sharing it")],
    )
