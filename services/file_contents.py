"""What an uploaded file holds, read as hostile input: office files (zips) are inflated within a cap
without trusting their headers, and photos are re-encoded from their pixels alone."""

from __future__ import annotations

import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Iterator

import pillow_heif
from PIL import Image, ImageCms, ImageOps

pillow_heif.register_heif_opener()

log = logging.getLogger(__name__)

LOCAL_HEADER = struct.Struct("<4s5H3L2H")
LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
INFLATE_CHUNK_BYTES = 64 * 1024
PHOTO_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIF"}
SRGB = ImageCms.createProfile("sRGB")


class Refusal(Exception):
    """A file the portal will not store; `reason` follows the file's name in the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def damaged(kind: str) -> Refusal:
    return Refusal(f"is damaged or not a real {kind} file: save it again and upload the new copy")


def open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """The archive's directory, read without inflating anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.infolist()
    except Exception as error:  # zipfile raises many kinds of exception on a crafted directory
        log.info("Unreadable zip directory: %r", error)
        raise damaged(kind) from error
    return archive


def check_office_file(data: bytes, kind: str, max_unpacked_bytes: int, max_entries: int) -> None:
    """Inflate every entry, counting the bytes that really come out (never the sizes the zip declares),
    a bounded buffer at a time and never past `max_unpacked_bytes` in all; then each entry must match
    its declared size and CRC. Raises Refusal."""
    entries = open_zip(data, kind).infolist()
    megabytes = max_unpacked_bytes // (1024 * 1024)
    too_large = Refusal(f"is too large once unpacked: it must unpack to less than {megabytes} MB")
    if len(entries) > max_entries:
        raise Refusal(f"holds more than {max_entries} parts: save it again and upload the new copy")
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise Refusal("is password protected: remove the password and upload it again")
    if sum(entry.file_size for entry in entries) > max_unpacked_bytes:
        raise too_large
    unpacked = 0
    for entry in entries:
        size, crc = 0, 0
        for chunk in _inflated_chunks(data, entry, kind):
            size += len(chunk)
            unpacked += len(chunk)
            if unpacked > max_unpacked_bytes:
                raise too_large
            crc = zlib.crc32(chunk, crc)
        if size != entry.file_size or crc != entry.CRC:
            raise damaged(kind)


def read_start(data: bytes, entry: zipfile.ZipInfo, kind: str, length: int) -> bytes:
    """The first `length` bytes of one entry, inflating no more than that."""
    start = b""
    for chunk in _inflated_chunks(data, entry, kind, chunk_bytes=length):
        start += chunk
        if len(start) >= length:
            break
    return start[:length]


def _inflated_chunks(
    data: bytes, entry: zipfile.ZipInfo, kind: str, chunk_bytes: int = INFLATE_CHUNK_BYTES
) -> Iterator[bytes | memoryview]:
    compressed = _compressed_bytes(data, entry, kind)
    if entry.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(compressed), chunk_bytes):
            yield compressed[offset : offset + chunk_bytes]
        return
    if entry.compress_type != zipfile.ZIP_DEFLATED:  # office files use only these two
        raise damaged(kind)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending: bytes | memoryview = compressed
    try:
        while pending and not inflater.eof:
            chunk = inflater.decompress(pending, chunk_bytes)
            pending = inflater.unconsumed_tail
            yield chunk
    except zlib.error as error:
        raise damaged(kind) from error
    if not inflater.eof:
        raise damaged(kind)


def _compressed_bytes(data: bytes, entry: zipfile.ZipInfo, kind: str) -> memoryview:
    offset = entry.header_offset
    if offset < 0 or offset + LOCAL_HEADER.size > len(data):
        raise damaged(kind)
    header = LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != LOCAL_HEADER_SIGNATURE:
        raise damaged(kind)
    name_length, extra_length = header[9], header[10]
    start = offset + LOCAL_HEADER.size + name_length + extra_length
    if start + entry.compress_size > len(data):
        raise damaged(kind)
    return memoryview(data)[start : start + entry.compress_size]


def clean_photo(data: bytes, content_type: str) -> bytes:
    """The photo re-encoded from its pixels alone: no EXIF (location, camera make and model, times), no
    XMP, no comments or text, no thumbnails, no colour profile. It is first turned upright and brought
    into sRGB, the two things in its metadata that change how it looks. Raises Refusal."""
    pixel_limit = Image.MAX_IMAGE_PIXELS  # None would turn Pillow's own check off
    try:
        with Image.open(io.BytesIO(data), formats=[PHOTO_FORMATS[content_type]]) as image:
            # Checked here rather than by turning Pillow's warning into an error: warning filters are
            # global to the process, and a threaded worker would share them.
            if pixel_limit is not None and image.width * image.height > pixel_limit:
                raise Image.DecompressionBombError("over the pixel limit")
            pixels = _upright_srgb(image, has_alpha=content_type == "image/png" and _has_alpha(image))
        pixels.info = {}  # getexif() and every encoder read from here
        out = io.BytesIO()
        if content_type == "image/png":
            pixels.save(out, format="PNG", optimize=True)
        else:
            pixels.save(out, format=PHOTO_FORMATS[content_type], quality=90)
    except Image.DecompressionBombError as error:
        assert pixel_limit is not None  # raised above, or by Pillow, only when there is a limit
        raise Refusal(
            f"is too large a picture (over {pixel_limit // 1_000_000} million pixels): "
            "make it smaller and upload it again"
        ) from error
    except Exception as error:  # image decoders raise many kinds of exception on crafted input
        log.info("Unreadable %s: %r", content_type, error)
        raise Refusal("could not be read as a picture: save it again and upload the new copy") from error
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _upright_srgb(image: Image.Image, has_alpha: bool) -> Image.Image:
    mode = "RGBA" if has_alpha else "RGB"
    upright = ImageOps.exif_transpose(image)
    if profile := image.info.get("icc_profile"):
        try:
            embedded = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(upright, embedded, SRGB, outputMode=mode)
            assert converted is not None  # None only when converting in place
            return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as error:
            log.info("Unusable colour profile ignored, pixels kept as they are: %r", error)
    return upright.convert(mode)
