"""Shared fixtures: the app on SQLite or PostgreSQL, a real SMTP server, a live server and Chromium."""

from __future__ import annotations

import contextvars
import os
import threading
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from extensions import db as database
from tests.mailbox import Mailbox, free_port

# The family and child fixtures of the SEND-section tests live beside the helpers that make them; the
# `gunicorn` fixture (the portal as in production) beside the helper that starts it.
pytest_plugins = ["tests.people", "tests.gunicorn_server"]

FAST_HASHING = {
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_KIB": 1024,
    "PASSWORD_HASH_PARALLELISM": 1,
}


def pytest_report_header(config) -> str:
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.getbasetemp() / 'portal-test.db'}"
    )


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    mailbox.start()
    yield mailbox
    mailbox.stop()


@pytest.fixture
def mailbox(smtp_server: Mailbox) -> Mailbox:
    smtp_server.clear()
    return smtp_server


def portal_settings(database_url: str, mail_port: int, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_port,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "http://localhost",
        **FAST_HASHING,
        **extra,
    }


def empty_all_tables() -> None:
    if database.engine.dialect.name == "postgresql":
        # TRUNCATE, unlike DELETE, is not stopped by the audit log's append-only trigger.
        names = ", ".join(table.name for table in database.metadata.sorted_tables)
        database.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(database.metadata.sorted_tables):
            database.session.execute(table.delete())
    database.session.commit()


@pytest.fixture(scope="session")
def schema(database_url: str, smtp_server: Mailbox) -> None:
    app = create_app(portal_settings(database_url, smtp_server.port))
    with app.app_context():
        database.drop_all()
        database.create_all()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, not in the test's context
    (which would share `g` and the database session between requests)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_settings() -> dict:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def app(schema, database_url: str, smtp_server: Mailbox, app_settings: dict) -> Flask:
    app = create_app(portal_settings(database_url, smtp_server.port, **app_settings))
    app.test_client_class = IsolatedClient
    smtp_server.deliver_from(app)  # reading the mailbox runs the mail worker's step (tests/mailbox.py)
    with app.app_context():
        empty_all_tables()
        yield app
        database.session.remove()
    smtp_server.deliver_from(None)


@pytest.fixture
def db(app: Flask):
    return database


@pytest.fixture
def client(app: Flask) -> IsolatedClient:
    return app.test_client()


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(schema, database_url: str, smtp_server: Mailbox):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(portal_settings(database_url, smtp_server.port, PUBLIC_BASE_URL=url))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url, app)
    server.shutdown()


@pytest.fixture
def live(live_server: LiveServer, mailbox: Mailbox) -> LiveServer:
    """The live server with empty tables and an empty mailbox."""
    with live_server.app.app_context():
        empty_all_tables()
        database.session.remove()
    mailbox.deliver_from(live_server.app)
    return live_server
