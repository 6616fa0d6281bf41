"""Registering, activating, signing in and out, resetting a password and confirming a new address."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from blueprints import is_safe_next, limit_posts, new_password_page, start_session
from forms import ButtonForm, error_list
from forms.auth import (
    ActivationRequestForm,
    DetailsForm,
    ForgottenPasswordForm,
    PasswordForm,
    RegisterEmailForm,
    ResetPasswordForm,
    SignInForm,
)
from models import PURPOSE_EMAIL_CHANGE, PURPOSE_RESET, User
from services import accounts, credentials, notices, passwords, registration, tokens

bp = Blueprint("auth", __name__)

REGISTRATION_KEY = "registration_key"
CHECK_EMAIL = "check_email"


def _draft_answers() -> dict:
    draft = registration.load(session.get(REGISTRATION_KEY))
    return dict(draft.answers) if draft else {}


def _save_answers(answers: dict) -> None:
    session[REGISTRATION_KEY] = registration.save(session.get(REGISTRATION_KEY), answers)


@bp.route("/register", methods=["GET", "POST"])
@limit_posts("RATELIMIT_REGISTER")
def register_email() -> ResponseReturnValue:
    answers = _draft_answers()
    form = RegisterEmailForm(data={"email": answers.get("email"), "confirm_email": answers.get("email")})
    if form.validate_on_submit():
        _save_answers({"email": accounts.normalise_email(form.email.data)})
        return redirect(url_for(".register_details"))
    return render_template("auth/register_email.html", form=form, errors=error_list(form))


@bp.route("/register/details", methods=["GET", "POST"])
@limit_posts("RATELIMIT_REGISTER")
def register_details() -> ResponseReturnValue:
    answers = _draft_answers()
    if "email" not in answers:
        return redirect(url_for(".register_email"))
    form = DetailsForm(data=answers)
    if form.validate_on_submit():
        _save_answers({name: form[name].data or "" for name in accounts.DETAIL_FIELDS})
        return redirect(url_for(".register_password"))
    return render_template("auth/register_details.html", form=form, errors=error_list(form))


@bp.route("/register/password", methods=["GET", "POST"])
@limit_posts("RATELIMIT_REGISTER")
def register_password() -> ResponseReturnValue:
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
    return new_password_page("auth/register_password.html", form, answers["email"])


@bp.post("/register/password/check")
def password_check() -> str:
    """The htmx checklist under the password field, ticked rule by rule as the family types."""
    password = request.form.get("password", "")
    email = _checklist_email()
    rules = passwords.evaluate(password, email, current_app.config)
    return render_template("auth/_password_checklist.html", rules=rules, checked=bool(password))


def _checklist_email() -> str:
    """The username the password must differ from: the signed-in account's, the account being
    reset, or the address being registered."""
    if current_user.is_authenticated:
        return current_user.email
    reset_user = _reset_grant_user()
    if reset_user is not None:
        return reset_user.email
    return _draft_answers().get("email", "")


@bp.route("/register/check-email", methods=["GET", "POST"])
@limit_posts("RATELIMIT_EMAIL_RESEND")
def check_email() -> ResponseReturnValue:
    email = session.get(CHECK_EMAIL)
    if not email:
        return redirect(url_for(".register_email"))
    form = ButtonForm()
    if form.validate_on_submit():
        accounts.resend_activation(email)
        flash(
            f"If your account is waiting to be activated, we have sent a new link to {email}.",
            notices.LINK_RESENT,
        )
        return redirect(url_for(".check_email"))
    return render_template(
        "auth/check_email.html",
        email=email,
        form=form,
        activate_first=request.args.get("activate_first") == "1",
        hours=current_app.config["ACTIVATION_LINK_HOURS"],
    )


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str) -> ResponseReturnValue:
    form = ButtonForm()
    if form.validate_on_submit():
        lookup = accounts.activate(token)
        if lookup.state == tokens.VALID:
            flash("Your account has been activated", notices.ACTIVATED)
            return redirect(url_for(".sign_in"))
    else:
        lookup = tokens.look_up(token, "activate")
        if lookup.state == tokens.VALID:
            return render_template(
                "auth/confirm_link.html",
                heading="Activate your account",
                text="Select the button to confirm your email address and finish registering.",
                button="Activate my account",
                form=form,
            )
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
@limit_posts("RATELIMIT_EMAIL_RESEND")
def new_activation_link() -> ResponseReturnValue:
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
@limit_posts("RATELIMIT_SIGN_IN")
def sign_in() -> ResponseReturnValue:
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("account.home"))
    form = SignInForm()
    locked_until = None
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data)
        if result.outcome == "ok":
            assert result.user is not None  # "ok" and "not_activated" always name the account
            start_session(result.user)
            landing = url_for("staff.home") if result.user.is_staff else url_for("account.home")
            return redirect(next_url if is_safe_next(next_url) else landing)
        if result.outcome == "not_activated":
            assert result.user is not None
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
        next_url=next_url if is_safe_next(next_url) else None,
    )


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
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


# --- Forgotten password ------------------------------------------------------------------------

RESET_GRANT = "password_reset"


@bp.route("/password/forgotten", methods=["GET", "POST"])
@limit_posts("RATELIMIT_EMAIL_RESEND")
def forgotten_password() -> ResponseReturnValue:
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        credentials.request_reset(form.email.data)
        session["reset_email"] = accounts.normalise_email(form.email.data)
        return redirect(url_for(".reset_check_email"))
    return render_template("auth/forgotten_password.html", form=form, errors=error_list(form))


@bp.get("/password/forgotten/check-email")
def reset_check_email() -> ResponseReturnValue:
    email = session.get("reset_email")
    if not email:
        return redirect(url_for(".forgotten_password"))
    return render_template(
        "auth/reset_check_email.html", email=email, minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"]
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_link(token: str) -> ResponseReturnValue:
    form = ButtonForm()
    if form.validate_on_submit():
        lookup = credentials.open_reset_link(token)
        if lookup.state == tokens.VALID:
            assert lookup.token is not None  # a valid lookup always carries its token
            session[RESET_GRANT] = lookup.token.id
            return redirect(url_for(".reset_password"))
    else:
        lookup = tokens.look_up(token, PURPOSE_RESET)
        if lookup.state == tokens.VALID:
            return render_template(
                "auth/confirm_link.html",
                heading="Reset your password",
                text="Select the button to choose a new password.",
                button="Choose a new password",
                form=form,
            )
    return render_template("auth/link_problem.html", kind="reset", state=lookup.state)


def _reset_grant_user() -> User | None:
    grant = credentials.reset_grant(session.get(RESET_GRANT))
    return grant.user if grant else None


def _reset_grant_ended() -> str:
    session.pop(RESET_GRANT, None)
    return render_template("auth/link_problem.html", kind="reset", state=tokens.EXPIRED)


@bp.route("/password/reset", methods=["GET", "POST"])
@limit_posts("RATELIMIT_PASSWORD")
def reset_password() -> ResponseReturnValue:
    grant = credentials.reset_grant(session.get(RESET_GRANT))
    if grant is None:
        return _reset_grant_ended()
    form = ResetPasswordForm(email=grant.user.email)
    if form.validate_on_submit():
        try:
            problems = credentials.reset_password(grant, form.password.data)
        except credentials.ResetGrantEnded:
            return _reset_grant_ended()
        if not problems:
            session.pop(RESET_GRANT, None)
            logout_user()
            flash("Your password has been changed", notices.SUCCESS)
            return redirect(url_for(".sign_in"))
        form.password.errors = [*form.password.errors, *problems]
    return new_password_page("auth/reset_password.html", form, grant.user.email)


# --- Confirming a new email address ------------------------------------------------------------


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> ResponseReturnValue:
    form = ButtonForm()
    if form.validate_on_submit():
        lookup = credentials.confirm_email_change(token)
        if lookup.state == tokens.VALID:
            logout_user()
            session.clear()
            flash("Your email address has been changed", notices.SUCCESS)
            return redirect(url_for(".sign_in"))
    else:
        lookup = tokens.look_up(token, PURPOSE_EMAIL_CHANGE)
        if lookup.state == tokens.VALID:
            assert lookup.token is not None
            return render_template(
                "auth/confirm_link.html",
                heading="Confirm your new email address",
                text=f"Select the button to sign in with {lookup.token.new_email} from now on.",
                button="Confirm my new email address",
                form=form,
            )
    return render_template("auth/link_problem.html", kind="email", state=lookup.state)
