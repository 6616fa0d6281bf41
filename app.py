"""The SEND Citizen Portal: create_app() builds the Flask application."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

import click
from flask import (
    Flask,
    Request,
    Response,
    abort,
    g,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import MapAdapter

import config
import models
from blueprints import access, session_limits
from extensions import (
    answer_statement_by_statement,
    back_to_transactions,
    compress,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
    ping_connections_left_idle,
)
from services import clock, credentials, logs, mailer, security_events, static_files

ERROR_PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/405.html",
    413: "errors/413.html",
    429: "errors/429.html",
    500: "errors/500.html",
}
# Every other HTTP error gets errors/generic.html, with its heading and advice from here.
ERROR_WORDS = {
    401: ("You need to sign in", "Sign in and try again."),
    406: ("This page cannot be sent in the form asked for", "Open the page from a link in the portal."),
    408: ("The page took too long to arrive", "Try again."),
    409: (
        "Someone else changed this first",
        "Go back, reload the page to see the latest version, and try again if it is still needed.",
    ),
    410: ("This page is no longer here", "Use the links in the portal to find what you need."),
    411: ("Sorry, that could not be sent", "Try again from the page in the portal."),
    412: ("This page has changed since you opened it", "Reload the page and try again."),
    414: ("The web address is too long", "Use the links in the portal rather than typing the address."),
    415: ("That kind of file or form cannot be sent here", "Try again from the page in the portal."),
    416: ("Sorry, that part of the file cannot be sent", "Download the whole file instead."),
    417: ("Sorry, that could not be sent", "Try again from the page in the portal."),
    418: ("Sorry, that could not be sent", "Try again from the page in the portal."),
    422: ("Sorry, that could not be sent", "Check what you entered and try again."),
    423: ("This is locked for now", "Try again later."),
    424: ("Sorry, that could not be done", "Try again."),
    428: ("This page has changed since you opened it", "Reload the page and try again."),
    431: ("Sorry, your browser sent too much", "Clear this site's cookies and try again."),
    451: ("This page is not available", "Use the links in the portal to find what you need."),
    501: ("Sorry, that cannot be done here", "Use the buttons and links on the pages of the portal."),
    502: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable", "Try again later."),
    504: ("Sorry, the service took too long to answer", "Try again later."),
    505: ("Sorry, your browser could not be understood", "Try again with an up-to-date browser."),
}
GENERIC_ERROR_WORDS = ("Sorry, there is a problem", "Go back and try again.")
SERVER_ERROR_WORDS = ("Sorry, there is a problem with the service", "Try again later.")

# A proxy's X-Request-ID is kept when it is a short plain token; otherwise the portal makes its own.
REQUEST_ID_HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_log = logging.getLogger("portal.request")
log = logging.getLogger("portal")

# What a family whose password has expired can still reach.
EXPIRED_PASSWORD_ALLOWED = {
    "static",
    "account.expired_password",
    "auth.password_check",
    "auth.sign_out",
    "auth.signed_out",
    "session_limits.status",
    "session_limits.extend",
}


class PortalRequest(Request):
    """Form values never carry NUL characters: PostgreSQL text columns refuse them, and no family
    types one on purpose."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any("\x00" in value for value in form.values()):
            cleaned = [(key, value.replace("\x00", "")) for key, value in form.items(multi=True)]
            self.__dict__["form"] = ImmutableMultiDict(cleaned)


# Stands in for a Host header that cannot be understood, so pages (the 400 page first) can still build links.
UNUSABLE_HOST_PLACEHOLDER = "unusable-host.invalid"
UNUSABLE_HOST = "portal.unusable_host"


NOT_MODIFIED = 304

# Relative addresses kept by PortalFlask.url_for, per process (a few MB at most).
BUILT_URLS_KEPT = 20_000


