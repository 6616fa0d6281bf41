"""Addresses of portal pages for emails, built from the PUBLIC_BASE_URL setting."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: object) -> str:
    """The full address of a portal page, e.g. ``public_url("auth.activate", token=raw)``.

    Scheme, host and any path prefix come from PUBLIC_BASE_URL, never from the request's Host
    header (which the sender of the request chooses), so this also works in the mail worker or a
    command, with an app context only."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc,
        script_name=base.path.rstrip("/") or "/",
        url_scheme=base.scheme or "https",
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
