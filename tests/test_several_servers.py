"""The portal on several servers: two gunicorn processes, each with its own folder on disk, sharing only
PostgreSQL, Redis and an S3 bucket (moto's server). A family signs in on one and carries on, request by
request, on the other; a rate limit counts attempts made on both. Whatever either keeps on its own disk
would show here as a step that fails on the other process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from bs4 import BeautifulSoup
from sqlalchemy import select

from models import Document
from services.storage import S3_PREFIX
from tests import files
from tests.conftest import REDIS_DATABASE, redis_client
from tests.factories import GOOD_PASSWORD
from tests.gunicorn_server import Gunicorn, running_gunicorn
from tests.people import approved_link, make_child, make_family
from tests.test_storage import REGION, moto_bucket, raw_client
from tests.two_step_helpers import code_from

BUCKET = "portal-documents-shared"  # not test_storage's: moto shares buckets across a process

REDIS_URI = f"redis://127.0.0.1:6379/{REDIS_DATABASE}"
FAMILY = "parent@example.com"


@dataclass
class Servers:
    one: Gunicorn
    other: Gunicorn
    folders: tuple[Path, Path]


@pytest.fixture(scope="module")
def postgresql(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several servers share one database: PostgreSQL only (TEST_DATABASE_URL)")
    return database_url


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[redis.Redis]:
    client = redis_client()
    yield client
    client.flushdb()


@pytest.fixture(scope="module")
def bucket_endpoint() -> Iterator[str]:
    """moto's S3-compatible server, with the bucket both servers store documents in."""
    with moto_bucket(BUCKET) as endpoint_url:
        yield endpoint_url


def production_like(bucket_endpoint: str, folder: Path) -> dict[str, str]:
    """What each server is given: the shared stores, rate limits on and counted in Redis, documents in
    S3, and a documents folder of its own that must stay empty."""
    return {
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": REDIS_URI,
        "RATELIMIT_ALLOW_PER_PROCESS": "false",
        "RATELIMIT_SIGN_IN": "4 per minute",
        "DOCUMENT_STORAGE": "s3",
        "DOCUMENT_S3_BUCKET": BUCKET,
        "DOCUMENT_S3_ENDPOINT_URL": bucket_endpoint,
        "DOCUMENT_S3_REGION": REGION,
        "DOCUMENT_S3_ACCESS_KEY_ID": "testing",
        "DOCUMENT_S3_SECRET_ACCESS_KEY": "testing",
        "DOCUMENT_FOLDER": str(folder),
    }


@pytest.fixture(scope="module")
def servers(
    postgresql: str,
    schema,
    smtp_server,
    bucket_endpoint: str,
    shared_redis,
    tmp_path_factory,
) -> Iterator[Servers]:
    folders = (tmp_path_factory.mktemp("server-one"), tmp_path_factory.mktemp("server-other"))
    with ExitStack() as stack:
        one, other = (
            stack.enter_context(
                running_gunicorn(postgresql, smtp_server.port, **production_like(bucket_endpoint, f))
            )
            for f in folders
        )
        yield Servers(one, other, folders)


@pytest.fixture
def fresh(app, servers: Servers, shared_redis: redis.Redis, mailbox) -> Servers:
    """Empty tables (the `app` fixture), rate limit counts and mailbox before each test."""
    shared_redis.flushdb()
    return servers


def csrf_token(page: requests.Response) -> str:
    return BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]


