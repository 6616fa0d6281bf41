"""The SEND Assessment Hub Team's review pages: what is waiting first, then each request and child."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints.access import admin_required, staff_required
from blueprints.case_page import case_page
from forms import ButtonForm, error_list
from forms.staff import (
    ApproveForm,
    AskForm,
    ExceptionForm,
    OfficerForm,
    RejectForm,
    RevokeForm,
    ShareDocumentForm,
    StaffMemberForm,
    StepForm,
)
from models import LINK_APPROVED, AssessmentRequest, CaseStep
from models.cases import PLAN_STEPS, ExceptionKind
from models.documents import PLAN, TEAM_LETTER
from services import (
    accounts,
    assessment_requests,
    audit,
    caseload,
    cases,
    children,
    document_sharing,
    documents,
    messages,
    notices,
    plans,
)
from services.clock import now, uk_datetime

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("")
@staff_required
def home() -> str:
    waiting = children.waiting_requests()
    return render_template(
        "staff/home.html",
        waiting=[(link, children.waited_days(link)) for link in waiting],
        with_families=children.waiting_for_families(),
        new_requests=assessment_requests.new_requests(),
        messages_waiting=messages.waiting_counts(current_user),
    )


def _link_or_404(public_id: str):
    link = children.staff_link(current_user, public_id)
    if link is None:
        abort(404)
    return link


def _request_page(link, approve_form=None, reject_form=None, ask_form=None, conflict=None) -> str:
    matches = children.possible_matches(link)
    open_ = children.decisions_allowed(link)
    if not open_ and (approve_form or reject_form or ask_form):
        conflict = conflict or children.already_done(link)  # a decision sent for a decided request
    approve_form = approve_form or ApproveForm(matches=matches)
    reject_form, ask_form = reject_form or RejectForm(), ask_form or AskForm()
    return render_template(
        "staff/access_request.html",
        link=link,
        matches=matches,
        approve_form=approve_form,
        reject_form=reject_form,
        ask_form=ask_form,
        errors=error_list(approve_form, reject_form, ask_form) if open_ else [],
        open=open_,
        conflict=conflict,
        documents=documents.documents_for(current_user, link=link),
        user=current_user,
        delete_form=None,
    )


def _decided_first(link, error: children.NotOpen) -> tuple[str, int]:
    """Another officer decided first: nothing was changed, sent or logged; say who and when."""
    return _request_page(link, conflict=error.message), 409


@bp.get("/access/<public_id>")
@staff_required
def access_request(public_id: str) -> str:
    return _request_page(_link_or_404(public_id))


def _decided(message: str) -> ResponseReturnValue:
    flash(message, notices.SUCCESS)
    return redirect(url_for(".home"))


@bp.post("/access/<public_id>/approve")
@staff_required
def approve(public_id: str) -> ResponseReturnValue:
    link = _link_or_404(public_id)
    form = ApproveForm(matches=children.possible_matches(link))
    if not form.validate_on_submit():
        return _request_page(link, approve_form=form)
    existing = None if form.child.data == "new" else children.chosen_record(form.child.data)
    try:
        child = children.approve(current_user, link, existing)
    except children.NotOpen as error:
        return _decided_first(link, error)
    return _decided(f"Request approved: the family is linked to {child.full_name}")


@bp.post("/access/<public_id>/reject")
@staff_required
def reject(public_id: str) -> ResponseReturnValue:
    link = _link_or_404(public_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _request_page(link, reject_form=form)
    try:
        children.reject(current_user, link, form.reason.data)
    except children.NotOpen as error:
        return _decided_first(link, error)
    return _decided("Request rejected: the family has been told to sign in to read the reason")


@bp.post("/access/<public_id>/ask")
@staff_required
def ask(public_id: str) -> ResponseReturnValue:
    link = _link_or_404(public_id)
    form = AskForm()
    if not form.validate_on_submit():
        return _request_page(link, ask_form=form)
    try:
        children.ask_for_more(current_user, link, form.question.data)
    except children.NotOpen as error:
        return _decided_first(link, error)
    return _decided("Question sent: the request waits for the family's answer")


@bp.get("/cases")
@staff_required
def cases_page() -> str:
    """Every open case, the next due first; filters in the query string, so it works as plain links."""
    page = request.args.get("page", "1")
    filters = caseload.Filters(
        step=request.args.get("step", ""),
        officer=request.args.get("officer", ""),
        due=request.args.get("due", ""),
        page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
    )
    today = now().date()
    rows, total = caseload.page_of_cases(filters, today)
    return render_template(
        "staff/cases.html",
        rows=rows,
        total=total,
        pages=max(1, -(-total // caseload.PAGE_SIZE)),
        filters=filters,
        query={
            key: value for key, value in request.args.items() if key in ("step", "officer", "due") and value
        },
        counts=caseload.counts(today),
        measure=caseload.within_20_weeks(),
        steps=[step for step in CaseStep if step.is_open],
        officers=caseload.officers(),
        user=current_user,
    )


@bp.get("/cases.csv")
@staff_required
def cases_csv() -> Response:
    return Response(
        caseload.export_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="cases-{now().date().isoformat()}.csv"'},
    )


def _case_or_404(public_id: str) -> AssessmentRequest:
    found = assessment_requests.staff_request(current_user, public_id)
    if found is None:
        abort(404)
    return found


def _changed_first(found: AssessmentRequest, first: cases.ActedFirst) -> tuple[str, int]:
    """Someone changed the case after this page was shown: nothing was changed; say who and when."""
    event = first.event
    message = "This case was changed by someone else first: nothing was changed"
    if event is not None:
        who = event.actor.full_name if event.actor else "someone"
        message = (
            f"{who} changed this case first, at {uk_datetime(event.created_at)}: it is now at "
            f"“{cases.step_of(found).label}”. Nothing was changed"
        )
    return case_page(found, conflict=message), 409


@bp.get("/requests/<public_id>")
@staff_required
def assessment_request(public_id: str) -> str:
    return case_page(_case_or_404(public_id))


@bp.post("/requests/<public_id>/officer")
@staff_required
def assign_officer(public_id: str) -> ResponseReturnValue:
    found = _case_or_404(public_id)
    staff = accounts.staff_members()
    form = OfficerForm(staff=staff)
    if not form.validate_on_submit():
        return case_page(found, officer_form=form)
    officer = next(member for member in staff if str(member.id) == form.officer.data)
    seen = int(form.seen_officer.data) if (form.seen_officer.data or "").isdigit() else None
    try:
        cases.assign_officer(current_user, found, officer, seen)
    except cases.ActedFirst as first:
        return _changed_first(found, first)
    except cases.StepNotAllowed:
        return case_page(found, conflict="This case has ended: it cannot be given an officer"), 409
    flash(f"{officer.full_name} is the officer for this case: the family has been emailed", notices.SUCCESS)
    return redirect(url_for(".assessment_request", public_id=public_id))


@bp.post("/requests/<public_id>/exception")
@staff_required
def record_exception(public_id: str) -> ResponseReturnValue:
    found = _case_or_404(public_id)
    form = ExceptionForm()
    if not form.validate_on_submit() or form.starts_on is None:
        return case_page(found, exception_form=form)
    try:
        cases.record_exception(
            current_user, found, ExceptionKind(form.kind.data), form.starts_on, form.ends_on, form.reason.data
        )
    except cases.ActedFirst:
        return case_page(found, conflict="This case has ended: no exception can be recorded"), 409
    flash("Exception recorded: the case’s dates are not shown overdue while it applies", notices.SUCCESS)
    return redirect(url_for(".assessment_request", public_id=public_id))


@bp.post("/requests/<public_id>/step")
@staff_required
def move_case(public_id: str) -> ResponseReturnValue:
    found = _case_or_404(public_id)
    current = cases.step_of(found)
    shown = request.form.get("seen_step", "")
    seen = CaseStep(shown) if shown in {step.value for step in CaseStep} else current
    form = StepForm(steps=seen.next_steps())
    if not form.validate_on_submit():
        return case_page(found, step_form=form)
    wanted = CaseStep(form.step.data)
    letter = form.chosen_letter()
    prepared = documents.prepare_to_add(
        current_user,
        documents.received([letter] if letter else []),
        PLAN if wanted in PLAN_STEPS else TEAM_LETTER,
        found,
        pdf_only=True,
    )
    if prepared.errors:
        form.letter.errors = [*form.letter.errors, *prepared.errors]
        return case_page(found, step_form=form)
    try:
        cases.move(
            current_user,
            found,
            seen,
            wanted,
            form.note_for_family.data,
            form.internal_note.data,
            form.respond_by,
            letters=prepared.saved,
        )
    except cases.ActedFirst as first:
        return _changed_first(found, first)
    flash(f"The case is now at “{wanted.label}”: the family has been emailed", notices.SUCCESS)
    return redirect(url_for(".assessment_request", public_id=public_id))


@bp.get("/children/<public_id>")
@staff_required
def child(public_id: str) -> str:
    child = children.staff_child(current_user, public_id)
    if child is None:
        abort(404)
    return _child_page(child)


def _child_page(child, revoke_form=None, revoke_link=None, conflict=None) -> str:
    return render_template(
        "staff/child.html",
        child=child,
        links=children.links_to(child),
        trail=audit.trail(child),
        documents=documents.documents_for(current_user, child=child),
        user=current_user,
        delete_form=None,
        revoke_form=revoke_form or RevokeForm(),
        revoke_link=revoke_link,
        errors=error_list(revoke_form) if revoke_form else [],
        approved=LINK_APPROVED,
        conflict=conflict,
        plans=[(plan, plans.plan_document(plan), plans.reviews_of(plan)) for plan in plans.plans_of(child)],
    )


@bp.post("/links/<public_id>/revoke")
@staff_required
def revoke(public_id: str) -> ResponseReturnValue:
    link = _link_or_404(public_id)
    if link.child is None:
        abort(409)  # never approved: there is no link to end
    form = RevokeForm()
    if not form.validate_on_submit():
        return _child_page(link.child, revoke_form=form, revoke_link=link)
    try:
        children.revoke(current_user, link, form.reason.data)
    except children.NotOpen as error:
        return _child_page(link.child, conflict=error.message), 409
    flash("Link revoked: the family can no longer see this child's record", notices.SUCCESS)
    return redirect(url_for(".child", public_id=link.child.public_id))


def _shareable_document_or_404(public_id: str):
    document = document_sharing.staff_document(current_user, public_id)
    if document is None:
        abort(404)
    if not document.shareable:
        abort(409)
    return document


def _back_from_sharing(document) -> str:
    """Back to the staff page the sharing was started from: the assessment request or the child's record."""
    if _came_from() == "request" and document.request and not document.request.is_draft:
        return url_for(".assessment_request", public_id=document.request.public_id)
    return url_for(".child", public_id=document.child.public_id)


