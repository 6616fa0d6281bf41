"""A family's annual review: the review's own progress page (the meeting, what to do and by when, the
papers, the report and the decision), and the two forms they send for it, their views before the
meeting and their comments on proposed amendments, saved section by section by the Appendix A pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints.access import family_required
from blueprints.sectioned_form import FormPages, answers_to_show, save_as_typed, save_posted, section_page
from forms import error_list
from forms.send import ReviewResponseForm
from models import Review, ReviewResponse
from models.documents import AMENDMENTS, WITH_ANSWER
from models.plan_response import COMMENTS, VIEWS
from models.plans import AMEND
from services import notices, plans, reviews, sectioned_forms
from services.appendix_a import Section
from services.review_questions import FORMS, ReviewForm

bp = Blueprint("family_reviews", __name__, url_prefix="/send/reviews/<public_id>")


def _review_or_404(public_id: str, viewing: bool = True) -> Review:
    review = reviews.family_review(current_user, public_id, viewing)
    if review is None:
        abort(404)
    return review


@bp.get("")
@family_required
def review(public_id: str) -> str:
    found = _review_or_404(public_id)
    views = reviews.response_of(found, VIEWS)
    comments = reviews.response_of(found, COMMENTS) if found.decision == AMEND else None
    return render_template(
        "family_reviews/review.html",
        review=found,
        plan=found.plan,
        dates=reviews.dates_of(found),
        papers=reviews.review_documents(found, current_user),
        views=views,
        comments=comments,
        views_open=reviews.is_open(found, VIEWS, views),
        comments_open=reviews.is_open(found, COMMENTS, comments),
        plan_document=plans.plan_document(found.plan),
        team_email=current_app.config["TEAM_EMAIL"],
    )


def _form_or_404(
    public_id: str, kind: str, viewing: bool = True
) -> tuple[Review, ReviewForm, ReviewResponse | None]:
    """The review's form of this kind, with what the family has saved in it: comments only once the
    council proposes amendments."""
    form = FORMS.get(kind)
    found = _review_or_404(public_id, viewing)
    if form is None or (kind == COMMENTS and found.decision != AMEND):
        abort(404)
    return found, form, reviews.response_of(found, kind)


def _section_or_404(form: ReviewForm, key: str) -> Section:
    section = form.section_for(key)
    if section is None:
        abort(404)
    return section


def _pages(found: Review, form: ReviewForm, section: Section) -> FormPages:
    to_check = request.args.get("return") == "check"
    query: dict[str, Any] = {"return": "check"} if to_check else {}
    where: dict[str, Any] = dict(public_id=found.public_id, kind=form.kind)
    return FormPages(
        caption=form.title,
        back=url_for(".check" if to_check else ".overview", **where),
        action=url_for(".section", key=section.key, **where, **query),
        autosave=url_for(".autosave", key=section.key, **where),
    )


def _shown(found: Review, form: ReviewForm, response: ReviewResponse | None) -> dict[str, Any]:
    return dict(
        review=found,
        form_=form,
        response=response,
        answers=(response.answers if response else {}) or {},
        sections=[
            (section, sectioned_forms.status_of(response, section) if response else "not_started")
            for section in form.sections
        ],
        is_open=reviews.is_open(found, form.kind, response),
        due_on=reviews.due_on(found, form.kind),
        amendments=reviews.review_documents(found, current_user).get(AMENDMENTS, [])
        if form.kind == COMMENTS
        else [],
        team_email=current_app.config["TEAM_EMAIL"],
    )


@bp.get("/<kind>")
@family_required
def overview(public_id: str, kind: str) -> str:
    found, form, response = _form_or_404(public_id, kind)
    return render_template("family_reviews/form.html", **_shown(found, form, response))


def _closed(found: Review, form: ReviewForm, response: ReviewResponse | None) -> tuple[str, int]:
    """Once sent, or after their time: the page says so (and what to do if late); nothing is saved."""
    return render_template("family_reviews/form.html", **_shown(found, form, response)), 409


@bp.route("/<kind>/<key>", methods=["GET", "POST"])
@family_required
def section(public_id: str, kind: str, key: str) -> ResponseReturnValue:
    found, form, response = _form_or_404(public_id, kind)
    section = _section_or_404(form, key)
    if not reviews.is_open(found, kind, response):
        return _closed(found, form, response)
    if request.method == "GET":
        # Before the first save, a form not yet written, at the version its first save will have
        record = response or ReviewResponse(answers={}, section_status={}, version=1)
        answers, reason = answers_to_show(record, section)
        return section_page(record, section, answers, _pages(found, form, section), kept_reason=reason)
    return _save(found, form, section, response)


def _save(
    found: Review, form: ReviewForm, section: Section, started: ReviewResponse | None
) -> ResponseReturnValue:
    response = reviews.response_for_saving(current_user, found, form.kind, started)
    shown = save_posted(current_user, response, section, _pages(found, form, section), found.plan.child)
    if shown is not None:
        return shown
    action = request.form.get("action", "continue")
    where: dict[str, Any] = dict(public_id=found.public_id, kind=form.kind)
    if action == "later":
        flash(f"Saved. You can come back to “{section.title}” until the last day.", notices.SUCCESS)
    elif request.args.get("return") == "check":
        return redirect(url_for(".check", **where))
    return redirect(url_for(".overview", **where))


@bp.post("/<kind>/<key>/autosave")
@family_required
def autosave(public_id: str, kind: str, key: str) -> str:
    found, form, response = _form_or_404(public_id, kind, viewing=False)
    section = _section_or_404(form, key)
    if not reviews.is_open(found, kind, response):
        return render_template("family_reviews/_closed_autosave.html")
    response = reviews.response_for_saving(current_user, found, kind, response)
    return save_as_typed(current_user, response, section, found.plan.child)


@bp.get("/<kind>/check")
@family_required
def check(public_id: str, kind: str) -> ResponseReturnValue:
    found, form, response = _form_or_404(public_id, kind)
    if not reviews.is_open(found, kind, response):
        return _closed(found, form, response)
    return _check_page(found, form, response, ReviewResponseForm(formdata=None))


def _check_page(
    found: Review,
    form: ReviewForm,
    response: ReviewResponse | None,
    sending: ReviewResponseForm,
    missing_shown: bool = False,
) -> tuple[str, int]:
    missing = reviews.incomplete_sections(response, form.sections)
    errors = error_list(sending)
    if missing_shown:
        errors = [(f"section-{section.key}", f"Complete “{section.title}”") for section in missing] + errors
    page = render_template(
        "family_reviews/check.html",
        **_shown(found, form, response),
        form=sending,
        missing=missing,
        errors=errors,
    )
    return page, 200


@bp.post("/<kind>/send")
@family_required
def send(public_id: str, kind: str) -> ResponseReturnValue:
    found, form, response = _form_or_404(public_id, kind)
    sending = ReviewResponseForm()
    if not reviews.is_open(found, kind, response):
        return _closed(found, form, response)
    if reviews.incomplete_sections(response, form.sections) or not sending.validate_on_submit():
        return _check_page(found, form, response, sending, missing_shown=True)
    assert response is not None  # every section is completed
    sent_with = sending.documents_to_add(current_user, WITH_ANSWER, None, child=found.plan.child)
    if sent_with is None:
        return _check_page(found, form, response, sending)
    try:
        reviews.send(current_user, found, kind, response, sent_with)
    except reviews.NotOpen:
        return _closed(found, form, reviews.response_of(found, kind))
    flash(
        "Your views have been sent to the team"
        if kind == VIEWS
        else "Your comments have been sent to the team",
        notices.SUCCESS,
    )
    return redirect(url_for(".review", public_id=public_id))
