"""The load benchmark: N families on gunicorn against a hello app on the same settings.

Run: make bench-load   (or .venv/bin/python -m bench.load.run; settings below, README "Benchmarks")

It makes its own PostgreSQL database (LOAD_DATABASE_URL, dropped and made again; never the test database),
creates N families each with a linked child, signs each one in and through the second step over HTTP (the
codes read from a local SMTP server, through the portal's own mail worker), starts a draft for each, then:
1. the hello app, as fast as it answers (LOAD_THROUGHPUT_USERS clients, no think time);
2. a public page of the portal (no account, no database) and the portal's task list, the same way:
   their requests a second as a share of hello's. The three take turns, LOAD_THROUGHPUT_ROUNDS times,
   and the median round's share is the figure: other work on the machine comes and goes, and each
   round compares runs made within seconds of each other;
3. the mixed load: every family at once with LOAD_THINK_SECONDS mean think time (SEND home, task list,
   section page, autosave, check answers, and now and then signing out and in again with a new code).
It prints requests a second and p50/p95/p99 per endpoint, errors, and lost saves (the answers each family
last had acknowledged, compared with the database), writes them to bench/results/load.txt, and exits
non-zero when a budget is missed.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import redis
import requests
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load import sink  # noqa: E402
from bench.pages import report  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "Teapot river 7 Lantern!"
SECTION = "parent_views"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')

DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/send_load")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/5")
FAMILIES = int(os.environ.get("LOAD_FAMILIES", "200"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
THROUGHPUT_SECONDS = int(os.environ.get("LOAD_THROUGHPUT_SECONDS", "10"))
THROUGHPUT_ROUNDS = int(os.environ.get("LOAD_THROUGHPUT_ROUNDS", "3"))
THROUGHPUT_USERS = int(os.environ.get("LOAD_THROUGHPUT_USERS", "16"))
THINK_SECONDS = float(os.environ.get("LOAD_THINK_SECONDS", "1.0"))
WORKERS = os.environ.get("LOAD_WORKERS", "2")
THREADS = os.environ.get("LOAD_THREADS", "4")

# Budgets
THROUGHPUT_SHARE = 0.15
P95_BUDGET_MS = 100
# Requests that hash a password or wait for an email are not pages a family waits on while working.
NOT_PAGES = {
    "sign out",
    "sign-in page",
    "sign in",
    "security code page",
    "security code",
    "security code email",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database() -> None:
    url = make_url(DATABASE_URL)
    name = url.database or ""
    if not name or name.startswith("test"):
        raise SystemExit(f"LOAD_DATABASE_URL names {name!r}: the load benchmark never uses a test database")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def portal_environment(mail_port: int, base_url: str) -> dict[str, str]:
    generous = "1000000 per minute"
    return {
        **os.environ,
        "FLASK_SECRET_KEY": secrets.token_hex(32),
        "FLASK_SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "FLASK_PUBLIC_BASE_URL": base_url,
        "FLASK_SESSION_COOKIE_SECURE": "false",  # plain HTTP on this machine
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(mail_port),
        "FLASK_MAIL_REDIS_URL": REDIS_URL,
        "FLASK_RATELIMIT_STORAGE_URI": REDIS_URL,
        # Every simulated family comes from 127.0.0.1: the per-address limits are raised, not removed.
        "FLASK_RATELIMIT_SIGN_IN": generous,
        "FLASK_RATELIMIT_CODE_ENTRY": generous,
        "FLASK_RATELIMIT_PASSWORD": generous,
        "FLASK_RATELIMIT_REGISTER": generous,
        "FLASK_RATELIMIT_EMAIL_RESEND": generous,
        "FLASK_TWO_STEP_CODES_PER_WINDOW": "1000",
        "WEB_CONCURRENCY": WORKERS,
        "PORTAL_THREADS": THREADS,
        "PORTAL_LOG_LEVEL": "warning",
    }


def create_families(environment: dict[str, str]) -> list[dict]:
    """N activated families with codes by email, each linked to a child (one password hash for all)."""
    for key in ("FLASK_SQLALCHEMY_DATABASE_URI", "FLASK_SECRET_KEY"):
        os.environ[key] = environment[key]
    from app import create_app
    from extensions import db
    from models import LINK_APPROVED, Child, ChildLink, User
    from services import passwords
    from services.clock import now

    app = create_app({"RATELIMIT_ENABLED": False})
    families = []
    with app.app_context():
        password_hash = passwords.hash_password(PASSWORD, app.config)
        for number in range(FAMILIES):
            email = f"family{number}@load.example.com"
            user = User(
                email=email,
                password_hash=password_hash,
                password_changed_at=now(),
                role="family",
                first_name="Alex",
                last_name="Morgan",
                address_line_1="1 High Street",
                town="Taunton",
                postcode="TA1 1HE",
                activated_at=now(),
                two_step_email_at=now(),
            )
            child = Child(
                first_name="Jamie", last_name="Rivers", date_of_birth=_born(number), postcode="TA1 1HE"
            )
            db.session.add_all([user, child])
            db.session.flush()
            db.session.add(
                ChildLink(
                    user_id=user.id,
                    child_id=child.id,
                    state=LINK_APPROVED,
                    relationship_to_child="parent",
                    has_parental_responsibility=True,
                    child_first_name="Jamie",
                    child_last_name="Rivers",
                    child_date_of_birth=child.date_of_birth,
                    child_postcode="TA1 1HE",
                    child_school="Taunton Primary",
                )
            )
            families.append({"email": email, "password": PASSWORD, "child": child.public_id})
        db.session.commit()
    return families


def _born(number: int):
    from datetime import date

    return date(2012 + number % 8, 1 + number % 12, 1 + number % 28)


@contextmanager
def server(command: list[str], environment: dict[str, str], log: Path, url: str | None = None):
    """A process for the length of the block, its output in `log`; with `url`, once that answers."""
    with open(log, "ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
    try:
        if url:
            _wait_until_up(url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} stopped at start: see bench/results/load-*.log")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def gunicorn(app: str, port: int) -> list[str]:
    # No control socket: its default path is shared by every gunicorn on the machine (hello and the portal).
    bind = ["--bind", f"127.0.0.1:{port}", "--no-control-socket"]
    # No recycling of workers after max_requests: hello reaches it within seconds, and a worker starting
    # again in the middle of a run would be timed as the app's own slowness.
    return [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *bind, "--max-requests", "0", app]


def sign_in_and_start(family: dict, base: str, mail_folder: Path) -> dict:
    """Over HTTP, as a family would: sign in, the second step with the emailed code, start a draft."""
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{base}/sign-in").text).group(1)
    signed_in = browser.post(
        f"{base}/sign-in",
        data={"csrf_token": token, "email": family["email"], "password": family["password"]},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, f"sign-in answered {signed_in.status_code}"
    before, _ = sink.latest(mail_folder, family["email"])
    token = CSRF.search(browser.get(f"{base}/two-step/code?next=/send").text).group(1)
    code = _emailed_code(mail_folder, family["email"], before)
    passed = browser.post(
        f"{base}/two-step/code?next=/send", data={"csrf_token": token, "code": code}, allow_redirects=False
    )
    assert passed.headers.get("Location") == "/send", f"the code was refused ({passed.status_code})"
    token = CSRF.search(browser.get(f"{base}/send/requests/new").text).group(1)
    started = browser.post(
        f"{base}/send/requests/new",
        data={"csrf_token": token, "child": family["child"]},
        allow_redirects=False,
    )
    assert started.status_code == 302, (
        f"starting a draft answered {started.status_code}: {started.text[:2000]}"
    )
    request_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    section = browser.get(f"{base}/send/requests/{request_id}/sections/{SECTION}").text
    return {
        **family,
        "request": request_id,
        "cookie": browser.cookies.get("session"),
        "csrf": CSRF.search(section).group(1),
        "version": VERSION.search(section).group(1),
    }


def _emailed_code(folder: Path, email: str, before: int, timeout: float = 30.0) -> str:
    code = sink.wait_for_code(folder, email, before, timeout)
    if code is None:
        raise SystemExit(
            f"no security code reached {email} within {timeout:.0f} s: is the mail worker running?"
        )
    return code


def locust(user_class: str, host: str, users: int, seconds: int, work: Path, environment: dict) -> dict:
    """One locust run; its figures per endpoint name (and "Aggregated")."""
    prefix = work / user_class
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
        user_class,
    ]
    with open(work / f"{user_class}.log", "wb") as output:
        subprocess.run(command, cwd=ROOT, env=environment, stdout=output, stderr=output, check=False)
    shutil.copy(f"{prefix}_failures.csv", ROOT / "bench" / "results" / f"load-{user_class}-failures.csv")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


@dataclass
class Round:
    hello_rate: float
    public_rate: float
    task_rate: float
    p50: str
    p95: str
    errors: int
    cpu_ms: float
    locust_ms: float

    @property
    def share(self) -> float:
        return self.task_rate / self.hello_rate if self.hello_rate else 0.0


def throughput_round(hello_url: str, portal_url: str, work: Path, environment: dict) -> Round:
    """Hello as fast as it answers, then a public page and the task list the same way, one straight after
    the other."""
    hello = locust("HelloUser", hello_url, THROUGHPUT_USERS, THROUGHPUT_SECONDS, work, environment)
    public = locust("PublicPageReader", portal_url, THROUGHPUT_USERS, THROUGHPUT_SECONDS, work, environment)
    busy_before, locust_before = busy_cpu_seconds(), children_cpu_seconds()
    tasks = locust("TaskListReader", portal_url, THROUGHPUT_USERS, THROUGHPUT_SECONDS, work, environment)
    busy, locust_busy = busy_cpu_seconds() - busy_before, children_cpu_seconds() - locust_before
    task_list = tasks["task list"]
    served = int(task_list["Request Count"]) or 1
    return Round(
        hello_rate=float(hello["hello"]["Requests/s"]),
        public_rate=float(public["public page"]["Requests/s"]),
        task_rate=float(task_list["Requests/s"]),
        p50=task_list["50%"],
        p95=task_list["95%"],
        errors=int(tasks["Aggregated"]["Failure Count"]),
        cpu_ms=busy * 1000 / served,
        locust_ms=locust_busy * 1000 / served,
    )


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent working (neither idle nor waiting on the disk)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def children_cpu_seconds() -> float:
    """CPU seconds used by this script's finished child processes (each locust run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def lost_saves(families: list[dict], acknowledged: dict) -> int:
    """Families whose last acknowledged autosave is not what the database holds."""
    with psycopg.connect(make_url(DATABASE_URL).set(drivername="postgresql").render_as_string(False)) as db:
        rows = db.execute(
            "SELECT public_id, answers FROM assessment_requests WHERE public_id = ANY(%s)",
            ([family["request"] for family in families],),
        ).fetchall()
    stored = {public_id: answers for public_id, answers in rows}
    by_email = {family["email"]: family["request"] for family in families}
    lost = 0
    for email, saved in acknowledged.items():
        held = stored.get(by_email[email])
        held = json.loads(held) if isinstance(held, str) else held
        lost += (held or {}).get(SECTION) != saved["answers"]
    return lost


