"""The portal under gunicorn, as it runs in production, for what only a real server shows (headers that
gunicorn refuses to send, a Host header it passes on as it came)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FAST_HASHING
from tests.mailbox import Mailbox, free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET_KEY = "test-secret-key"  # the test app's, so a session cookie from the test client works here too
START_TIMEOUT_SECONDS = 30


@dataclass
class Gunicorn:
    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """A GET sent as-is (no Host header added unless given), with the status, headers and body."""
        connection = self.connection()
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def gunicorn_environment(database_url: str, mail_port: int, url: str, **settings: str) -> dict[str, str]:
    """The settings a production process reads from its environment, pointed at the test database and
    mailbox; `settings` adds or overrides FLASK_* values (names without the prefix)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "DATABASE_URL"))
    }
    environment.update(
        {
            "FLASK_SECRET_KEY": TEST_SECRET_KEY,
            "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
            "FLASK_PUBLIC_BASE_URL": url,
            "FLASK_MAIL_SERVER": "127.0.0.1",
            "FLASK_MAIL_PORT": str(mail_port),
            "FLASK_RATELIMIT_ENABLED": "false",
            # The tests' document folder (see conftest.pytest_configure), not instance/documents.
            "FLASK_DOCUMENT_FOLDER": os.environ["FLASK_DOCUMENT_FOLDER"],
            "FLASK_RATELIMIT_ALLOW_PER_PROCESS": "true",
            # Plain HTTP on the loopback: the cookie is "session", as in the tests, not "__Host-session".
            "FLASK_SESSION_COOKIE_SECURE": "false",
            **{f"FLASK_{name}": str(value) for name, value in FAST_HASHING.items()},
            **{f"FLASK_{name}": value for name, value in settings.items()},
        }
    )
    return environment


def _wait_until_answering(process: subprocess.Popen, server: Gunicorn) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start-up:\n{server.log_text()}")
        try:
            server.get("/")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer in {START_TIMEOUT_SECONDS} s:\n{server.log_text()}")


@contextmanager
def running_gunicorn(
    database_url: str, mail_port: int, workers: int = 1, **settings: str
) -> Iterator[Gunicorn]:
    """`gunicorn 'app:create_app()'` in a subprocess on a free port, stopped on leaving."""
    port = free_port()
    descriptor, log_path = tempfile.mkstemp(prefix="gunicorn-", suffix=".log")
    os.close(descriptor)
    server = Gunicorn("127.0.0.1", port, Path(log_path))
    command = [
        sys.executable,
        *("-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        # No control socket: its default path is shared by every gunicorn on the machine.
        *("--no-control-socket", "--error-logfile", "-", "app:create_app()"),
    ]
    environment = gunicorn_environment(database_url, mail_port, server.url, **settings)
    with server.log.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_answering(process, server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server.log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def gunicorn(schema, database_url: str, smtp_server: Mailbox) -> Iterator[Gunicorn]:
    """One gunicorn for the session, on the tests' database and mailbox. Use it with the `app` fixture
    (which empties the tables) and sign in through the test client: the secret key is the same."""
    with running_gunicorn(database_url, smtp_server.port) as server:
        yield server
