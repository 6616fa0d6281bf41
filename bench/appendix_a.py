"""Appendix A budgets: median server time of saving a section (at most 20 ms, SQLite), the size of
an autosave response (at most 1 KB compressed), and every Appendix A page (at most 14 KB compressed).

Run: .venv/bin/python bench/appendix_a.py   (writes bench/results/appendix_a.txt as well as printing)
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
from models import AssessmentRequest  # noqa: E402
from services import assessment_requests  # noqa: E402
from services.appendix_a import current_edition, sections_for  # noqa: E402
from tests.appendix_answers import ANSWERS  # noqa: E402
from tests.factories import GOOD_PASSWORD  # noqa: E402
from tests.people import approved_link, make_child, make_family  # noqa: E402

SAVE_BUDGET_MS, AUTOSAVE_BUDGET, PAGE_BUDGET = 20.0, 1024, 14 * 1024
REPEATS = 100


def signed_in_client(app):
    client = app.test_client()
    client.post(
        "/sign-in", data={"csrf_token": csrf(client), "email": "a@example.com", "password": GOOD_PASSWORD}
    )
    pass_second_step(client)
    return client


def version(app, public_id: str) -> str:
    with app.app_context():
        found = db.session.query(AssessmentRequest).filter_by(public_id=public_id).one()
        return str(found.version)


def main() -> int:
    lines, failures = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            family = make_family("a@example.com")
            child = make_child()
            approved_link(family, child)
            public_id = assessment_requests.start(family, child).public_id
        client = signed_in_client(app)
        token = csrf(client)
        base = f"/send/requests/{public_id}"

        timings = []
        for _ in range(REPEATS):
            data = {
                **ANSWERS["child"],
                "csrf_token": token,
                "version": version(app, public_id),
                "completed": "yes",
            }
            start = time.perf_counter()
            response = client.post(f"{base}/sections/child", data=data)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, response.status_code
        median = statistics.median(timings)
        failures += median > SAVE_BUDGET_MS
        lines.append(
            f"Saving the child section (the longest), median of {REPEATS}: {median:.2f} ms, budget 20 ms"
        )

        data = {**ANSWERS["parent_views"], "csrf_token": token, "version": version(app, public_id)}
        autosave = client.post(
            f"{base}/sections/parent_views/autosave", data=data, headers={"HX-Request": "true"}
        )
        size = len(gzip.compress(autosave.data))
        failures += size > AUTOSAVE_BUDGET
        lines.append(f"Autosave response: {size} bytes compressed ({len(autosave.data)} raw), budget 1024")

        for key, fields in ANSWERS.items():
            client.post(
                f"{base}/sections/{key}",
                data={**fields, "csrf_token": token, "version": version(app, public_id), "completed": "yes"},
            )
        pages = {"task list": base, "check answers": f"{base}/check", "start": "/send/requests/new"}
        pages.update(
            {section.title: f"{base}/sections/{section.key}" for section in sections_for(current_edition())}
        )
        lines.append("Compressed HTML of Appendix A pages (gzip level 6), budget 14.0 KB")
        for name, url in pages.items():
            body = client.get(url).data
            size = len(gzip.compress(body, compresslevel=6))
            failures += size > PAGE_BUDGET
            lines.append(f"  {name:55} {size / 1024:5.1f} KB  (raw {len(body) / 1024:5.1f} KB)")
        client.post(f"{base}/submit", data={"csrf_token": token})
        body = client.get(base).data
        lines.append(
            f"  {'submitted request (read-only view)':55} {len(gzip.compress(body, 6)) / 1024:5.1f} KB"
        )
    return report("appendix_a", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
