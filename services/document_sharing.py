"""The team shares a document with the other adults linked to its child, and can stop sharing it.

A document is seen by the account that sent it and by staff. Some adults linked to one child are
separated parents, so only staff decide that the others may see it, one document at a time, and
every change is audited. Who may see it is worked out when they ask (services.documents.visible_to).
"""

from __future__ import annotations

from sqlalchemy import select, update

from extensions import db, rows_changed
from models import LINK_APPROVED, ChildLink, Document, User
from models.audit import SHARED, UNSHARED, VIEWED
from services import audit
from services.clock import now


def staff_document(staff: User, public_id: str) -> Document | None:
    """A document, for the team deciding whether to share it, with a VIEWED row in the audit log."""
    document = db.session.scalar(select(Document).where(Document.public_id == public_id))
    if document is not None:
        audit.record_now(staff, VIEWED, document)
    return document


def share(staff: User, document: Document) -> bool:
    """Share a document on a child's record; False when it is already shared or cannot be."""
    changed = rows_changed(
        update(Document)
        .where(Document.id == document.id, Document.shared_at.is_(None), Document.child_id.is_not(None))
        .values(shared_at=now(), shared_by_id=staff.id)
        .execution_options(synchronize_session=False)
    )
    return _finish(staff, document, SHARED, changed)


def stop_sharing(staff: User, document: Document) -> bool:
    """Stop sharing; False when it was not shared (someone else stopped first)."""
    changed = rows_changed(
        update(Document)
        .where(Document.id == document.id, Document.shared_at.is_not(None))
        .values(shared_at=None, shared_by_id=None)
        .execution_options(synchronize_session=False)
    )
    return _finish(staff, document, UNSHARED, changed)


def _finish(staff: User, document: Document, action: str, changed: int) -> bool:
    if changed == 1:
        audit.record(staff, action, document)
    db.session.commit()
    db.session.refresh(document)
    return changed == 1


def other_linked_adults(document: Document) -> list[ChildLink]:
    """The approved links to the document's child, other than the sender's: who would see it now."""
    if document.child_id is None:
        return []
    return list(
        db.session.scalars(
            select(ChildLink)
            .where(
                ChildLink.child_id == document.child_id,
                ChildLink.state == LINK_APPROVED,
                ChildLink.user_id != document.owner_id,
            )
            .order_by(ChildLink.id)
        )
    )
