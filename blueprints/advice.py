"""Staff record advice for an assessment: ask a professional from the case page, then chase it, record
it received with its document, and share it with the family, from the advice's own page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints.access import staff_required
from blueprints.case_page import case_page
from forms import ButtonForm, error_list
from forms.advice import AskAdviceForm, ReceiveAdviceForm, ShareAdviceForm
from models import AdviceKind, AdviceRequest
from models.audit import VIEWED
from models.documents import ADVICE
from services import advice, assessment_requests, audit, cases, documents, notices, statutory
from services.clock import now, uk_day

bp = Blueprint("advice", __name__, url_prefix="/staff")


@bp.post("/requests/<public_id>/advice")
@staff_required
def ask(public_id: str) -> ResponseReturnValue:
    found = assessment_requests.staff_request(current_user, public_id)
    if found is None:
        abort(404)
    form = AskAdviceForm()
    if not form.validate_on_submit() or form.asked_on is None:
        return case_page(found, ask_advice_form=form)
    try:
        asked = advice.ask(
            current_user, found, AdviceKind(form.advice_kind.data), form.provider.data, form.asked_on
        )
    except (advice.NotNow, cases.ActedFirst):
        message = (
            "Advice is asked for once the council has agreed to assess: this case is at "
            f"“{cases.step_of(found).label}”. Nothing was recorded"
        )
        return case_page(found, ask_advice_form=form, conflict=message), 409
    flash(f"Advice asked for from {asked.who}: due {uk_day(asked.due_on)}", notices.SUCCESS)
    return redirect(url_for("staff.assessment_request", public_id=public_id))


def _advice_or_404(public_id: str) -> AdviceRequest:
    found = advice.staff_advice(public_id)
    if found is None:
        abort(404)
    return found


def _advice_page(
    found: AdviceRequest,
    receive_form: ReceiveAdviceForm | None = None,
    share_form: ShareAdviceForm | None = None,
    conflict: str | None = None,
) -> str:
    request_ = advice.advice_case(found)
    audit.record_now(current_user, VIEWED, request_)
    receive_form = receive_form or ReceiveAdviceForm(formdata=None, asked_on=found.asked_on)
    share_form = share_form or ShareAdviceForm(formdata=None)
    today = now().date()
    return render_template(
        "staff/advice.html",
        advice=found,
        request_=request_,
        standing=statutory.standing(found.due_on, today, cases.exceptions_of(request_), found.received_on),
        receive_form=receive_form,
        share_form=share_form,
        chase_form=ButtonForm(formdata=None),
        errors=error_list(receive_form, share_form),
        conflict=conflict,
    )


def _changed(found: AdviceRequest) -> tuple[str, int]:
    advice_now = advice.staff_advice(found.public_id)
    assert advice_now is not None
    return _advice_page(
        advice_now,
        conflict="This advice, or its case, changed after this page was shown: nothing was changed. "
        "It is shown as it is now.",
    ), 409


@bp.get("/advice/<public_id>")
@staff_required
def advice_page(public_id: str) -> str:
    return _advice_page(_advice_or_404(public_id))


@bp.post("/advice/<public_id>/chase")
@staff_required
def chase(public_id: str) -> ResponseReturnValue:
    found = _advice_or_404(public_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        advice.chase(current_user, found, now().date())
    except advice.NotNow:
        return _changed(found)
    flash("Recorded that the advice was chased today", notices.SUCCESS)
    return redirect(url_for(".advice_page", public_id=public_id))


@bp.post("/advice/<public_id>/receive")
@staff_required
def receive(public_id: str) -> ResponseReturnValue:
    found = _advice_or_404(public_id)
    form = ReceiveAdviceForm(asked_on=found.asked_on)
    if not form.validate_on_submit() or form.received_on is None:
        return _advice_page(found, receive_form=form)
    upload = form.chosen_file()
    prepared = documents.prepare_to_add(
        current_user, documents.received([upload]), ADVICE, advice.advice_case(found)
    )
    if prepared.errors:
        form.advice.errors = [*form.advice.errors, *prepared.errors]
        return _advice_page(found, receive_form=form)
    try:
        advice.receive(current_user, found, form.received_on, prepared.saved)
    except advice.NotNow:
        return _changed(found)
    flash("Advice recorded as received: the family cannot see it until you share it", notices.SUCCESS)
    return redirect(url_for(".advice_page", public_id=public_id))


@bp.post("/advice/<public_id>/share")
@staff_required
def share(public_id: str) -> ResponseReturnValue:
    found = _advice_or_404(public_id)
    form = ShareAdviceForm()
    if not form.validate_on_submit():
        return _advice_page(found, share_form=form)
    try:
        advice.share(current_user, found)
    except advice.NotNow:
        return _changed(found)
    flash("Advice shared: the family has been emailed", notices.SUCCESS)
    return redirect(url_for(".advice_page", public_id=public_id))
