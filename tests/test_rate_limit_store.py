"""Rate limits are counted in one store shared by every worker, or the portal refuses to start."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
import requests
from bs4 import BeautifulSoup

from app import create_app
from tests.conftest import REDIS_URL, portal_settings, redis_client
from tests.gunicorn_server import running_gunicorn

REDIS_URI = REDIS_URL  # this test process's own database number: it is flushed by these tests


def production_settings(database_url: str, mail_port: int, **extra) -> dict:
    """Neither testing nor debug, with rate limits on: what gunicorn runs in production."""
    return portal_settings(database_url, mail_port, TESTING=False, RATELIMIT_ENABLED=True, **extra)


@pytest.mark.parametrize("storage", ["memory://", "", "async+memory://"])
def test_outside_testing_and_debug_a_per_process_store_is_refused(database_url, smtp_server, storage):
    settings = production_settings(database_url, smtp_server.port, RATELIMIT_STORAGE_URI=storage)
    with pytest.raises(RuntimeError, match="FLASK_RATELIMIT_ALLOW_PER_PROCESS=true"):
        create_app(settings)


def test_the_default_store_is_refused_naming_both_settings(database_url, smtp_server):
    with pytest.raises(RuntimeError) as refused:
        create_app(production_settings(database_url, smtp_server.port))
    assert "FLASK_RATELIMIT_STORAGE_URI" in str(refused.value)
    assert "FLASK_RATELIMIT_ALLOW_PER_PROCESS" in str(refused.value)


def test_the_allow_setting_from_the_environment_lets_it_start(database_url, smtp_server, monkeypatch):
    monkeypatch.setenv("FLASK_RATELIMIT_ALLOW_PER_PROCESS", "true")
    app = create_app(production_settings(database_url, smtp_server.port))
    assert app.config["RATELIMIT_ALLOW_PER_PROCESS"] is True


@pytest.mark.parametrize(
    "extra",
    [
        {"RATELIMIT_STORAGE_URI": REDIS_URI},
        {"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ALLOW_PER_PROCESS": True},
        {"RATELIMIT_STORAGE_URI": "memory://", "DEBUG": True},
        {"RATELIMIT_STORAGE_URI": "memory://", "TESTING": True},
        {"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": False},
    ],
)
def test_a_shared_store_or_an_explicit_choice_starts(database_url, smtp_server, extra):
    settings = production_settings(database_url, smtp_server.port)
    settings.update(extra)
    assert create_app(settings).name == "app"


# --- Two portal processes sharing one Redis --------------------------------------------------


@pytest.fixture
def shared_redis():
    client = redis_client()
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def two_portals(app, database_url, smtp_server):
    """Two portal processes on one database, with rate limits on; the test gives their limit store."""
    with ExitStack() as stack:

        def start(**settings: str) -> list[str]:
            settings = {"RATELIMIT_ENABLED": "true", "RATELIMIT_SIGN_IN": "3 per minute", **settings}
            return [
                stack.enter_context(running_gunicorn(database_url, smtp_server.port, **settings)).url
                for _ in range(2)
            ]

        yield start


def sign_in_attempts(urls: list[str], count: int) -> list[int]:
    """Wrong passwords from one browser and one address, taking turns between the processes."""
    browser = requests.Session()
    token = BeautifulSoup(browser.get(f"{urls[0]}/sign-in").text, "html.parser").find(
        "input", attrs={"name": "csrf_token"}
    )["value"]
    form = {"csrf_token": token, "email": "nobody@example.com", "password": "Wrong 7 password!"}
    return [
        browser.post(f"{urls[n % 2]}/sign-in", data=form, allow_redirects=False).status_code
        for n in range(count)
    ]


def test_two_processes_sharing_redis_count_one_limit(two_portals, shared_redis):
    urls = two_portals(RATELIMIT_STORAGE_URI=REDIS_URI)
    assert sign_in_attempts(urls, 6) == [200, 200, 200, 429, 429, 429]
    assert shared_redis.dbsize() > 0


def test_two_processes_each_counting_in_memory_let_twice_the_limit_through(two_portals):
    """What the refusal at start-up prevents: each process counts only what it saw."""
    urls = two_portals(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ALLOW_PER_PROCESS="true")
    assert sign_in_attempts(urls, 6) == [200] * 6
