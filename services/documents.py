"""Documents: checked by their content, cleaned of photo metadata, scanned, stored under random names."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pillow_heif
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import ColumnElement, and_, func, or_, select, true

from extensions import db
from models import LINK_APPROVED, AssessmentRequest, Child, ChildLink, Document, User
from models.audit import CREATED, DELETED, DOWNLOADED
from services import audit, security_events, storage, virus_scan
from services.clock import now

pillow_heif.register_heif_opener()

PDF, JPEG, PNG, HEIC = "application/pdf", "image/jpeg", "image/png", "image/heic"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", HEIC: "heic", DOC: "doc", DOCX: "docx", ODT: "odt"}
KIND_BY_EXTENSION = {
    ".pdf": "PDF",
    ".jpg": "JPG",
    ".jpeg": "JPG",
    ".png": "PNG",
    ".heic": "HEIC",
    ".heif": "HEIC",
    ".doc": "Word",
    ".docx": "Word",
    ".odt": "OpenDocument",
}
ALLOWED_KINDS = "a PDF, JPG, PNG, HEIC, Word or OpenDocument text file"
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_NAME_LENGTH = 200
# An office file is a zip: refuse ones that would unpack to more than this, or hold more entries.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000


@dataclass(frozen=True)
class Incoming:
    name: str
    data: bytes


@dataclass
class UploadOutcome:
    saved: list[Document] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def clean_name(raw: str) -> str:
    """A display name: no folders, no control characters, tidy spaces. Never used as a path."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return " ".join(name.split()) or "unnamed file"


