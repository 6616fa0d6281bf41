"""The SEND section for families: everything here needs the second step in this session."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from blueprints import STOP_POLLING, live_panel, session_limits, unchanged_since_shown
from blueprints.access import family_may_poll, family_required
from extensions import reads_only
from forms import error_list
from forms.send import AccessRequestForm, AnswerForm
from models import LINK_APPROVED, OPEN_LINK_STATES, Child, ChildLink
from models.audit import VIEWED
from services import assessment_requests, audit, children, notices, plans

bp = Blueprint("send", __name__, url_prefix="/send")


def _form_with_kept_answers(form_class: type[FlaskForm]) -> tuple[FlaskForm, str | None]:
    """The page's form, holding what the family typed before a timeout or an expired form, if that was
    kept for this page; and why it was kept."""
    if request.method != "GET":
        return form_class(), None
    kept, reason = session_limits.take_kept_answers(request.full_path.rstrip("?"))
    if kept is None:
        return form_class(), None
    return form_class(formdata=MultiDict(kept)), reason


def _errors(form: FlaskForm, kept_reason: str | None, form_id: str) -> list[tuple[str, str]]:
    expired = session_limits.expired_form_errors(form_id) if kept_reason == "expired_form" else []
    return [*expired, *error_list(form)]


def _what_the_family_sees(link: ChildLink) -> Child | ChildLink:
    """An approved link shows the child's record; any other shows the family's request for access."""
    if link.state == LINK_APPROVED:
        assert link.child is not None  # an approved link always has its child
        return link.child
    return link


@bp.get("")
@reads_only
@family_required
def home() -> str:
    user = current_user._get_current_object()
    links = children.links_of(user)
    approved = [link for link in links if link.state == LINK_APPROVED]
    audit.record_all_now(user, VIEWED, [_what_the_family_sees(link) for link in links])
    return render_template(
        "send/home.html",
        approved=approved,
        waiting=[link for link in links if link.state in OPEN_LINK_STATES],
        closed=[link for link in links if link.state not in (*OPEN_LINK_STATES, LINK_APPROVED)],
        **_requests(user),
    )


def _requests(user) -> dict:
    found = assessment_requests.requests_of(user)
    return {
        "requests": found,
        "requests_version": assessment_requests.version_tag((item.id, item.version) for item in found),
        "poll_requests": any(item.case_step and item.case_step.is_open for item in found),
        "poll_seconds": current_app.config["PROGRESS_POLL_SECONDS"],
    }


@bp.get("/requests-status")
@reads_only
def requests_status() -> ResponseReturnValue:
    """The SEND home's list of requests, for its poll: 304 while none has changed; the new list and a
    polite "Update" when one has; 286 once the session has ended (never a sign-in page in the list)."""
    if not family_may_poll():
        return "", STOP_POLLING
    user = current_user._get_current_object()
    etag = f'"{assessment_requests.requests_version(user)}"'
    if (not_modified := unchanged_since_shown(etag)) is not None:
        return not_modified
    shown = _requests(user)
    body = render_template(
        "send/_requests.html", **shown, announcement="Update: the progress of your requests has changed"
    )
    return live_panel(body, etag, still_changing=shown["poll_requests"])


@bp.route("/access/new", methods=["GET", "POST"])
@family_required
def request_access() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form, kept_reason = _form_with_kept_answers(AccessRequestForm)
    if form.validate_on_submit():
        answers = form.answers()
        existing = children.open_request_for_same_child(
            user, answers["first_name"], answers["last_name"], answers["date_of_birth"]
        )
        if existing is None:
            link = children.request_access(user, answers)
            flash("Your request has been sent", notices.SUCCESS)
            return redirect(url_for(".access_request", public_id=link.public_id))
        form.first_name.errors = [
            "You have already asked to be linked to a child with this name and date of birth"
        ]
    return render_template(
        "send/request_access.html",
        form=form,
        errors=_errors(form, kept_reason, "first_name"),
        kept_reason=kept_reason,
        send_button="Send request",
    )


def _own_link_or_404(public_id: str):
    link = children.family_link(current_user, public_id)
    if link is None:
        abort(404)
    return link


@bp.route("/access/<public_id>", methods=["GET", "POST"])
@family_required
def access_request(public_id: str) -> ResponseReturnValue:
    user = current_user._get_current_object()
    link = _own_link_or_404(public_id)
    form, kept_reason = _form_with_kept_answers(AnswerForm)
    conflict = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            children.answer_question(user, link, form.answer.data)
        except children.NotOpen as error:
            conflict = error.message
        else:
            flash("Your answer has been sent", notices.SUCCESS)
            return redirect(url_for(".access_request", public_id=public_id))
    return render_template(
        "send/access_request.html",
        link=link,
        conflict=conflict,
        form=form,
        errors=_errors(form, kept_reason, "answer"),
        kept_reason=kept_reason,
        send_button="Send your answer",
    )


@bp.get("/children/<public_id>")
@family_required
def child(public_id: str) -> str:
    user = current_user._get_current_object()
    found = children.family_child(user, public_id)
    if found is None:
        abort(404)
    child, link = found
    return render_template("send/child.html", child=child, link=link, plans=plans.shown_to_family(child))
