"""HTTP only: one module per area of the portal, and the helpers they share."""

from __future__ import annotations

from typing import TypeGuard
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, render_template, request, session
from flask_login import login_user
from werkzeug.exceptions import HTTPException

from extensions import limiter
from models import User
from services import clock, kept_answers

# htmx stops polling when a poll answers this status (a live panel whose case has ended, or a session).
STOP_POLLING = 286


def unchanged_since_shown(etag: str) -> Response | None:
    """A live panel's poll for what it already shows: 304 with no body, else None."""
    if request.headers.get("If-None-Match") == etag:
        return Response(status=304, headers={"ETag": etag})
    return None


def live_panel(body: str, etag: str, still_changing: bool) -> Response:
    """A live panel's new content; polling stops (286) once nothing more can change."""
    return Response(body, status=200 if still_changing else STOP_POLLING, headers={"ETag": etag})


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only a path this site serves to a GET. Browsers drop tabs and line breaks from a URL and
    read a backslash as a slash ("/<tab>/evil" and "/\\evil" leave the site), and a line break in
    a Location header is refused by the server: anything with either is refused, before and
    after percent-decoding."""
    if not _plain(target) or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not _plain(path) or path.startswith("//"):
        return False
    return _served_by_a_get(path)


def _plain(text: str | None) -> TypeGuard[str]:
    if not text:
        return False
    return "\\" not in text and text.isprintable()


def _served_by_a_get(path: str) -> bool:
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:  # not found, wrong method, or the router's own redirect
        return False
    return True


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


# Set in a session while answers kept for its account may wait to be given back (session_limits), so
# that the pages that give them back look for them only then, not on every visit.
KEPT_ANSWERS_WAITING = "kept_answers_waiting"


def start_session(user: User) -> None:
    """A fresh session for a fresh sign-in: nothing from before survives."""
    session.clear()
    login_user(user, remember=False)
    moment = int(clock.now().timestamp())
    session["signed_in_at"] = moment
    session["last_seen"] = moment
    if kept_answers.waiting_page(user.id) is not None:
        session[KEPT_ANSWERS_WAITING] = True


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
