"""A local SMTP server for the load benchmark: the latest message to each address is written to a folder,
where the simulated families read their security codes."""

from __future__ import annotations

import os
import re
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class _LatestToEachAddress:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.received = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        text = message.get_body(("plain",)).get_content()
        self.received += 1
        for address in envelope.rcpt_tos:
            write_atomically(self.folder / address.lower(), f"{self.received}\n{text}")
        return "250 Message accepted for delivery"


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def start(folder: Path, port: int) -> Controller:
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_LatestToEachAddress(folder), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def latest(folder: Path, address: str) -> tuple[int, str]:
    """(number of the latest message, its text) to this address; (0, "") before any."""
    try:
        number, _, text = (folder / address.lower()).read_text(encoding="utf-8").partition("\n")
    except FileNotFoundError:
        return 0, ""
    return int(number), text


CODE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)


def wait_for_code(folder: Path, address: str, before: int, timeout: float = 30.0) -> str | None:
    """The security code in the first message to this address after message number `before`; None if none
    arrives in time. (Under locust, time.sleep is gevent's and lets the other families run.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        number, text = latest(folder, address)
        if number > before:
            found = CODE.search(text)
            return found.group(1) if found else None
        time.sleep(0.05)
    return None
