"""Who may see what: the guards every blueprint puts on its routes, and the staff second-step gate the app
runs before every request. Kept in one module that imports no other blueprint, so blueprints share the
guards without importing each other."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints import is_htmx

PASSED = "two_step_passed"

# Pages staff may reach before the second step of this sign-in, besides the public and two-step pages.
BEFORE_SECOND_STEP_ALLOWED = {
    "static",
    "auth.sign_out",
    "auth.signed_out",
    "auth.password_check",
    "session_limits.status",
    "session_limits.extend",
}

View = Callable[..., Any]


def second_step_passed() -> bool:
    return session.get(PASSED) is True


def family_may_poll() -> bool:
    """A live panel's poll: from a family through the second step. Anything else (a session that has
    ended, a member of staff) stops the polling, and is never sent a sign-in page to swap in."""
    return bool(current_user.is_authenticated and second_step_passed() and not current_user.is_staff)


def second_step_required(view: View) -> View:
    """Signed in and through the second step in this session. Pages redirect to the step;
    htmx fragments and other non-page requests get 401 or 403 instead."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            if is_htmx():
                abort(401)
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not second_step_passed():
            if is_htmx():
                abort(403)
            return redirect(url_for("two_step.start", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def second_step_required_when_on(view: View) -> View:
    """For account pages that could hand the second step to someone else (the email address codes go
    to): once an account has two-step verification, a password alone is not enough to reach them."""

    guarded = second_step_required(view)

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and current_user.has_two_step:
            return guarded(*args, **kwargs)
        return view(*args, **kwargs)

    return wrapped


def family_required(view: View) -> View:
    """Through the second step, and a family account: staff work on the staff pages instead."""

    @wraps(view)
    @second_step_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def staff_required(view: View) -> View:
    """Through the second step, and a staff account."""

    @wraps(view)
    @second_step_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: View) -> View:
    """A staff account that is also an administrator."""

    @wraps(view)
    @staff_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def staff_pass_the_second_step_first() -> ResponseReturnValue | None:
    """Staff go through the second step at every sign-in, before any other signed-in page."""
    if not current_user.is_authenticated or not current_user.is_staff or second_step_passed():
        return None
    endpoint = request.endpoint or ""
    if endpoint in BEFORE_SECOND_STEP_ALLOWED or endpoint.startswith(("public.", "two_step.")):
        return None
    if is_htmx():
        abort(403)
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("two_step.start", next=target))
