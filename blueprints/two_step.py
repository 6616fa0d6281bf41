"""The second step: codes by email or from an authenticator app, and the settings for both."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user

from blueprints import (
    KEPT_ANSWERS_WAITING,
    is_htmx,
    is_safe_next,
    keep_session_after_credential_change,
    limit_posts,
)
from blueprints.access import PASSED, second_step_passed, second_step_required
from extensions import db
from forms import ButtonForm, error_list
from forms.auth import AddAuthenticatorForm, PasswordConfirmForm, SecurityCodeForm
from models import CODE_SIGN_IN, CODE_TURN_ON
from services import assessment_requests, kept_answers, notices, passwords, two_step, two_step_cap
from services.clock import uk_time

bp = Blueprint("two_step", __name__)

CODE_ID = "two_step_code_id"
METHOD = "two_step_method"
WRONG_PASSWORD = "Your password is not correct"


def _requested_next() -> str | None:
    """The `next` of this request when it is a safe path of this site, otherwise None."""
    target = request.args.get("next")
    return target if is_safe_next(target) else None


def _next_url() -> str:
    """Where the family was going; for the SEND home, straight back to the page whose answers were kept
    when their last session ended, or else the Appendix A section they were last editing."""
    target = _requested_next()
    home = url_for("send.home")
    if target is not None and target != home:
        return target
    # The session says whether any may wait (set as it began, a moment ago): most sign-ins skip the query.
    kept_page = kept_answers.waiting_page(current_user.id) if session.get(KEPT_ANSWERS_WAITING) else None
    if kept_page is not None and is_safe_next(kept_page):
        return kept_page
    return _resume_target(current_user) or home


def _resume_target(user) -> str | None:
    """Where a family signing back in left off: the section of the draft they last edited."""
    draft = assessment_requests.last_edited(user)
    if draft is None or not draft.last_section:
        return None
    return url_for("appendix_a.section", public_id=draft.public_id, key=draft.last_section)


def _pass(user) -> None:
    """Through the second step: a new session, marked as passed."""
    keep_session_after_credential_change(user)
    session[PASSED] = True


def _go(target: str) -> ResponseReturnValue:
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


@bp.route("/two-step", methods=["GET", "POST"])
@login_required
@limit_posts("RATELIMIT_PASSWORD")
def start() -> ResponseReturnValue:
    user = current_user._get_current_object()
    if second_step_passed():
        return redirect(_next_url())
    if two_step_cap.is_locked(user) or (user.has_two_step and request.method == "GET"):
        return redirect(url_for(".enter_code", next=_requested_next()))
    form = PasswordConfirmForm()
    limited_until = None
    if form.validate_on_submit():
        if passwords.verify_password(user.password_hash, form.password.data, current_app.config):
            sent = two_step.send_code(user, CODE_TURN_ON)
            if sent.code is not None:
                session[CODE_ID], session[METHOD] = sent.code.id, "email"
                return redirect(url_for(".enter_code", next=_requested_next()))
            limited_until = sent.next_allowed_at
        else:
            form.password.errors = [WRONG_PASSWORD]
    return render_template(
        "two_step/turn_on.html",
        form=form,
        errors=error_list(form),
        user=user,
        limited_until=limited_until,
        next_url=_requested_next(),
    )


def _method(user) -> str:
    chosen = session.get(METHOD)
    if chosen in ("app", "email"):
        return chosen
    return "app" if user.has_authenticator else "email"


def _ensure_email_code(user) -> str | None:
    """Make sure this session has a live code by email; returns a message when none can be sent."""
    if two_step.live_code(user, session.get(CODE_ID)) is not None:
        return None
    sent = two_step.send_code(user, CODE_SIGN_IN)
    if sent.code is None:
        assert sent.next_allowed_at is not None  # enter_code() has already answered a locked account
        return (
            f"You have asked for too many codes. You can ask for another at {uk_time(sent.next_allowed_at)}."
        )
    session[CODE_ID] = sent.code.id
    return None


@bp.route("/two-step/code", methods=["GET", "POST"])
@login_required
@limit_posts("RATELIMIT_CODE_ENTRY")
def enter_code() -> ResponseReturnValue:
    user = current_user._get_current_object()
    if second_step_passed():
        return _go(_next_url())
    if two_step_cap.is_locked(user):
        return _render_code_page(SecurityCodeForm(), user, "email", locked=True)
    method = _method(user)
    pending_turn_on = session.get(CODE_ID) is not None
    if not user.has_two_step and not pending_turn_on:
        return redirect(url_for(".start", next=_requested_next()))
    form = SecurityCodeForm()
    problem = None
    if form.validate_on_submit():
        if method == "app":
            result = two_step.check_authenticator(user, form.code.data)
        else:
            result = two_step.check_code(user, session.get(CODE_ID), form.code.data)
        if result.ok:
            _pass(user)
            return _go(_next_url())
        if result.locked:
            return _render_code_page(form, user, method, locked=True)
        form.code.errors = [result.error]
    elif request.method == "GET" and method == "email":
        problem = _ensure_email_code(user)
    return _render_code_page(form, user, method, problem=problem)


def _render_code_page(
    form: SecurityCodeForm, user, method: str, problem: str | None = None, locked=False
) -> str:
    """The code page, or with htmx only its form; when the account is locked, what to do instead."""
    template = "two_step/_code_response.html" if is_htmx() else "two_step/enter_code.html"
    return render_template(
        template,
        form=form,
        errors=[] if locked else error_list(form),
        user=user,
        method=method,
        problem=problem,
        locked=locked,
        minutes=current_app.config["TWO_STEP_CODE_MINUTES"],
        next_url=_requested_next(),
    )


@bp.post("/two-step/code/new")
@login_required
def new_code() -> ResponseReturnValue:
    user = current_user._get_current_object()
    purpose = CODE_SIGN_IN if user.has_two_step else CODE_TURN_ON
    sent = two_step.send_code(user, purpose)
    if sent.code is not None:
        session[CODE_ID], session[METHOD] = sent.code.id, "email"
        flash(
            f"We have sent a new code to {user.email}. Codes sent before it no longer work.",
            notices.CODE_STATUS,
        )
    elif not sent.locked:  # when locked, the code page says what to do instead
        assert sent.next_allowed_at is not None  # no code and not locked: the limit stopped it
        flash(
            f"You have asked for too many codes. You can ask for another at {uk_time(sent.next_allowed_at)}.",
            notices.CODE_STATUS,
        )
    return redirect(url_for(".enter_code", next=_requested_next()))


@bp.get("/two-step/locked/reset")
def reset_locked() -> ResponseReturnValue:
    """From the locked page to the forgotten-password form, signed out: staff cannot reach it
    signed in before the second step, and the reset signs every session out anyway."""
    if current_user.is_authenticated and two_step_cap.is_locked(current_user):
        logout_user()
        session.clear()
    return redirect(url_for("auth.forgotten_password"))


@bp.post("/two-step/email-instead")
@login_required
def email_instead() -> ResponseReturnValue:
    session[METHOD] = "email"
    return redirect(url_for(".enter_code", next=_requested_next()))


# --- Settings on Your account ------------------------------------------------------------------


@bp.get("/account/two-step")
@login_required
def settings() -> str:
    user = current_user._get_current_object()
    return render_template(
        "two_step/settings.html",
        user=user,
        passed=second_step_passed(),
        form=ButtonForm(),
    )


def _password_confirmed(form: PasswordConfirmForm, user) -> bool:
    if not form.validate_on_submit():
        return False
    if passwords.verify_password(user.password_hash, form.password.data, current_app.config):
        return True
    form.password.errors = [WRONG_PASSWORD]
    return False


def _turn_off_with_password(turn_off, forget: str, notice: str, heading: str, explanation: str, button: str):
    """Turning a second-step method off needs the password; the account holder is emailed."""
    user = current_user._get_current_object()
    form = PasswordConfirmForm()
    if _password_confirmed(form, user):
        turn_off(user)
        session.pop(forget, None)
        flash(notice, notices.SUCCESS)
        return redirect(url_for(".settings"))
    return render_template(
        "two_step/confirm_password.html",
        form=form,
        errors=error_list(form),
        heading=heading,
        explanation=explanation,
        button=button,
    )


@bp.route("/account/two-step/email/off", methods=["GET", "POST"])
@login_required
@limit_posts("RATELIMIT_PASSWORD")
def turn_off_email() -> ResponseReturnValue:
    if current_user.is_staff or current_user.two_step_email_at is None:
        return redirect(url_for(".settings"))
    return _turn_off_with_password(
        two_step.turn_off_email,
        forget=PASSED,
        notice="Two-step verification by email has been turned off",
        heading="Turn off two-step verification by email",
        explanation="Without a second step you cannot open the SEND section until you turn it on again.",
        button="Turn it off",
    )


@bp.route("/account/two-step/app", methods=["GET", "POST"])
@second_step_required
@limit_posts("RATELIMIT_PASSWORD")
def add_app() -> ResponseReturnValue:
    """Adding an app needs the second step first, so a stolen password alone cannot add one."""
    user = current_user._get_current_object()
    if user.has_authenticator:
        return redirect(url_for(".settings"))
    if not user.totp_secret:
        user.totp_secret = two_step.new_authenticator_secret()
        db.session.commit()
    form = AddAuthenticatorForm()
    if form.validate_on_submit():
        if not passwords.verify_password(user.password_hash, form.password.data, current_app.config):
            form.password.errors = [WRONG_PASSWORD]
        elif two_step.add_authenticator(user, user.totp_secret, form.code.data):
            flash("Your authenticator app has been added", notices.SUCCESS)
            return redirect(url_for(".settings"))
        else:
            form.code.errors = [two_step.CODE_WRONG]
    uri = two_step.provisioning_uri(user, user.totp_secret)
    return render_template(
        "two_step/add_app.html",
        form=form,
        errors=error_list(form),
        qr_svg=two_step.qr_code_svg(uri),
        key=" ".join(user.totp_secret[i : i + 4] for i in range(0, len(user.totp_secret), 4)),
    )


@bp.route("/account/two-step/app/remove", methods=["GET", "POST"])
@login_required
@limit_posts("RATELIMIT_PASSWORD")
def remove_app() -> ResponseReturnValue:
    if not current_user.has_authenticator:
        return redirect(url_for(".settings"))
    return _turn_off_with_password(
        two_step.remove_authenticator,
        forget=METHOD,
        notice="Your authenticator app has been removed",
        heading="Remove your authenticator app",
        explanation="You will get your security codes by email instead.",
        button="Remove the app",
    )