def _came_from() -> str | None:
    return "request" if request.args.get("from") == "request" else None


@bp.route("/documents/<public_id>/share", methods=["GET", "POST"])
@staff_required
def share_document(public_id: str) -> ResponseReturnValue:
    document = _shareable_document_or_404(public_id)
    form = ShareDocumentForm()
    if not document.is_shared and form.validate_on_submit():
        if document_sharing.share(current_user, document):
            flash(
                (
                    f"{document.original_name} is shared: the other adults linked to "
                    f"{document.child.full_name} can now see and download it"
                ),
                notices.SUCCESS,
            )
        else:
            flash(f"{document.original_name} was already shared: nothing changed", notices.SUCCESS)
        return redirect(_back_from_sharing(document))
    return render_template(
        "staff/share_document.html",
        document=document,
        child=document.child,
        others=document_sharing.other_linked_adults(document),
        form=form,
        errors=error_list(form),
        back=_back_from_sharing(document),
        came_from=_came_from(),
    )


@bp.post("/documents/<public_id>/stop-sharing")
@staff_required
def stop_sharing_document(public_id: str) -> ResponseReturnValue:
    document = _shareable_document_or_404(public_id)
    if ButtonForm().validate_on_submit() and document_sharing.stop_sharing(current_user, document):
        flash(
            (
                f"{document.original_name} is no longer shared: the other adults linked to "
                f"{document.child.full_name} cannot see or download it now. "
                "Copies already downloaded stay with them"
            ),
            notices.SUCCESS,
        )
    else:
        flash(f"{document.original_name} was not shared: nothing changed", notices.SUCCESS)
    return redirect(_back_from_sharing(document))


@bp.route("/team", methods=["GET", "POST"])
@admin_required
def team() -> ResponseReturnValue:
    form = StaffMemberForm()
    if form.validate_on_submit():
        if accounts.find_by_email(form.email.data) is not None:
            form.email.errors = ["An account already uses this email address"]
        else:
            accounts.invite_staff(form.email.data, form.first_name.data, form.last_name.data, form.role.data)
            flash(
                (f"Account created: {accounts.normalise_email(form.email.data)} has been emailed a link"),
                notices.SUCCESS,
            )
            return redirect(url_for(".team"))
    return render_template(
        "staff/team.html",
        form=form,
        errors=error_list(form),
        members=accounts.staff_members(),
    )
