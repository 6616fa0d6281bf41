"""Appendix A online: the task list, one page per section, autosave, check answers and submit."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints import STOP_POLLING, is_htmx, live_panel, unchanged_since_shown
from blueprints.access import family_may_poll, family_required
from blueprints.documents import checking_only, upload_check
from blueprints.sectioned_form import (
    FormPages,
    answers_to_show,
    conflict_page,
    save_as_typed,
    section_page,
    tab_sent,
    version_sent,
)
from extensions import reads_only
from forms import ButtonForm, error_list
from forms.documents import UploadForm
from forms.send import CaseAnswerForm, WithdrawForm
from models import LINK_APPROVED, CaseStep, Document
from models.cases import WITHDRAWABLE_STEPS
from models.documents import PLAN, TEAM_LETTER, WITH_ANSWER
from services import (
    advice,
    appendix_a,
    assessment_requests,
    cases,
    children,
    documents,
    notices,
    plan_response,
    plans,
    sectioned_forms,
    statutory,
)

bp = Blueprint("appendix_a", __name__, url_prefix="/send/requests")


def _own_request_or_404(public_id: str, autosaving: bool = False):
    found = assessment_requests.family_request(current_user, public_id, autosaving)
    if found is None:
        abort(404)
    return found


def _own_case_or_404(public_id: str):
    """One of this family's requests once submitted (a case); 404 for a draft as for anyone else's."""
    found = _own_request_or_404(public_id)
    if found.is_draft:
        abort(404)
    return found


def _own_draft_or_404(public_id: str, autosaving: bool = False):
    found = _own_request_or_404(public_id, autosaving)
    if not found.is_draft:
        abort(404)
    return found


def _section_or_404(found, key: str):
    section = assessment_requests.section_of(found, key)
    if section is None:
        abort(404)
    return section


@bp.route("/new", methods=["GET", "POST"])
@family_required
def start() -> ResponseReturnValue:
    user = current_user._get_current_object()
    linked = [link.child for link in children.links_of(user) if link.state == LINK_APPROVED and link.child]
    choice = request.form.get("child")
    error = None
    if request.method == "POST":
        chosen = next((child for child in linked if child.public_id == choice), None)
        if chosen is None and choice != "new":
            error = "Select who the request is for"
        else:
            draft = assessment_requests.open_draft_for(user, chosen) if chosen else None
            draft = draft or assessment_requests.start(user, chosen)
            return redirect(url_for(".task_list", public_id=draft.public_id))
    return render_template(
        "appendix_a/start.html",
        linked=linked,
        error=error,
        errors=[("child", error)] if error else [],
        form=ButtonForm(),
    )


@bp.get("/<public_id>")
@reads_only
@family_required
def task_list(public_id: str) -> str:
    found = _own_request_or_404(public_id)
    if not found.is_draft:
        return _read_only(found)
    return render_template(
        "appendix_a/task_list.html",
        request_=found,
        sections=[
            (section, assessment_requests.status_of(found, section))
            for section in assessment_requests.sections_of(found)
        ],
        completed=assessment_requests.completed_count(found),
    )


@bp.get("/<public_id>/progress")
@reads_only
@family_required
def progress(public_id: str) -> ResponseReturnValue:
    """Where a submitted request is, what happens next and by when, and everything that has happened."""
    found = _own_request_or_404(public_id)
    if found.is_draft:
        return redirect(url_for(".task_list", public_id=public_id))
    return render_template(
        "appendix_a/progress.html", **_progress(found), answer_form=CaseAnswerForm(formdata=None)
    )


@bp.post("/<public_id>/progress/answer")
@family_required
def answer(public_id: str) -> ResponseReturnValue:
    """The family answers the team's request for more information; the case goes back to its officer."""
    found = _own_case_or_404(public_id)
    form = CaseAnswerForm()
    if found.step != CaseStep.MORE_INFORMATION:
        return render_template(
            "appendix_a/progress.html", **_progress(found), answer_form=form, conflict=True
        ), 409
    if not form.validate_on_submit():
        return render_template(
            "appendix_a/progress.html", **_progress(found), answer_form=form, errors=error_list(form)
        )
    sent_with = form.documents_to_add(current_user, WITH_ANSWER, found)
    if sent_with is None:
        return render_template(
            "appendix_a/progress.html", **_progress(found), answer_form=form, errors=error_list(form)
        )
    try:
        cases.answer(current_user, found, form.answer.data, sent_with)
    except cases.ActedFirst:
        return render_template(
            "appendix_a/progress.html", **_progress(found), answer_form=form, conflict=True
        ), 409
    flash("Your answer has been sent to the team", notices.SUCCESS)
    return redirect(url_for(".progress", public_id=public_id))


