"""Staff forms for EHC plans and their annual reviews: a plan issued before the portal, the review meeting,
the papers shared before it, the report, the decision and the amended plan."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from forms import fits, strip
from forms.send import WithDocuments
from forms.staff import TypedDates, date_part
from models import Plan, Review
from models.plans import AMEND, DECISIONS
from services.clock import now


class ExistingPlanForm(TypedDates, FlaskForm):
    COLUMNS = {
        "school": Plan.school,
        "transfer_year": None,  # a year, checked as a number
        **{f"issued_{part}": None for part in ("day", "month", "year")},  # one Date column
    }

    issued_day, issued_month, issued_year = date_part("Day"), date_part("Month"), date_part("Year")
    school = StringField(
        "The school or setting named in the plan (optional)",
        filters=[strip],
        validators=[Optional(), fits(Plan.school, "The school or setting")],
    )
    transfer_year = StringField("Year of a move to the next phase of education (optional)", filters=[strip])
    to_post_16 = RadioField(
        "Is the move from secondary school to post-16?",
        choices=[("no", "No"), ("yes", "Yes")],
        default="no",
        validators=[Optional()],
    )
    plan = FileField("The plan (PDF)")

    issued_on: date | None = None

    def chosen_file(self):
        return self.plan.data if getattr(self.plan.data, "filename", "") else None

    def validate_plan(self, field: FileField) -> None:
        if self.chosen_file() is None:
            raise ValidationError("Choose the plan: a PDF")

    def validate_transfer_year(self, field: StringField) -> None:
        if not field.data:
            return
        this_year = now().year
        if not field.data.isdigit() or not this_year - 1 <= int(field.data) <= this_year + 20:
            raise ValidationError(f"Enter the year of the move as a number, such as {this_year + 1}")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.date_error_parts = {}
        self.issued_on, date_valid = self.typed_date("issued", "The date the plan was issued")
        if date_valid and self.issued_on and self.issued_on > now().date():
            date_valid = self.date_error(
                "issued", "The date the plan was issued must be today or in the past"
            )
        return valid and date_valid


class MeetingForm(TypedDates, FlaskForm):
    """The annual review meeting: when, where, who is invited, and why the notice is short if it is."""

    COLUMNS = {
        "place": Review.place,
        "invited": Review.invited,
        "late_notice_reason": Review.late_notice_reason,
        **{f"meeting_{part}": None for part in ("day", "month", "year")},  # one Date column
    }

    meeting_day, meeting_month, meeting_year = date_part("Day"), date_part("Month"), date_part("Year")
    place = StringField(
        "Where (or online, and how to join)",
        filters=[strip],
        validators=[DataRequired("Enter where the meeting is"), fits(Review.place, "Where")],
    )
    invited = TextAreaField(
        "Who else is invited",
        filters=[strip],
        validators=[
            DataRequired("Enter who else is invited, such as the school's SENCo"),
            Length(max=2000, message="This must be 2,000 characters or fewer"),
        ],
    )
    late_notice_reason = TextAreaField(
        "If the meeting is less than 2 weeks away: why",
        filters=[strip],
        validators=[Length(max=2000, message="This must be 2,000 characters or fewer")],
    )

    meeting_on: date | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.date_error_parts = {}
        self.meeting_on, date_valid = self.typed_date("meeting", "The date of the meeting")
        if date_valid and self.meeting_on and self.meeting_on < now().date():
            date_valid = self.date_error("meeting", "The date of the meeting must be today or in the future")
        return valid and date_valid


class _OnePdf:
    """A form with one PDF to choose, as `pdf`."""

    pdf: FileField
    missing_pdf = "Choose a PDF"

    def chosen_file(self):
        return self.pdf.data if getattr(self.pdf.data, "filename", "") else None

    def validate_pdf(self, field: FileField) -> None:
        if self.chosen_file() is None:
            raise ValidationError(self.missing_pdf)


class PapersForm(WithDocuments, FlaskForm):
    """Reports and advice for the review meeting, shared with the family as they are added."""

    files = MultipleFileField("Reports and advice for the meeting")

    def validate_files(self, field: MultipleFileField) -> None:
        if not self.chosen_files():
            raise ValidationError("Choose the reports or advice to share")
        super().validate_files(field)


class ReportForm(_OnePdf, TypedDates, FlaskForm):
    """The meeting was held, and its report written (due within 2 weeks of it)."""

    COLUMNS = {f"held_{part}": None for part in ("day", "month", "year")}  # one Date column

    held_day, held_month, held_year = date_part("Day"), date_part("Month"), date_part("Year")
    pdf = FileField("The review report (PDF)")
    missing_pdf = "Choose the review report: a PDF"

    held_on: date | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.date_error_parts = {}
        self.held_on, date_valid = self.typed_date("held", "The date the meeting was held")
        if date_valid and self.held_on and self.held_on > now().date():
            date_valid = self.date_error("held", "The date the meeting was held must be today or in the past")
        return valid and date_valid


class DecisionForm(FlaskForm):
    """The council's decision after the meeting: keep, amend or end the plan, and why. An amendment
    comes with the proposed changes, in brief and as a PDF."""

    COLUMNS = {"decision": Review.decision, "reasons": None, "summary": None}  # Text columns

    decision = RadioField(
        "What has the council decided?",
        choices=list(DECISIONS.items()),
        validators=[InputRequired("Select what the council has decided")],
    )
    reasons = TextAreaField(
        "The reasons for the decision",
        filters=[strip],
        validators=[
            DataRequired("Enter the reasons for the decision"),
            Length(max=5000, message="The reasons must be 5,000 characters or fewer"),
        ],
    )
    summary = TextAreaField(
        "If amending: the proposed changes in brief",
        filters=[strip],
        validators=[Length(max=5000, message="The proposed changes must be 5,000 characters or fewer")],
    )
    amendments = FileField("If amending: the proposed changes (PDF)")

    def chosen_file(self):
        return self.amendments.data if getattr(self.amendments.data, "filename", "") else None

    def validate_summary(self, field: TextAreaField) -> None:
        if self.decision.data == AMEND and not field.data:
            raise ValidationError("Enter the proposed changes in brief")

    def validate_amendments(self, field: FileField) -> None:
        if self.decision.data == AMEND and self.chosen_file() is None:
            raise ValidationError("Choose the proposed changes: a PDF")


class AmendedPlanForm(_OnePdf, FlaskForm):
    pdf = FileField("The amended plan (PDF)")
    missing_pdf = "Choose the amended plan: a PDF"