class PortalFlask(Flask):
    """Werkzeug refuses a Host it cannot encode (a label over 63 characters, an empty label) before any
    view runs, leaving the request without a URL adapter; the error page would then fail to build its
    links and the client would get a bare 500. Such a request gets an adapter for a placeholder host (links
    are relative) and is answered with the 400 page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built_urls: dict[tuple, str] = {}

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        try:
            return super().create_url_adapter(request)
        except BadRequest:
            if request is None:
                raise
            request.environ[UNUSABLE_HOST] = True
            return self.url_map.bind_to_environ(
                request.environ,
                server_name=UNUSABLE_HOST_PLACEHOLDER,
                subdomain=self.url_map.default_subdomain or "",
            )

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Every page builds some thirty links, mostly the same ones: within a request, a relative address
        is built once per process for each endpoint, values and path prefix, then reused."""
        if _anchor or _method or _scheme or _external or not has_request_context():
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        if endpoint[:1] == ".":
            endpoint = f"{request.blueprint}{endpoint}" if request.blueprint else endpoint[1:]
        key = (request.script_root, endpoint, *values.items())
        try:
            return self._built_urls[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list): built every time
            return super().url_for(endpoint, **values)
        built = super().url_for(endpoint, **values)
        if len(self._built_urls) >= BUILT_URLS_KEPT:
            self._built_urls.clear()
        self._built_urls[key] = built
        return built


