"""Command-line tools: `flask --app app staff create` and `flask --app app mail send-queued`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from models import User
from models.types import column_length
from services import accounts, mailer, passwords

staff_cli = AppGroup("staff", help="Manage staff accounts.")
mail_cli = AppGroup("mail", help="The mail outbox.")


@staff_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The staff member's full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--role",
    type=click.Choice(["staff", "admin"]),
    default="staff",
    show_default=True,
    help="admin can also add staff accounts on the Team page.",
)
def create_staff(email: str, name: str, password_stdin: bool, role: str) -> None:
    """Create an activated staff account."""
    if accounts.find_by_email(email):
        raise click.ClickException(f"An account for {email} already exists.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problems = passwords.policy_errors(password, email, current_app.config)
    if problems:
        raise click.ClickException("; ".join(problems))
    first_name, _, last_name = name.strip().partition(" ")
    last_name = last_name.strip()
    for part, column in ((first_name, User.first_name), (last_name, User.last_name)):
        if len(part) > column_length(column):
            raise click.ClickException(
                f"Each part of the name must be {column_length(column)} characters or fewer."
            )
    user = accounts.create_staff(email, first_name, last_name, password, role=role)
    click.echo(f"Created {role} account {user.email}.")


@mail_cli.command("send-queued")
def send_queued() -> None:
    """Send every email waiting in the outbox, retrying those that failed."""
    sent, failed = mailer.send_queued()
    click.echo(f"Sent {sent}, failed {failed}.")
    if failed:
        sys.exit(1)
