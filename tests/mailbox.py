"""A real SMTP server (aiosmtpd) that keeps every message it receives, for the tests to read."""

from __future__ import annotations

import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
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
