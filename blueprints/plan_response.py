"""The family's response to a draft EHC plan: their views section by section (saved as they type, by the
same pages as Appendix A), then checked and sent once, by the last day to comment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints.access import family_required
from blueprints.sectioned_form import FormPages, answers_to_show, save_as_typed, save_posted, section_page
from forms import error_list
from forms.send import PlanResponseForm
from models import AssessmentRequest, PlanResponse
from models.cases import CaseStep
from models.documents import WITH_ANSWER
from services import (
    assessment_requests,
    cases,
    notices,
    plan_response,
    sectioned_forms,
)
from services.appendix_a import Section

bp = Blueprint("plan_response", __name__, url_prefix="/send/requests/<public_id>/draft-plan")

CAPTION = "Your views on the draft EHC plan"


def _case_or_404(public_id: str, autosaving: bool = False) -> tuple[AssessmentRequest, PlanResponse | None]:
    """The family's own case once a draft plan has been sent (404 before, and for anyone else), with
    their response to it if they have started one."""
    found = assessment_requests.family_request(current_user, public_id, autosaving)
    if found is None or found.is_draft:
        abort(404)
    response = plan_response.response_of(found)
    if found.step != CaseStep.DRAFT_PLAN_SENT and response is None:
        abort(404)
    return found, response


def _section_or_404(key: str) -> Section:
    section = plan_response.section_for(key)
    if section is None:
        abort(404)
    return section


def _pages(found: AssessmentRequest, section: Section) -> FormPages:
    to_check = request.args.get("return") == "check"
    query: dict[str, Any] = {"return": "check"} if to_check else {}
    return FormPages(
        caption=CAPTION,
        back=url_for(".check" if to_check else ".overview", public_id=found.public_id),
        action=url_for(".section", public_id=found.public_id, key=section.key, **query),
        autosave=url_for(".autosave", public_id=found.public_id, key=section.key),
    )


def _shown(found: AssessmentRequest, response: PlanResponse | None) -> dict[str, Any]:
    timeline = cases.timeline(found, current_user)
    sent_with = cases.latest_move(timeline, CaseStep.DRAFT_PLAN_SENT)
    return dict(
        request_=found,
        response=response,
        answers=(response.answers if response else {}) or {},
        sections=[
            (section, sectioned_forms.status_of(response, section) if response else "not_started")
            for section in plan_response.SECTIONS
        ],
        is_open=plan_response.is_open(found, response),
        due_on=found.family_due_on or (sent_with.respond_by if sent_with else None),
        draft_plan=sent_with.documents[0] if sent_with and sent_with.documents else None,
        team_email=current_app.config["TEAM_EMAIL"],
    )


@bp.get("")
@family_required
def overview(public_id: str) -> str:
    found, response = _case_or_404(public_id)
    return render_template("plan_response/overview.html", **_shown(found, response))


@bp.route("/<key>", methods=["GET", "POST"])
@family_required
def section(public_id: str, key: str) -> ResponseReturnValue:
    found, response = _case_or_404(public_id)
    section = _section_or_404(key)
    if not plan_response.is_open(found, response):
        return _closed(found, response)
    if request.method == "GET":
        # Before the first save, a response not yet written, at the version its first save will have
        record = response or PlanResponse(answers={}, section_status={}, version=1)
        answers, reason = answers_to_show(record, section)
        return section_page(record, section, answers, _pages(found, section), kept_reason=reason)
    return _save(found, section, response)


def _closed(found: AssessmentRequest, response: PlanResponse | None) -> tuple[str, int]:
    """After the last day, or once sent: the page says so (and what to do if late); nothing is saved."""
    return render_template("plan_response/overview.html", **_shown(found, response)), 409


def _save(found: AssessmentRequest, section: Section, started: PlanResponse | None) -> ResponseReturnValue:
    response = plan_response.response_for_saving(current_user, found, started)
    shown = save_posted(current_user, response, section, _pages(found, section), audited=found)
    if shown is not None:
        return shown
    action = request.form.get("action", "continue")
    if action == "later":
        flash(
            f"Your views have been saved. You can come back to “{section.title}” until the last day.",
            notices.SUCCESS,
        )
        return redirect(url_for(".overview", public_id=found.public_id))
    if request.args.get("return") == "check":
        return redirect(url_for(".check", public_id=found.public_id))
    return redirect(url_for(".overview", public_id=found.public_id))


@bp.post("/<key>/autosave")
@family_required
def autosave(public_id: str, key: str) -> str:
    found, response = _case_or_404(public_id, autosaving=True)
    section = _section_or_404(key)
    if not plan_response.is_open(found, response):
        return render_template("plan_response/_closed_autosave.html")
    response = plan_response.response_for_saving(current_user, found, response)
    return save_as_typed(current_user, response, section, audited=found)


@bp.get("/check")
@family_required
def check(public_id: str) -> ResponseReturnValue:
    found, response = _case_or_404(public_id)
    if not plan_response.is_open(found, response):
        return _closed(found, response)
    return _check_page(found, response, PlanResponseForm(formdata=None))


def _check_page(found, response, form, missing_shown: bool = False, status: int = 200) -> tuple[str, int]:
    missing = plan_response.incomplete_sections(response)
    errors = error_list(form)
    if missing_shown:
        errors = [(f"section-{section.key}", f"Complete “{section.title}”") for section in missing] + errors
    page = render_template(
        "plan_response/check.html", **_shown(found, response), form=form, missing=missing, errors=errors
    )
    return page, status


@bp.post("/send")
@family_required
def send(public_id: str) -> ResponseReturnValue:
    found, response = _case_or_404(public_id)
    form = PlanResponseForm()
    if not plan_response.is_open(found, response):
        return _closed(found, response)
    if plan_response.incomplete_sections(response) or not form.validate_on_submit():
        return _check_page(found, response, form, missing_shown=True)
    assert response is not None  # every section is completed
    sent_with = form.documents_to_add(current_user, WITH_ANSWER, found)
    if sent_with is None:
        return _check_page(found, response, form)
    try:
        plan_response.send(current_user, found, response, sent_with)
    except plan_response.NotOpen:
        return _closed(found, plan_response.response_of(found))
    flash("Your response has been sent to the team", notices.SUCCESS)
    return redirect(url_for("appendix_a.progress", public_id=public_id))
