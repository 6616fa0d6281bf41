"""Migrations build the schema on an empty SQLite or PostgreSQL database, and match the models."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from extensions import db
from tests.conftest import portal_settings

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def _empty_sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def empty_postgres():
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    name = f"portal_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_url(base).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def upgrade_and_compare(url: str, mail_port: int) -> None:
    app = create_app(portal_settings(url, mail_port))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        engine = db.engine
        tables = set(inspect(engine).get_table_names())
        assert {
            "users",
            "email_tokens",
            "outbox_messages",
            "sign_in_throttles",
            "registration_drafts",
        } <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        engine.dispose()


def test_migrations_build_an_empty_sqlite_database(tmp_path, smtp_server):
    upgrade_and_compare(_empty_sqlite(tmp_path), smtp_server.port)


def test_migrations_build_an_empty_postgresql_database(empty_postgres, smtp_server):
    upgrade_and_compare(empty_postgres, smtp_server.port)


def test_the_command_line_upgrade_works(tmp_path, smtp_server, monkeypatch):
    url = _empty_sqlite(tmp_path)
    app = create_app(portal_settings(url, smtp_server.port))
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "--directory", MIGRATIONS])
    assert result.exit_code == 0, result.output
    assert "users" in inspect(create_engine(url)).get_table_names()


def test_requests_made_before_form_editions_are_on_the_first_edition(tmp_path, smtp_server):
    url = _empty_sqlite(tmp_path)
    app = create_app(portal_settings(url, smtp_server.port))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="b4e8f2a61c3d")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO assessment_requests (public_id, owner_id, state, answers, section_status,"
                    " version, created_at, updated_at) VALUES ('older', 1, 'submitted', '{}', '{}', 1,"
                    " '2026-11-30 10:00:00', '2026-11-30 10:00:00')"
                )
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            editions = connection.execute(text("SELECT form_edition FROM assessment_requests")).scalars()
            assert list(editions) == [1]
        db.engine.dispose()


def test_requests_submitted_before_cases_become_cases_at_their_first_step(tmp_path, smtp_server):
    url = _empty_sqlite(tmp_path)
    app = create_app(portal_settings(url, smtp_server.port))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="5b7373e413ae")
        with db.engine.begin() as connection:
            for public_id, state in [("sent", "submitted"), ("draft", "draft")]:
                connection.execute(
                    text(
                        "INSERT INTO assessment_requests (public_id, owner_id, state, form_edition, answers,"
                        " section_status, version, created_at, updated_at, submitted_at) VALUES"
                        f" ('{public_id}', 1, '{state}', 1, '{{}}', '{{}}', 1, '2026-11-30 10:00:00',"
                        " '2026-11-30 10:00:00', '2026-11-30 11:00:00')"
                    )
                )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            steps = connection.execute(
                text("SELECT public_id, step FROM assessment_requests ORDER BY public_id")
            )
            assert list(steps) == [("draft", None), ("sent", "submitted")]
            events = connection.execute(text("SELECT kind, step, actor_id, created_at FROM case_events"))
            assert list(events) == [("step", "submitted", 1, "2026-11-30 11:00:00")]
        db.engine.dispose()
