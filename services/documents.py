"""Documents: checked by their content, cleaned of photo metadata, scanned, stored under random names."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, true

from extensions import db
from models import LINK_APPROVED, AssessmentRequest, Child, ChildLink, Document, User
from models.audit import CREATED, DELETED, DOWNLOADED
from models.documents import CASE_CATEGORIES
from models.messages import Message, thread_seen_by
from services import audit, security_events, storage, virus_scan
from services.clock import now
from services.file_contents import Refusal, check_office_file, clean_photo, open_zip, read_start

log = logging.getLogger(__name__)

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
# An office file is a zip: refuse ones holding more entries than this. How much it may unpack to is the
# DOCUMENT_MAX_UNPACKED_BYTES setting.
MAX_ZIP_ENTRIES = 2000


@dataclass(frozen=True)
class Incoming:
    name: str
    data: bytes


def received(uploads: list) -> list[Incoming]:
    """What the browser sent (werkzeug FileStorage objects, none of them empty of a name), read."""
    return [Incoming(upload.filename, upload.read()) for upload in uploads]


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
        entries = open_zip(data, "Word").infolist()
    except Refusal:
        return None
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names and "[Content_Types].xml" in names:
        return DOCX
    if entries and entries[0].filename == "mimetype":
        try:
            marker = read_start(data, entries[0], "OpenDocument", len(ODT) + 2)
        except Refusal:
            return ODT  # unreadable: refused as a damaged OpenDocument file when checked
        return ODT if marker.strip() == ODT.encode() else None
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


def _check_contents(data: bytes, content_type: str, settings) -> bytes:
    """The bytes to store: office files checked as they inflate, photos cleaned. Raises Refusal."""
    if content_type in (DOCX, ODT):
        kind = "Word" if content_type == DOCX else "OpenDocument"
        check_office_file(data, kind, settings["DOCUMENT_MAX_UNPACKED_BYTES"], MAX_ZIP_ENTRIES)
    if content_type in (JPEG, PNG, HEIC):
        return clean_photo(data, content_type)
    return data


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


BELONGS_TO = {"request": Document.request_id, "child": Document.child_id, "link": Document.link_id}


def _belonging_to(query, child: Child | None, link: ChildLink | None, request: AssessmentRequest | None):
    kind, record_id = _record_of(child, link, request)
    return query.where(BELONGS_TO[kind] == record_id)


def _record_of(
    child: Child | None, link: ChildLink | None, request: AssessmentRequest | None
) -> tuple[str, int]:
    """What the documents belong to: its kind (a key of BELONGS_TO) and id."""
    if request is not None:
        return "request", request.id
    if child is not None:
        return "child", child.id
    assert link is not None  # a document belongs to a request, a child or a link
    return "link", link.id


def visible_to(user: User) -> ColumnElement[bool]:
    """Who sees a document: whoever sent it and staff; once the team shares it, also every adult
    linked (approved) to its child at the time of asking. Nobody else learns that it exists."""
    return _visible(user.is_staff, user.id)


def _visible(staff: bool, viewer_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    if staff:
        return true()
    linked_now = (
        select(ChildLink.id)
        .where(
            ChildLink.user_id == viewer_id,
            ChildLink.child_id == Document.child_id,
            ChildLink.state == LINK_APPROVED,
        )
        .exists()
    )
    # What the team sends with a step of a family's case (a decision letter) is for the family who asked.
    sent_to_them = and_(
        Document.case_event_id.is_not(None),
        select(AssessmentRequest.id)
        .where(AssessmentRequest.id == Document.request_id, AssessmentRequest.owner_id == viewer_id)
        .exists(),
    )
    # An EHC plan recorded for a child is for every adult linked to the child.
    a_plan_for_their_child = and_(Document.plan_id.is_not(None), linked_now)
    # What anyone sends with a message is for everyone who sees its thread.
    with_a_message_they_see = and_(
        Document.message_id.is_not(None),
        thread_seen_by(
            viewer_id, select(Message.thread_id).where(Message.id == Document.message_id).scalar_subquery()
        ),
    )
    return or_(
        Document.owner_id == viewer_id,
        and_(Document.shared_at.is_not(None), linked_now),
        sent_to_them,
        with_a_message_they_see,
        a_plan_for_their_child,
    )


# documents_for's statements, one for staff and one for families for each kind of record, built on first
# use and kept (see assessment_requests._FAMILY_REQUEST).
_DOCUMENTS_FOR: dict[tuple[bool, str], Select] = {}


def _documents_statement(staff: bool, kind: str) -> Select:
    found = _DOCUMENTS_FOR.get((staff, kind))
    if found is None:
        found = _DOCUMENTS_FOR[(staff, kind)] = (
            select(Document)
            .where(
                _visible(staff, bindparam("viewer_id")),
                BELONGS_TO[kind] == bindparam("record_id"),
                # a case's own documents (letters, answers, advice) are listed with the case (case_documents)
                Document.category.not_in(CASE_CATEGORIES),
            )
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
    return found


def documents_for(
    viewer: User,
    *,
    child: Child | None = None,
    link: ChildLink | None = None,
    request: AssessmentRequest | None = None,
) -> list[Document]:
    """The documents of a child, access request or assessment request that this viewer may see."""
    kind, record_id = _record_of(child, link, request)
    statement = _documents_statement(viewer.is_staff, kind)
    return list(db.session.scalars(statement, {"viewer_id": viewer.id, "record_id": record_id}))


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
    limit = current_app.config["DOCUMENT_MAX_FILES"]
    counted_by = (child, link, request)
    outcome = UploadOutcome()
    # A first look, so that files past the limit are not scanned and stored for nothing. The count that
    # decides is taken again under a lock, just before the documents are added.
    room = limit - _count_for(owner, *counted_by)
    belongs_to = (request.child if request is not None else child, link, request)
    ready: list[Document] = []
    for upload in uploads:
        if len(ready) >= room:
            outcome.errors.append(_over_the_limit(clean_name(upload.name), limit))
            continue
        prepared = _prepare(owner, upload, category, description, belongs_to)
        if isinstance(prepared, str):
            outcome.errors.append(prepared)
        else:
            ready.append(prepared)
    _add_within_the_limit(owner, ready, limit, counted_by, outcome)
    db.session.commit()
    return outcome


def _over_the_limit(name: str, limit: int) -> str:
    return f"{name} was not uploaded: you can only send {limit} files"


def _lock_documents_of(
    child: Child | None, link: ChildLink | None, request: AssessmentRequest | None
) -> None:
    """Lock the row the documents belong to until the commit, so that two uploads at once take turns to
    count and add: neither can use the places the other is taking. (SQLite has one writer at a time.)"""
    parent = request if request is not None else child if child is not None else link
    assert parent is not None  # documents belong to a request, a child or a link
    model = type(parent)
    db.session.execute(select(model.id).where(model.id == parent.id).with_for_update(key_share=True))


def _add_within_the_limit(
    owner: User,
    ready: list[Document],
    limit: int,
    counted_by: tuple[Child | None, ChildLink | None, AssessmentRequest | None],
    outcome: UploadOutcome,
) -> None:
    _lock_documents_of(*counted_by)
    room = limit - _count_for(owner, *counted_by)
    files = storage.storage_from_settings(current_app.config)
    for document in ready:
        if room <= 0:
            files.delete(document.storage_key)
            outcome.errors.append(_over_the_limit(document.original_name, limit))
            continue
        db.session.add(document)
        db.session.flush()
        audit.record(owner, CREATED, document)
        outcome.saved.append(document)
        room -= 1


def _prepare(owner, upload, category, description, belongs_to) -> Document | str:
    """The document checked, scanned, cleaned and stored, ready to be added; or why it was refused."""
    child, link, request = belongs_to
    settings = current_app.config
    content_type = detect_type(upload.data)
    problem = _problem(upload, content_type, settings)
    if problem:
        return problem
    assert content_type is not None  # _problem() refuses a file of no allowed type
    name = clean_name(upload.name)
    try:
        scanned = virus_scan.scan(upload.data, settings)
    except virus_scan.ScannerUnavailable as error:
        # The family is asked to try again; the operator needs to know why (the file's name is not logged).
        log.error("Upload refused: the virus scanner is unavailable: %s", error)
        return f"{name} could not be uploaded – try again"
    if scanned.status == virus_scan.INFECTED:
        log.warning("Upload refused: the virus scanner found %s", scanned.signature)
        security_events.record(owner, "infected_upload")
        return f"{name} contains a virus"
    try:
        data = _check_contents(upload.data, content_type, settings)
    except Refusal as refusal:
        return f"{name} {refusal.reason}"
    key = secrets.token_hex(16)
    storage.storage_from_settings(settings).save(key, data)
    return Document(
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


def prepare_to_add(
    owner: User,
    uploads: list[Incoming],
    category: str,
    request: AssessmentRequest | None,
    pdf_only: bool = False,
    child: Child | None = None,
) -> UploadOutcome:
    """Files to go with something else (a step of a case, a message, advice, a plan), checked, scanned
    and stored, but not yet added: what they go with adds them (attach_to_event, add_prepared) in its own
    transaction. If any is refused, none is kept, so that the step is never taken with part of what was
    meant to go with it."""
    outcome = UploadOutcome()
    belongs_to = (request.child if request is not None else child, None, request)
    for upload in uploads:
        if pdf_only and upload.data and detect_type(upload.data) != PDF:
            outcome.errors.append(f"{clean_name(upload.name)} must be a PDF")
            continue
        prepared = _prepare(owner, upload, category, None, belongs_to)
        if isinstance(prepared, str):
            outcome.errors.append(prepared)
        else:
            outcome.saved.append(prepared)
    if outcome.errors:
        discard(outcome.saved)
        outcome.saved = []
    return outcome


def attach_to_event(owner: User, prepared: list[Document], event_id: int) -> None:
    """Add what prepare_to_add kept, as going with this event (in the event's transaction)."""
    for document in prepared:
        document.case_event_id = event_id
    add_prepared(owner, prepared)


def add_prepared(owner: User, prepared: list[Document]) -> None:
    """Add what prepare_to_add kept, with an audit row each (in the caller's transaction)."""
    for document in prepared:
        db.session.add(document)
        db.session.flush()
        audit.record(owner, CREATED, document)


def discard(prepared: list[Document]) -> None:
    """Remove the stored files of documents never added (their step was refused)."""
    files = storage.storage_from_settings(current_app.config)
    for document in prepared:
        files.delete(document.storage_key)


def case_documents(viewer: User, request: AssessmentRequest) -> dict[int, list[Document]]:
    """The documents that went with each event of a request's case that this viewer may see."""
    found: dict[int, list[Document]] = {}
    for document in db.session.scalars(
        select(Document)
        .where(Document.request_id == request.id, Document.case_event_id.is_not(None), visible_to(viewer))
        .order_by(Document.id)
    ):
        found.setdefault(document.case_event_id or 0, []).append(document)  # never 0: chosen above
    return found


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
