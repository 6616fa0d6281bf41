"""A stand-in for the ClamAV daemon: it speaks clamd's INSTREAM command and knows one signature, EICAR."""

from __future__ import annotations

import os
import socketserver
import struct
import threading
from pathlib import Path

# Joined at run time, so neither this file nor its compiled form holds the whole test string
# (virus scanners on developers' machines would otherwise quarantine them).
EICAR = "".join(("X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"))
SIGNATURE = "Eicar-Test-Signature"
SIZE_LIMIT_ERROR = b"INSTREAM size limit exceeded. ERROR\0"
MAX_COMMAND_BYTES = 64


class _InstreamHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        standin: ClamdStandIn = self.server.standin  # type: ignore[attr-defined]
        if self._read_command() != b"zINSTREAM":
            self.wfile.write(b"UNKNOWN COMMAND\0")
            return
        stream = self._read_stream()
        if stream is None:
            return  # the client went away mid-stream
        data, chunk_sizes = stream
        standin.record(data, chunk_sizes)
        self.wfile.write(standin.reply_for(data))

    def _read_command(self) -> bytes:
        command = bytearray()
        while len(command) < MAX_COMMAND_BYTES:
            byte = self.rfile.read(1)
            if byte in (b"", b"\0"):
                break
            command += byte
        return bytes(command)

    def _read_stream(self) -> tuple[bytes, list[int]] | None:
        """Length-prefixed chunks up to the zero-length one."""
        data = bytearray()
        chunk_sizes: list[int] = []
        while True:
            header = self.rfile.read(4)
            if len(header) < 4:
                return None
            (size,) = struct.unpack(">I", header)
            if size == 0:
                return bytes(data), chunk_sizes
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                return None
            data += chunk
            chunk_sizes.append(size)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class ClamdStandIn:
    """Listens on 127.0.0.1 (a free port) and, if given a path, on a unix socket too.

    With ``fail=True`` every scan is answered with clamd's size-limit error instead of a verdict.
    """

    def __init__(self, unix_socket: str | os.PathLike[str] | None = None, *, fail: bool = False) -> None:
        self.unix_socket = Path(unix_socket) if unix_socket else None
        self.fail = fail
        self.scans = 0
        self.received_bytes = 0
        self.chunk_sizes: list[int] = []
        self._lock = threading.Lock()
        self._servers: list[socketserver.BaseServer] = []
        self._threads: list[threading.Thread] = []

    @property
    def address(self) -> str:
        host, port = self._servers[0].server_address[:2]
        return f"{host}:{port}"

    @property
    def unix_address(self) -> str:
        if self.unix_socket is None:
            raise RuntimeError("this stand-in was not given a unix socket path")
        return f"unix:{self.unix_socket}"

    def start(self) -> None:
        self._servers.append(_TCPServer(("127.0.0.1", 0), _InstreamHandler))
        if self.unix_socket is not None:
            self.unix_socket.unlink(missing_ok=True)
            self._servers.append(_UnixServer(str(self.unix_socket), _InstreamHandler))
        for server in self._servers:
            server.standin = self  # type: ignore[attr-defined]
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        if self.unix_socket is not None:
            self.unix_socket.unlink(missing_ok=True)

    def __enter__(self) -> ClamdStandIn:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def record(self, data: bytes, chunk_sizes: list[int]) -> None:
        """Keep what the last scan received (its size and chunking, not its bytes)."""
        with self._lock:
            self.scans += 1
            self.received_bytes = len(data)
            self.chunk_sizes = chunk_sizes

    def reply_for(self, data: bytes) -> bytes:
        if self.fail:
            return SIZE_LIMIT_ERROR
        if EICAR.encode("ascii") in data:
            return f"stream: {SIGNATURE} FOUND\0".encode("ascii")
        return b"stream: OK\0"
