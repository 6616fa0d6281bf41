"""Writing a message to the SEND Assessment Hub Team, or a reply from it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from forms import strip
from forms.send import WithDocuments
from models import Message
from models.messages import MESSAGE_MAX_CHARACTERS


class MessageForm(WithDocuments, FlaskForm):
    COLUMNS = {"body": Message.body}

    body = TextAreaField(
        "Your message",
        filters=[strip],
        validators=[
            DataRequired("Enter your message"),
            Length(
                max=MESSAGE_MAX_CHARACTERS,
                message=f"Your message must be {MESSAGE_MAX_CHARACTERS:,} characters or fewer",
            ),
        ],
    )
