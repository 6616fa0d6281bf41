"""Password hashing cost at the default argon2id settings and at the earlier ones, the worst case of
the checks a password change or reset makes (history of 10, then up to 12 near neighbours on a reset),
and the server CPU of a sign-in with its second step (budget 150 ms).

Run: .venv/bin/python bench/passwords.py   (writes bench/results/passwords.txt as well as printing)
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from bench.pages import csrf, report  # noqa: E402
from config import Defaults  # noqa: E402
from extensions import db  # noqa: E402
from models import OutboxMessage  # noqa: E402
from services import passwords  # noqa: E402
from services.clock import now  # noqa: E402
from tests.factories import GOOD_PASSWORD, make_user  # noqa: E402

SETTINGS = {name: getattr(Defaults, name) for name in dir(Defaults) if name.isupper()}
# The argon2-cffi defaults the portal used before it followed OWASP's recommendation for argon2id.
EARLIER_COST = {
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_KIB": 65536,
    "PASSWORD_HASH_PARALLELISM": 4,
}
PASSWORD = "Lantern river 32!"
SIGN_IN_BUDGET_MS = 150.0
SIGN_INS = 9
CODE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)


def median_ms(action: Callable[[], object], repeats: int = 15) -> float:
    """Median server CPU of an action: every thread of the process counts, as argon2 uses several."""
    timings = []
    for _ in range(repeats):
        start = time.process_time()
        action()
        timings.append((time.process_time() - start) * 1000)
    return statistics.median(timings)


def cost_label(settings: dict) -> str:
    return ", ".join(
        f"{name}={settings[f'PASSWORD_HASH_{name.upper()}']}"
        for name in ("time_cost", "memory_kib", "parallelism")
    )


def hash_lines(settings: dict) -> list[str]:
    stored = passwords.hash_password(PASSWORD, settings)
    hash_ms = median_ms(lambda: passwords.hash_password(PASSWORD, settings))
    verify_ms = median_ms(lambda: passwords.verify_password(stored, "Marble garden 42 Kettle?", settings))
    neighbours = len(passwords.near_neighbours(PASSWORD, settings["PASSWORD_NEIGHBOUR_CHECKS"]))
    history = settings["PASSWORD_HISTORY_COUNT"]
    reset_ms = (history + neighbours) * verify_ms + hash_ms
    return [
        f"argon2id at {cost_label(settings)} (CPU, median of 15)",
        f"  hash a password:            {hash_ms:7.1f} ms",
        f"  verify one candidate:       {verify_ms:7.1f} ms",
        f"  change (history of {history}):     {history * verify_ms + hash_ms:7.1f} ms worst case",
        f"  reset ({history} + {neighbours} neighbours):   {reset_ms:7.1f} ms worst case",
    ]


def sign_in_app(workdir: Path):
    """The portal at its default hashing cost; a mail server is named but never reached, so each
    email waits in the outbox, where the code is read, as the mail worker would find it."""
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_REDIS_URL": "",
        }
    )
    with app.app_context():
        db.create_all()
    return app


def signed_up(app, address: str) -> None:
    with app.app_context():
        user = make_user(address)
        user.two_step_email_at = now()
        db.session.commit()


def emailed_code(app, address: str) -> str:
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        )
        return CODE.findall(list(bodies)[-1])[-1]


def sign_in_cpu_ms(app, address: str) -> float:
    """Server CPU of the sign-in POST, the code page that emails the code, and the code's POST."""
    client = app.test_client()
    token = csrf(client)
    start = time.process_time()
    signed_in = client.post(
        "/sign-in", data={"csrf_token": token, "email": address, "password": GOOD_PASSWORD}
    )
    code_page = client.get("/two-step/code?next=/send")
    spent = time.process_time() - start
    assert signed_in.status_code == 302 and code_page.status_code == 200, code_page.status_code
    code, token = emailed_code(app, address), csrf(client)  # the session starts afresh at sign-in
    start = time.process_time()
    passed = client.post("/two-step/code?next=/send", data={"csrf_token": token, "code": code})
    spent += time.process_time() - start
    assert passed.location == "/send", passed.location
    return spent * 1000


def sign_in_lines() -> tuple[list[str], int]:
    with tempfile.TemporaryDirectory() as tmp:
        app = sign_in_app(Path(tmp))
        timings = []
        for number in range(SIGN_INS):
            address = f"parent{number}@example.com"
            signed_up(app, address)  # requests run outside this app context, each in its own
            timings.append(sign_in_cpu_ms(app, address))
    median = statistics.median(timings)
    lines = [
        f"Sign-in with a code by email at {cost_label(SETTINGS)}, server CPU (SQLite, median of {SIGN_INS})",
        f"  sign-in POST + code page + code POST: {median:6.1f} ms, budget {SIGN_IN_BUDGET_MS:.0f} ms",
    ]
    return lines, int(median > SIGN_IN_BUDGET_MS)


def main() -> int:
    lines, failures = sign_in_lines()
    lines += hash_lines(SETTINGS)
    lines += hash_lines({**SETTINGS, **EARLIER_COST})
    return report("passwords", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
