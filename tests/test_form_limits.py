"""Every length limit a family or member of staff meets is the limit of the column the text is stored
in: longer text gets a message beside the field, never a server error from the database."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import String
from wtforms import PasswordField, StringField
from wtforms.validators import Length

import forms
from models import Child, ChildLink, User
from models.types import column_length
from services.appendix_a import EDITIONS
from tests.appendix_answers import ANSWERS
from tests.pages import check_page, field_error, post
from tests.people import make_staff, signed_in_past_second_step
from tests.test_appendix_a import complete_everything, save, start


def every_form_class() -> list[type[FlaskForm]]:
    for module in pkgutil.iter_modules(forms.__path__):
        importlib.import_module(f"forms.{module.name}")
    found, waiting = [], list(FlaskForm.__subclasses__())
    while waiting:
        form_class = waiting.pop()
        waiting.extend(form_class.__subclasses__())
        if form_class.__module__.startswith("forms"):
            found.append(form_class)
    return found


def text_fields(form: FlaskForm) -> list[StringField]:
    """Fields whose typed text may be stored (passwords are only ever stored hashed)."""
    return [f for f in form if isinstance(f, StringField) and not isinstance(f, PasswordField)]


def length_limit(field: StringField) -> int | None:
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max > 0]
    return min(limits) if limits else None


@pytest.mark.parametrize("form_class", every_form_class(), ids=lambda form_class: form_class.__name__)
def test_every_text_field_is_limited_to_the_column_it_feeds(app, form_class):
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        columns = getattr(form_class, "COLUMNS", {})
        names = {field.name for field in text_fields(form)}
        assert names <= columns.keys(), (
            f"{form_class.__name__}: say which column {names - columns.keys()} feed"
        )
        assert columns.keys() <= {field.name for field in form}, "COLUMNS names a field the form lacks"
        for field in text_fields(form):
            column = columns[field.name]
            if column is None:
                continue
            most = column_length(column)
            if most is None:  # a Text column: any limit the form sets is the only one
                assert length_limit(field) is not None, f"{form_class.__name__}.{field.name} has no limit"
            else:
                assert length_limit(field) == most, f"{form_class.__name__}.{field.name}: column holds {most}"


def test_the_forms_walked_include_every_form_that_stores_text():
    names = {form_class.__name__ for form_class in every_form_class()}
    assert {"DetailsForm", "AccessRequestForm", "StaffMemberForm", "UploadForm", "ChangeEmailForm"} <= names


def appendix_a_questions():
    for section in (section for sections in EDITIONS.values() for section in sections):
        yield from section.questions
        for group in section.groups:
            yield from group.questions


def test_every_appendix_a_answer_stored_in_a_column_is_limited_to_it(app):
    declared = {}
    for question in appendix_a_questions():
        if question.column is not None:
            declared[question.column.key] = question
            assert question.max_length(app.config) == column_length(question.column)
    child_columns = {
        column.key
        for column in ChildLink.__table__.columns
        if column.key.startswith("child_") and isinstance(column.type, String)
    }
    assert child_columns == set(declared), "a column filled from Appendix A has no question declaring it"


def test_a_child_record_made_from_a_request_holds_everything_the_request_does():
    for column in ChildLink.__table__.columns:
        if column.key.startswith("child_") and isinstance(column.type, String):
            copied = Child.__table__.columns[column.key.removeprefix("child_")]
            assert copied.type.length == column.type.length, column.key


def test_staff_names_fit_the_account_columns():
    assert column_length(User.first_name) == column_length(User.last_name) == 100


# The two requests that ended in a server error, on SQLite and on PostgreSQL.

LONG_NAME = "J" * 150


def test_a_150_character_child_first_name_is_refused_beside_the_field_and_kept(client, db, family):
    request = start(client, db, "new")
    complete_everything(client, db, request)
    response = save(client, db, request, "child", {**ANSWERS["child"], "first_name": LONG_NAME})
    assert response.status_code == 200
    soup = check_page(response.get_data(as_text=True))
    assert field_error(soup, "first_name") == "Error: Legal first name must be 100 characters or fewer"
    assert soup.find(id="first_name")["value"] == LONG_NAME

    response = post(client, f"/send/requests/{request.public_id}/submit")
    assert response.location.endswith("?incomplete=1")
    assert db.session.scalar(db.select(ChildLink)) is None
    db.session.expire_all()
    assert request.state == "draft"


def test_a_child_first_name_at_the_limit_is_submitted(client, db, family):
    request = start(client, db, "new")
    complete_everything(client, db, request)
    save(client, db, request, "child", {**ANSWERS["child"], "first_name": "J" * 100})
    response = post(client, f"/send/requests/{request.public_id}/submit")
    assert response.status_code == 302
    assert db.session.scalar(db.select(ChildLink)).child_first_name == "J" * 100


def test_a_150_character_staff_name_without_a_space_is_refused_beside_the_field(app, client, db, mailbox):
    make_staff("admin@somerset.gov.uk", role="admin")
    signed_in_past_second_step(client, "admin@somerset.gov.uk")
    typed = {"first_name": LONG_NAME, "last_name": "", "email": "new@somerset.gov.uk", "role": "staff"}
    response = post(client, "/staff/team", typed)
    assert response.status_code == 200
    soup = check_page(response.get_data(as_text=True))
    assert field_error(soup, "first_name") == "Error: First name must be 100 characters or fewer"
    assert soup.find(id="first_name")["value"] == LONG_NAME
    assert soup.find(id="email")["value"] == "new@somerset.gov.uk"

    at_limit = {**typed, "first_name": "J" * 100, "last_name": "M" * 100}
    assert post(client, "/staff/team", at_limit).location == "/staff/team"
    assert (
        db.session.scalar(db.select(User).where(User.email == "new@somerset.gov.uk")).first_name == "J" * 100
    )
