"""Staff forms for advice for an assessment: ask a professional, chase, record it received, share it."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from forms import fits, strip
from forms.staff import TypedDates, date_part
from models import AdviceKind, AdviceRequest
from services.clock import now

_DATE_PARTS = ("day", "month", "year")


def _not_after_today(form: TypedDates, which: str, day: date | None, what: str) -> bool:
    if day is not None and day > now().date():
        return form.date_error(which, f"{what} must be today or in the past")
    return True


class AskAdviceForm(TypedDates, FlaskForm):
    COLUMNS = {
        "provider": AdviceRequest.provider,
        **{f"asked_{part}": None for part in _DATE_PARTS},  # one Date column
    }

    advice_kind = RadioField(
        "Who is being asked for advice?",
        choices=[(kind.value, kind.label) for kind in AdviceKind],
        validators=[InputRequired("Select who is being asked for advice")],
    )
    provider = StringField(
        "The service or person asked",
        filters=[strip],
        validators=[
            DataRequired("Enter the service or person asked"),
            fits(AdviceRequest.provider, "The service or person asked"),
        ],
    )
    asked_day, asked_month, asked_year = date_part("Day"), date_part("Month"), date_part("Year")

    asked_on: date | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.date_error_parts = {}
        self.asked_on, date_valid = self.typed_date("asked", "The date asked")
        date_valid = date_valid and _not_after_today(self, "asked", self.asked_on, "The date asked")
        return valid and date_valid


class ReceiveAdviceForm(TypedDates, FlaskForm):
    COLUMNS = {f"received_{part}": None for part in _DATE_PARTS}

    received_day, received_month, received_year = date_part("Day"), date_part("Month"), date_part("Year")
    advice = FileField("The advice")

    received_on: date | None = None

    def __init__(self, *args, asked_on: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked_on = asked_on

    def chosen_file(self):
        return self.advice.data if getattr(self.advice.data, "filename", "") else None

    def validate_advice(self, field: FileField) -> None:
        if self.chosen_file() is None:
            raise ValidationError("Choose the advice: the document the professional sent")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.date_error_parts = {}
        self.received_on, date_valid = self.typed_date("received", "The date received")
        date_valid = date_valid and _not_after_today(self, "received", self.received_on, "The date received")
        if date_valid and self.received_on and self.asked_on and self.received_on < self.asked_on:
            date_valid = self.date_error("received", "The date received must be on or after the date asked")
        return valid and date_valid


class ShareAdviceForm(FlaskForm):
    checked = BooleanField(
        "I have checked the advice: the family may read all of it, and will be emailed that it has "
        "been shared",
        validators=[DataRequired("Confirm that you have checked the advice before sharing it")],
    )
