"""Drafting, saving and submitting a request for an EHC needs assessment (the Appendix A form)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import bindparam, select, update

from extensions import commit_keeping_loaded, db, rows_changed
from models import (
    DRAFT,
    LINK_REQUESTED,
    SUBMITTED,
    AssessmentRequest,
    Child,
    ChildLink,
    User,
)
from models.audit import CREATED, DELETED, VIEWED
from models.audit import SUBMITTED as SUBMITTED_ACTION
from services import appendix_a, audit, cases, contact_details, documents, mailer, sectioned_forms, statutory
from services.appendix_a import COMPLETED, Section
from services.clock import now, uk_date, uk_day
from services.dates import check_date_of_birth
from services.sectioned_forms import status_of


def start(owner: User, child: Child | None) -> AssessmentRequest:
    """A new draft; for a linked child, their details are filled in from the council's record."""
    answers = {}
    if child is not None:
        answers["child"] = {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": {
                "day": str(child.date_of_birth.day),
                "month": str(child.date_of_birth.month),
                "year": str(child.date_of_birth.year),
            },
            "postcode": child.postcode,
            "school": child.school or "",
        }
    request = AssessmentRequest(
        owner_id=owner.id,
        child_id=child.id if child else None,
        form_edition=appendix_a.current_edition(),
        answers=answers,
        section_status={},
        created_at=now(),
        updated_at=now(),
    )
    db.session.add(request)
    db.session.flush()
    audit.record(owner, CREATED, request)
    db.session.commit()
    return request


def open_draft_for(owner: User, child: Child) -> AssessmentRequest | None:
    return db.session.scalar(
        select(AssessmentRequest).where(
            AssessmentRequest.owner_id == owner.id,
            AssessmentRequest.child_id == child.id,
            AssessmentRequest.state == DRAFT,
        )
    )


# The statements of the pages families open most, built once: SQLAlchemy takes about as long to build
# and key a statement as to run it, and a statement built once is keyed once.
_REQUESTS_OF = (
    select(AssessmentRequest)
    .where(AssessmentRequest.owner_id == bindparam("owner_id"))
    .order_by(AssessmentRequest.updated_at.desc())
)
_FAMILY_REQUEST = select(AssessmentRequest).where(
    AssessmentRequest.public_id == bindparam("public_id"), AssessmentRequest.owner_id == bindparam("owner_id")
)
_FAMILY_REQUEST_VIEWED = audit.found_and_logged(_FAMILY_REQUEST, AssessmentRequest, VIEWED)


_FAMILY_CASE_VERSION = select(AssessmentRequest.version).where(
    AssessmentRequest.public_id == bindparam("public_id"),
    AssessmentRequest.owner_id == bindparam("owner_id"),
    AssessmentRequest.step.is_not(None),
)


def family_case_version(owner: User, public_id: str) -> int | None:
    """The version of one of this family's cases, to tell a poll whether anything changed. Shows nothing
    of the case, so it is not logged; the page it leads to is."""
    return db.session.scalar(_FAMILY_CASE_VERSION, {"public_id": public_id, "owner_id": owner.id})


_VERSIONS_OF = (
    select(AssessmentRequest.id, AssessmentRequest.version)
    .where(AssessmentRequest.owner_id == bindparam("owner_id"))
    .order_by(AssessmentRequest.id)
)


def requests_version(owner: User) -> str:
    """One tag for the state of all a family's requests: it changes whenever any of them changes."""
    return version_tag(db.session.execute(_VERSIONS_OF, {"owner_id": owner.id}))


def version_tag(ids_and_versions: Iterable[tuple[int, int]]) -> str:
    """The tag of requests already loaded (the SEND home's), equal to requests_version's for the same rows."""
    listed = ",".join(f"{request_id}:{version}" for request_id, version in sorted(ids_and_versions))
    return "requests-" + hashlib.sha256(listed.encode()).hexdigest()[:16]


def requests_of(owner: User) -> list[AssessmentRequest]:
    return list(db.session.scalars(_REQUESTS_OF, {"owner_id": owner.id}))


def family_request(owner: User, public_id: str, autosaving: bool = False) -> AssessmentRequest | None:
    """One of this family's own requests, with a VIEWED row in the audit log; None for anyone else's
    (and nothing logged). An autosave, every few seconds as the family types, shows nothing of the
    request and logs its own CHANGED row, so it adds no VIEWED row."""
    which = {"public_id": public_id, "owner_id": owner.id}
    if autosaving:
        return db.session.scalar(_FAMILY_REQUEST, which)
    if audit.logs_in_the_same_statement():
        request = db.session.scalar(_FAMILY_REQUEST_VIEWED, {**which, **audit.actor_parameters(owner)})
        commit_keeping_loaded()  # the audit row is kept before the page is shown, as record_now does
        return request
    request = db.session.scalar(_FAMILY_REQUEST, which)
    if request is not None:
        audit.record_now(owner, VIEWED, request)
    return request


