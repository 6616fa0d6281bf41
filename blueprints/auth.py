"""Registering, activating and signing in and out."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from blueprints import is_safe_next
from extensions import limiter
from forms import ButtonForm, error_list
from forms.auth import (
    ActivationRequestForm,
    DetailsForm,
    PasswordForm,
    RegisterEmailForm,
    SignInForm,
)
from models import User
from services import accounts, clock, passwords, registration, tokens

bp = Blueprint("auth", __name__)

REGISTRATION_KEY = "registration_key"
CHECK_EMAIL = "check_email"


def _limit(setting: str):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def _draft_answers() -> dict:
    draft = registration.load(session.get(REGISTRATION_KEY))
    return dict(draft.answers) if draft else {}


def _save_answers(answers: dict) -> None:
    session[REGISTRATION_KEY] = registration.save(session.get(REGISTRATION_KEY), answers)


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register_email() -> str | Response:
    answers = _draft_answers()
    form = RegisterEmailForm(data={"email": answers.get("email"), "confirm_email": answers.get("email")})
    if form.validate_on_submit():
        _save_answers({"email": accounts.normalise_email(form.email.data)})
        return redirect(url_for(".register_details"))
    return render_template("auth/register_email.html", form=form, errors=error_list(form))


@bp.route("/register/details", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register_details() -> str | Response:
    answers = _draft_answers()
    if "email" not in answers:
        return redirect(url_for(".register_email"))
    form = DetailsForm(data=answers)
    if form.validate_on_submit():
        _save_answers({name: form[name].data or "" for name in accounts.DETAIL_FIELDS})
        return redirect(url_for(".register_password"))
    return render_template("auth/register_details.html", form=form, errors=error_list(form))


@bp.route("/register/password", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register_password() -> str | Response:
    answers = _draft_answers()
    if "email" not in answers:
        return redirect(url_for(".register_email"))
    if "first_name" not in answers:
        return redirect(url_for(".register_details"))
    form = PasswordForm(email=answers["email"])
    if form.validate_on_submit():
        accounts.register(answers["email"], form.password.data, answers)
        registration.discard(session.pop(REGISTRATION_KEY, None))
        session[CHECK_EMAIL] = answers["email"]
        return redirect(url_for(".check_email"))
    rules = passwords.evaluate(form.password.data or "", answers["email"], current_app.config)
    return render_template(
        "auth/register_password.html",
        form=form,
        errors=error_list(form),
        rules=rules,
        checked=form.is_submitted(),
    )


@bp.post("/register/password/check")
def password_check() -> str:
    """The htmx checklist under the password field, ticked rule by rule as the family types."""
    password = request.form.get("password", "")
    email = _draft_answers().get("email", "")
    rules = passwords.evaluate(password, email, current_app.config)
    return render_template("auth/_password_checklist.html", rules=rules, checked=bool(password))


@bp.route("/register/check-email", methods=["GET", "POST"])
@_limit("RATELIMIT_EMAIL_RESEND")
def check_email() -> str | Response:
    email = session.get(CHECK_EMAIL)
    if not email:
        return redirect(url_for(".register_email"))
    form = ButtonForm()
    if form.validate_on_submit():
        accounts.resend_activation(email)
        session["resent"] = True
        return redirect(url_for(".check_email"))
    return render_template(
        "auth/check_email.html",
        email=email,
        form=form,
        resent=session.pop("resent", False),
        activate_first=request.args.get("activate_first") == "1",
        hours=current_app.config["ACTIVATION_LINK_HOURS"],
    )


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str) -> str | Response:
    form = ButtonForm()
    if form.validate_on_submit():
        lookup = accounts.activate(token)
        if lookup.state == tokens.VALID:
            session["activated"] = True
            return redirect(url_for(".sign_in"))
    else:
        lookup = tokens.look_up(token, "activate")
        if lookup.state == tokens.VALID:
            return render_template("auth/activate.html", form=form)
    return _activation_problem(lookup)


def _activation_problem(lookup: tokens.TokenLookup) -> str:
    already_active = bool(lookup.token and lookup.token.user.is_activated)
    return render_template(
        "auth/activation_problem.html",
        state=lookup.state,
        already_active=already_active,
        form=ActivationRequestForm(),
        errors=[],
    )


@bp.route("/activate/new-link", methods=["GET", "POST"])
@_limit("RATELIMIT_EMAIL_RESEND")
def new_activation_link() -> str | Response:
    form = ActivationRequestForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        accounts.resend_activation(email)
        session[CHECK_EMAIL] = email
        return redirect(url_for(".check_email"))
    return render_template(
        "auth/activation_problem.html",
        state="request",
        already_active=False,
        form=form,
        errors=error_list(form),
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@_limit("RATELIMIT_SIGN_IN")
def sign_in() -> str | Response:
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("account.home"))
    form = SignInForm()
    locked_until = None
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data)
        if result.outcome == "ok":
            _start_session(result.user)
            return redirect(next_url if is_safe_next(next_url) else url_for("account.home"))
        if result.outcome == "not_activated":
            session[CHECK_EMAIL] = result.user.email
            return redirect(url_for(".check_email", activate_first=1))
        if result.outcome == "locked":
            locked_until = result.locked_until
        else:
            form.email.errors.append("Enter a correct email address and password")
    form.password.data = ""
    return render_template(
        "auth/sign_in.html",
        form=form,
        errors=error_list(form),
        locked_until=locked_until,
        activated=session.pop("activated", False),
        timed_out=session.pop("timed_out", False),
        next_url=next_url if is_safe_next(next_url) else None,
    )


def _start_session(user: User) -> None:
    """A fresh session for a fresh sign-in: nothing from before survives."""
    session.clear()
    login_user(user, remember=False)
    moment = int(clock.now().timestamp())
    session["signed_in_at"] = moment
    session["last_seen"] = moment


@bp.post("/sign-out")
def sign_out() -> Response:
    if current_user.is_authenticated:
        accounts.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    response = redirect(url_for(".signed_out"))
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.get("/signed-out")
def signed_out() -> str:
    return render_template("auth/signed_out.html")
