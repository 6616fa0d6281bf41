"""Case budgets: the Cases page with 5,000 open cases and the Reviews page with 5,000 plans (each at most
50 ms median server time, PostgreSQL), and the family's Progress page (at most 14 KB compressed HTML).

Run: .venv/bin/python bench/cases.py   (writes bench/results/cases.txt as well as printing)
It makes its own PostgreSQL database (BENCH_CASES_DATABASE_URL, default send_bench_cases, dropped and made
again; never the test database).
"""

from __future__ import annotations

import gzip
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import insert
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from bench.pages import csrf, pass_second_step, report  # noqa: E402
from extensions import db  # noqa: E402
from models import AssessmentRequest, CaseEvent, CaseException, CaseStep, Child, Plan  # noqa: E402
from services import cases, statutory  # noqa: E402
from tests.factories import GOOD_PASSWORD, make_user  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_CASES_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/send_bench_cases"
)
CASES, OFFICERS, REPEATS = 5000, 8, 50
PAGE_BUDGET_MS, HTML_BUDGET = 50.0, 14 * 1024
POLL_BYTES_BUDGET, POLL_BUDGET_MS = 300, 3.0
OPEN_STEPS = [step for step in CaseStep if step.is_open]


def recreate_database() -> None:
    url = make_url(DATABASE_URL)
    if (url.database or "").startswith("test"):
        raise SystemExit("BENCH_CASES_DATABASE_URL names a test database: the benchmark never uses one")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{url.database}"')


def seed(family_id: int, officer_ids: list[int]) -> str:
    """5,000 submitted requests at every open step, received over the last year; some with an exception
    and some with a final plan. Returns one family request's public id for the Progress page."""
    chance = random.Random(5)
    today = date.today()
    rows = []
    for number in range(CASES):
        received = today - timedelta(days=chance.randrange(0, 365))
        step = chance.choice(OPEN_STEPS)
        submitted = datetime(received.year, received.month, received.day, 10, tzinfo=UTC)
        request = AssessmentRequest(received_on=received)
        due = cases.next_due_at(request, step, statutory.DRAFT_PLAN_WEEKS)
        rows.append(
            {
                "public_id": f"bench{number:06d}",
                "owner_id": family_id,
                "state": "submitted",
                "form_edition": 1,
                "answers": {"child": {"first_name": f"Child{number}", "last_name": "Bench"}},
                "section_status": {},
                "version": 1,
                "created_at": submitted,
                "updated_at": submitted,
                "submitted_at": submitted,
                "received_on": received,
                "decision_due_on": statutory.decision_due(received),
                "reference": f"EHC-{received.year}-{number + 1:06d}",
                "step": step.value,
                "officer_id": chance.choice([None, *officer_ids]),
                "step_changed_at": submitted,
                "next_due_on": due.due_on if due else None,
            }
        )
    db.session.execute(insert(AssessmentRequest), rows)
    ids = [row.id for row in db.session.query(AssessmentRequest.id).order_by(AssessmentRequest.id)]
    db.session.execute(
        insert(CaseEvent),
        [
            {
                "request_id": request_id,
                "kind": "step",
                "step": "submitted",
                "actor_id": family_id,
                "created_at": datetime.now(UTC),
            }
            for request_id in ids
        ],
    )
    db.session.execute(
        insert(CaseException),
        [
            {
                "request_id": request_id,
                "kind": "setting_closed",
                "starts_on": today - timedelta(days=200),
                "reason": "Closed",
                "recorded_by_id": officer_ids[0],
                "recorded_at": datetime.now(UTC),
            }
            for request_id in ids[::20]
        ],
    )
    db.session.commit()
    return rows[0]["public_id"]


SCHOOLS = ["Taunton Primary", "Westfield Academy", "Bishop Fox's School", "Selworthy Special School"]


def seed_plans(officer_ids: list[int]) -> None:
    """5,000 plans for 5,000 children, issued over the last two years, a tenth with a phase transfer."""
    chance = random.Random(7)
    today = date.today()
    db.session.execute(
        insert(Child),
        [
            {
                "public_id": f"benchchild{number:06d}",
                "first_name": f"Child{number}",
                "last_name": "Bench",
                "date_of_birth": date(2012, 1, 1) + timedelta(days=chance.randrange(0, 3000)),
                "postcode": "TA1 1HE",
            }
            for number in range(CASES)
        ],
    )
    child_ids = [row.id for row in db.session.query(Child.id).order_by(Child.id)]
    rows = []
    for child_id in child_ids:
        issued = today - timedelta(days=chance.randrange(0, 730))
        transfer = today.year + 1 if chance.random() < 0.1 else None
        due = statutory.add_months(issued, 12)
        if transfer:
            due = min(due, statutory.phase_transfer_deadline(transfer))
        rows.append(
            {
                "public_id": f"benchplan{child_id:06d}",
                "child_id": child_id,
                "issued_on": issued,
                "review_due_on": due,
                "transfer_year": transfer,
                "to_post_16": False,
                "school": chance.choice(SCHOOLS),
                "officer_id": chance.choice([None, *officer_ids]),
                "recorded_by_id": officer_ids[0],
            }
        )
    db.session.execute(insert(Plan), rows)
    db.session.commit()


