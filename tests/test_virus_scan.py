"""Scanning uploads with clamd over INSTREAM, against a stand-in daemon."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator

import pytest

from services.virus_scan import (
    CHUNK_BYTES,
    CLEAN,
    INFECTED,
    NOT_SCANNED,
    ScannerUnavailable,
    ScanResult,
    scan,
)
from tests.clamd_standin import EICAR, SIGNATURE, ClamdStandIn
from tests.mailbox import free_port

THREE_MB = 3 * 1024 * 1024
EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"


@pytest.fixture(scope="module")
def clamd() -> Iterator[ClamdStandIn]:
    with ClamdStandIn() as standin:
        yield standin


def settings_for(address: str, **extra: object) -> dict:
    return {"CLAMD": address, "CLAMD_TIMEOUT_SECONDS": 5, **extra}


def test_the_stand_in_knows_the_standard_test_string() -> None:
    assert len(EICAR) == 68
    # the published MD5 of the 68-byte EICAR test file
    assert hashlib.md5(EICAR.encode("ascii"), usedforsecurity=False).hexdigest() == EICAR_MD5


def test_clean_bytes_are_clean(clamd: ClamdStandIn) -> None:
    data = b"%PDF-1.7\nA letter from the school about support in class.\n%%EOF\n"

    assert scan(data, settings_for(clamd.address)) == ScanResult(CLEAN)
    assert clamd.received_bytes == len(data)


def test_the_test_virus_is_found_with_its_signature(clamd: ClamdStandIn) -> None:
    result = scan(EICAR.encode("ascii"), settings_for(clamd.address))

    assert result == ScanResult(INFECTED, SIGNATURE)


def test_the_test_virus_is_found_across_a_chunk_boundary(clamd: ClamdStandIn) -> None:
    data = b"a" * (CHUNK_BYTES - 30) + EICAR.encode("ascii") + b"b" * 100

    assert scan(data, settings_for(clamd.address)) == ScanResult(INFECTED, SIGNATURE)
    assert len(clamd.chunk_sizes) == 2


def test_a_large_file_is_streamed_whole_in_chunks(clamd: ClamdStandIn) -> None:
    data = bytes(range(256)) * (THREE_MB // 256)

    assert scan(data, settings_for(clamd.address)) == ScanResult(CLEAN)
    assert clamd.received_bytes == THREE_MB
    assert clamd.chunk_sizes == [CHUNK_BYTES] * (THREE_MB // CHUNK_BYTES)


def test_an_empty_file_is_scanned(clamd: ClamdStandIn) -> None:
    assert scan(b"", settings_for(clamd.address)) == ScanResult(CLEAN)
    assert clamd.received_bytes == 0


def test_a_unix_socket_is_used_by_path_or_with_the_unix_prefix(tmp_path) -> None:
    with ClamdStandIn(unix_socket=tmp_path / "clamd.sock") as standin:
        by_prefix = scan(EICAR.encode("ascii"), settings_for(standin.unix_address))
        by_path = scan(b"hello", settings_for(str(tmp_path / "clamd.sock")))
        scans = standin.scans

    assert by_prefix == ScanResult(INFECTED, SIGNATURE)
    assert by_path == ScanResult(CLEAN)
    assert scans == 2


@pytest.mark.parametrize("settings", [{}, {"CLAMD": ""}, {"CLAMD": None}, {"CLAMD": "  "}])
def test_without_a_clamd_setting_nothing_is_scanned(settings: dict) -> None:
    assert scan(b"anything", settings) == ScanResult(NOT_SCANNED)


def test_an_unreachable_daemon_makes_the_scanner_unavailable() -> None:
    address = f"127.0.0.1:{free_port()}"

    with pytest.raises(ScannerUnavailable, match=address):
        scan(b"hello", settings_for(address))


def test_a_missing_unix_socket_makes_the_scanner_unavailable(tmp_path) -> None:
    with pytest.raises(ScannerUnavailable, match="could not scan"):
        scan(b"hello", settings_for(f"unix:{tmp_path / 'no-such.sock'}"))


def test_an_error_reply_makes_the_scanner_unavailable() -> None:
    with ClamdStandIn(fail=True) as standin, pytest.raises(ScannerUnavailable, match="size limit exceeded"):
        scan(b"hello", settings_for(standin.address))


def test_a_silent_daemon_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = f"127.0.0.1:{listener.getsockname()[1]}"

        with pytest.raises(ScannerUnavailable, match="did not answer within 0.2 seconds"):
            scan(b"hello", settings_for(address, CLAMD_TIMEOUT_SECONDS=0.2))


@pytest.mark.parametrize("address", ["clamd", "clamd:", "clamd:port", ":3310", "clamd:70000"])
def test_a_malformed_address_is_reported(address: str) -> None:
    with pytest.raises(ScannerUnavailable, match="CLAMD must be"):
        scan(b"hello", settings_for(address))


def test_the_file_is_not_in_the_error_message() -> None:
    data = b"private medical report"
    with ClamdStandIn(fail=True) as standin, pytest.raises(ScannerUnavailable) as raised:
        scan(data, settings_for(standin.address))

    assert "medical" not in str(raised.value)
