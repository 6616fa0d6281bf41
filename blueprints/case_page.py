"""The staff case page, shared by the blueprints whose forms are on it (the case's own, and advice):
each re-shows it with the form that came back with errors."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from forms import error_list
from forms.advice import AskAdviceForm
from forms.staff import ExceptionForm, OfficerForm, StepForm
from models import AssessmentRequest
from models.cases import ExceptionKind
from services import accounts, advice, assessment_requests, cases, documents, plan_response, statutory
from services.clock import now


def case_page(
    found: AssessmentRequest,
    officer_form: OfficerForm | None = None,
    step_form: StepForm | None = None,
    exception_form: ExceptionForm | None = None,
    conflict: str | None = None,
    ask_advice_form: AskAdviceForm | None = None,
) -> str:
    """The case page, with any form that came back with errors (the others blank)."""
    step = found.case_step
    staff = accounts.staff_members()
    officer_form = officer_form or OfficerForm(
        formdata=None, staff=staff, officer=str(found.officer_id) if found.officer_id else None
    )
    step_form = step_form or StepForm(formdata=None, steps=step.next_steps() if step else [])
    exception_form = exception_form or ExceptionForm(formdata=None)
    ask_advice_form = ask_advice_form or AskAdviceForm(formdata=None, data=_today_parts("asked"))
    received = found.received_on
    exceptions = cases.exceptions_of(found)
    today = now().date()
    due = statutory.due_dates(received, current_app.config["DRAFT_PLAN_WEEKS"]) if received else None
    return render_template(
        "staff/assessment_request.html",
        request_=found,
        step=step,
        officer_form=officer_form,
        step_form=step_form,
        errors=error_list(officer_form, step_form, exception_form, ask_advice_form),
        ask_advice_form=ask_advice_form,
        may_ask_advice=advice.may_ask(found),
        advice_rows=advice.rows_of(found, today),
        plan_response=plan_response.sent_response(found),
        plan_sections=plan_response.SECTIONS,
        exception_form=exception_form,
        exceptions=cases.exceptions_recorded(found) if step else [],
        exception_labels={kind.value: kind.label for kind in ExceptionKind},
        conflict=conflict,
        next_due=cases.next_due(found, current_app.config["DRAFT_PLAN_WEEKS"]) if step else None,
        due_dates=[
            (label, day, statutory.standing(day, today, exceptions))
            for label, day in (
                [
                    ("Decision whether to assess", due.decision),
                    ("Notice if no plan will be issued", due.no_plan_notice),
                    ("Draft plan", due.draft_plan),
                    ("Final plan", due.final_plan),
                ]
                if due
                else []
            )
        ],
        timeline_entries=cases.timeline(found, current_user) if step else [],
        sections=assessment_requests.sections_of(found),
        documents=documents.documents_for(current_user, request=found),
        user=current_user,
        delete_form=None,
        sharing_from="request",
    )


def _today_parts(which: str) -> dict[str, str]:
    """A date input filled in with today, the date most often typed."""
    today = now().date()
    return {
        f"{which}_day": str(today.day),
        f"{which}_month": str(today.month),
        f"{which}_year": str(today.year),
    }