def request_by_public_id(public_id: str) -> AssessmentRequest | None:
    """Any request, for a caller that checks who may see it (messages, staff pages)."""
    return db.session.scalar(select(AssessmentRequest).where(AssessmentRequest.public_id == public_id))


def last_edited(owner: User) -> AssessmentRequest | None:
    return db.session.scalar(
        select(AssessmentRequest)
        .where(AssessmentRequest.owner_id == owner.id, AssessmentRequest.state == DRAFT)
        .order_by(AssessmentRequest.updated_at.desc())
        .limit(1)
    )


def sections_of(request: AssessmentRequest) -> tuple[Section, ...]:
    """The sections of the edition of the form the request was started on. A draft stays on its
    edition until it is submitted: its answers were typed to those questions."""
    return appendix_a.sections_for(request.form_edition)


def section_of(request: AssessmentRequest, key: str) -> Section | None:
    return appendix_a.section_for(request.form_edition, key)


def completed_count(request: AssessmentRequest) -> int:
    return sum(status_of(request, section) == COMPLETED for section in sections_of(request))


def delete_draft(owner: User, request: AssessmentRequest) -> None:
    """The family deletes a draft they no longer want, with its documents."""
    for document in documents.documents_for(owner, request=request):
        documents.delete(owner, document)
    audit.record(owner, DELETED, request)
    db.session.delete(request)
    db.session.commit()


def incomplete_sections(request: AssessmentRequest) -> list[Section]:
    return sectioned_forms.incomplete_sections(request, sections_of(request))


def reference_for(request: AssessmentRequest) -> str:
    assert request.submitted_at is not None, "only a submitted request has a reference"
    return f"EHC-{request.submitted_at.year}-{request.id:06d}"


def submit(owner: User, request: AssessmentRequest) -> list[Section]:
    """Submit a complete request; returns the sections still to complete (nothing is submitted then).
    One conditional UPDATE decides: when the same draft is submitted twice at once (two tabs), the
    second finds it submitted already and changes, sends and logs nothing more."""
    missing = incomplete_sections(request)
    if missing:
        return missing
    claimed = rows_changed(
        update(AssessmentRequest)
        .where(AssessmentRequest.id == request.id, AssessmentRequest.state == DRAFT)
        .values(state=SUBMITTED, version=AssessmentRequest.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request)  # the new version, and the answers as they stood when claimed
    if claimed != 1:
        db.session.rollback()
        return []
    if incomplete_sections(request):  # a save from another tab came in between
        db.session.rollback()
        return incomplete_sections(request)
    moment = now()
    request.submitted_at = moment
    request.received_on = statutory.received_date(moment)
    request.decision_due_on = statutory.decision_due(request.received_on)
    request.reference = reference_for(request)
    cases.open_case(owner, request, moment)
    declaration = {**request.answers.get("declaration", {}), "date": uk_date(moment)}
    request.answers = {**request.answers, "declaration": declaration}
    if request.child_id is None:
        request.link = _access_request_for_new_child(owner, request)
    audit.record(owner, SUBMITTED_ACTION, request)
    mailer.queue_email(
        owner.email,
        f"Your request for an EHC needs assessment: {request.reference}",
        "request_submitted",
        first_name=mailer.greeting_name(owner),
        reference=request.reference,
        received=uk_day(request.received_on),
        decision_due=uk_day(request.decision_due_on),
    )
    db.session.commit()
    return []


def _access_request_for_new_child(owner: User, request: AssessmentRequest) -> ChildLink:
    """A child not yet known to the council: the team checks the link through the access review."""
    about, child = request.answers.get("about", {}), request.answers.get("child", {})
    dob = child.get("date_of_birth", {})
    born = check_date_of_birth(dob.get("day"), dob.get("month"), dob.get("year"), now().date()).value
    relationship = about.get("completed_by", "parent")
    link = ChildLink(
        user_id=owner.id,
        state=LINK_REQUESTED,
        relationship_to_child=relationship,
        has_parental_responsibility=None if relationship == "young_person" else True,
        child_first_name=child.get("first_name", ""),
        child_last_name=child.get("last_name", ""),
        child_date_of_birth=born,
        child_postcode=contact_details.normalise_postcode(child.get("postcode", "")) or "",
        child_school=child.get("school", ""),
        notes=f"Made with the request for an EHC needs assessment {request.reference}",
        requested_at=now(),
    )
    db.session.add(link)
    db.session.flush()
    audit.record(owner, CREATED, link)
    return link


# --- Staff ----------------------------------------------------------------------------------------


def new_requests() -> list[AssessmentRequest]:
    return list(
        db.session.scalars(
            select(AssessmentRequest)
            .where(AssessmentRequest.state == SUBMITTED)
            .order_by(AssessmentRequest.received_on, AssessmentRequest.submitted_at)
        )
    )


def staff_request(staff: User, public_id: str) -> AssessmentRequest | None:
    request = db.session.scalar(
        select(AssessmentRequest).where(
            AssessmentRequest.public_id == public_id, AssessmentRequest.state == SUBMITTED
        )
    )
    if request is not None:
        audit.record_now(staff, VIEWED, request)
    return request
