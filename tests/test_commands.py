"""The staff command creates activated staff accounts under the same password rules."""

from __future__ import annotations

from sqlalchemy import select

from models import User
from services import passwords


def test_staff_create_reads_the_password_from_stdin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "create", "Officer@Somerset.gov.uk", "--name", "Pat Officer", "--password-stdin"],
        input="Teapot river 7 Lantern!\n",
    )
    assert result.exit_code == 0, result.output
    staff = db.session.scalar(select(User))
    assert (staff.email, staff.role, staff.first_name, staff.last_name) == (
        "officer@somerset.gov.uk",
        "staff",
        "Pat",
        "Officer",
    )
    assert staff.is_activated
    assert passwords.verify_password(staff.password_hash, "Teapot river 7 Lantern!", app.config)


def test_staff_create_applies_the_password_rules(app, db):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "o@somerset.gov.uk", "--name", "Pat", "--password-stdin"],
        input="Password123!\n",
    )
    assert result.exit_code != 0
    assert "commonly used password" in result.output
    assert db.session.scalars(select(User)).all() == []


def test_staff_create_prompts_for_the_password_twice(app, db):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "o@somerset.gov.uk", "--name", "Pat Officer"],
        input="Teapot river 7 Lantern!\nTeapot river 7 Lantern!\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).role == "staff"


def test_staff_create_refuses_an_existing_address(app, db):
    runner = app.test_cli_runner()
    args = ["staff", "create", "o@somerset.gov.uk", "--name", "Pat", "--password-stdin"]
    runner.invoke(args=args, input="Teapot river 7 Lantern!\n")
    result = runner.invoke(args=args, input="Teapot river 7 Lantern!\n")
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_staff_create_refuses_a_name_part_longer_than_its_column(app, db):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "o@somerset.gov.uk", "--name", "J" * 150, "--password-stdin"],
        input="Teapot river 7 Lantern!\n",
    )
    assert result.exit_code == 1
    assert "Each part of the name must be 100 characters or fewer." in result.output
    assert db.session.scalars(select(User)).all() == []
