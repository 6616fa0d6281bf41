"""What a JPEG, PNG or HEIC file carries besides its pixels, found by walking the file's own structure
(JPEG segments, PNG chunks, HEIF boxes) rather than by asking Pillow, which the portal itself uses."""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_STANDALONE = {0x01, 0xD8, *range(0xD0, 0xD8)}
HEIF_CONTAINERS = {b"meta", b"iprp", b"ipco", b"iinf"}
HEIF_FULL_BOXES = {b"meta", b"iinf", b"infe"}


def metadata_in(data: bytes) -> set[str]:
    """Labels for what the file holds: EXIF, XMP, ICC, comment, text, APPn."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    if data[4:8] == b"ftyp":
        return _heif(data)
    raise ValueError("not a JPEG, PNG or HEIF file")


def _jpeg(data: bytes) -> set[str]:
    found: set[str] = set()
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ValueError(f"no JPEG marker at {at}")
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker in JPEG_STANDALONE:
            at += 2
            continue
        if marker in (0xDA, 0xD9):  # start of scan: the pixels follow
            break
        (length,) = struct.unpack_from(">H", data, at + 2)
        payload = data[at + 4 : at + 2 + length]
        if marker == 0xE1 and payload.startswith(b"Exif\0\0"):
            found.add("EXIF")
        elif marker == 0xE1 and payload.startswith(b"http://ns.adobe.com/xap/1.0/"):
            found.add("XMP")
        elif marker == 0xE2 and payload.startswith(b"ICC_PROFILE"):
            found.add("ICC")
        elif marker == 0xFE:
            found.add("comment")
        elif 0xE1 <= marker <= 0xEF:
            found.add(f"APP{marker - 0xE0}")
        at += 2 + length
    return found


def _png(data: bytes) -> set[str]:
    found: set[str] = set()
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        body = data[at + 8 : at + 8 + length]
        if kind == b"iTXt" and body.startswith(b"XML:com.adobe.xmp\0"):
            found.add("XMP")
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            found.add("text")
        elif kind == b"eXIf":
            found.add("EXIF")
        elif kind == b"iCCP":
            found.add("ICC")
        elif kind == b"tIME":
            found.add("time")
        at += 12 + length
    return found


def _boxes(data: bytes, start: int, end: int):
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, at + 8)
            header = 16
        elif size == 0:
            size = end - at
        body = at + header + (4 if kind in HEIF_FULL_BOXES else 0)
        if kind == b"iinf":
            version = data[at + header]
            body += 2 if version == 0 else 4  # the entry count
        yield kind, body, at + size
        at += size


def _heif(data: bytes) -> set[str]:
    found: set[str] = set()
    pending = [(0, len(data))]
    while pending:
        start, end = pending.pop()
        for kind, body, box_end in _boxes(data, start, end):
            if kind in HEIF_CONTAINERS:
                pending.append((body, box_end))
            elif kind == b"infe":
                found |= _heif_item(data, body - 4, box_end)
            elif kind == b"colr" and data[body : body + 4] in (b"prof", b"rICC"):
                found.add("ICC")
    return found


def _heif_item(data: bytes, at: int, end: int) -> set[str]:
    version = data[at]
    id_bytes = 2 if version < 3 else 4
    item_type = data[at + 4 + id_bytes + 2 : at + 4 + id_bytes + 6]
    if item_type == b"Exif":
        return {"EXIF"}
    if item_type == b"mime":
        name_end = data.index(b"\0", at + 4 + id_bytes + 6)
        content_type = data[name_end + 1 : end].split(b"\0")[0]
        return {"XMP" if content_type == b"application/rdf+xml" else f"mime {content_type.decode()}"}
    return set()
