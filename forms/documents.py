"""The document upload form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from forms import strip
from models import CATEGORIES


class UploadForm(FlaskForm):
    files = MultipleFileField("Upload files")
    category = RadioField(
        "What are you sending?",
        choices=list(CATEGORIES.items()),
        validators=[InputRequired("Select what you are sending")],
    )
    description = StringField(
        "Describe it (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=200, message="The description must be 200 characters or fewer")],
    )

    def validate_files(self, field: MultipleFileField) -> None:
        if not self.chosen_files():
            raise ValidationError("Select a file")

    def chosen_files(self) -> list:
        return [upload for upload in (self.files.data or []) if getattr(upload, "filename", "")]
