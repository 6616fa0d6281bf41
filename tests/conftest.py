"""Shared fixtures: the app on SQLite or PostgreSQL, a real SMTP server, a live server and Chromium."""

from __future__ import annotations

import contextvars
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass

import psycopg
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from limits.storage import MemoryStorage
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from app import create_app
from extensions import db as database
from extensions import limiter
from services import logs
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


def pytest_configure(config) -> None:
    """Documents written by the tests go to a temporary folder of this process (each xdist worker has its
    own), never to instance/documents, which `make run` uses. Settings without a DOCUMENT_FOLDER of their
    own read it from the environment, as the portal does."""
    folder = tempfile.mkdtemp(prefix="portal-test-documents-")
    config.stash[_DOCUMENT_FOLDER] = folder
    os.environ["FLASK_DOCUMENT_FOLDER"] = folder


def pytest_unconfigure(config) -> None:
    folder = config.stash.get(_DOCUMENT_FOLDER, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_DOCUMENT_FOLDER = pytest.StashKey[str]()


def worker_number(worker_id: str) -> int:
    """0 for a run without xdist ("master") and for gw0, 1 for gw1, and so on."""
    return int(worker_id[2:]) if worker_id.startswith("gw") else 0


def redis_database(worker_id: str) -> int:
    """The Redis database number of this test process: 8 to 11, one for each xdist worker."""
    return 8 + worker_number(worker_id) % 4


# This process's Redis database, flushed by the tests that use it.
REDIS_DATABASE = redis_database(os.environ.get("PYTEST_XDIST_WORKER", "master"))
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DATABASE}"


def redis_client() -> redis.Redis:
    """This process's Redis database, answering; the test is skipped (which CI refuses) when Redis is not
    running."""
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DATABASE, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def _admin(url) -> str:
    return url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id: str):
    """SQLite: a file in this process's temporary folder. PostgreSQL: TEST_DATABASE_URL itself, or under
    xdist a database of each worker's own (the name with _gw0, _gw1... added), made and dropped here."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.getbasetemp() / 'portal-test.db'}"
        return
    if worker_id == "master" or not base.startswith("postgresql"):
        yield base
        return
    url = make_url(base)
    url = url.set(database=f"{url.database}_{worker_id}")
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{url.database}"')
    yield url.render_as_string(hide_password=False)
    while _APPS:
        _dispose(_APPS.popitem()[1].app)
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


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


def empty_document_folder() -> None:
    """The tests' own document folder (never instance/documents) starts each test empty."""
    folder = os.environ.get("FLASK_DOCUMENT_FOLDER")
    if folder and os.path.isdir(folder):
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)


def empty_all_tables() -> None:
    if database.engine.dialect.name == "postgresql":
        _empty_postgresql_tables()
    else:
        for table in reversed(database.metadata.sorted_tables):
            database.session.execute(table.delete())
    database.session.commit()


APPEND_ONLY_TABLES = ("audit_events", "case_events", "messages")
# By database URL: the query naming the tables a test has used, and each table's id sequence.
_USED_TABLES: dict[str, tuple[str, dict[str, str]]] = {}


def _empty_postgresql_tables() -> None:
    """Empty the tables the last test used (rows in them, or their id sequence moved) and restart their
    sequences, as TRUNCATE ... RESTART IDENTITY of every table would, but in a fraction of the time:
    DELETE of a few rows is cheap where TRUNCATE makes new files for each table. The append-only
    triggers of the audit log and of case events stop DELETE, so those two are truncated."""
    url = str(database.engine.url)
    if url not in _USED_TABLES:
        sequences = {}
        for table in database.metadata.sorted_tables:
            if "id" in table.c:
                found = database.session.execute(
                    text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
                ).scalar()
                if found:
                    sequences[table.name] = found
        checks = [
            f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM {table.name})"
            + (f" OR (SELECT is_called FROM {sequences[table.name]})" if table.name in sequences else "")
            for table in database.metadata.sorted_tables
        ]
        _USED_TABLES[url] = (" UNION ALL ".join(checks), sequences)
    query, sequences = _USED_TABLES[url]
    used = set(database.session.execute(text(query)).scalars())
    for table in reversed(database.metadata.sorted_tables):
        if table.name not in used:
            continue
        if table.name in APPEND_ONLY_TABLES:
            # CASCADE: PostgreSQL will not truncate a table others refer to (documents refer to case
            # events) unless they are truncated with it; they are emptied here already
            database.session.execute(text(f"TRUNCATE {table.name} CASCADE"))
        else:
            database.session.execute(table.delete())
    for name in used & sequences.keys():
        database.session.execute(text(f"ALTER SEQUENCE {sequences[name]} RESTART"))


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


@dataclass
class _BuiltApp:
    app: Flask
    config: dict
    mail: dict
    limiter: dict


# Apps built in this process, by their settings: a few at most, the most recently used last.
_APPS: OrderedDict[str, _BuiltApp] = OrderedDict()
_APPS_KEPT = 6


def _dispose(app: Flask) -> None:
    with app.app_context():
        database.engine.dispose()


def _built_app(settings: dict) -> Flask:
    """The app for these settings, built once per test process and handed back as it was built: the
    settings, the mail state and the (process-wide) rate limiter's state are put back, and the limiter's
    in-memory counts emptied."""
    key = repr(sorted(settings.items(), key=lambda item: item[0]))
    built = _APPS.get(key)
    if built is None:
        app = create_app(settings)
        app.test_client_class = IsolatedClient
        built = _BuiltApp(app, dict(app.config), {}, dict(vars(limiter)))
        mail_state = app.extensions.get("mail")
        built.mail = dict(vars(mail_state)) if mail_state is not None else {}
        _APPS[key] = built
        if len(_APPS) > _APPS_KEPT:
            _, oldest = _APPS.popitem(last=False)
            _dispose(oldest.app)
    else:
        _APPS.move_to_end(key)
        app = built.app
        app.config.clear()
        app.config.update(built.config)
        if built.mail:
            vars(app.extensions["mail"]).update(built.mail)
        vars(limiter).update(built.limiter)
        logs.configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])  # process-wide, as at its build
    if limiter.enabled and isinstance(limiter._storage, MemoryStorage):
        limiter._storage.reset()
    return built.app


@pytest.fixture
def app(request, schema, database_url: str, smtp_server: Mailbox, app_settings: dict) -> Flask:
    """The app, built once per test process for each set of settings; a test marked `new_app` (one that
    adds routes, say) gets one of its own."""
    settings = portal_settings(database_url, smtp_server.port, **app_settings)
    if request.node.get_closest_marker("new_app"):
        app = create_app(settings)
        app.test_client_class = IsolatedClient
    else:
        app = _built_app(settings)
    empty_document_folder()
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
    empty_document_folder()
    with live_server.app.app_context():
        empty_all_tables()
        database.session.remove()
    mailbox.deliver_from(live_server.app)
    return live_server
