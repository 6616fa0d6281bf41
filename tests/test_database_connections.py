"""A pooled database connection that the server closed while it sat unused (a restart, a failover, an idle
timeout) is replaced before a page uses it; a busy portal is not made to check its connections on every
request (extensions.ping_connections_left_idle)."""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.people import make_family, signed_in_past_second_step

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="TEST_DATABASE_URL is not PostgreSQL: a server closing connections is tested on PostgreSQL",
)


# The portal's connections in this test name themselves, so that only they are closed (the other portals the
# test run has built keep theirs).
APPLICATION_NAME = "portal-idle-connections-test"


def close_the_portals_connections(database_url: str) -> int:
    """As a server restart would, for this test's portal: end its sessions on the database."""
    plain = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        return connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            (APPLICATION_NAME,),
        ).fetchone()[0]


class TestAConnectionLeftIdle:
    @pytest.fixture
    def app_settings(self):
        return {
            "DATABASE_PING_AFTER_IDLE_SECONDS": 0,  # every connection has been idle long enough
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"application_name": APPLICATION_NAME}},
        }

    def test_is_replaced_when_the_server_has_closed_it(self, app, client, database_url):
        make_family("parent@example.com")
        signed_in_past_second_step(client, "parent@example.com")
        assert client.get("/account").status_code == 200
        assert close_the_portals_connections(database_url) >= 1
        response = client.get("/account")
        assert response.status_code == 200
        assert "Your account" in response.get_data(as_text=True)
