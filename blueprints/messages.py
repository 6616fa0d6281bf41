"""Conversations with the SEND Assessment Hub Team: a family's thread about a case or about a child, the
team's replies, and the team's inbox of threads waiting for a reply. Without JavaScript every part is an
ordinary form and link; with it, a message sent appears without a page load and new ones arrive by the
same conditional poll as the Progress page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints import STOP_POLLING, is_htmx, live_panel, unchanged_since_shown
from blueprints.access import family_may_poll, family_required, staff_required
from forms import ButtonForm, error_list
from forms.messages import MessageForm
from models import AssessmentRequest, Child, Thread
from models.documents import WITH_MESSAGE
from services import assessment_requests, children, messages, notices
from services.clock import now

bp = Blueprint("messages", __name__)


# --- Finding the thread, for a family and for staff --------------------------------------------------


def _family_case(public_id: str) -> tuple[Child, AssessmentRequest]:
    found = assessment_requests.request_by_public_id(public_id)
    if found is None or found.is_draft or found.child is None:
        abort(404)
    if not messages.family_may_see(current_user, found.child, found):
        abort(404)
    return found.child, found


def _family_child(public_id: str) -> tuple[Child, None]:
    child = children.chosen_record(public_id)
    if child is None or not messages.family_may_see(current_user, child):
        abort(404)
    return child, None


def _staff_case(public_id: str) -> tuple[Child, AssessmentRequest]:
    found = assessment_requests.request_by_public_id(public_id)
    if found is None or found.is_draft or found.child is None:
        abort(404)
    return found.child, found


def _staff_child(public_id: str) -> tuple[Child, None]:
    child = children.chosen_record(public_id)
    if child is None:
        abort(404)
    return child, None


# --- The thread page ----------------------------------------------------------------------------------


def _addresses(child: Child, case: AssessmentRequest | None) -> dict[str, str]:
    staff = current_user.is_staff
    if case is not None:
        here = url_for(".staff_case_thread" if staff else ".case_thread", public_id=case.public_id)
    else:
        here = url_for(".staff_child_thread" if staff else ".child_thread", public_id=child.public_id)
    return {"here": here, "status": f"{here}/status", "no_reply": f"{here}/no-reply"}


def _thread_page(
    child: Child, case: AssessmentRequest | None, form: MessageForm | None = None, status: int = 200
) -> tuple[str, int]:
    thread = messages.thread_of(child, case)
    first_new = messages.read(current_user, thread) if thread else None
    if thread is None:
        messages.record_view(current_user, case or child)
    before = request.args.get("before", "")
    shown = messages.page_of(thread, int(before) if before.isdigit() else None) if thread else None
    form = form or MessageForm(formdata=None)
    page = render_template(
        "messages/thread.html",
        child=child,
        case=case,
        thread=thread,
        shown=shown,
        first_new=first_new,
        form=form,
        errors=error_list(form),
        addresses=_addresses(child, case),
        read_by_family=messages.family_read_at(thread) if thread and current_user.is_staff else [],
        no_reply_form=ButtonForm(formdata=None),
        poll_seconds=current_app.config["PROGRESS_POLL_SECONDS"],
    )
    return page, status


def _send(child: Child, case: AssessmentRequest | None) -> ResponseReturnValue:
    form = MessageForm()
    if not form.validate_on_submit():
        return _form_with_errors(child, case, form)
    sent_with = form.documents_to_add(current_user, WITH_MESSAGE, case, child=child)
    if sent_with is None:
        return _form_with_errors(child, case, form)
    thread = messages.thread_for_sending(child, case)
    messages.send(current_user, thread, form.body.data, sent_with)
    if is_htmx():
        # the messages above show the new one, an empty form replaces the one sent (and any errors it
        # had shown), and once all is settled app.js puts focus back in its message box
        headers = {"HX-Trigger-After-Settle": "messageSent"}
        return _panel(child, case, thread, "Your message has been sent", fresh_form=True), 200, headers
    flash("Your message has been sent", notices.SUCCESS)
    return redirect(_addresses(child, case)["here"])


def _form_with_errors(child: Child, case: AssessmentRequest | None, form: MessageForm) -> ResponseReturnValue:
    """Without JavaScript the whole page; with it, the form alone in place, its errors summarised in it."""
    if not is_htmx():
        return _thread_page(child, case, form)
    body = render_template(
        "messages/_form.html",
        form=form,
        errors=error_list(form),
        in_form_errors=True,
        addresses=_addresses(child, case),
    )
    return body, 200, {"HX-Retarget": "#message-form", "HX-Reswap": "outerHTML"}


def _panel(
    child: Child, case: AssessmentRequest | None, thread: Thread, announcement: str, fresh_form: bool = False
) -> str:
    """The thread's changing part (its latest messages), for htmx: after sending, and for the poll."""
    return render_template(
        "messages/_messages.html",
        child=child,
        case=case,
        thread=thread,
        shown=messages.page_of(thread),
        first_new=None,
        addresses=_addresses(child, case),
        read_by_family=[],
        poll_seconds=current_app.config["PROGRESS_POLL_SECONDS"],
        announcement=announcement,
        fresh_form=MessageForm(formdata=None) if fresh_form else None,
    )