def endpoint_lines(stats: dict) -> list[str]:
    lines = [f"  {'endpoint':22} {'requests':>9} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>7}"]
    for name, row in sorted(stats.items(), key=lambda item: item[0] == "Aggregated"):
        lines.append(
            f"  {name:22} {row['Request Count']:>9} {float(row['Requests/s']):7.1f} {row['50%']:>6}"
            f" {row['95%']:>6} {row['99%']:>6} {row['Failure Count']:>7}"
        )
    return lines


def main() -> int:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the SMTP server's own chatter
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="send-load-"))
    mail_folder = work / "mail"
    mail_port, hello_port, portal_port = free_port(), free_port(), free_port()
    hello_url, portal_url = f"http://127.0.0.1:{hello_port}", f"http://127.0.0.1:{portal_port}"
    environment = portal_environment(mail_port, portal_url)
    redis.Redis.from_url(REDIS_URL).flushdb()

    print(f"Making {FAMILIES} families in {make_url(DATABASE_URL).database} ...", flush=True)
    recreate_database()
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT, env=environment, check=True
    )
    families = create_families(environment)

    lines, failures = [], 0
    with ExitStack() as running:
        smtp = sink.start(mail_folder, mail_port)
        running.callback(smtp.stop)
        for name, command, url in [
            ("hello", gunicorn("bench.load.hello:app", hello_port), hello_url),
            ("portal", gunicorn("app:create_app()", portal_port), f"{portal_url}/healthz"),
            ("mail-worker", [str(BIN / "flask"), "--app", "app", "mail", "worker"], None),
        ]:
            running.enter_context(server(command, environment, results / f"load-{name}.log", url))

        print("Signing each family in, through the second step, and starting a draft ...", flush=True)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            families = list(pool.map(lambda f: sign_in_and_start(f, portal_url, mail_folder), families))
        print(f"  {len(families)} families ready in {time.monotonic() - started:.1f} s", flush=True)
        load_file = work / "families.json"
        load_file.write_text(json.dumps(families), encoding="utf-8")
        acks_file = work / "acknowledged.json"
        locust_environment = {
            **environment,
            "LOAD_FILE": str(load_file),
            "LOAD_ACKS_FILE": str(acks_file),
            "LOAD_MAIL_FOLDER": str(mail_folder),
            "LOAD_THINK_SECONDS": str(THINK_SECONDS),
            "PYTHONPATH": str(ROOT),
        }

        print(
            f"Hello, a public page and the task list, as fast as each answers ({THROUGHPUT_SECONDS} s each,"
            f" {THROUGHPUT_ROUNDS} rounds) ...",
            flush=True,
        )
        rounds = [
            throughput_round(hello_url, portal_url, work, locust_environment)
            for _ in range(THROUGHPUT_ROUNDS)
        ]
        middle = sorted(rounds, key=lambda found: found.share)[len(rounds) // 2]
        failures += middle.share < THROUGHPUT_SHARE
        failures += sum(found.errors for found in rounds) > 0
        lines.append(
            f"Gunicorn: {WORKERS} workers x {THREADS} threads; {THROUGHPUT_USERS} clients with no think time"
        )
        for number, found in enumerate(rounds, 1):
            lines.append(
                f"  round {number}: hello {found.hello_rate:6.0f}/s, public page {found.public_rate:5.0f}/s"
                f" = {found.public_rate / (found.hello_rate or 1):.1%}, task list {found.task_rate:4.0f}/s"
                f" = {found.share:.1%} (p50 {found.p50} ms, p95 {found.p95} ms, errors {found.errors};"
                f" CPU a request {found.cpu_ms:.2f} ms, locust's {found.locust_ms:.2f})"
            )
        lines.append(
            f"  task list: {middle.share:.1%} of hello in the median round"
            f" (budget at least {THROUGHPUT_SHARE:.0%})"
        )

        print(
            f"The mixed load: {FAMILIES} families, {THINK_SECONDS} s mean think time, {SECONDS} s ...",
            flush=True,
        )
        busy_before, locust_before, started = busy_cpu_seconds(), children_cpu_seconds(), time.monotonic()
        mixed = locust("FamilyAtWork", portal_url, FAMILIES, SECONDS, work, locust_environment)
        elapsed = time.monotonic() - started
        mixed_busy = (busy_cpu_seconds() - busy_before) / elapsed / (os.cpu_count() or 1)
        mixed_locust = (children_cpu_seconds() - locust_before) / elapsed / (os.cpu_count() or 1)
        acknowledged = json.loads(acks_file.read_text(encoding="utf-8")) if acks_file.exists() else {}
        lost = lost_saves(families, acknowledged)

    errors = int(mixed["Aggregated"]["Failure Count"])
    slow = [
        n
        for n, row in mixed.items()
        if n not in NOT_PAGES | {"Aggregated"} and int(row["95%"]) > P95_BUDGET_MS
    ]
    failures += bool(slow) + (errors > 0) + (lost > 0)
    lines.append(
        f"Mixed load: {FAMILIES} families, {THINK_SECONDS} s mean think time, {SECONDS} s;"
        f" {float(mixed['Aggregated']['Requests/s']):.1f} requests a second (times in ms)"
    )
    lines.extend(endpoint_lines(mixed))
    lines.append(
        f"  the machine's {os.cpu_count()} cores were {mixed_busy:.0%} busy, locust taking {mixed_locust:.0%}"
    )
    verdict = "over: " + ", ".join(slow) if slow else "met"
    lines.append(f"  p95 budget {P95_BUDGET_MS} ms for pages and autosaves: {verdict}")
    lines.append(f"  errors: {errors} (budget 0)")
    lines.append(
        f"  lost saves: {lost} of {len(acknowledged)} families' last acknowledged autosaves (budget 0)"
    )
    shutil.rmtree(work, ignore_errors=True)
    return report("load", lines, failures)


if __name__ == "__main__":
    raise SystemExit(main())
