"""Notices: a one-off message for the next page the family sees is `flash(message, category)`.

The category says how it shows (templates/components/notices.html) and so which page shows it. Flask
hands out the waiting messages all together: a page that shows notices takes them all and shows its own
categories, while a redirect, a JSON answer or an htmx fragment that shows none leaves them waiting.
"""

from __future__ import annotations

from flask import flash

SUCCESS = "success"  # the green "Success" notification banner
ACTIVATED = "activated"  # the success banner on sign in, with its "sign in" link, after activation
LINK_RESENT = "link-resent"  # the success banner on "Check your email" after a new activation link
CODE_STATUS = "code-status"  # inset text read out as a status above the security code form
TIMED_OUT = "timed-out"  # inset text on sign in: why the session ended
KEPT_ANSWERS = (
    "kept-answers"  # why a form's answers were kept ("expired_form"): read by the view, never shown
)
ROW_PREFIX = "row:"  # + a group's key: the visually hidden status announcing a row added or removed


def row_category(group: str) -> str:
    return ROW_PREFIX + group


def announce_row(group: str, message: str) -> None:
    """Announce a row change in its group's status region on the page the family returns to."""
    flash(message, row_category(group))
