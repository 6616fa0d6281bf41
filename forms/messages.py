"""Writing a message to the SEND Assessment Hub Team, or a reply from it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forms import strip
from forms.send import WithDocuments
from models import Message
from models.messages import MESSAGE_MAX_CHARACTERS
from models.notifications import DAILY, EACH_TIME


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


YES_NO = [("yes", "Yes"), ("no", "No")]


class EmailSettingsForm(FlaskForm):
    """How an account is emailed about cases, and for a young person who sees their conversations.
    Each person is shown only the questions that apply to them (the view removes the others)."""

    email_updates = RadioField(
        "How should we email you about updates on your requests?",
        choices=[
            (EACH_TIME, "Each time something happens"),
            (DAILY, "One email a day, listing what happened the day before"),
        ],
        validators=[InputRequired("Select how we should email you")],
    )
    parents_see_messages = RadioField(
        "Can the adults linked to your record see your messages with the team?",
        choices=YES_NO,
        validators=[InputRequired("Select yes if the adults linked to you can see your messages")],
    )
    email_on_family_messages = RadioField(
        "Email me when a family writes about a case I am the officer for",
        choices=YES_NO,
        validators=[InputRequired("Select yes to be emailed when a family writes")],
    )
