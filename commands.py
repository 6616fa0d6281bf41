"""Command-line tools: `flask --app app staff create`, `flask --app app mail worker` (with
`mail send-queued` and `mail purge`) for the outbox, and `flask --app app cases remind` and
`cases digest`, run daily."""

from __future__ import annotations

import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from models import User
from models.types import column_length
from services import accounts, mailer, notifications, passwords, reminders

staff_cli = AppGroup("staff", help="Manage staff accounts.")
mail_cli = AppGroup("mail", help="The mail outbox.")
cases_cli = AppGroup("cases", help="Cases after submission.")


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
        limit = column_length(column)
        assert limit is not None  # both are String columns
        if len(part) > limit:
            raise click.ClickException(f"Each part of the name must be {limit} characters or fewer.")
    user = accounts.create_staff(email, first_name, last_name, password, role=role)
    click.echo(f"Created {role} account {user.email}.")


@mail_cli.command("worker")
def worker() -> None:
    """Send the outbox's emails as they are queued, and retry those that failed, until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy
    stop = threading.Event()
    if not app.config["MAIL_REDIS_URL"]:  # the RQ worker handles the signals itself
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
    mode = "the RQ queue and the outbox" if app.config["MAIL_REDIS_URL"] else "the outbox"
    click.echo(f"Mail worker sending from {mode}.")
    mailer.run_worker(app, stop)


@mail_cli.command("send-queued")
def send_queued() -> None:
    """Send every email that is due in the outbox once, retrying those whose time has come."""
    sent, failed = mailer.send_queued()
    click.echo(f"Sent {sent}, failed {failed}.")
    if failed:
        sys.exit(1)


@mail_cli.command("purge")
@click.option("--days", type=int, default=None, help="Override FLASK_MAIL_RETENTION_DAYS.")
def purge(days: int | None) -> None:
    """Delete sent and given-up emails older than the retention setting."""
    click.echo(f"Deleted {mailer.purge_old(days)} old emails.")


@cases_cli.command("remind")
def remind() -> None:
    """Email the reminders due today (run once a day; running it again sends nothing twice)."""
    click.echo(
        f"Reminded {reminders.remind_of_draft_plans()} families of their last day to comment on a draft plan."
    )
    click.echo(f"Reminded {reminders.remind_of_review_views()} families to send their views for a review.")
    due_soon, overdue = reminders.remind_team_of_reviews()
    click.echo(f"Told the team of {due_soon} reviews due within 8 weeks and {overdue} overdue.")


@cases_cli.command("digest")
def digest() -> None:
    """Send each family member who chose one email a day the updates held from before today."""
    click.echo(f"Sent {notifications.send_daily()} daily emails.")
