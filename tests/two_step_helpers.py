"""Helpers for tests that go through the second step."""

from __future__ import annotations

import re

from tests.pages import post

CODE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)


def code_from(mailbox, address: str = "parent@example.com", count: int = 1) -> str:
    message = mailbox.wait_for(address, count)[-1]
    assert message["Subject"] == "Your Citizen Portal security code"
    return CODE.search(mailbox.text(message)).group(1)


def enter(client, code: str, next_url: str | None = "/send", **kwargs):
    url = f"/two-step/code?next={next_url}" if next_url else "/two-step/code"
    return post(client, url, {"code": code}, **kwargs)


def turn_on(client, mailbox, password: str) -> None:
    """From a signed-in session with no second step: turn on codes by email and pass."""
    assert post(client, "/two-step?next=/send", {"password": password}).location.startswith("/two-step/code")
    assert enter(client, code_from(mailbox)).location == "/send"


def pass_second_step(client, mailbox, count: int = 1) -> None:
    """From a signed-in session of an account with codes by email turned on."""
    assert client.get("/two-step/code?next=/send").status_code == 200
    assert enter(client, code_from(mailbox, count=count)).location == "/send"