def median_ms(client, url: str) -> float:
    client.get(url)
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings)


def main() -> int:
    recreate_database()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "",
        }
    )
    lines, failures = [], 0
    with app.app_context():
        db.create_all()
        family = make_user("family@example.com")
        officers = [make_user(f"officer{n}@somerset.gov.uk", role="staff") for n in range(OFFICERS)]
        db.session.commit()
        progress_id = seed(family.id, [officer.id for officer in officers])
        seed_plans([officer.id for officer in officers])
        officer_id = officers[1].id

    staff = app.test_client()
    staff.post(
        "/sign-in",
        data={"csrf_token": csrf(staff), "email": "officer0@somerset.gov.uk", "password": GOOD_PASSWORD},
    )
    pass_second_step(staff)
    lines.append(f"The Cases page with {CASES} cases on PostgreSQL, median of {REPEATS}, budget 50 ms")
    for name, url in [
        ("every open case", "/staff/cases"),
        ("overdue", "/staff/cases?due=overdue"),
        ("due in the next 7 days", "/staff/cases?due=week"),
        ("one officer's", f"/staff/cases?officer={officer_id}"),
        ("unassigned, page 2", "/staff/cases?officer=none&page=2"),
        ("one step", "/staff/cases?step=being_reviewed"),
    ]:
        median = median_ms(staff, url)
        failures += median > PAGE_BUDGET_MS
        lines.append(f"  {name:25} {median:6.1f} ms")
    lines.append(f"The Reviews page with {CASES} plans on PostgreSQL, median of {REPEATS}, budget 50 ms")
    for name, url in [
        ("due in 8 weeks, and overdue", "/staff/reviews"),
        ("every plan, page 3", "/staff/reviews?show=all&page=3"),
        ("one officer's", f"/staff/reviews?officer={officer_id}"),
        ("one school", "/staff/reviews?show=all&school=Westfield+Academy"),
        ("phase transfers", "/staff/reviews?show=all&transfer=yes"),
    ]:
        median = median_ms(staff, url)
        failures += median > PAGE_BUDGET_MS
        lines.append(f"  {name:28} {median:6.1f} ms")
    start = time.perf_counter()
    size = len(staff.get("/staff/cases.csv").data)
    lines.append(f"  CSV of every case: {(time.perf_counter() - start) * 1000:.0f} ms, {size / 1024:.0f} KB")

    family_client = app.test_client()
    family_client.post(
        "/sign-in",
        data={"csrf_token": csrf(family_client), "email": "family@example.com", "password": GOOD_PASSWORD},
    )
    pass_second_step(family_client)
    progress = f"/send/requests/{progress_id}/progress"
    body = family_client.get(progress).data
    compressed = len(gzip.compress(body, compresslevel=6))
    failures += compressed > HTML_BUDGET
    lines.append(
        f"Progress page: {compressed / 1024:.1f} KB compressed (raw {len(body) / 1024:.1f} KB), budget 14 KB"
    )
    etag = re.search(r'If-None-Match": "(\\"case-\d+\\")', body.decode()).group(1).replace("\\", "")
    headers = {"HX-Request": "true", "If-None-Match": etag, "Accept-Encoding": "gzip, br"}
    timings = []
    for _ in range(REPEATS * 4):
        start = time.perf_counter()
        unchanged = family_client.get(f"{progress}/status", headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        assert unchanged.status_code == 304, unchanged.status_code
    # On the wire gunicorn adds its own Server, Date and Connection headers to the app's.
    added = {"Server": "gunicorn", "Date": "Sat, 05 Dec 2026 22:14:09 GMT", "Connection": "keep-alive"}
    sent = {**added, **dict(unchanged.headers.items())}
    wire = len("HTTP/1.1 304 NOT MODIFIED\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in sent.items()) + 2
    median = statistics.median(timings)
    failures += (wire > POLL_BYTES_BUDGET) + (median > POLL_BUDGET_MS)
    lines.append(
        f"A poll of an unchanged case: 304, {wire} bytes of status line and headers with gunicorn's"
        f" (budget 300); median {median:.2f} ms of {REPEATS * 4} (budget 3 ms)"
    )
    return report("cases", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
