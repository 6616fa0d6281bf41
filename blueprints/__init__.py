"""HTTP only: one module per area of the portal, and the helpers they share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, request, session
from flask_login import login_user

from extensions import limiter
from models import User
from services import clock


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no backslashes."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def start_session(user: User) -> None:
    """A fresh session for a fresh sign-in: nothing from before survives."""
    session.clear()
    login_user(user, remember=False)
    moment = int(clock.now().timestamp())
    session["signed_in_at"] = moment
    session["last_seen"] = moment


def keep_session_after_credential_change(user: User) -> None:
    """The change raised the account's session version, ending every session; this one
    carries on under the new version, keeping its original sign-in time."""
    signed_in_at = session.get("signed_in_at")
    start_session(user)
    if signed_in_at:
        session["signed_in_at"] = signed_in_at


def limit_posts(setting: str):
    """Flask-Limiter's per-address limit on a route's POSTs, read from a setting at request time."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def new_password_page(template: str, form, email: str, **context) -> str:
    """A page with a new password field: its form, error summary and the rules checklist, ticked
    against what was typed once the form has been sent."""
    from forms import error_list
    from services import passwords

    rules = passwords.evaluate(form.password.data or "", email, current_app.config)
    return render_template(
        template, form=form, errors=error_list(form), rules=rules, checked=form.is_submitted(), **context
    )
