"""The team's annual reviews: every EHC plan and when its next review is due (the soonest and overdue
first), and recording a plan issued before the portal so its reviews are counted from it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints.access import staff_required
from forms import error_list
from forms.plans import ExistingPlanForm, MeetingForm
from models.documents import PLAN
from services import accounts, children, documents, notices, plans, statutory
from services.clock import now, uk_day

bp = Blueprint("reviews", __name__, url_prefix="/staff")


@bp.get("/reviews")
@staff_required
def reviews_page() -> str:
    page = request.args.get("page", "1")
    filters = plans.Filters(
        show=request.args.get("show", ""),
        officer=request.args.get("officer", ""),
        school=request.args.get("school", ""),
        transfer=request.args.get("transfer", ""),
        page=int(page) if page.isdigit() else 1,
    )
    today = now().date()
    rows, total = plans.page_of_reviews(filters, today)
    return render_template(
        "staff/reviews.html",
        rows=rows,
        total=total,
        filters=filters,
        counts=plans.counts(today),
        schools=plans.schools(),
        officers=accounts.staff_members(),
        page_size=plans.PAGE_SIZE,
        user=current_user,
    )


@bp.route("/children/<public_id>/plans/new", methods=["GET", "POST"])
@staff_required
def record_plan(public_id: str) -> ResponseReturnValue:
    child = children.staff_child(current_user, public_id)
    if child is None:
        abort(404)
    form = ExistingPlanForm()
    if form.validate_on_submit() and form.issued_on is not None:
        upload = form.chosen_file()
        prepared = documents.prepare_to_add(
            current_user,
            documents.received([upload]),
            PLAN,
            None,
            pdf_only=True,
            child=child,
        )
        if not prepared.errors:
            plan = plans.record_existing(
                current_user,
                child,
                form.issued_on,
                form.school.data,
                int(form.transfer_year.data) if form.transfer_year.data else None,
                form.to_post_16.data == "yes",
                prepared.saved,
            )
            flash(f"Plan recorded: its next review is due by {uk_day(plan.review_due_on)}", notices.SUCCESS)
            return redirect(url_for("staff.child", public_id=public_id))
        form.plan.errors = [*form.plan.errors, *prepared.errors]
    return render_template("staff/record_plan.html", child=child, form=form, errors=error_list(form))


@bp.route("/plans/<public_id>/meeting", methods=["GET", "POST"])
@staff_required
def arrange_meeting(public_id: str) -> ResponseReturnValue:
    """Arrange the plan's review meeting and invite the family (at least 2 weeks ahead, or say why not)."""
    plan = plans.staff_plan(current_user, public_id)
    if plan is None:
        abort(404)
    arranged = plans.open_review(plan)
    form = MeetingForm()
    conflict = None
    if arranged is None and form.validate_on_submit() and form.meeting_on is not None:
        try:
            plans.arrange_meeting(
                current_user,
                plan,
                form.meeting_on,
                form.place.data,
                form.invited.data,
                form.late_notice_reason.data,
            )
        except plans.TooSoon:
            form.late_notice_reason.errors = [
                *form.late_notice_reason.errors,
                "The meeting is less than 2 weeks away: say why the family could not be invited sooner",
            ]
        except plans.AlreadyArranged:
            conflict = "Someone else arranged this review's meeting first: nothing was changed"
            arranged = plans.open_review(plan)
        else:
            flash("Meeting arranged: the family has been told", notices.SUCCESS)
            return redirect(url_for("staff.child", public_id=plan.child.public_id))
    status = 409 if conflict else 200
    page = render_template(
        "staff/arrange_meeting.html",
        plan=plan,
        arranged=arranged,
        form=form,
        errors=error_list(form) if arranged is None else [],
        conflict=conflict,
        invite_by=statutory.invite_by,
    )
    return page, status
