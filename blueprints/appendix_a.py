"""Appendix A online: the task list, one page per section, autosave, check answers and submit."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from blueprints import is_htmx
from blueprints.send import family_required
from forms import ButtonForm, error_list
from forms.documents import UploadForm
from models import LINK_APPROVED
from models.audit import VIEWED
from services import appendix_a, assessment_requests, audit, children, documents
from services.appendix_a import SECTIONS, SECTIONS_BY_KEY
from services.clock import uk_time

bp = Blueprint("appendix_a", __name__, url_prefix="/send/requests")

NOTICE = "appendix_a_notice"


def _own_request_or_404(public_id: str):
    found = assessment_requests.family_request(current_user, public_id)
    if found is None:
        abort(404)
    return found


def _own_draft_or_404(public_id: str):
    found = _own_request_or_404(public_id)
    if not found.is_draft:
        abort(404)
    return found


def _section_or_404(key: str):
    section = SECTIONS_BY_KEY.get(key)
    if section is None:
        abort(404)
    return section


@bp.route("/new", methods=["GET", "POST"])
@family_required
def start() -> str | Response:
    user = current_user._get_current_object()
    linked = [link.child for link in children.links_of(user) if link.state == LINK_APPROVED]
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
@family_required
def task_list(public_id: str) -> str:
    found = _own_request_or_404(public_id)
    audit.record_now(current_user, VIEWED, found)
    if not found.is_draft:
        return _read_only(found)
    return render_template(
        "appendix_a/task_list.html",
        request_=found,
        sections=[(section, assessment_requests.status_of(found, section)) for section in SECTIONS],
        completed=assessment_requests.completed_count(found),
        notice=session.pop(NOTICE, None),
    )


def _read_only(found) -> str:
    return render_template(
        "appendix_a/view.html",
        request_=found,
        sections=SECTIONS,
        documents=documents.documents_for(current_user, request=found),
        user=current_user,
        delete_form=None,
    )


def _section_page(found, section, answers, problems=None, saved_at=None, upload_errors=()) -> str:
    problems = problems or appendix_a.Problems()
    return render_template(
        "appendix_a/section.html",
        request_=found,
        section=section,
        answers=answers,
        problems=problems,
        errors=[*problems.summary(), *(("files", message) for message in upload_errors)],
        upload_errors=upload_errors,
        status=assessment_requests.status_of(found, section),
        saved_at=saved_at,
        return_to_check=request.args.get("return") == "check",
        upload_form=UploadForm() if section.uploads else None,
        documents=documents.documents_for(current_user, request=found) if section.uploads else [],
        user=current_user,
        delete_form=ButtonForm(),
        notice=session.pop(NOTICE, None),
        max_characters=current_app.config["APPENDIX_A_MAX_CHARACTERS"],
        tab=secrets.token_hex(8),
    )


def _change_rows(section, answers: dict, action: str) -> dict:
    """Add or remove a row of a repeatable group, as asked by the button pressed."""
    verb, _, rest = action.partition(":")
    group_key, _, row = rest.partition(":")
    group = next((g for g in section.groups if g.key == group_key), None)
    if group is None:
        return answers
    rows = list(answers.get(group.key) or [])
    if verb == "add":
        rows.append(appendix_a.blank_row(group))
    elif verb == "remove" and row.isdigit() and int(row) < len(rows):
        rows.pop(int(row))
    return {**answers, group.key: rows}


@bp.route("/<public_id>/sections/<key>", methods=["GET", "POST"])
@family_required
def section(public_id: str, key: str) -> str | Response:
    found = _own_draft_or_404(public_id)
    section = _section_or_404(key)
    if request.method == "GET":
        audit.record_now(current_user, VIEWED, found)
        answers = (found.answers or {}).get(section.key, {})
        for group in section.groups:
            if not answers.get(group.key) and group.min_rows:
                answers = {**answers, group.key: [appendix_a.blank_row(group)] * group.min_rows}
        return _section_page(found, section, answers)
    return _save(found, section)


def _save(found, section) -> str | Response:
    answers = appendix_a.read_section(section, request.form)
    action = request.form.get("action", "continue")
    changing_rows = action.startswith(("add:", "remove:"))
    if changing_rows:
        answers = _change_rows(section, answers, action)
    complete = request.form.get("completed") == "yes" and not changing_rows
    version = _version(request.form)
    tab = request.form.get("tab", "")[:32]
    saved = assessment_requests.save_section(current_user, found, section, answers, version, complete, tab)
    if saved.conflict:
        return _conflict_page(found, section, answers, saved.newer_answers)
    back_to_check = request.args.get("return") == "check"
    if changing_rows or (saved.problems and action != "later"):
        return _section_page(found, section, answers, saved.problems, saved_at=found.updated_at)
    if action == "later":
        session[NOTICE] = f"Your answers have been saved. You can come back to “{section.title}” at any time."
        return redirect(url_for("send.home"))
    if back_to_check:
        return redirect(url_for(".check_answers", public_id=found.public_id))
    return redirect(url_for(".task_list", public_id=found.public_id))


def _version(form: MultiDict) -> int:
    raw = form.get("version", "")
    return int(raw) if raw.isdigit() else -1


def _conflict_page(found, section, mine: dict, theirs: dict | None) -> str:
    resend = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "version")
    ]
    return render_template(
        "appendix_a/conflict.html",
        request_=found,
        section=section,
        mine=mine,
        theirs=theirs or {},
        resend=resend,
        version=found.version,
    )


@bp.post("/<public_id>/sections/<key>/autosave")
@family_required
def autosave(public_id: str, key: str) -> str:
    """Saves as the family types (htmx). Answers a few hundred bytes: when it was saved, or why not."""
    found = _own_draft_or_404(public_id)
    section = _section_or_404(key)
    answers = appendix_a.read_section(section, request.form)
    complete = request.form.get("completed") == "yes"
    saved = assessment_requests.save_section(
        current_user,
        found,
        section,
        answers,
        _version(request.form),
        complete,
        request.form.get("tab", "")[:32],
    )
    return render_template(
        "appendix_a/_autosave.html",
        conflict=saved.conflict,
        saved_at=uk_time(found.updated_at),
        version=found.version,
    )


@bp.route("/<public_id>/delete", methods=["GET", "POST"])
@family_required
def delete(public_id: str) -> str | Response:
    found = _own_draft_or_404(public_id)
    form = ButtonForm()
    if form.validate_on_submit():
        assessment_requests.delete_draft(current_user, found)
        session[NOTICE] = "Your draft request has been deleted"
        return redirect(url_for("send.home"))
    return render_template("appendix_a/delete.html", request_=found, form=form)


@bp.get("/<public_id>/check")
@family_required
def check_answers(public_id: str) -> str:
    found = _own_draft_or_404(public_id)
    audit.record_now(current_user, VIEWED, found)
    missing = assessment_requests.incomplete_sections(found)
    return render_template(
        "appendix_a/check.html",
        request_=found,
        sections=SECTIONS,
        documents=documents.documents_for(current_user, request=found),
        missing=missing,
        errors=[(f"section-{s.key}", f"Complete the section “{s.title}”") for s in missing]
        if request.args.get("incomplete")
        else [],
        form=ButtonForm(),
    )


@bp.post("/<public_id>/submit")
@family_required
def submit(public_id: str) -> Response:
    found = _own_draft_or_404(public_id)
    if assessment_requests.submit(current_user, found):
        return redirect(url_for(".check_answers", public_id=public_id, incomplete=1))
    return redirect(url_for(".submitted", public_id=public_id))


@bp.get("/<public_id>/submitted")
@family_required
def submitted(public_id: str) -> str:
    found = _own_request_or_404(public_id)
    if found.is_draft:
        abort(404)
    return render_template("appendix_a/submitted.html", request_=found)


@bp.route("/<public_id>/documents", methods=["POST"])
@family_required
def upload(public_id: str) -> str | Response:
    found = _own_draft_or_404(public_id)
    form = UploadForm()
    section = SECTIONS_BY_KEY["documents"]
    outcome = None
    if form.validate_on_submit():
        uploads = [documents.Incoming(f.filename, f.read()) for f in form.chosen_files()]
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
    if outcome is None:
        messages = [message for field_errors in form.errors.values() for message in field_errors]
        return _section_page(found, section, {}, upload_errors=messages)
    if outcome.errors:
        return _section_page(found, section, {}, upload_errors=outcome.errors)
    session[NOTICE] = "Uploaded " + ", ".join(doc.original_name for doc in outcome.saved)
    return redirect(url_for(".section", public_id=public_id, key="documents"))


def resume_target(user) -> str | None:
    """Where a family signing back in left off: the section of the draft they last edited."""
    draft = assessment_requests.last_edited(user)
    if draft is None or not draft.last_section:
        return None
    return url_for("appendix_a.section", public_id=draft.public_id, key=draft.last_section)
