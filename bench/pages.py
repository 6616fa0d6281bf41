"""Page budgets for the account journey: compressed HTML size, first-visit CSS and JavaScript,
and the median server time of pages that do not hash a password.

Run: .venv/bin/python bench/pages.py   (writes bench/results/pages.txt as well as printing)
Budgets: each page <= 14 KB of compressed HTML; CSS + JS <= 40 KB compressed; median <= 15 ms.
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from services import tokens  # noqa: E402
from tests.factories import GOOD_PASSWORD, make_user  # noqa: E402

HTML_BUDGET = 14 * 1024
ASSET_BUDGET = 40 * 1024
TIME_BUDGET_MS = 15.0
REPEATS = 200


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def csrf(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def build_app(workdir: Path):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "",
        }
    )
    with app.app_context():
        db.create_all()
    return app


def pass_second_step(client) -> None:
    """Mark the session as through the second step (the code check itself hashes, so is not timed)."""
    with client.session_transaction() as session:
        session["two_step_passed"] = True


def journey_pages(app) -> dict[str, bytes]:
    """Every page of the account journey, as a family meets it."""
    pages: dict[str, bytes] = {}
    client = app.test_client()
    for url in [
        "/",
        "/register",
        "/sign-in",
        "/accessibility",
        "/privacy",
        "/cookies",
        "/no-such-page",
        "/password/forgotten",
    ]:
        pages[url] = client.get(url).data
    token = csrf(client)
    pages["/register (with errors)"] = client.post("/register", data={"csrf_token": token}).data
    client.post(
        "/register", data={"csrf_token": token, "email": "b@example.com", "confirm_email": "b@example.com"}
    )
    pages["/register/details"] = client.get("/register/details").data
    details = {
        "first_name": "B",
        "last_name": "C",
        "address_line_1": "1 A St",
        "town": "T",
        "postcode": "TA1 1HE",
    }
    client.post("/register/details", data={"csrf_token": token, **details})
    pages["/register/password"] = client.get("/register/password").data
    pages["/register/password/check (fragment)"] = client.post(
        "/register/password/check", data={"csrf_token": token, "password": "abc"}
    ).data
    client.post(
        "/register/password",
        data={"csrf_token": token, "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    pages["/register/check-email"] = client.get("/register/check-email").data
    with app.app_context():
        user = make_user("a@example.com")
        raw = tokens.issue(user, "activate", timedelta(hours=1))
        db.session.commit()
    pages["/activate/<token>"] = client.get(f"/activate/{raw}").data
    client.post(
        "/sign-in", data={"csrf_token": csrf(client), "email": "a@example.com", "password": GOOD_PASSWORD}
    )
    pages["/account"] = client.get("/account").data
    pages["/two-step (turn it on)"] = client.get("/two-step").data
    pages["/account/two-step"] = client.get("/account/two-step").data
    pass_second_step(client)
    pages["/send"] = client.get("/send").data
    for url in ["/account/password", "/account/details", "/account/email"]:
        pages[url] = client.get(url).data
    client.post("/sign-out", data={"csrf_token": csrf(client)})
    pages["/signed-out"] = client.get("/signed-out").data
    return pages


def first_visit_assets(app) -> dict[str, int]:
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    return {url.split("?")[0]: gzip_size(client.get(url).data) for url in urls}


def median_server_ms(app) -> dict[str, float]:
    anonymous, signed_in = app.test_client(), app.test_client()
    signed_in.post(
        "/sign-in", data={"csrf_token": csrf(signed_in), "email": "a@example.com", "password": GOOD_PASSWORD}
    )
    pass_second_step(signed_in)
    plan = [(anonymous, url) for url in ["/", "/sign-in", "/register", "/privacy"]]
    plan += [(signed_in, url) for url in ["/account", "/send", "/account/details"]]
    results = {}
    for client, url in plan:
        assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            client.get(url, headers={"Accept-Encoding": "gzip"})
            timings.append((time.perf_counter() - start) * 1000)
        results[url] = statistics.median(timings)
    return results


def report(name: str, lines: list[str], failures: int) -> int:
    """Print the figures, keep them in bench/results/<name>.txt, and exit non-zero when over budget."""
    lines = [*lines, "All within budget" if not failures else f"{failures} figure(s) over budget"]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.txt").write_text(text + "\n")
    return 1 if failures else 0


def main() -> int:
    lines, failures = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        pages = journey_pages(app)
        lines.append("Compressed HTML per page (gzip level 6), budget 14.0 KB")
        for name, body in pages.items():
            size = gzip_size(body)
            failures += size > HTML_BUDGET
            lines.append(f"  {name:40} {size / 1024:6.1f} KB  (raw {len(body) / 1024:5.1f} KB)")
        assets = first_visit_assets(app)
        total = sum(assets.values())
        failures += total > ASSET_BUDGET
        lines.append(f"CSS and JavaScript on a first visit: {total / 1024:.1f} KB compressed, budget 40.0 KB")
        lines.extend(f"  {url:40} {size / 1024:6.1f} KB" for url, size in assets.items())
        timed = median_server_ms(app)
        lines.append(f"Median server time over {REPEATS} requests (SQLite), budget {TIME_BUDGET_MS} ms")
        for url, ms in timed.items():
            failures += ms > TIME_BUDGET_MS
            lines.append(f"  {url:40} {ms:6.2f} ms")
    return report("pages", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
