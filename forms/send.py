"""Forms a family fills in within the SEND section."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from forms import fits, strip
from models import RELATIONSHIPS, CaseEvent, ChildLink, Document, User
from services import contact_details, documents
from services.clock import now
from services.dates import ALL_PARTS, check_date_of_birth
from services.young_person import YOUNG_PERSON, young_person_problem

OLDEST_AGE = 25


def _text(label: str, required: str, column, name: str) -> StringField:
    return StringField(label, filters=[strip], validators=[DataRequired(required), fits(column, name)])


class DateOfBirthMixin:
    """GOV.UK date input: day, month and year fields checked together, with one message."""

    dob_day = StringField("Day", filters=[strip])
    dob_month = StringField("Month", filters=[strip])
    dob_year = StringField("Year", filters=[strip])
    date_of_birth: date | None = None
    date_error_parts: tuple[str, ...] = ()

    def check_date_of_birth(self) -> str | None:
        checked = check_date_of_birth(
            self.dob_day.data, self.dob_month.data, self.dob_year.data, now().date(), oldest=OLDEST_AGE
        )
        if checked.message:
            return self._date_error(checked.message, checked.parts)
        self.date_of_birth = checked.value
        return None

    def _date_error(self, message: str, parts: tuple[str, ...]) -> str:
        self.date_error_parts = parts
        getattr(self, f"dob_{parts[0]}").errors = [message]
        return message


class AccessRequestForm(DateOfBirthMixin, FlaskForm):
    COLUMNS = {
        "first_name": ChildLink.child_first_name,
        "last_name": ChildLink.child_last_name,
        "dob_day": None,  # the three parts make one Date
        "dob_month": None,
        "dob_year": None,
        "postcode": ChildLink.child_postcode,
        "school": ChildLink.child_school,
        "notes": ChildLink.notes,
    }

    first_name = _text(
        "First name", "Enter the child or young person’s first name", ChildLink.child_first_name, "First name"
    )
    last_name = _text(
        "Last name", "Enter the child or young person’s last name", ChildLink.child_last_name, "Last name"
    )
    dob_day = DateOfBirthMixin.dob_day
    dob_month = DateOfBirthMixin.dob_month
    dob_year = DateOfBirthMixin.dob_year
    postcode = _text(
        "Home postcode",
        "Enter the child or young person’s home postcode",
        ChildLink.child_postcode,
        "Postcode",
    )
    school = _text(
        "School or setting",
        "Enter their school or setting, or say that they do not have one",
        ChildLink.child_school,
        "School or setting",
    )
    relationship = RadioField(
        "Your relationship to the child or young person",
        choices=list(RELATIONSHIPS.items()),
        validators=[InputRequired("Select your relationship to the child or young person")],
    )
    parental_responsibility = RadioField(
        "Do you have parental responsibility for them?",
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[Optional()],
    )
    notes = TextAreaField(
        "Anything the SEND Assessment Hub Team should know",
        filters=[strip],
        validators=[Optional(), Length(max=2000, message="This must be 2,000 characters or fewer")],
    )

    def validate_postcode(self, field: StringField) -> None:
        normalised = contact_details.normalise_postcode(field.data)
        if normalised is None:
            raise ValidationError("Enter a full UK postcode, like TA1 1HE")
        field.data = normalised

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.check_date_of_birth():
            valid = False
        young_person = self.relationship.data == YOUNG_PERSON
        if not young_person and self.parental_responsibility.data not in ("yes", "no"):
            self.parental_responsibility.errors = ["Select whether you have parental responsibility"]
            valid = False
        too_young = young_person_problem(self.relationship.data, self.date_of_birth)
        if too_young:
            self._date_error(too_young, ALL_PARTS)
            valid = False
        return valid

    def answers(self) -> dict:
        young_person = self.relationship.data == YOUNG_PERSON
        return {
            "first_name": self.first_name.data,
            "last_name": self.last_name.data,
            "date_of_birth": self.date_of_birth,
            "postcode": self.postcode.data,
            "school": self.school.data,
            "relationship": self.relationship.data,
            "parental_responsibility": None if young_person else self.parental_responsibility.data == "yes",
            "notes": self.notes.data,
        }


class AnswerForm(FlaskForm):
    COLUMNS = {"answer": ChildLink.answer}
    answer = TextAreaField(
        "Your answer",
        filters=[strip],
        validators=[
            DataRequired("Enter your answer"),
            Length(max=2000, message="Your answer must be 2,000 characters or fewer"),
        ],
    )


class WithDocuments:
    """Documents a family sends with something, checked as every upload is (services.documents)."""

    files = MultipleFileField("Documents (optional)")

    def chosen_files(self) -> list:
        return [upload for upload in (self.files.data or []) if getattr(upload, "filename", "")]

    def validate_files(self, field: MultipleFileField) -> None:
        limit = current_app.config["DOCUMENT_MAX_FILES"]
        if len(self.chosen_files()) > limit:
            raise ValidationError(f"Choose {limit} files or fewer")

    def documents_to_add(self, owner: User, category: str, request, child=None) -> list[Document] | None:
        """The chosen files checked, scanned and stored, ready to go with what is sent; None when one
        was refused, with the reason beside the field (what was typed stays in the form)."""
        prepared = documents.prepare_to_add(
            owner, documents.received(self.chosen_files()), category, request, child=child
        )
        if prepared.errors:
            self.files.errors = [*self.files.errors, *prepared.errors]
            return None
        return prepared.saved


class CaseAnswerForm(WithDocuments, AnswerForm):
    """The family's answer when the team asks for more information about their request."""

    COLUMNS = {"answer": CaseEvent.note_for_family}


class PlanResponseForm(WithDocuments, FlaskForm):
    """Sending the response to a draft plan, with any documents (its views are saved section by section)."""


class ReviewResponseForm(WithDocuments, FlaskForm):
    """Sending views or comments for an annual review, with any documents (saved section by section)."""


class WithdrawForm(FlaskForm):
    """Withdrawing a request: why, if the family wants to say (the team reads it)."""

    COLUMNS = {"reason": CaseEvent.note_for_family}
    reason = TextAreaField(
        "Why are you withdrawing it?",
        filters=[strip],
        validators=[Length(max=2000, message="This must be 2,000 characters or fewer")],
    )