def test_a_family_signs_in_on_one_server_and_carries_on_on_the_other(
    fresh: Servers,
    mailbox,
    db,
    bucket_endpoint: str,
):
    one, other = fresh.one.url, fresh.other.url
    family = make_family(FAMILY)
    child = make_child()
    approved_link(family, child)
    browser = requests.Session()  # one cookie jar for both servers, as a browser behind a load balancer

    # Signing in on one server
    token = csrf_token(browser.get(f"{one}/sign-in"))
    signed_in = browser.post(
        f"{one}/sign-in",
        data={"csrf_token": token, "email": FAMILY, "password": GOOD_PASSWORD},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302

    # The second step on the other: the code it emails is accepted there
    code_page = browser.get(f"{other}/send")  # through /two-step to the code page, which emails a code
    assert code_page.status_code == 200 and code_page.url.startswith(f"{other}/two-step/code")
    passed = browser.post(
        code_page.url,
        data={"csrf_token": csrf_token(code_page), "code": code_from(mailbox, FAMILY)},
        allow_redirects=False,
    )
    assert passed.status_code == 302 and passed.headers["Location"] == "/send"
    assert browser.get(f"{one}/send", allow_redirects=False).status_code == 200

    # Appendix A started on one, saved as the family types on the other, read back on the first
    token = csrf_token(browser.get(f"{one}/send/requests/new"))  # passing the second step renewed the session
    started = browser.post(
        f"{one}/send/requests/new",
        data={"csrf_token": token, "child": child.public_id},
        allow_redirects=False,
    )
    assert started.status_code == 302
    section = f"{started.headers['Location']}/sections/parent_views"
    form = BeautifulSoup(browser.get(f"{one}{section}").text, "html.parser")
    version = form.find("input", attrs={"name": "version"})["value"]
    saved = browser.post(
        f"{other}{section}/autosave",
        data={"csrf_token": token, "version": version, "history": "Typed on the other server"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and saved.text.startswith("Saved at "), saved.text
    assert "Typed on the other server" in browser.get(f"{one}{section}").text

    # A document sent to the other server, listed and downloaded on the first
    uploaded = browser.post(
        f"{other}/send/children/{child.public_id}/documents",
        data={"csrf_token": token, "category": "report", "description": ""},
        files={"files": ("school-report.pdf", files.PDF, "application/pdf")},
        allow_redirects=False,
    )
    assert uploaded.status_code in (200, 302), uploaded.text
    listed = BeautifulSoup(
        browser.get(f"{one}/send/children/{child.public_id}/documents").text, "html.parser"
    )
    link = listed.find("a", href=lambda href: href and href.endswith("/download"))
    assert link is not None and "school-report.pdf" in link.get_text()
    download = browser.get(f"{one}{link['href']}")
    assert download.status_code == 200 and download.content == files.PDF

    # The bytes are in the bucket, and on neither server's disk
    document = db.session.scalars(select(Document)).one()
    stored = raw_client(bucket_endpoint).get_object(Bucket=BUCKET, Key=S3_PREFIX + document.storage_key)
    assert stored["Body"].read() == files.PDF
    assert [list(folder.rglob("*")) for folder in fresh.folders] == [[], []]

    # Signing out on one server ends the session on the other, even for a copy of the cookie kept from
    # before (its account's session version, in the database, has moved on)
    kept = requests.Session()
    kept.cookies.update(browser.cookies)
    assert kept.get(f"{one}/send", allow_redirects=False).status_code == 200
    assert (
        browser.post(f"{other}/sign-out", data={"csrf_token": token}, allow_redirects=False).status_code
        == 302
    )
    after = kept.get(f"{one}/send", allow_redirects=False)
    assert after.status_code == 302 and after.headers["Location"].startswith("/sign-in")


def wrong_sign_ins(browser: requests.Session, url: str, token: str) -> int:
    form = {"csrf_token": token, "email": "nobody@example.com", "password": "Wrong 7 password!"}
    return browser.post(f"{url}/sign-in", data=form, allow_redirects=False).status_code


def test_a_rate_limit_counts_attempts_on_both_servers(fresh: Servers, shared_redis: redis.Redis):
    """4 sign-ins a minute per address: the fifth is refused wherever it is sent, and so is every
    later one, on both servers."""
    browser = requests.Session()
    token = csrf_token(browser.get(f"{fresh.one.url}/sign-in"))
    turns = [fresh.one, fresh.other, fresh.other, fresh.one, fresh.other, fresh.one]
    assert [wrong_sign_ins(browser, server.url, token) for server in turns] == [200, 200, 200, 200, 429, 429]
    refused = browser.get(f"{fresh.one.url}/sign-in")
    assert refused.status_code == 200  # only the form's posts are counted
    assert shared_redis.dbsize() > 0
