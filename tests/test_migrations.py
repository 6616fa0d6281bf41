"""Migrations build the schema on an empty SQLite or PostgreSQL database, and match the models."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect
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
