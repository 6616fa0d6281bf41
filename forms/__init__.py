"""WTForms classes, one module per area, and helpers shared by them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import Field
from wtforms.validators import Length, ValidationError

from models.types import column_length
from services.contact_details import EMAIL_FORMAT, is_email_address


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def fits(column: InstrumentedAttribute, name: str) -> Length:
    """The length limit of a field stored in this String column, with the message shown beside it.

    Each form names the column each of its text fields is stored in (None when it is not) in
    `COLUMNS`, and tests/test_form_limits.py holds every limit to its column's."""
    most = column_length(column)
    return Length(max=most, message=f"{name} must be {most:,} characters or fewer")


class EmailAddress:
    """The portal's one email format rule (the same as Appendix A's), as a WTForms validator."""

    def __init__(self, message: str = EMAIL_FORMAT) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not is_email_address(field.data):
            raise ValidationError(self.message)


def error_list(*forms: FlaskForm) -> list[tuple[str, str]]:
    """(field id, message) for every error, in page order, for the error summary."""
    return [(field.id, message) for form in forms for field in form for message in field.errors]


class ButtonForm(FlaskForm):
    """A form that is only a button: it carries the CSRF token and nothing else."""
