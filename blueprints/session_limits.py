"""The session's idle limit as the family meets it: the timeout warning's routes, and what happens to a
form posted after the session ended (or with an expired form token): its answers are kept."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    get_flashed_messages,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from blueprints import KEPT_ANSWERS_WAITING, is_htmx, is_safe_next
from services import clock, kept_answers, notices

bp = Blueprint("session_limits", __name__)

TIMED_OUT_ACCOUNT = "timed_out_account"
EXPIRED_FORM = "expired_form"  # why answers were kept: the form's token had expired, not the session
# Requests that must not renew the idle session: live status polling and the warning's own check.
PASSIVE_ENDPOINTS = {
    "session_limits.status",
    "appendix_a.progress_status",
    "send.requests_status",
    "messages.case_thread_status",
    "messages.child_thread_status",
}
# Posts whose fields are never worth keeping (credentials, codes, buttons with nothing typed).
NOT_KEPT_PREFIXES = ("auth.", "two_step.", "session_limits.")
SAVE_STATUS_TARGET = "save-status"
# Pages that put kept answers back into their form (the long forms, where typed work is at stake).
APPLIES_KEPT_ANSWERS = {"appendix_a.section", "send.request_access", "send.access_request"}


def note_activity() -> None:
    """Renew the idle limit. The session cookie is rewritten (and re-signed) only when the last renewal
    is a step old: a minute for the usual 30-minute limit, a twentieth of a shorter one. "Stay signed in"
    always renews."""
    moment = int(clock.now().timestamp())
    step = min(60, current_app.config["SESSION_IDLE_MINUTES"] * 60 // 20)
    if moment - session.get("last_seen", 0) >= step or request.endpoint == "session_limits.extend":
        session["last_seen"] = moment


def seconds_left() -> int:
    """Seconds until the idle or the absolute limit ends this session, whichever comes first."""
    settings = current_app.config
    moment = clock.now().timestamp()
    idle_ends = session.get("last_seen", 0) + settings["SESSION_IDLE_MINUTES"] * 60
    absolute_ends = session.get("signed_in_at", 0) + settings["SESSION_ABSOLUTE_HOURS"] * 3600
    return max(0, int(min(idle_ends, absolute_ends) - moment))


def warning_seconds() -> int:
    """The warning opens 2 minutes before the idle limit, or at half of a limit shorter than 4 minutes."""
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    return int(min(current_app.config["SESSION_WARNING_SECONDS"], idle / 2))


def idle_limit_text() -> str:
    return kept_answers.minutes_text(current_app.config["SESSION_IDLE_MINUTES"])


@bp.get("/session")
def status() -> ResponseReturnValue:
    """How long this session has left, for the timeout warning; asking does not renew it."""
    if not current_user.is_authenticated:
        return jsonify(signed_in=False, seconds_left=0)
    return jsonify(signed_in=True, seconds_left=seconds_left())


@bp.post("/session/extend")
@login_required
def extend() -> ResponseReturnValue:
    """Stay signed in: the request itself renews the idle limit (see app.enforce_session_limits)."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(signed_in=True, seconds_left=seconds_left())
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("account.home"))


def page_posted_from() -> str | None:
    """The page the family was on: this URL when it also serves a GET (a plain form), otherwise the page
    htmx says it was sent from, or the referring page, when either is this site's."""
    own = request.full_path.rstrip("?")
    if is_safe_next(own):
        return own
    for header in ("HX-Current-URL", "Referer"):
        parts = urlsplit(request.headers.get(header, ""))
        if parts.netloc != request.host:
            continue
        candidate = parts.path + (f"?{parts.query}" if parts.query else "")
        if is_safe_next(candidate):
            return candidate
    return None


def page_applies_kept_answers(page: str) -> bool:
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(urlsplit(page).path, method="GET")
    except HTTPException:
        return False
    return endpoint in APPLIES_KEPT_ANSWERS


