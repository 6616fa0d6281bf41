"""The team's annual reviews: every EHC plan and when its next review is due (the soonest and overdue
first), recording a plan issued before the portal so its reviews are counted from it, and each review
from its meeting to its outcome (papers shared, the family's views, report, decision, amended plan)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field

from blueprints.access import staff_required
from forms import error_list
from forms.plans import AmendedPlanForm, DecisionForm, ExistingPlanForm, MeetingForm, PapersForm, ReportForm
from models import Review
from models.documents import PLAN
from models.plan_response import COMMENTS, VIEWS
from models.plans import AMEND
from services import accounts, children, documents, notices, plans, reviews, statutory
from services.clock import now, uk_day
from services.review_questions import FORMS

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
            arranged = plans.arrange_meeting(
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
            return redirect(url_for(".review", public_id=arranged.public_id))
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


# --- One review, from its meeting to its outcome ----------------------------------------------------


def _review_or_404(public_id: str) -> Review:
    review = reviews.staff_review(current_user, public_id)
    if review is None:
        abort(404)
    return review


def _review_page(review: Review, status: int = 200, conflict: str | None = None, **forms) -> tuple[str, int]:
    shown = {
        "papers_form": PapersForm(formdata=None),
        "report_form": ReportForm(formdata=None),
        "decision_form": DecisionForm(formdata=None),
        "amended_form": AmendedPlanForm(formdata=None),
        **forms,
    }
    errors = [error for form in forms.values() for error in error_list(form)]
    page = render_template(
        "staff/review.html",
        review=review,
        plan=review.plan,
        dates=reviews.dates_of(review),
        papers_late=reviews.papers_late(review),
        documents=reviews.review_documents(review, current_user),
        views=reviews.sent_response(review, VIEWS),
        comments=reviews.sent_response(review, COMMENTS),
        forms=FORMS,
        errors=errors,
        conflict=conflict,
        **shown,
    )
    return page, status


MOVED_ON = "Someone else has moved this review on first: nothing was changed"


@bp.get("/reviews/<public_id>")
@staff_required
def review(public_id: str) -> ResponseReturnValue:
    return _review_page(_review_or_404(public_id))


@dataclass(frozen=True)
class Upload:
    """The files a step of a review comes with: where their errors go, and whether only PDFs will do."""

    field: Field
    chosen: list
    pdf_only: bool = True


def _step(
    review: Review, name: str, form: FlaskForm, upload: Upload, act: Callable[[list], None], done: str
) -> ResponseReturnValue:
    """A step of the review from its form: checked, its files prepared (refused ones named beside the
    field), then taken by `act`, once; if someone moved the review on first, nothing is kept."""
    if form.validate_on_submit():
        prepared = documents.prepare_to_add(
            current_user,
            documents.received([chosen for chosen in upload.chosen if chosen]),
            "",
            None,
            pdf_only=upload.pdf_only,
            child=review.plan.child,
        )
        if prepared.errors:
            upload.field.errors = [*upload.field.errors, *prepared.errors]
        else:
            try:
                act(prepared.saved)
            except reviews.ActedFirst:
                return _review_page(review, 409, MOVED_ON)
            flash(done, notices.SUCCESS)
            return redirect(url_for(".review", public_id=review.public_id))
    return _review_page(review, **{name: form})


@bp.post("/reviews/<public_id>/papers")
@staff_required
def share_papers(public_id: str) -> ResponseReturnValue:
    review = _review_or_404(public_id)
    form = PapersForm()
    return _step(
        review,
        "papers_form",
        form,
        Upload(form.files, form.chosen_files(), pdf_only=False),
        lambda prepared: reviews.share_papers(current_user, review, prepared),
        "Shared with the family: they have been told",
    )


@bp.post("/reviews/<public_id>/report")
@staff_required
def record_report(public_id: str) -> ResponseReturnValue:
    review = _review_or_404(public_id)
    form = ReportForm()

    def add_report(prepared: list) -> None:
        assert form.held_on is not None  # a valid form has its date
        reviews.record_report(current_user, review, form.held_on, prepared)

    return _step(
        review,
        "report_form",
        form,
        Upload(form.pdf, [form.chosen_file()]),
        add_report,
        "Report added and shared with the family",
    )


@bp.post("/reviews/<public_id>/decision")
@staff_required
def decide(public_id: str) -> ResponseReturnValue:
    review = _review_or_404(public_id)
    form = DecisionForm()
    amending = form.decision.data == AMEND
    return _step(
        review,
        "decision_form",
        form,
        Upload(form.amendments, [form.chosen_file()] if amending else []),
        lambda prepared: reviews.decide(
            current_user, review, form.decision.data, form.reasons.data, form.summary.data, prepared
        ),
        "Decision recorded: the family has been told",
    )


@bp.post("/reviews/<public_id>/amended-plan")
@staff_required
def issue_amended_plan(public_id: str) -> ResponseReturnValue:
    review = _review_or_404(public_id)
    form = AmendedPlanForm()
    return _step(
        review,
        "amended_form",
        form,
        Upload(form.pdf, [form.chosen_file()]),
        lambda prepared: reviews.issue_amended_plan(current_user, review, prepared),
        "Amended plan issued: the family has been told",
    )
