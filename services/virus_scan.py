"""Scanning uploads with a ClamAV daemon (clamd), streaming the bytes with its INSTREAM command.

The ``CLAMD`` setting says where clamd listens: ``unix:/run/clamav/clamd.ctl`` (or just the socket's
path) or ``host:port``. Empty: nothing is scanned and documents are marked as not scanned.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CLEAN = "clean"
INFECTED = "infected"
NOT_SCANNED = "not_scanned"

CHUNK_BYTES = 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_REPLY_BYTES = 4096
_REPLY_PREFIX = "stream: "
_FOUND_SUFFIX = " FOUND"


@dataclass(frozen=True)
class ScanResult:
    status: str
    signature: str | None = None


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict: the upload must not be accepted."""


def scan(data: bytes, settings: Mapping[str, Any]) -> ScanResult:
    address = str(settings.get("CLAMD") or "").strip()
    if not address:
        return ScanResult(NOT_SCANNED)
    timeout = _timeout(settings)
    try:
        with _connect(address, timeout) as connection:
            reply = _exchange(connection, data)
    except TimeoutError as error:
        raise ScannerUnavailable(f"clamd at {address} did not answer within {timeout:g} seconds") from error
    except OSError as error:
        raise ScannerUnavailable(f"could not scan with clamd at {address}: {error}") from error
    return _verdict(reply, address)


def _timeout(settings: Mapping[str, Any]) -> float:
    value = settings.get("CLAMD_TIMEOUT_SECONDS")
    try:
        timeout = DEFAULT_TIMEOUT_SECONDS if value in (None, "") else float(value)
    except (TypeError, ValueError):
        raise ScannerUnavailable(f"CLAMD_TIMEOUT_SECONDS must be a number, not {value!r}") from None
    if timeout <= 0:
        raise ScannerUnavailable("CLAMD_TIMEOUT_SECONDS must be more than 0")
    return timeout


def _connect(address: str, timeout: float) -> socket.socket:
    """Each socket operation (not the whole scan) is limited to ``timeout`` seconds."""
    if address.startswith("unix:") or address.startswith("/"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(address.removeprefix("unix:"))
        except BaseException:
            connection.close()
            raise
        return connection
    host, port = _host_and_port(address)
    return socket.create_connection((host, port), timeout=timeout)


def _host_and_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    host = host.strip("[]")  # [::1]:3310
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ScannerUnavailable(
            f'CLAMD must be "unix:/path/to/clamd.sock", a socket path or "host:port", not {address!r}'
        )
    return host, int(port)


def _exchange(connection: socket.socket, data: bytes) -> str:
    try:
        _send(connection, data)
    except OSError:
        # clamd closes the connection early when the stream is over its size limit, after saying so:
        # that reply explains more than the broken pipe does.
        reply = _read_reply_if_any(connection)
        if reply:
            return reply
        raise
    return _read_reply(connection)


def _send(connection: socket.socket, data: bytes) -> None:
    connection.sendall(b"zINSTREAM\0")
    view = memoryview(data)
    for start in range(0, len(view), CHUNK_BYTES):
        chunk = view[start : start + CHUNK_BYTES]
        connection.sendall(struct.pack(">I", len(chunk)))
        connection.sendall(chunk)
    connection.sendall(struct.pack(">I", 0))


def _read_reply(connection: socket.socket) -> str:
    """Read up to clamd's NUL terminator (or the end of the connection)."""
    received = bytearray()
    while b"\0" not in received and len(received) < MAX_REPLY_BYTES:
        part = connection.recv(MAX_REPLY_BYTES)
        if not part:
            break
        received += part
    return received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _read_reply_if_any(connection: socket.socket) -> str:
    try:
        return _read_reply(connection)
    except OSError:
        return ""


def _verdict(reply: str, address: str) -> ScanResult:
    if reply == f"{_REPLY_PREFIX}OK":
        return ScanResult(CLEAN)
    if reply.startswith(_REPLY_PREFIX) and reply.endswith(_FOUND_SUFFIX):
        signature = reply[len(_REPLY_PREFIX) : -len(_FOUND_SUFFIX)].strip()
        if signature:
            return ScanResult(INFECTED, signature)
    if not reply:
        raise ScannerUnavailable(f"clamd at {address} closed the connection without a verdict")
    raise ScannerUnavailable(f"clamd at {address} gave no verdict: {reply[:200]!r}")
