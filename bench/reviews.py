"""Budgets of the family's annual review pages: the review's own page, the views before the meeting and
the comments on proposed amendments (overview, each part, check, and once sent), each at most 14 KB
compressed HTML; and saving views as typed (at most 20 ms median server time, SQLite; 1 KB compressed).
The Reviews page with 5,000 plans on PostgreSQL is measured in bench/cases.py.

Run: .venv/bin/python bench/reviews.py   (writes bench/results/reviews.txt as well as printing)
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import build_app, csrf, report  # noqa: E402
from bench.plan_response import autosaves, page_size, signed_in_client  # noqa: E402
from extensions import db  # noqa: E402
from models import Plan, Review, User  # noqa: E402
from models.plan_response import COMMENTS, VIEWS  # noqa: E402
from services import documents, plans, reviews, sectioned_forms, statutory  # noqa: E402
from services.review_questions import FORMS  # noqa: E402
from tests import files  # noqa: E402
from tests.people import approved_link, make_child, make_family, make_staff  # noqa: E402

SAVE_BUDGET_MS, AUTOSAVE_BUDGET = 20.0, 1024
REPEATS = 100
WRITTEN = "Jamie has settled well and reads with help every day, but finds the lunch hall too loud. " * 8


def a_plan_with_a_review(family: User, officer: User, reviewed: bool) -> str:
    """A plan with its meeting arranged and three reports shared; with `reviewed`, its meeting held,
    the report added and amendments proposed."""
    child = make_child()
    approved_link(family, child)
    today = statutory.uk_today()
    plan = Plan(
        child_id=child.id, issued_on=today - timedelta(days=330), to_post_16=False, recorded_by_id=officer.id
    )
    plan.review_due_on = plans.review_due(plan, child)
    db.session.add(plan)
    db.session.commit()
    review = plans.arrange_meeting(
        officer, plan, today + timedelta(days=21), "Taunton Primary", "The SENCo", None
    )
    for name in ("Educational psychologist advice.pdf", "School report.pdf", "Speech and language.pdf"):
        paper = documents.prepare_to_add(
            officer, [documents.Incoming(name, files.PDF)], "", None, child=child
        )
        reviews.share_papers(officer, review, paper.saved)
    if reviewed:
        review.meeting_on = today - timedelta(days=3)
        db.session.commit()
        report_file = documents.prepare_to_add(
            officer, [documents.Incoming("review report.pdf", files.PDF)], "", None, child=child
        )
        reviews.record_report(officer, review, review.meeting_on, report_file.saved)
        changes = documents.prepare_to_add(
            officer, [documents.Incoming("changes.pdf", files.PDF)], "", None, child=child
        )
        reviews.decide(officer, review, "amend", WRITTEN, WRITTEN, changes.saved)
    return review.public_id


def fill_in_and_send(public_id: str, kind: str) -> None:
    review = db.session.scalar(db.select(Review).where(Review.public_id == public_id))
    [family] = plans.linked_adults(review.plan)
    response = reviews.response_for_saving(family, review, kind)
    for section in FORMS[kind].sections:
        answers = {question.key: WRITTEN for question in section.questions}
        answers |= {"agree": "partly", "meeting": "no"} if kind == COMMENTS else {}
        sectioned_forms.save_section(
            family, response, section, answers, response.version, True, audited=review.plan.child
        )
    reviews.send(family, review, kind, response, [])


def main() -> int:
    lines, failures = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            family, officer = make_family("a@example.com"), make_staff("officer@example.com")
            before = a_plan_with_a_review(family, officer, reviewed=False)
            after = a_plan_with_a_review(family, officer, reviewed=True)
        client = signed_in_client(app)
        base = f"/send/reviews/{before}/views"
        data = {"working": WRITTEN, "csrf_token": csrf(client), "version": "1", "tab": "bench"}
        failures += autosaves(
            client, f"{base}/family_views/autosave", data, "working", "Saving views for a review", lines
        )

        lines.append("Compressed HTML of the family's review pages (gzip level 6), budget 14.0 KB")
        for public_id, kind in ((before, VIEWS), (after, COMMENTS)):
            form, when = FORMS[kind], "before" if kind == VIEWS else "after"
            pages = {
                f"The annual review ({when} the meeting)": f"/send/reviews/{public_id}",
                form.title: f"/send/reviews/{public_id}/{kind}",
                **{
                    f"Part: {section.title}": f"/send/reviews/{public_id}/{kind}/{section.key}"
                    for section in form.sections
                },
                "Check before sending": f"/send/reviews/{public_id}/{kind}/check",
            }
            for name, url in pages.items():
                failures += page_size(lines, name, client.get(url).data)
            with app.app_context():
                fill_in_and_send(public_id, kind)
            failures += page_size(
                lines, f"{form.title}, once sent (answered at length)", client.get(pages[form.title]).data
            )
            failures += page_size(
                lines, f"The annual review ({when}), once sent", client.get(f"/send/reviews/{public_id}").data
            )
    return report("reviews", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