def create_app(overrides: dict | None = None) -> Flask:
    app = PortalFlask(__name__, instance_relative_config=True)
    app.request_class = PortalRequest
    config.load(app.config, overrides)
    logs.configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    _configure_database(app)
    _configure_document_folder(app)
    _configure_cookies(app)
    if not _loaded_for_a_command_that_serves_nothing():
        _refuse_default_secret(app)
        _refuse_per_process_rate_limits(app)
    _configure_rate_limit_store(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        # Flask's documented way to add WSGI middleware; mypy sees a method being replaced.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    _register_request_log(app)  # first, so its clock starts before any other hook runs
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_connections_left_idle(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "basic"

    _register_blueprints(app)
    _serve_static_files_compressed(app)
    _register_template_helpers(app)
    _register_request_hooks(app)
    _reuse_signed_csrf_tokens(app)
    _register_error_pages(app)
    _register_commands(app)
    return app


def _configure_database(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.db'}"


def _configure_document_folder(app: Flask) -> None:
    if not app.config["DOCUMENT_FOLDER"]:
        app.config["DOCUMENT_FOLDER"] = str(Path(app.instance_path) / "documents")


def _configure_cookies(app: Flask) -> None:
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    if app.config["SESSION_COOKIE_SECURE"]:
        # __Host- binds the cookie to this exact host, over HTTPS, with path /.
        app.config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"


def _loaded_for_a_command_that_serves_nothing() -> bool:
    """`flask --app app db upgrade`, `staff create` and `mail send-queued` sign no cookie and count no
    rate limit, so the refusals that keep a serving portal safe (the default secret key, a per-process
    rate limit store) do not stop them. `flask run` serves requests and keeps them, as gunicorn does."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return False
    command = click.get_current_context(silent=True)
    return command is not None and command.command.name != "run"


def _refuse_default_secret(app: Flask) -> None:
    if app.config["SECRET_KEY"] == config.DEFAULT_SECRET_KEY and not (app.debug or app.testing):
        raise RuntimeError(
            "FLASK_SECRET_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_hex(32))") before running the portal.'
        )


def _refuse_per_process_rate_limits(app: Flask) -> None:
    """memory:// counts in each worker separately, so with several workers every limit is
    multiplied by their number; it is only fine for one process, and only when said so."""
    settings = app.config
    if app.debug or app.testing or not settings.get("RATELIMIT_ENABLED", True):
        return
    scheme = (settings["RATELIMIT_STORAGE_URI"] or "memory://").partition("://")[0]
    if "memory" in scheme.lower().split("+") and not settings["RATELIMIT_ALLOW_PER_PROCESS"]:
        raise RuntimeError(
            "FLASK_RATELIMIT_STORAGE_URI is memory://, which counts rate limits in each worker "
            "separately. Set it to a shared store such as redis://127.0.0.1:6379/0, or set "
            "FLASK_RATELIMIT_ALLOW_PER_PROCESS=true if the portal runs as a single process."
        )


def _configure_rate_limit_store(app: Flask) -> None:
    """A Redis store that does not answer holds a request only for REDIS_TIMEOUT_SECONDS; Flask-Limiter
    then logs a warning and counts in this process until Redis answers again."""
    scheme = (app.config["RATELIMIT_STORAGE_URI"] or "memory://").partition("://")[0].lower()
    if "redis" in scheme.split("+"):
        timeout = float(app.config["REDIS_TIMEOUT_SECONDS"])
        options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS", {}))
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options


def _register_blueprints(app: Flask) -> None:
    from blueprints.account import bp as account_bp
    from blueprints.advice import bp as advice_bp
    from blueprints.appendix_a import bp as appendix_a_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.documents import bp as documents_bp
    from blueprints.family_reviews import bp as family_reviews_bp
    from blueprints.health import bp as health_bp
    from blueprints.messages import bp as messages_bp
    from blueprints.plan_response import bp as plan_response_bp
    from blueprints.public import bp as public_bp
    from blueprints.reviews import bp as reviews_bp
    from blueprints.send import bp as send_bp
    from blueprints.session_limits import bp as session_limits_bp
    from blueprints.staff import bp as staff_bp
    from blueprints.two_step import bp as two_step_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(two_step_bp)
    app.register_blueprint(send_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(advice_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(plan_response_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(family_reviews_bp)
    app.register_blueprint(appendix_a_bp)
    app.register_blueprint(session_limits_bp)
    app.register_blueprint(health_bp)


def _serve_static_files_compressed(app: Flask) -> None:
    """The stylesheet and scripts, compressed once per process for brotli and gzip clients
    (Flask-Compress would compress them again at every request, and never with gzip, because
    files are sent as streams). Other static files are sent as Flask sends them."""
    assert app.static_folder is not None  # create_app() keeps Flask's static folder
    folder = Path(app.static_folder).resolve()

    def static(filename: str) -> ResponseReturnValue:
        path = (folder / filename).resolve()
        if not (path.is_relative_to(folder) and path.is_file() and static_files.is_compressible(path)):
            return app.send_static_file(filename)  # what Flask's own static view does
        encoding = request.accept_encodings.best_match(static_files.ENCODINGS)
        copy = static_files.compressed_copy(path, encoding)
        response = Response(copy.body, mimetype=mimetypes.guess_type(path.name)[0])
        if copy.encoding:
            response.headers["Content-Encoding"] = copy.encoding
        response.vary.add("Accept-Encoding")
        response.set_etag(copy.etag)
        response.cache_control.public = True
        response.cache_control.max_age = app.get_send_file_max_age(filename)
        return response.make_conditional(request)

    app.view_functions["static"] = static


def _static_version(app: Flask, filename: str) -> str:
    cache = app.extensions.setdefault("static_versions", {})
    if filename not in cache:
        assert app.static_folder is not None
        data = (Path(app.static_folder) / filename).read_bytes()
        cache[filename] = hashlib.sha256(data).hexdigest()[:10]
    return cache[filename]


def _register_template_helpers(app: Flask) -> None:
    def csp_nonce() -> str:
        if "csp_nonce" not in g:
            g.csp_nonce = secrets.token_urlsafe(16)
        return g.csp_nonce

    def static_url(filename: str) -> str:
        return url_for("static", filename=filename, v=_static_version(app, filename))

    from forms import markup as field_markup
    from services import links
    from services.appendix_a import display_value

    app.jinja_env.globals.update(
        csp_nonce=csp_nonce,
        static_url=static_url,
        display=display_value,
        session_seconds_left=session_limits.seconds_left,
        session_warning_seconds=session_limits.warning_seconds,
        idle_limit_text=session_limits.idle_limit_text,
        keeps_answers_here=session_limits.keeps_answers_here,
        public_url=links.public_url,  # emailed links: from FLASK_PUBLIC_BASE_URL, never the Host header
        **field_markup.TEMPLATE_GLOBALS,
    )
    app.jinja_env.filters["uk_datetime"] = clock.uk_datetime
    app.jinja_env.filters["uk_time"] = clock.uk_time
    app.jinja_env.filters["duration"] = clock.duration
    app.jinja_env.filters["uk_day"] = clock.uk_day
    app.jinja_env.filters["waited"] = clock.waited

    @app.context_processor
    def service_names() -> dict:
        return {
            "council_name": app.config["COUNCIL_NAME"],
            "service_name": app.config["SERVICE_NAME"],
            "request_id": g.get("request_id", ""),
        }


# Built once: every signed-in request runs it (see assessment_requests._FAMILY_REQUEST).
_ACCOUNT_BY_ID = select(models.User).where(models.User.id == bindparam("id"))


@login_manager.user_loader
def load_user(user_id: str) -> models.User | None:
    """The session holds "id:version"; a raised version ends every older session."""
    identifier, _, version = user_id.partition(":")
    if not (identifier.isdigit() and version.isdigit()):
        return None
    user = db.session.scalar(_ACCOUNT_BY_ID, {"id": int(identifier)})
    if user is None or user.session_version != int(version) or not user.is_activated:
        return None
    return user


def session_has_expired(app: Flask) -> bool:
    """Idle and absolute limits, checked on the server at every request."""
    moment = clock.now().timestamp()
    signed_in_at = session.get("signed_in_at", 0)
    last_seen = session.get("last_seen", 0)
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    return moment - last_seen > idle or moment - signed_in_at > absolute


def request_id_for(incoming: str | None) -> str:
    if incoming and SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(8)


def _register_request_log(app: Flask) -> None:
    """One log line at the end of every request: its id, method, route (the URL rule, never the address
    with its ids and tokens), status, duration and the signed-in account's id, nothing more."""

    @app.before_request
    def start_request_log() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        g.request_id_token = logs.current_request_id.set(g.request_id)

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id") or request_id_for(None)
        if response.status_code != NOT_MODIFIED:  # an empty "unchanged" is never one to report
            response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        user = g.get("_login_user")  # only the account already loaded: logging never queries for it
        request_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                "user_id": user.id if user is not None and user.is_authenticated else None,
            },
        )
        return response

    @app.teardown_request
    def forget_request_id(_: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is None:
            return
        try:
            logs.current_request_id.reset(token)
        except ValueError:  # torn down in another context than it was set in
            logs.current_request_id.set(None)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def refuse_unusable_host() -> None:
        if request.environ.get(UNUSABLE_HOST):
            abort(400)

    @app.before_request
    def refuse_nul_in_addresses() -> None:
        if "\x00" in request.path or "%00" in request.query_string.decode("latin-1"):
            abort(400)

    @app.before_request
    def choose_how_statements_run() -> None:  # before the account is loaded, the first statement
        answer_statement_by_statement(app.view_functions.get(request.endpoint or ""), request.method)

    app.teardown_request(lambda _: back_to_transactions())

    @app.before_request
    def enforce_session_limits() -> ResponseReturnValue | None:
        security_events.client_address.set(request.remote_addr)
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        if session_has_expired(app):
            account = current_user.id
            logout_user()
            session.clear()
            session_limits.say_why_signed_out()
            # The cookie still says whose session it was, so later posts keep their answers for them.
            session[session_limits.TIMED_OUT_ACCOUNT] = account
            if request.method == "POST":
                return session_limits.answer_post_after_session_end(account)
            return None
        if request.endpoint not in session_limits.PASSIVE_ENDPOINTS:
            session_limits.note_activity()
        return None

    app.before_request(access.staff_pass_the_second_step_first)

    @app.before_request
    def require_expired_password_change() -> ResponseReturnValue | None:
        """An expired password must be changed before any other signed-in page."""
        if not current_user.is_authenticated or not credentials.password_expired(current_user):
            return None
        endpoint = request.endpoint or ""
        if endpoint in EXPIRED_PASSWORD_ALLOWED or endpoint.startswith("public."):
            return None
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("account.expired_password", next=target))

    @app.after_request
    def after_request(response: Response) -> Response:
        mailer.send_committed()
        return set_security_headers(response)


# Signed form tokens kept per process, by session: a few MB at most.
SIGNED_CSRF_TOKENS_KEPT = 20_000
CSRF_FIELD = "csrf_token"  # Flask-WTF's name for the session's token, and for the signed one in g


def _reuse_signed_csrf_tokens(app: Flask) -> None:
    """Flask-WTF signs the session's form token afresh for every page that has a form (and every signed-in
    page has the sign-out form), which costs as much as one of the page's SQL statements. A signed token
    that never expires (WTF_CSRF_TIME_LIMIT None: the session has its own limits) is as good on the next
    page as on this one, so each session's is kept and handed back, checked as before on every POST."""
    signed: dict[tuple[str | bytes | None, str], str] = {}

    def reusable() -> bool:
        return app.config["WTF_CSRF_TIME_LIMIT"] is None and app.config["WTF_CSRF_FIELD_NAME"] == CSRF_FIELD

    @app.before_request
    def reuse_signed_csrf_token() -> None:
        raw = g.csrf_raw_at_start = session.get(CSRF_FIELD)
        if raw and reusable():
            found = signed.get((app.secret_key, raw))
            if found is not None:
                setattr(g, CSRF_FIELD, found)

    @app.after_request
    def keep_signed_csrf_token(response: Response) -> Response:
        raw, token = session.get(CSRF_FIELD), g.get(CSRF_FIELD)
        # A session made anew during the request (signing in) may leave g with the old session's token.
        if raw and token and g.get("csrf_raw_at_start") in (None, raw) and reusable():
            if len(signed) >= SIGNED_CSRF_TOKENS_KEPT:
                signed.clear()
            signed[(app.secret_key, raw)] = token
        return response


def set_security_headers(response: Response) -> Response:
    """One place for the headers every response carries. A 304 carries no body: only what it needs
    (the policies for what a browser renders stay with the copy it already has), so a page's poll
    answered "unchanged" costs a few hundred bytes on a slow connection."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    if response.status_code == NOT_MODIFIED:
        return response
    nonce = g.get("csp_nonce")
    script_src = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers.setdefault(  # a download sets its own, stricter policy
        "Content-Security-Policy",
        f"default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    return response


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> ResponseReturnValue:
        """An expired form never throws away what was typed when we know whose it is."""
        if request.method == "POST" and session_limits.sent_from_this_site():
            if current_user.is_authenticated:
                return session_limits.answer_expired_form(current_user.id)
            account = session.get(session_limits.TIMED_OUT_ACCOUNT)
            if isinstance(account, int):
                return session_limits.answer_post_after_session_end(account)
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        """The portal's own page for every HTTP error, keeping the error's headers (Allow, Retry-After)."""
        code = error.code or 500
        template = ERROR_PAGES.get(code)
        if code >= 500:
            return server_error_page(code, template)
        if template is None:
            heading, advice = ERROR_WORDS.get(code, GENERIC_ERROR_WORDS)
            page = render_template("errors/generic.html", code=code, heading=heading, advice=advice)
        else:
            page = render_template(template, error=error)
        response = make_response(page, code)
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception(
            "Unexpected error on %s %s",
            request.method,
            request.url_rule.rule if request.url_rule else "an unknown address",
        )
        try:
            db.session.rollback()
        except Exception:
            log.exception("The database session could not be rolled back after that error")
        return server_error_page(500, ERROR_PAGES[500])

    def server_error_page(code: int, template: str | None) -> Response:
        """The 500 page (or the generic one) with the request id a family can quote; when even that
        page cannot be built (the database gone, say), a plain page with the same words."""
        heading, advice = ERROR_WORDS.get(code, SERVER_ERROR_WORDS)
        try:
            if template:
                page = render_template(template)
            else:
                page = render_template("errors/generic.html", code=code, heading=heading, advice=advice)
        except Exception:
            log.exception("The error page could not be built")
            reference = g.get("request_id", "")
            page = (
                f'<!DOCTYPE html><html lang="en-GB"><head><title>{heading}</title></head><body>'
                f"<h1>{heading}</h1><p>{advice}</p>"
                f"<p>If you contact us about this, quote this reference: {reference}</p></body></html>"
            )
        return make_response(page, code)


def _register_commands(app: Flask) -> None:
    from commands import cases_cli, mail_cli, staff_cli

    app.cli.add_command(staff_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(cases_cli)
