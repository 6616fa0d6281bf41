"""Your account: details, password and email address, and recent security activity."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from blueprints import is_safe_next, keep_session_after_credential_change, limit_posts, new_password_page
from blueprints.access import second_step_required_when_on
from forms import error_list
from forms.auth import ChangeEmailForm, ChangePasswordForm, DetailsForm
from forms.messages import EmailSettingsForm
from services import accounts, children, credentials, notices, security_events

bp = Blueprint("account", __name__)


def _add_errors(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        form[name].errors = [*form[name].errors, *messages]


@bp.get("/account")
@login_required
def home() -> str:
    return render_template(
        "account/home.html",
        user=current_user,
        expires_at=credentials.expiry_warning(current_user),
        events=security_events.recent(current_user),
    )


@bp.route("/account/emails", methods=["GET", "POST"])
@login_required
def email_settings() -> ResponseReturnValue:
    """How the account is emailed about cases; a young person also chooses who sees their messages."""
    user = current_user._get_current_object()
    asked = _settings_for(user)
    form = EmailSettingsForm(
        data={
            "email_updates": user.email_updates,
            "parents_see_messages": "yes" if user.parents_see_messages else "no",
            "email_on_family_messages": "yes" if user.email_on_family_messages else "no",
        }
    )
    for name in [field.name for field in form if field.name != "csrf_token" and field.name not in asked]:
        del form[name]
    if form.validate_on_submit():
        accounts.update_email_settings(user, {name: form[name].data for name in asked})
        flash("Your email settings have been saved", notices.SUCCESS)
        return redirect(url_for(".home"))
    return render_template("account/email_settings.html", form=form, errors=error_list(form))


def _settings_for(user) -> list[str]:
    if user.is_staff:
        return ["email_on_family_messages"]
    asked = ["email_updates"]
    if children.is_linked_young_person(user):
        asked.append("parents_see_messages")
    return asked


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limit_posts("RATELIMIT_PASSWORD")
def change_password() -> ResponseReturnValue:
    return _password_page(expired=False)


@bp.route("/account/password/expired", methods=["GET", "POST"])
@login_required
@limit_posts("RATELIMIT_PASSWORD")
def expired_password() -> ResponseReturnValue:
    return _password_page(expired=True)


def _password_page(expired: bool) -> ResponseReturnValue:
    user = current_user._get_current_object()
    next_url = request.args.get("next")
    next_url = next_url if is_safe_next(next_url) else None
    form = ChangePasswordForm(email=user.email)
    if form.validate_on_submit():
        errors = credentials.change_password(user, form.current_password.data, form.password.data)
        if not errors:
            keep_session_after_credential_change(user)
            flash("Your password has been changed", notices.SUCCESS)
            return redirect(next_url or url_for(".home"))
        _add_errors(form, errors)
    return new_password_page(
        "account/change_password.html",
        form,
        user.email,
        expired=expired,
        next_url=next_url,
        expires_at=credentials.password_expires_at(user),
    )


@bp.route("/account/details", methods=["GET", "POST"])
@login_required
def change_details() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = DetailsForm(obj=user)
    if form.validate_on_submit():
        credentials.update_details(user, {name: form[name].data for name in accounts.DETAIL_FIELDS})
        flash("Your details have been updated", notices.SUCCESS)
        return redirect(url_for(".home"))
    return render_template("account/change_details.html", form=form, errors=error_list(form))


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@second_step_required_when_on
@limit_posts("RATELIMIT_PASSWORD")
def change_email() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = ChangeEmailForm()
    if form.validate_on_submit():
        errors = credentials.request_email_change(user, form.current_password.data, form.email.data)
        if not errors:
            session["email_change_to"] = accounts.normalise_email(form.email.data)
            return redirect(url_for(".email_check"))
        _add_errors(form, errors)
    return render_template("account/change_email.html", form=form, errors=error_list(form), user=user)


@bp.get("/account/email/check")
@login_required
def email_check() -> ResponseReturnValue:
    new_email = session.get("email_change_to")
    if not new_email:
        return redirect(url_for(".change_email"))
    return render_template(
        "account/email_check.html", new_email=new_email, hours=current_app.config["EMAIL_CHANGE_LINK_HOURS"]
    )