@bp.route("/<public_id>/withdraw", methods=["GET", "POST"])
@family_required
def withdraw(public_id: str) -> ResponseReturnValue:
    """The family withdraws a request they no longer want assessed, until a final plan is issued."""
    found = _own_case_or_404(public_id)
    form = WithdrawForm()
    can_withdraw = cases.step_of(found) in WITHDRAWABLE_STEPS
    if can_withdraw and form.validate_on_submit():
        try:
            cases.withdraw(current_user, found, form.reason.data)
        except (cases.ActedFirst, cases.StepNotAllowed):
            can_withdraw = False
        else:
            flash("Your request has been withdrawn", notices.SUCCESS)
            return redirect(url_for(".progress", public_id=public_id))
    status = 409 if request.method == "POST" and not can_withdraw else 200
    page = render_template(
        "appendix_a/withdraw.html",
        request_=found,
        form=form,
        can_withdraw=can_withdraw,
        errors=error_list(form) if can_withdraw else [],
    )
    return page, status


@bp.get("/<public_id>/progress/status")
@reads_only
def progress_status(public_id: str) -> ResponseReturnValue:
    """The Progress page's changing part, for its poll: 304 while the case is as the page shows it; when
    it has changed, the new part and a polite "Update: ..." for the live region; 286 once it has ended
    or the session has (never a sign-in page swapped into the panel). A poll never renews the session."""
    if not family_may_poll():
        return "", STOP_POLLING
    version = assessment_requests.family_case_version(current_user, public_id)
    if version is None:
        abort(404)
    etag = f'"case-{version}"'
    if (not_modified := unchanged_since_shown(etag)) is not None:
        return not_modified
    found = _own_request_or_404(public_id)
    shown = _progress(found)
    latest = shown["timeline_entries"][-1] if shown["timeline_entries"] else None
    body = render_template(
        "appendix_a/_progress_panel.html", **shown, announcement=f"Update: {latest.title}" if latest else ""
    )
    return live_panel(body, etag, still_changing=shown["step"].is_open)


def _progress(found) -> dict[str, Any]:
    timeline = cases.timeline(found, current_user)
    return dict(
        request_=found,
        step=cases.step_of(found),
        next_due=cases.next_due(found, current_app.config["DRAFT_PLAN_WEEKS"]),
        appeal_until=cases.appeal_until(found),
        timeline_entries=timeline,
        letters=[
            document
            for entry in reversed(timeline)
            for document in entry.documents
            if document.category in (TEAM_LETTER, PLAN)
        ],
        draft_plan=_documents_at(cases.latest_move(timeline, CaseStep.DRAFT_PLAN_SENT)),
        comment_open=found.step == CaseStep.DRAFT_PLAN_SENT
        and plan_response.is_open(found, plan_response.response_of(found)),
        final_plan=_final_plan(found, cases.latest_move(timeline, CaseStep.FINAL_PLAN_ISSUED)),
        asked_for=cases.latest_move(timeline, CaseStep.MORE_INFORMATION),
        advice_asked=advice.for_family(found),
        team_email=current_app.config["TEAM_EMAIL"],
        poll_seconds=current_app.config["PROGRESS_POLL_SECONDS"],
        can_withdraw=cases.step_of(found) in WITHDRAWABLE_STEPS,
    )


