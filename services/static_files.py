"""Compressed copies of the stylesheet and scripts, made once per process and kept in memory."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import brotli

# Encodings in the order the portal prefers them when a client accepts several equally.
ENCODINGS = ("br", "gzip")
COMPRESSIBLE_SUFFIXES = {".css", ".js"}


@dataclass(frozen=True)
class StaticCopy:
    body: bytes
    etag: str
    encoding: str | None


def is_compressible(path: Path) -> bool:
    return path.suffix in COMPRESSIBLE_SUFFIXES


def compressed_copy(path: Path, encoding: str | None) -> StaticCopy:
    """The file as sent with this Content-Encoding (None: as it is). A changed file (a new deploy,
    or an edit in development) gets new copies because its modification time is part of the key."""
    return _copy(path, path.stat().st_mtime_ns, encoding)


@lru_cache(maxsize=64)
def _copy(path: Path, modified_ns: int, encoding: str | None) -> StaticCopy:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    if encoding == "br":
        body = brotli.compress(raw, mode=brotli.MODE_TEXT, quality=11)
    elif encoding == "gzip":
        body = gzip.compress(raw, compresslevel=9, mtime=0)
    else:
        body = raw
    # Each encoding is a different representation, so each has its own validator.
    return StaticCopy(body=body, etag=f"{digest}-{encoding}" if encoding else digest, encoding=encoding)