def keeps_answers_here() -> bool:
    """Whether this page gives typed answers back after a timeout (its warning says so)."""
    return request.endpoint in APPLIES_KEPT_ANSWERS


def _keep_posted(user_id: int) -> tuple[str | None, bool]:
    """Keep what this POST carried for the account when its page can give it back; returns the page
    the family was on, and whether anything was kept."""
    page = page_posted_from()
    endpoint = request.endpoint or ""
    if page is None or endpoint.startswith(NOT_KEPT_PREFIXES) or not page_applies_kept_answers(page):
        return page, False
    return page, kept_answers.keep(user_id, page, request.form.items(multi=True))


def sent_from_this_site() -> bool:
    """A post whose form token failed is only kept when the browser says it came from this site, so
    another site cannot put words into a family's form by posting to it."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    return origin is None or urlsplit(origin).netloc == request.host


def answer_post_after_session_end(user_id: int) -> ResponseReturnValue:
    """A form that arrives after the session ended: keep its answers, then off to sign in and back."""
    page, kept = _keep_posted(user_id)
    sign_in_url = url_for("auth.sign_in", next=page) if page else url_for("auth.sign_in")
    if is_htmx():
        if request.headers.get("HX-Target") == SAVE_STATUS_TARGET:
            body = render_template("components/_signed_out_status.html", kept=kept, sign_in_url=sign_in_url)
            response = make_response(body, 200)
        else:
            response = make_response("", 200)
            response.headers["HX-Redirect"] = sign_in_url
        response.headers["HX-Trigger"] = "sessionEnded"
        return response
    return redirect(sign_in_url)


def answer_expired_form(user_id: int) -> ResponseReturnValue:
    """Signed in, but the form's token had expired (another tab signed in again, say): keep the answers
    and show the page again with them in it, asking to send it again."""
    if is_htmx() and request.headers.get("HX-Target") == SAVE_STATUS_TARGET:
        # A save as you type never moves the page: what was typed is still on it, and it says what to do.
        return make_response(render_template("components/_expired_form_status.html"), 200)
    page, kept = _keep_posted(user_id) if sent_from_this_site() else (None, False)
    if not kept or page is None:  # nothing is kept without a page to give it back on
        return make_response(render_template("errors/csrf.html"), 400)
    flash(EXPIRED_FORM, notices.KEPT_ANSWERS)
    session[KEPT_ANSWERS_WAITING] = True
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = page
        return response
    return redirect(page)


def expired_form_errors(target_id: str) -> list[tuple[str, str]]:
    """The error summary's line for a form sent with an expired token, its answers now back in it."""
    return [
        (
            target_id,
            "This page had expired, so what you sent was not saved. Check your answers and send them again",
        )
    ]


def take_kept_answers(page: str) -> tuple[list[tuple[str, str]] | None, str | None]:
    """The signed-in family's answers kept for this page (once), and why they were kept. Looked for only
    while the session says some may be waiting: most visits to these pages cost no query for them."""
    if not session.get(KEPT_ANSWERS_WAITING):
        return None, None
    fields = kept_answers.take(current_user.id, page)
    why_kept = get_flashed_messages(category_filter=[notices.KEPT_ANSWERS])
    reason = str(why_kept[0]) if why_kept else None
    if fields is None:
        return None, None
    if kept_answers.waiting_page(current_user.id) is None:  # none left for the other pages
        del session[KEPT_ANSWERS_WAITING]
    return fields, reason or "signed_out"


def say_why_signed_out() -> None:
    """The sign-in page's note for a family whose session ran out."""
    hours = current_app.config["SESSION_ABSOLUTE_HOURS"]
    flash(
        f"You were signed out because you had not used the portal for {idle_limit_text()}, "
        f"or had been signed in for {hours} hours. Anything you saved is still there, "
        "and answers to your request that you sent after that are kept until you sign in again.",
        notices.TIMED_OUT,
    )