def _documents_at(entry: cases.TimelineEntry | None) -> Document | None:
    return entry.documents[0] if entry and entry.documents else None


def _final_plan(found, entry: cases.TimelineEntry | None) -> dict | None:
    """When the final plan was issued, and whether within the 20 weeks the law allows."""
    if entry is None or found.received_on is None:
        return None
    issued = entry.at.astimezone(statutory.UK).date()
    due = statutory.final_plan_due(found.received_on)
    return {
        "issued_on": issued,
        "document": _documents_at(entry),
        "weeks": statutory.weeks_taken(found.received_on, issued),
        "standing": statutory.standing(due, issued, cases.exceptions_of(found), issued),
        "plan": (plan := plans.plan_of_case(found)),
        "reviews": plans.reviews_of(plan) if plan else [],
    }


def _read_only(found) -> str:
    return render_template(
        "appendix_a/view.html",
        request_=found,
        sections=assessment_requests.sections_of(found),
        documents=documents.documents_for(current_user, request=found),
        user=current_user,
        delete_form=None,
    )


def _pages(found, section) -> FormPages:
    back_to_check = request.args.get("return") == "check"
    query: dict[str, Any] = {"return": "check"} if back_to_check else {}
    return FormPages(
        caption="Request an EHC needs assessment",
        back=url_for(".check_answers" if back_to_check else ".task_list", public_id=found.public_id),
        action=url_for(".section", public_id=found.public_id, key=section.key, **query),
        autosave=url_for(".autosave", public_id=found.public_id, key=section.key),
    )


def _section_page(
    found, section, answers, problems=None, saved_at=None, upload_form=None, kept_reason=None
) -> str:
    if upload_form is None and section.uploads:
        upload_form = UploadForm()
    return section_page(
        found,
        section,
        answers,
        _pages(found, section),
        problems,
        extra_errors=error_list(upload_form) if upload_form else [],
        kept_reason=kept_reason,
        request_=found,
        saved_at=saved_at,
        upload_errors=upload_form.files.errors if upload_form else (),
        upload_form=upload_form,
        documents=documents.documents_for(current_user, request=found) if section.uploads else [],
        user=current_user,
        delete_form=ButtonForm(),
    )


@bp.route("/<public_id>/sections/<key>", methods=["GET", "POST"])
@reads_only
@family_required
def section(public_id: str, key: str) -> ResponseReturnValue:
    found = _own_draft_or_404(public_id)
    section = _section_or_404(found, key)
    if request.method == "GET":
        answers, reason = answers_to_show(found, section)
        return _section_page(found, section, answers, kept_reason=reason)
    return _save(found, section)


def _save(found, section) -> ResponseReturnValue:
    answers = appendix_a.read_section(section, request.form)
    action = request.form.get("action", "continue")
    changing_rows = action.startswith(("add:", "remove:"))
    row_change = appendix_a.change_rows(section, answers, action) if changing_rows else None
    if row_change:
        answers = row_change.answers
    complete = request.form.get("completed") == "yes" and not changing_rows
    saved = sectioned_forms.save_section(
        current_user, found, section, answers, version_sent(), complete, tab_sent()
    )
    if saved.conflict:
        return conflict_page(
            found,
            section,
            answers,
            saved.newer_answers,
            url_for(".section", public_id=found.public_id, key=section.key),
        )
    back_to_check = request.args.get("return") == "check"
    if row_change and not saved.problems:
        return _back_to_changed_row(found, section, row_change, back_to_check)
    if changing_rows or (saved.problems and action != "later"):
        return _section_page(found, section, answers, saved.problems, saved_at=found.updated_at)
    if action == "later":
        flash(
            f"Your answers have been saved. You can come back to “{section.title}” at any time.",
            notices.SUCCESS,
        )
        return redirect(url_for("send.home"))
    if back_to_check:
        return redirect(url_for(".check_answers", public_id=found.public_id))
    return redirect(url_for(".task_list", public_id=found.public_id))


