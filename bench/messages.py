"""Message budgets: a thread of 200 messages at most 14 KB compressed HTML on its first view (the latest
30, older ones behind "Show earlier messages"), sending a message at most 20 ms median server time
(SQLite), and a poll of an unchanged thread at most 300 bytes on the wire.

Run: .venv/bin/python bench/messages.py   (writes bench/results/messages.txt as well as printing)
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import build_app, csrf, pass_second_step, report  # noqa: E402
from services import cases, messages  # noqa: E402
from tests.factories import GOOD_PASSWORD  # noqa: E402
from tests.people import approved_link, make_child, make_family, make_staff, submitted_case  # noqa: E402

PAGE_BUDGET, SEND_BUDGET_MS, POLL_BYTES_BUDGET = 14 * 1024, 20.0, 300
MESSAGES, SENDS = 200, 50
FAMILY_SAYS = (
    "Thank you. Could you tell us when the educational psychologist will visit school? "
    "We are free most mornings."
)
TEAM_SAYS = (
    "The educational psychologist will visit on Tuesday morning. We will send you their advice when it comes."
)


def a_long_conversation() -> str:
    family, officer = make_family("a@example.com"), make_staff("officer@example.com")
    child = make_child()
    approved_link(family, child)
    case = submitted_case(family, child, reference="EHC-2026-000001")
    cases.assign_officer(officer, case, officer, None)
    thread = messages.thread_for_sending(child, case)
    for number in range(MESSAGES):
        author, words = (family, FAMILY_SAYS) if number % 2 == 0 else (officer, TEAM_SAYS)
        messages.send(author, thread, f"{words} ({number + 1})")
    return case.public_id


def main() -> int:
    lines, failures = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            public_id = a_long_conversation()
        client = app.test_client()
        client.post(
            "/sign-in", data={"csrf_token": csrf(client), "email": "a@example.com", "password": GOOD_PASSWORD}
        )
        pass_second_step(client)
        address = f"/send/requests/{public_id}/messages"
        body = client.get(address).data
        size = len(gzip.compress(body, compresslevel=6))
        failures += size > PAGE_BUDGET
        lines.append(
            f"A thread of {MESSAGES} messages, first view: {size / 1024:.1f} KB compressed"
            f" (raw {len(body) / 1024:.1f} KB), budget 14 KB"
        )
        token, timings = csrf(client), []
        for number in range(SENDS):
            start = time.perf_counter()
            sent = client.post(address, data={"csrf_token": token, "body": f"{FAMILY_SAYS} ({number})"})
            timings.append((time.perf_counter() - start) * 1000)
            assert sent.status_code == 302, sent.status_code
        median = statistics.median(timings)
        failures += median > SEND_BUDGET_MS
        lines.append(f"Sending a message, median of {SENDS}: {median:.2f} ms, budget 20 ms")
        page = client.get(address).data.decode()
        etag = re.search(r'If-None-Match": "(\\"thread-\d+\\")', page).group(1).replace("\\", "")
        unchanged = client.get(
            f"{address}/status",
            headers={"HX-Request": "true", "If-None-Match": etag, "Accept-Encoding": "gzip"},
        )
        assert unchanged.status_code == 304, unchanged.status_code
        # On the wire gunicorn adds its own Server, Date and Connection headers to the app's.
        added = {"Server": "gunicorn", "Date": "Sun, 06 Dec 2026 01:20:00 GMT", "Connection": "keep-alive"}
        sent_headers = {**added, **dict(unchanged.headers.items())}
        wire = (
            len("HTTP/1.1 304 NOT MODIFIED\r\n")
            + sum(len(f"{k}: {v}\r\n") for k, v in sent_headers.items())
            + 2
        )
        failures += wire > POLL_BYTES_BUDGET
        lines.append(f"A poll of an unchanged thread: 304, {wire} bytes with gunicorn's headers, budget 300")
    return report("messages", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
