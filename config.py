"""Default settings. Every one can be overridden from the environment with the FLASK_ prefix."""

from __future__ import annotations

import os

from flask import Config

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    COUNCIL_NAME = "Somerset Council"
    SERVICE_NAME = "SEND Citizen Portal"
    # Used to build links in emails, for example https://portal.somerset.gov.uk
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"

    SQLALCHEMY_DATABASE_URI = ""  # empty: SQLite under instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection left unused this long is checked before use (extensions.ping_connections_left_idle)
    DATABASE_PING_AFTER_IDLE_SECONDS = 10

    MAIL_SERVER = ""  # empty: emails are printed to the console log
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "onlineadmissions@somerset.gov.uk"
    MAIL_SUPPRESS_SEND = False  # Flask-Mail would otherwise drop mail under TESTING
    MAIL_MAX_ATTEMPTS = 10
    MAIL_TIMEOUT_SECONDS = 10  # each wait on the SMTP relay (connect, every reply)
    # Seconds before each retry after a failed try; the last one repeats.
    MAIL_RETRY_SECONDS = [5, 30, 120, 600, 1800, 3600]
    # Redis for the mail queue (RQ): the page only enqueues, `flask mail worker` sends. Empty: the worker
    # finds new mail in the outbox every MAIL_WORKER_POLL_SECONDS.
    MAIL_REDIS_URL = ""
    MAIL_WORKER_POLL_SECONDS = 5  # how often the worker looks for due retries and anything not enqueued
    MAIL_RETENTION_DAYS = 30  # sent and given-up rows older than this are deleted

    # Links and limits
    ACTIVATION_LINK_HOURS = 24
    ACTIVATION_RESENDS_PER_HOUR = 3
    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_LOCK_MINUTES = 15
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    # The timeout warning opens this long before the idle limit (at most half of the limit)
    SESSION_WARNING_SECONDS = 120

    # Password rules (the council's guide), each a setting
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 128
    PASSWORD_REQUIRE_UPPERCASE = True
    PASSWORD_REQUIRE_LOWERCASE = True
    PASSWORD_REQUIRE_NUMBER = True
    PASSWORD_REQUIRE_SPECIAL = True
    PASSWORD_HISTORY_COUNT = 10  # a new password may not repeat any of these
    PASSWORD_EXPIRY_DAYS = 60  # 0 turns expiry off
    PASSWORD_EXPIRY_WARNING_DAYS = 7
    # On a reset the previous password is not known: this many near neighbours of the new one
    # (case changes, the last number +/- 3) are tried against the previous hash.
    PASSWORD_NEIGHBOUR_CHECKS = 12
    PASSWORD_RESET_LINK_MINUTES = 60
    PASSWORD_RESETS_PER_HOUR = 3
    EMAIL_CHANGE_LINK_HOURS = 24
    # Two-step verification (the guide: 6 numbers, single use, "up to an hour")
    TWO_STEP_CODE_MINUTES = 60
    TWO_STEP_MAX_WRONG_ENTRIES = 5  # the next wrong entry voids the code
    TWO_STEP_CODES_PER_WINDOW = 5
    TWO_STEP_CODE_WINDOW_MINUTES = 15
    # Wrong codes (by email or app) one account may enter over a rolling window; the one that
    # reaches the cap locks the second step until a password reset
    TWO_STEP_ACCOUNT_MAX_FAILURES = 20
    TWO_STEP_ACCOUNT_WINDOW_HOURS = 24
    # argon2id cost; the defaults are OWASP's recommendation for argon2id (19 MiB, 2 passes, 1 lane).
    # Hashes made at any other cost are rehashed at the next sign-in.
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_MEMORY_KIB = 19456
    PASSWORD_HASH_PARALLELISM = 1
    # Key of the HMAC-SHA256 that emailed security codes are stored as; empty: derived from SECRET_KEY
    TWO_STEP_CODE_KEY = ""

    # Rate limits per client address (Flask-Limiter). memory:// counts in each process separately,
    # so with several workers a limit multiplies: outside debug and testing the portal refuses it
    # unless RATELIMIT_ALLOW_PER_PROCESS is set (one process only). Use redis://host:6379/0.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ALLOW_PER_PROCESS = False
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_SIGN_IN = "10 per minute;60 per hour"
    RATELIMIT_REGISTER = "20 per hour"
    RATELIMIT_EMAIL_RESEND = "5 per 15 minutes"
    RATELIMIT_PASSWORD = "10 per 15 minutes"
    RATELIMIT_CODE_ENTRY = "30 per 15 minutes"
    # While the Redis store does not answer, limits are counted in each process (a warning is logged)
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # How long to wait for Redis to connect, and for each reply, before carrying on without it
    REDIS_TIMEOUT_SECONDS = 0.3

    # Logs on standard error: "json" (one object a line) or "text"; and the least important level logged
    LOG_FORMAT = "json"
    LOG_LEVEL = "INFO"

    # Cookies and CSRF
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: Secure (and the __Host- name) everywhere except debug and testing
    SESSION_COOKIE_SECURE = None
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits
    WTF_CSRF_SSL_STRICT = True
    # Request bodies: room for several documents at once; other form fields are held to 500 KB
    MAX_CONTENT_LENGTH = 60 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500 * 1024

    # Documents: local folder (empty: instance/documents) or S3-compatible storage
    DOCUMENT_STORAGE = "local"
    DOCUMENT_FOLDER = ""
    DOCUMENT_S3_BUCKET = ""
    DOCUMENT_S3_ENDPOINT_URL = ""
    DOCUMENT_S3_REGION = "eu-west-2"
    DOCUMENT_S3_ACCESS_KEY_ID = ""
    DOCUMENT_S3_SECRET_ACCESS_KEY = ""
    DOCUMENT_S3_SERVER_SIDE_ENCRYPTION = False
    DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    DOCUMENT_MAX_FILES = 20
    # Word and OpenDocument files are zips: the most they may inflate to, counted as they inflate
    DOCUMENT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
    # ClamAV daemon: "unix:/run/clamav/clamd.ctl" or "host:3310"; empty: files are marked not scanned
    CLAMD = ""
    CLAMD_TIMEOUT_SECONDS = 30

    # The case after submission: Somerset's week for the draft plan (the law leaves room before week 20),
    # and the team's address shown to families on their Progress page (not shown when empty)
    DRAFT_PLAN_WEEKS = 17
    TEAM_EMAIL = ""
    # How long a professional asked for advice has to give it (reg. 8(1): 6 weeks; the law allows less)
    ADVICE_WEEKS = 6
    # How many days the family has to comment on a draft EHC plan, from the day it is sent (reg. 13(1):
    # at least 15); the last of them ends at midnight, UK time
    DRAFT_PLAN_COMMENT_DAYS = 15
    # How many days before that last day `flask cases remind` reminds a family who has not sent their views
    DRAFT_PLAN_REMINDER_DAYS = 5
    # How often a child under 5's plan is reviewed, in months (the Code of Practice says consider 3 to 6)
    UNDER_FIVE_REVIEW_MONTHS = 6
    # How often an open Progress page asks whether its case has changed (with JavaScript, tab visible)
    PROGRESS_POLL_SECONDS = 60

    # Appendix A: the longest answer to one question
    APPENDIX_A_MAX_CHARACTERS = 5000

    # How many proxies in front of the portal set X-Forwarded-For / -Proto (0: trust none)
    PROXY_FIX_HOPS = 0

    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/javascript", "text/javascript", "text/plain"]
    COMPRESS_MIN_SIZE = 300
    SEND_FILE_MAX_AGE_DEFAULT = 31536000  # static files carry a version in their URL


def load(app_config: Config, overrides: dict | None) -> None:
    """Apply defaults, then FLASK_* environment variables, then explicit overrides."""
    app_config.from_object(Defaults)
    app_config.from_prefixed_env()
    if not app_config.get("SQLALCHEMY_DATABASE_URI") and os.environ.get("DATABASE_URL"):
        app_config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        app_config.update(overrides)
