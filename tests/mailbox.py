"""A real SMTP server (aiosmtpd) that keeps every message it receives, for the tests to read.

Pages only queue emails; the mail worker sends them. So that a test can read an email right after the
request that queued it, reading the mailbox first runs the worker's own sending step (`send_queued`) for
the app under test, in this process, in a context of its own (its own database session), as the worker
would. This is deterministic, unlike a background thread racing the test for the database."""

from __future__ import annotations

import contextvars
import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from flask import Flask

LINK = re.compile(r"https?://[^\s<>\"]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deliver_outbox(app: Flask) -> None:
    """Run the mail worker's sending step once for this app, outside the caller's app context."""
    from extensions import db
    from services import mailer

    def run() -> None:
        with app.app_context():
            try:
                mailer.send_queued()
            finally:
                db.session.remove()

    contextvars.Context().run(run)


class _KeepEverything:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.mailbox.lock:
            self.mailbox.messages.append(message)
        return "250 Message accepted for delivery"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(_KeepEverything(self), hostname="127.0.0.1", port=self.port)
        self.app: Flask | None = None

    def deliver_from(self, app: Flask | None) -> None:
        """Reading the mailbox first sends what this app's outbox holds (None: reading only reads)."""
        self.app = app

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        if self.app is not None:
            deliver_outbox(self.app)
        with self.lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} email(s) to {address}, got {len(self.to(address))}")

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(("html",)).get_content()

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        return LINK.findall(cls.text(message))