def _zip_type(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        return None
    if any(entry.flag_bits & 0x1 for entry in entries):  # encrypted
        return None
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names and "[Content_Types].xml" in names:
        return DOCX
    if entries and entries[0].filename == "mimetype" and archive.read("mimetype").strip() == ODT.encode():
        return ODT
    return None


def detect_type(data: bytes) -> str | None:
    """The document's type from its bytes alone; None when it is not one the portal accepts."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return HEIC
    if data.startswith(OLE2_MAGIC) and "WordDocument".encode("utf-16-le") in data[:65536]:
        return DOC
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    return None


def _strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode photos so location and camera details are not stored, keeping their orientation."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if content_type == JPEG:
            upright.convert("RGB").save(out, format="JPEG", quality=90)
        elif content_type == PNG:
            upright.save(out, format="PNG", optimize=True)
        else:
            upright.convert("RGB").save(out, format="HEIF", quality=90)
        return out.getvalue()


def _problem(upload: Incoming, content_type: str | None, settings) -> str | None:
    name = clean_name(upload.name)
    if len(name) > MAX_NAME_LENGTH:
        return f"{name[:40]}… has a name longer than {MAX_NAME_LENGTH} characters: rename it and try again"
    if not upload.data:
        return f"{name} is empty"
    limit = settings["DOCUMENT_MAX_BYTES"]
    if len(upload.data) > limit:
        return f"{name} must be smaller than {limit // (1024 * 1024)} MB"
    if content_type is None:
        kind = KIND_BY_EXTENSION.get(PurePosixPath(name.lower()).suffix)
        if kind:
            return f"{name} is not a real {kind} file: it must be {ALLOWED_KINDS}"
        return f"{name} must be {ALLOWED_KINDS}"
    return None


def _belonging_to(query, child: Child | None, link: ChildLink | None, request: AssessmentRequest | None):
    if request is not None:
        return query.where(Document.request_id == request.id)
    if child is not None:
        return query.where(Document.child_id == child.id)
    return query.where(Document.link_id == link.id)


def visible_to(user: User) -> ColumnElement[bool]:
    """Who sees a document: whoever sent it and staff; once the team shares it, also every adult
    linked (approved) to its child at the time of asking. Nobody else learns that it exists."""
    if user.is_staff:
        return true()
    linked_now = (
        select(ChildLink.id)
        .where(
            ChildLink.user_id == user.id,
            ChildLink.child_id == Document.child_id,
            ChildLink.state == LINK_APPROVED,
        )
        .exists()
    )
    return or_(Document.owner_id == user.id, and_(Document.shared_at.is_not(None), linked_now))


def documents_for(
    viewer: User,
    *,
    child: Child | None = None,
    link: ChildLink | None = None,
    request: AssessmentRequest | None = None,
) -> list[Document]:
    """The documents of a child, access request or assessment request that this viewer may see."""
    query = select(Document).where(visible_to(viewer))
    query = query.order_by(Document.uploaded_at.desc(), Document.id.desc())
    return list(db.session.scalars(_belonging_to(query, child, link, request)))


def _count_for(
    owner: User, child: Child | None, link: ChildLink | None, request: AssessmentRequest | None
) -> int:
    """The owner's own files only: another adult's uploads must neither use up the room nor show."""
    query = select(func.count(Document.id)).where(Document.owner_id == owner.id)
    return db.session.scalar(_belonging_to(query, child, link, request))


def save_uploads(
    owner: User,
    uploads: list[Incoming],
    category: str,
    description: str | None,
    child: Child | None = None,
    link: ChildLink | None = None,
    request: AssessmentRequest | None = None,
) -> UploadOutcome:
    """Keep every good file; name each refused one with the reason. The others are never lost."""
    settings = current_app.config
    outcome = UploadOutcome()
    room = settings["DOCUMENT_MAX_FILES"] - _count_for(owner, child, link, request)
    if request is not None:
        child = request.child  # a request's documents are also the child's, once the child is known
    for upload in uploads:
        name = clean_name(upload.name)
        if room <= 0:
            outcome.errors.append(
                f"{name} was not uploaded: you can only send {settings['DOCUMENT_MAX_FILES']} files"
            )
            continue
        error = _store_one(owner, upload, category, description, (child, link, request), outcome)
        if error:
            outcome.errors.append(error)
        else:
            room -= 1
    db.session.commit()
    return outcome


def _store_one(owner, upload, category, description, belongs_to, outcome) -> str | None:
    child, link, request = belongs_to
    settings = current_app.config
    content_type = detect_type(upload.data)
    problem = _problem(upload, content_type, settings)
    if problem:
        return problem
    name = clean_name(upload.name)
    try:
        scanned = virus_scan.scan(upload.data, settings)
    except virus_scan.ScannerUnavailable:
        return f"{name} could not be uploaded – try again"
    if scanned.status == virus_scan.INFECTED:
        security_events.record(owner, "infected_upload")
        return f"{name} contains a virus"
    data = upload.data
    if content_type in (JPEG, PNG, HEIC):
        try:
            data = _strip_image_metadata(upload.data, content_type)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
            return f"{name} could not be read as a picture: try saving it again"
    key = secrets.token_hex(16)
    storage.storage_from_settings(settings).save(key, data)
    document = Document(
        owner_id=owner.id,
        child_id=child.id if child else None,
        link_id=link.id if link else None,
        request_id=request.id if request else None,
        category=category,
        description=description or None,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_at=now(),
        scan_status=scanned.status,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(owner, CREATED, document)
    outcome.saved.append(document)
    return None


def find(public_id: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.public_id == public_id))


def may_download(user: User, document: Document) -> bool:
    """The same rule as the lists: the sender, staff, and linked adults once the team has shared it."""
    return (
        db.session.scalar(select(Document.id).where(Document.id == document.id, visible_to(user))) is not None
    )


def may_delete(user: User, document: Document) -> bool:
    return document.deletable_by(user)


def read_for_download(user: User, document: Document) -> bytes:
    data = storage.storage_from_settings(current_app.config).load(document.storage_key)
    audit.record_now(user, DOWNLOADED, document)
    return data


def delete(user: User, document: Document) -> None:
    storage.storage_from_settings(current_app.config).delete(document.storage_key)
    audit.record(user, DELETED, document)
    db.session.delete(document)
    db.session.commit()


def download_name(document: Document) -> str:
    stem = PurePosixPath(document.original_name).stem or "document"
    return f"{stem}.{EXTENSIONS[document.content_type]}"
