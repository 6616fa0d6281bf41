"""Forms on the staff review pages."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from forms import EmailAddress, fits, strip
from models import CaseEvent, CaseException, CaseStep, ChildLink, User
from models.cases import DOCUMENT_REQUIRED, NOTE_REQUIRED, ExceptionKind
from services.clock import now
from services.dates import ALL_PARTS, check_date


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


NOTE_LENGTH = Length(max=2000, message="This must be 2,000 characters or fewer")


def date_part(label: str) -> StringField:
    return StringField(label, filters=[strip], validators=[Length(max=4, message=f"{label} is too long")])


class TypedDates:
    """Dates typed as day, month and year fields named "{which}_day" and so on: checked together, with
    one message on the first part in error, and the parts to highlight in `date_error_parts[which]`."""

    date_error_parts: dict[str, tuple[str, ...]] = {}  # replaced, never changed in place

    def typed_date(self, which: str, name: str, required: bool = True) -> tuple[date | None, bool]:
        """The date typed (None if optional and left empty), and whether it is acceptable."""
        day, month, year = (getattr(self, f"{which}_{part}").data for part in ALL_PARTS)
        if not required and not any((day, month, year)):
            return None, True
        checked = check_date(day, month, year, now().date(), name)
        if checked.message:
            return None, self.date_error(which, checked.message, checked.parts)
        return checked.value, True

    def date_error(self, which: str, message: str, parts: tuple[str, ...] = ALL_PARTS) -> bool:
        self.date_error_parts = {**self.date_error_parts, which: parts}
        first = getattr(self, f"{which}_{parts[0] if parts else 'day'}")
        first.errors = [*first.errors, message]
        return False


class OfficerForm(FlaskForm):
    COLUMNS = {"seen_officer": None}  # compared with the case, never stored

    officer = RadioField("Who is the officer for this case?", validators=[InputRequired("Select an officer")])
    # The officer the page showed: if another has been given the case since, nothing changes.
    seen_officer = HiddenField()

    def __init__(self, *args, staff: list[User] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.officer.choices = [(str(member.id), member.full_name) for member in staff]


class StepForm(TypedDates, FlaskForm):
    COLUMNS = {
        "note_for_family": CaseEvent.note_for_family,
        "internal_note": CaseEvent.internal_note,
        "seen_step": None,  # compared with the case, never stored
        # the day, month and year make one Date column
        "respond_day": None,
        "respond_month": None,
        "respond_year": None,
    }

    step = RadioField("Move the case to", validators=[InputRequired("Select the step to move the case to")])
    # The step the page showed: if the case has moved since, nothing changes.
    seen_step = HiddenField()
    note_for_family = TextAreaField("Note for the family", filters=[strip], validators=[NOTE_LENGTH])
    # When the team asks for more information: the date the family should answer by.
    respond_day, respond_month, respond_year = date_part("Day"), date_part("Month"), date_part("Year")
    letter = FileField("Letter or plan for the family (PDF)")
    internal_note = TextAreaField(
        "Internal note (the family never sees it)", filters=[strip], validators=[NOTE_LENGTH]
    )
    confirmed = BooleanField(
        "I have checked this change: it cannot be undone, and the family will be emailed",
        validators=[DataRequired("Confirm that you have checked this change")],
    )

    def __init__(self, *args, steps: list[CaseStep] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.step.choices = [(step.value, step.label) for step in steps]

    respond_by: date | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.date_error_parts, self.respond_by = {}, None
        if self.step.data != CaseStep.MORE_INFORMATION:
            return valid
        self.respond_by, date_valid = self.typed_date("respond", "Date to answer by")
        if self.respond_by is not None and self.respond_by <= now().date():
            self.respond_by, date_valid = (
                None,
                self.date_error("respond", "The date to answer by must be in the future"),
            )
        return valid and date_valid

    def chosen_letter(self):
        """The letter's upload, when one was chosen."""
        return self.letter.data if getattr(self.letter.data, "filename", "") else None

    def validate_letter(self, field: FileField) -> None:
        needed = DOCUMENT_REQUIRED.get(self.step.data)
        if needed and self.chosen_letter() is None:
            raise ValidationError(f"Choose {needed}: a PDF the family can download")

    def validate_note_for_family(self, field: TextAreaField) -> None:
        if self.step.data in NOTE_REQUIRED and not field.data:
            raise ValidationError(
                "Enter the note the family will read: what is needed, the reasons for the decision, "
                "or why the case is closed"
            )


class ExceptionForm(TypedDates, FlaskForm):
    """A reg. 10(4) exception: which, from when (and until when, if known), and why."""

    COLUMNS = {
        "reason": CaseException.reason,
        # the day, month and year of each date make one Date column
        "starts_day": None,
        "starts_month": None,
        "starts_year": None,
        "ends_day": None,
        "ends_month": None,
        "ends_year": None,
    }

    kind = RadioField(
        "Which exception applies?",
        choices=[(kind.value, kind.label) for kind in ExceptionKind],
        validators=[InputRequired("Select the exception that applies")],
    )
    starts_day, starts_month, starts_year = date_part("Day"), date_part("Month"), date_part("Year")
    ends_day, ends_month, ends_year = date_part("Day"), date_part("Month"), date_part("Year")
    reason = _reason("Reason (the family never sees it)", "Enter the reason for the exception")

    starts_on: date | None = None
    ends_on: date | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.date_error_parts = {}
        self.starts_on, starts_valid = self.typed_date("starts", "Start date")
        self.ends_on, ends_valid = self.typed_date("ends", "End date", required=False)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            ends_valid = self.date_error("ends", "The end date must be the same as or after the start date")
        return valid and starts_valid and ends_valid