def _status(child: Child, case: AssessmentRequest | None) -> ResponseReturnValue:
    """304 while the thread is as shown; its latest messages (read, and announced politely) when not."""
    thread = messages.thread_of(child, case)
    etag = f'"thread-{thread.version if thread else 0}"'
    if (not_modified := unchanged_since_shown(etag)) is not None:
        return not_modified
    if thread is None:
        return "", STOP_POLLING
    messages.read(current_user, thread)
    body = _panel(child, case, thread, "New message from the SEND Assessment Hub Team")
    return live_panel(body, etag, still_changing=True)


@bp.route("/send/requests/<public_id>/messages", methods=["GET", "POST"])
@family_required
def case_thread(public_id: str) -> ResponseReturnValue:
    child, case = _family_case(public_id)
    return _send(child, case) if request.method == "POST" else _thread_page(child, case)


@bp.route("/send/children/<public_id>/messages", methods=["GET", "POST"])
@family_required
def child_thread(public_id: str) -> ResponseReturnValue:
    child, case = _family_child(public_id)
    return _send(child, case) if request.method == "POST" else _thread_page(child, case)


@bp.get("/send/requests/<public_id>/messages/status")
def case_thread_status(public_id: str) -> ResponseReturnValue:
    if not family_may_poll():
        return "", STOP_POLLING
    return _status(*_family_case(public_id))


@bp.get("/send/children/<public_id>/messages/status")
def child_thread_status(public_id: str) -> ResponseReturnValue:
    if not family_may_poll():
        return "", STOP_POLLING
    return _status(*_family_child(public_id))


@bp.get("/send/messages")
@family_required
def family_threads() -> str:
    """Every conversation the family may have: each linked child's, and each of their cases'."""
    return render_template("messages/threads.html", conversations=messages.conversations_of(current_user))


# --- Staff -----------------------------------------------------------------------------------------


@bp.route("/staff/requests/<public_id>/messages", methods=["GET", "POST"])
@staff_required
def staff_case_thread(public_id: str) -> ResponseReturnValue:
    child, case = _staff_case(public_id)
    return _send(child, case) if request.method == "POST" else _thread_page(child, case)


@bp.route("/staff/children/<public_id>/messages", methods=["GET", "POST"])
@staff_required
def staff_child_thread(public_id: str) -> ResponseReturnValue:
    child, case = _staff_child(public_id)
    return _send(child, case) if request.method == "POST" else _thread_page(child, case)


def _no_reply(child: Child, case: AssessmentRequest | None) -> ResponseReturnValue:
    thread = messages.thread_of(child, case)
    if thread is None or not ButtonForm().validate_on_submit():
        abort(404 if thread is None else 400)
    try:
        messages.no_reply_needed(current_user, thread)
    except messages.NotWaiting:
        flash("Someone has already replied, or marked it as needing no reply", notices.SUCCESS)
    else:
        flash("Marked as needing no reply: it has left the inbox", notices.SUCCESS)
    return redirect(url_for(".inbox"))


@bp.post("/staff/requests/<public_id>/messages/no-reply")
@staff_required
def staff_case_no_reply(public_id: str) -> ResponseReturnValue:
    return _no_reply(*_staff_case(public_id))


@bp.post("/staff/children/<public_id>/messages/no-reply")
@staff_required
def staff_child_no_reply(public_id: str) -> ResponseReturnValue:
    return _no_reply(*_staff_child(public_id))


@bp.get("/staff/messages")
@staff_required
def inbox() -> str:
    """Threads waiting for the team, the longest waiting first; "assigned to me" and "unassigned"."""
    which = request.args.get("show", "")
    rows = messages.waiting(current_user, which)
    return render_template(
        "staff/messages.html",
        rows=rows,
        which=which,
        counts=messages.waiting_counts(current_user),
        now=now(),
    )
