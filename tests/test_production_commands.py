"""What an operator types works as the README writes it: the commands on a fresh checkout (no secret key,
no debug), `make run` on a chosen port, and gunicorn started with the project's gunicorn.conf.py."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.gunicorn_server import PROJECT_ROOT, running_gunicorn
from tests.mailbox import free_port

README = (PROJECT_ROOT / "README.md").read_text()
PASSWORD = "Teapot river 7 Lantern!"


def readme_commands() -> list[str]:
    """The lines of the sh block under "## Commands", comments and all, as an operator copies them."""
    section = README.split("\n## Commands\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line for line in block.splitlines() if line.strip()]


def checkout_environment(**extra: str) -> dict[str, str]:
    """A shell on a fresh checkout: no FLASK_* setting at all (no secret key, no debug), except `extra`."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    environment.pop("DATABASE_URL", None)
    environment.update(extra)
    return environment


@pytest.fixture
def fresh_database(tmp_path) -> tuple[str, str]:
    path = tmp_path / "portal.db"
    return str(path), f"sqlite:///{path}"


def test_the_readme_commands_work_as_written_without_a_secret_key_or_debug(fresh_database):
    path, url = fresh_database
    environment = checkout_environment(FLASK_SQLALCHEMY_DATABASE_URI=url, PASSWORD=PASSWORD)
    lines = readme_commands()
    assert [line.split("--app app ", 1)[1].split()[0] for line in lines] == [
        "db",
        "staff",
        "staff",
        "staff",
        "mail",
        "mail",
        "cases",
        "cases",
    ]
    outputs = []
    for line in lines:
        asks = "staff create" in line and "--password-stdin" not in line
        typed = f"{PASSWORD}\n{PASSWORD}\n" if asks else ""
        result = subprocess.run(
            ["bash", "-c", line],
            cwd=PROJECT_ROOT,
            env=environment,
            input=typed,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        outputs.append(result.stdout.rstrip("\n").rpartition("\n")[2] + "\n")
    assert outputs[1:] == [
        "Created staff account pat.officer@somerset.gov.uk.\n",
        "Created admin account sam.lead@somerset.gov.uk.\n",
        "Created staff account jo.clerk@somerset.gov.uk.\n",
        "Sent 0, failed 0.\n",
        "Deleted 0 old emails.\n",
        "Told the team of 0 reviews due within 8 weeks and 0 overdue.\n",
        "Sent 0 daily emails.\n",
    ]
    with sqlite3.connect(path) as database:
        accounts = database.execute("SELECT email, role FROM users ORDER BY id").fetchall()
    assert accounts == [
        ("pat.officer@somerset.gov.uk", "staff"),
        ("sam.lead@somerset.gov.uk", "admin"),
        ("jo.clerk@somerset.gov.uk", "staff"),
    ]


def test_flask_run_still_refuses_the_default_secret_key(fresh_database):
    """Serving is what the refusal protects: only the commands that serve nothing are let through."""
    _, url = fresh_database
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(free_port())],
        cwd=PROJECT_ROOT,
        env=checkout_environment(FLASK_SQLALCHEMY_DATABASE_URI=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "FLASK_SECRET_KEY is not set" in result.stderr


def test_make_run_says_what_it_does_and_serves_on_the_port_given(fresh_database, tmp_path):
    _, url = fresh_database
    port = free_port()
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=PROJECT_ROOT,
            env=checkout_environment(FLASK_SQLALCHEMY_DATABASE_URI=url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # flask's reloader starts a child: stop the whole group
        )
    try:
        deadline = time.monotonic() + 90
        page = None
        while page is None and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
            except OSError:
                time.sleep(0.2)
        said = log_path.read_text(errors="replace")
        assert page is not None, said
        assert "SEND Citizen Portal" in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    steps = [line for line in said.splitlines() if not line.startswith((" ", "\t", "INFO", "FLASK_"))]
    assert "Installing the packages in requirements.lock (pip runs quietly" in said
    assert "Building or updating the database" in said
    assert f"Starting the portal on http://127.0.0.1:{port} (Ctrl+C stops it" in said
    assert said.index("Installing") < said.index("Building") < said.index("Starting"), steps


# --- gunicorn.conf.py -------------------------------------------------------------------------------


def gunicorn_settings(**environment: str) -> dict[str, str]:
    """gunicorn's settings as it resolves them from gunicorn.conf.py in the project folder (it loads the
    app to check it, so the app is given what it needs to start)."""
    portal = {"FLASK_SECRET_KEY": "x" * 32, "FLASK_RATELIMIT_ALLOW_PER_PROCESS": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "app:create_app()"],
        cwd=PROJECT_ROOT,
        env=checkout_environment(**portal, **environment),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
        if value and not name.startswith(" ")
    }


def test_gunicorn_conf_sets_workers_bind_and_timeouts_from_the_environment():
    defaults = gunicorn_settings()
    assert defaults["workers"] == str(2 * os.cpu_count() + 1)
    assert defaults["bind"] == "['127.0.0.1:8000']"
    assert defaults["timeout"] == "120"
    assert defaults["accesslog"] == "None"
    assert defaults["preload_app"] == "False"
    chosen = gunicorn_settings(
        WEB_CONCURRENCY="3", PORTAL_BIND="0.0.0.0:9000", PORTAL_TIMEOUT="45", PORTAL_THREADS="2"
    )
    assert (chosen["workers"], chosen["bind"], chosen["timeout"], chosen["threads"]) == (
        "3",
        "['0.0.0.0:9000']",
        "45",
        "2",
    )


@pytest.mark.parametrize(("hops", "secure"), [("0", False), ("1", True)])
def test_only_the_apps_proxy_hops_decide_whether_a_request_came_over_https(
    schema, database_url, smtp_server, hops, secure
):
    """gunicorn trusts X-Forwarded-Proto from 127.0.0.1 by default, which would make the portal think a
    request came over HTTPS with FLASK_PROXY_FIX_HOPS=0. With gunicorn.conf.py only the app decides: the
    HSTS header (sent only over HTTPS) shows which way it went."""
    with running_gunicorn(database_url, smtp_server.port, PROXY_FIX_HOPS=hops) as server:
        status, headers, _ = server.get("/", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert status == 200
    assert ("Strict-Transport-Security" in headers) is secure
