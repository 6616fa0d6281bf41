"""HTTP only: one module per area of the portal, and the helpers they share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no backslashes."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"
