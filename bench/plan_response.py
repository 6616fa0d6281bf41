"""Budgets of the family's pages after an assessment is agreed: saving views on a draft plan as typed (at
most 20 ms median server time, SQLite; at most 1 KB compressed), and every new family page (the Progress
page with advice listed, the views' overview, each part, check and send) at most 14 KB compressed HTML.

Run: .venv/bin/python bench/plan_response.py   (writes bench/results/plan_response.txt as well as printing)
"""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import build_app, csrf, pass_second_step, report  # noqa: E402
from extensions import db  # noqa: E402
from models import AdviceKind, AssessmentRequest, CaseStep  # noqa: E402
from models.documents import ADVICE, PLAN  # noqa: E402
from services import (  # noqa: E402
    advice,
    cases,
    documents,
    plan_response,
    sectioned_forms,
)
from services.clock import now  # noqa: E402
from tests import files  # noqa: E402
from tests.factories import GOOD_PASSWORD  # noqa: E402
from tests.people import approved_link, make_child, make_family, make_staff, submitted_case  # noqa: E402

SAVE_BUDGET_MS, AUTOSAVE_BUDGET, PAGE_BUDGET = 20.0, 1024, 14 * 1024
REPEATS = 100
VIEWS = "We would like the plan to say how many hours of speech and language therapy Jamie will get. " * 8


def a_case_with_a_draft_plan() -> str:
    family, officer = make_family("a@example.com"), make_staff("officer@example.com")
    child = make_child()
    approved_link(family, child)
    case = submitted_case(family, child, reference="EHC-2026-000001")
    cases.assign_officer(officer, case, officer, None)
    cases.move(officer, case, CaseStep.BEING_REVIEWED, CaseStep.AGREED_TO_ASSESS, "We will assess.")
    for kind, provider in (
        (AdviceKind.EDUCATIONAL_PSYCHOLOGIST, "Somerset Educational Psychology Service"),
        (AdviceKind.HEALTH, "Community paediatrics, Musgrove Park Hospital"),
        (AdviceKind.SETTING, "Taunton Primary School"),
    ):
        asked = advice.ask(officer, case, kind, provider, now().date())
        report_file = documents.prepare_to_add(
            officer, [documents.Incoming("advice.pdf", files.PDF)], ADVICE, case
        )
        advice.receive(officer, asked, now().date(), report_file.saved)
        advice.share(officer, asked)
    cases.move(officer, case, CaseStep.ASSESSMENT_UNDER_WAY, CaseStep.PLAN_TO_BE_ISSUED)
    draft = documents.prepare_to_add(officer, [documents.Incoming("draft plan.pdf", files.PDF)], PLAN, case)
    cases.move(officer, case, CaseStep.PLAN_TO_BE_ISSUED, CaseStep.DRAFT_PLAN_SENT, letters=draft.saved)
    return case.public_id


def page_size(lines: list[str], name: str, body: bytes) -> bool:
    """Adds the page's line; True when it is over budget."""
    size = len(gzip.compress(body, compresslevel=6))
    lines.append(f"  {name:62} {size / 1024:5.1f} KB  (raw {len(body) / 1024:5.1f} KB)")
    return size > PAGE_BUDGET


def autosaves(client, url: str, data: dict, typed: str, name: str, lines: list[str]) -> int:
    """Time REPEATS autosaves of `data` with the answer `typed` changed each time; adds the lines and
    gives how many budgets (time, response size) were exceeded."""
    timings, last, written = [], None, data[typed]
    for number in range(REPEATS):
        data[typed] = f"{written} ({number})"
        start = time.perf_counter()
        last = client.post(url, data=data, headers={"HX-Request": "true"})
        timings.append((time.perf_counter() - start) * 1000)
        assert last.get_data(as_text=True).startswith("Saved at "), last.get_data(as_text=True)
    median = statistics.median(timings)
    lines.append(f"{name} as typed, median of {REPEATS}: {median:.2f} ms, budget 20 ms")
    size = len(gzip.compress(last.data))
    lines.append(f"Its response: {size} bytes compressed ({len(last.data)} raw), budget 1024")
    return (median > SAVE_BUDGET_MS) + (size > AUTOSAVE_BUDGET)


def signed_in_client(app):
    client = app.test_client()
    client.post(
        "/sign-in", data={"csrf_token": csrf(client), "email": "a@example.com", "password": GOOD_PASSWORD}
    )
    pass_second_step(client)
    return client


def main() -> int:
    lines, failures = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            public_id = a_case_with_a_draft_plan()
        client = signed_in_client(app)
        token = csrf(client)
        base = f"/send/requests/{public_id}/draft-plan"
        data = {"a": VIEWS, "b": VIEWS, "csrf_token": token, "version": "1", "tab": "bench"}
        failures += autosaves(
            client, f"{base}/child_and_needs/autosave", data, "a", "Saving views on a draft plan", lines
        )

        pages = {
            "Progress (3 pieces of advice, a draft plan)": f"/send/requests/{public_id}/progress",
            "Your views on the draft plan": base,
            **{f"Part: {section.title}": f"{base}/{section.key}" for section in plan_response.SECTIONS},
            "Check your views": f"{base}/check",
        }
        lines.append("Compressed HTML of the family's new pages (gzip level 6), budget 14.0 KB")
        for name, url in pages.items():
            failures += page_size(lines, name, client.get(url).data)
        with app.app_context():
            case = db.session.query(AssessmentRequest).filter_by(public_id=public_id).one()
            response = plan_response.response_of(case)
            for section in plan_response.SECTIONS:
                answers = {question.key: VIEWS for question in section.questions}
                answers = {**answers, "meeting": "yes"} if section.key == "meeting" else answers
                sectioned_forms.save_section(
                    case.owner, response, section, answers, response.version, True, audited=case
                )
            plan_response.send(case.owner, case, response, [])
        failures += page_size(
            lines, "Your views, once sent (every part answered at length)", client.get(base).data
        )
    return report("plan_response", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
