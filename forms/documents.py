"""The document upload form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from forms import fits, strip
from models import CATEGORIES, Document


class UploadForm(FlaskForm):
    COLUMNS = {"description": Document.description}

    files = MultipleFileField("Upload files")
    category = RadioField(
        "What are you sending?",
        choices=list(CATEGORIES.items()),
        validators=[InputRequired("Select what you are sending")],
    )
    description = StringField(
        "Describe it (optional)",
        filters=[strip],
        validators=[Optional(), fits(Document.description, "The description")],
    )

    def validate_files(self, field: MultipleFileField) -> None:
        if not self.chosen_files():
            raise ValidationError("Select a file")

    def chosen_files(self) -> list:
        return [upload for upload in (self.files.data or []) if getattr(upload, "filename", "")]