def _back_to_changed_row(
    found, section, change: appendix_a.RowChange, back_to_check: bool
) -> ResponseReturnValue:
    """Post/Redirect/Get to the new row's first field, or to the group's heading after a removal:
    the browser focuses the #target, JavaScript or not."""
    if change.announcement:
        notices.announce_row(change.group_key, change.announcement)
    query: dict[str, Any] = {"return": "check"} if back_to_check else {}
    url = url_for(".section", public_id=found.public_id, key=section.key, _anchor=change.return_to, **query)
    return redirect(url)


@bp.post("/<public_id>/sections/<key>/autosave")
@family_required
def autosave(public_id: str, key: str) -> str:
    """Saves as the family types (htmx). Answers a few hundred bytes: when it was saved, or why not."""
    found = _own_draft_or_404(public_id, autosaving=True)
    section = _section_or_404(found, key)
    return save_as_typed(current_user, found, section)


@bp.route("/<public_id>/delete", methods=["GET", "POST"])
@family_required
def delete(public_id: str) -> ResponseReturnValue:
    found = _own_draft_or_404(public_id)
    form = ButtonForm()
    if form.validate_on_submit():
        assessment_requests.delete_draft(current_user, found)
        flash("Your draft request has been deleted", notices.SUCCESS)
        return redirect(url_for("send.home"))
    return render_template("appendix_a/delete.html", request_=found, form=form)


@bp.get("/<public_id>/check")
@reads_only
@family_required
def check_answers(public_id: str) -> str:
    found = _own_draft_or_404(public_id)
    missing = assessment_requests.incomplete_sections(found)
    return render_template(
        "appendix_a/check.html",
        request_=found,
        sections=assessment_requests.sections_of(found),
        documents=documents.documents_for(current_user, request=found),
        missing=missing,
        errors=[(f"section-{s.key}", f"Complete the section “{s.title}”") for s in missing]
        if request.args.get("incomplete")
        else [],
        form=ButtonForm(),
    )


@bp.post("/<public_id>/submit")
@family_required
def submit(public_id: str) -> ResponseReturnValue:
    found = _own_draft_or_404(public_id)
    if assessment_requests.submit(current_user, found):
        return redirect(url_for(".check_answers", public_id=public_id, incomplete=1))
    return redirect(url_for(".submitted", public_id=public_id))


@bp.get("/<public_id>/submitted")
@family_required
def submitted(public_id: str) -> str:
    found = _own_case_or_404(public_id)
    return render_template("appendix_a/submitted.html", request_=found)


@bp.route("/<public_id>/documents", methods=["POST"])
@family_required
def upload(public_id: str) -> ResponseReturnValue:
    found = _own_draft_or_404(public_id)
    form = UploadForm()
    section = _section_or_404(found, "documents")
    if checking_only():
        return upload_check(form, url_for(".upload", public_id=public_id), secondary=True)
    outcome = None
    if form.validate_on_submit():
        uploads = documents.received(form.chosen_files())
        outcome = documents.save_uploads(
            current_user, uploads, form.category.data, form.description.data, request=found
        )
    if is_htmx():
        return render_template(
            "documents/_upload_result.html",
            outcome=outcome,
            errors=error_list(form),
            documents=documents.documents_for(current_user, request=found),
            user=current_user,
            delete_form=ButtonForm(),
        )
    if outcome is None or outcome.errors:
        if outcome is not None:
            form.files.errors = [*form.files.errors, *outcome.errors]
        return _section_page(found, section, {}, upload_form=form)
    flash("Uploaded " + ", ".join(doc.original_name for doc in outcome.saved), notices.SUCCESS)
    return redirect(url_for(".section", public_id=public_id, key="documents"))
