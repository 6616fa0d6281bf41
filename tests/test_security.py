"""Headers, cookies, CSRF, error pages and configuration safety."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from flask import abort
from sqlalchemy import select

from app import create_app
from blueprints import session_limits
from extensions import db as database
from models import SecurityEvent
from tests.conftest import REDIS_URL, portal_settings, redis_client
from tests.factories import make_user
from tests.pages import check_page, csrf_token, get_page, post
from tests.test_sign_in import sign_in

PUBLIC_PAGES = ["/", "/accessibility", "/privacy", "/cookies", "/register", "/sign-in", "/signed-out"]


def assert_security_headers(response, secure: bool = False) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in response.headers
    if secure:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "/no-such-page", "/static/css/portal.css"])
def test_every_response_carries_the_security_headers(client, url):
    assert_security_headers(client.get(url))


def test_a_304_carries_only_what_a_bodiless_answer_needs(client):
    """The policies for rendering stay with the copy the browser has; a poll answered 'unchanged' stays
    small on a slow phone."""
    first = client.get("/static/css/portal.css", base_url="https://localhost")
    again = client.get(
        "/static/css/portal.css",
        headers={"If-None-Match": first.headers["ETag"]},
        base_url="https://localhost",
    )
    assert again.status_code == 304
    assert set(again.headers.keys()) <= {
        "ETag",
        "X-Content-Type-Options",
        "Strict-Transport-Security",
        "Cache-Control",
        "Vary",
        "Date",
        "Content-Encoding",
        "Accept-Ranges",
        "Last-Modified",
        "Expires",
    }
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert again.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_is_sent_over_https(client):
    assert_security_headers(client.get("/", base_url="https://localhost"), secure=True)


def test_the_inline_script_carries_a_fresh_nonce_that_the_csp_allows(client):
    nonces = []
    for _ in range(2):
        response = client.get("/")
        [nonce] = re.findall(r'<script nonce="([^"]+)"', response.get_data(as_text=True))
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_pages_are_never_cached_but_static_files_are(client):
    make_user()
    sign_in(client)
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert "max-age=31536000" in client.get("/static/css/portal.css").headers["Cache-Control"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_pass_the_page_checks_and_link_the_footer(client, url):
    soup = get_page(client, url)
    footer_links = [a["href"] for a in soup.select("footer a")]
    assert footer_links == ["/accessibility", "/privacy", "/cookies"]
    assert soup.select_one("a.govuk-skip-link")["href"] == "#main-content"
    assert soup.find(id="main-content").name == "main"


def test_the_header_shows_the_council_and_no_crown(client):
    soup = get_page(client, "/")
    assert soup.select_one(".govuk-generic-header__homepage-link").get_text(strip=True) == "Somerset Council"
    assert not soup.select(".govuk-header__logotype, .govuk-footer__crown, .govuk-footer__copyright-logo")
    assert "GDS Transport" not in client.get("/static/css/portal.css").get_data(as_text=True)


def test_responses_are_compressed(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.get("/register")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_outside_testing_the_cookie_is_secure_with_the_host_prefix(database_url, smtp_server):
    settings = portal_settings(database_url, smtp_server.port, TESTING=False)
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/register", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_the_app_refuses_to_start_with_the_default_secret_key(database_url, smtp_server):
    settings = portal_settings(database_url, smtp_server.port, TESTING=False)
    del settings["SECRET_KEY"]
    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY"):
        create_app(settings)


def test_every_post_route_refuses_a_request_without_the_csrf_token(app, client):
    make_user()
    sign_in(client)
    post_rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(post_rules) >= 8
    for rule in post_rules:
        url = rule.rule.replace("<token>", "some-token")
        response = client.post(url, data={"email": "parent@example.com"})
        if rule.endpoint in session_limits.APPLIES_KEPT_ANSWERS:
            # Refused too: nothing is saved, the answers go back into the page, asking to send again.
            assert response.status_code == 302 and unquote(response.location) == url, url
            continue
        assert response.status_code == 400, url
        assert "Your page has expired" in response.get_data(as_text=True)


def test_htmx_requests_send_the_token_in_a_header(client):
    token = csrf_token(client)
    response = client.post("/register/password/check", data={"password": "x"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_a_wrong_method_gets_a_page_not_a_bare_error(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    check_page(response.get_data(as_text=True))


class TestRequestLimit:
    @pytest.fixture
    def app_settings(self):
        return {"MAX_CONTENT_LENGTH": 1024 * 1024}

    def test_a_request_over_the_limit_gets_the_413_page(self, client):
        response = post(client, "/sign-in", {"email": "x" * (2 * 1024 * 1024)})
        assert response.status_code == 413
        assert "too large" in check_page(response.get_data(as_text=True)).h1.get_text()


def test_a_huge_form_field_is_refused_politely(client):
    response = post(client, "/sign-in", {"email": "x" * (3 * 1024 * 1024), "password": "x"})
    assert response.status_code == 200
    assert "Email address must be 254 characters or fewer" in response.get_data(as_text=True)


@pytest.mark.new_app  # adds a route
def test_an_unexpected_error_shows_a_page_without_a_traceback(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Traceback" not in html
    assert check_page(html).h1.get_text(strip=True) == "Sorry, there is a problem with the service"


@pytest.mark.new_app  # adds a route
def test_403_has_its_own_page(app, client):
    @app.get("/forbidden")
    def forbidden():
        abort(403)

    response = client.get("/forbidden")
    assert response.status_code == 403
    assert check_page(response.get_data(as_text=True)).h1.get_text(strip=True) == "You cannot see this page"


class TestRateLimits:
    @pytest.fixture
    def app_settings(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_SIGN_IN": "3 per minute"}

    def test_too_many_sign_in_attempts_from_one_address_get_the_429_page(self, client):
        statuses = [
            post(client, "/sign-in", {"email": f"x{n}@example.com", "password": "Wrong 7 pass!"}).status_code
            for n in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        response = post(client, "/sign-in", {"email": "x@example.com", "password": "Wrong 7 pass!"})
        assert "You have tried too many times" in check_page(response.get_data(as_text=True)).h1.get_text()
        assert client.get("/sign-in").status_code == 200  # reading the page is never limited


def _lock_out_from(client, address: str) -> str:
    """Five wrong passwords sent through a proxy that says they came from `address`; the address the
    portal recorded against the lock-out."""
    make_user()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    for _ in range(5):
        sign_in(client, password="Wrong 7 pass!")
    return database.session.scalar(
        select(SecurityEvent.ip_address).where(SecurityEvent.kind == "sign_in_locked")
    )


class TestBehindAProxy:
    @pytest.fixture
    def app_settings(self):
        return {"PROXY_FIX_HOPS": 1}

    def test_the_forwarded_scheme_is_trusted(self, client):
        response = client.get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert "Strict-Transport-Security" in response.headers

    def test_the_forwarded_address_is_the_one_recorded(self, client, db):
        assert _lock_out_from(client, "203.0.113.9") == "203.0.113.9"


def test_without_a_proxy_setting_forwarded_headers_are_not_believed(client, db):
    assert (
        client.get("/", headers={"X-Forwarded-Proto": "https"}).headers.get("Strict-Transport-Security")
        is None
    )
    assert _lock_out_from(client, "203.0.113.9") == "127.0.0.1"


class TestRateLimitsInRedis:
    @pytest.fixture
    def app_settings(self):
        redis_client()
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_SIGN_IN": "2 per minute",
        }

    def test_limits_are_counted_in_redis_when_configured(self, app, client):
        redis_client().flushdb()
        statuses = [
            post(client, "/sign-in", {"email": "r@example.com", "password": "Wrong 7 pass!"}).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        assert redis_client().dbsize() > 0
