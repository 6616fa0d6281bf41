"""The family's response to a draft EHC plan (SEND Regulations 2014, reg. 13): their views on each section
of the plan, the school or setting they want named, and whether they want a meeting. Saved section by
section as Appendix A is (services.sectioned_forms), and sent once, on or before the last day to comment
(the case's family_due_on, UK time): the check is in the statement that sends it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from extensions import db, rows_changed
from models import AssessmentRequest, CaseEvent, Document, PlanResponse, User
from models.cases import FAMILY_RESPONDED, CaseStep
from services import cases, documents, sectioned_forms, statutory
from services.appendix_a import YES_NO, Question, Section
from services.clock import now


def _views(key: str, label: str) -> Question:
    return Question(key, label, "textarea")


SECTIONS: tuple[Section, ...] = (
    Section(
        "child_and_needs",
        "Sections A to D: the child and their needs",
        "Say what you think of these sections of the draft plan: what is right, what is missing, what should "
        "change. Leave a box empty if you have nothing to add.",
        (
            _views("a", "A: The views, interests and aspirations of the child and their family"),
            _views("b", "B: Special educational needs"),
            _views("c", "C: Health needs related to special educational needs"),
            _views("d", "D: Social care needs related to special educational needs"),
        ),
    ),
    Section(
        "outcomes_and_provision",
        "Sections E to H: outcomes and provision",
        "The outcomes the plan aims for, and the help it says the child will get. Leave a box empty if you "
        "have nothing to add.",
        (
            _views("e", "E: Outcomes"),
            _views("f", "F: Special educational provision"),
            _views("g", "G: Health provision"),
            _views("h", "H: Social care provision"),
        ),
    ),
    Section(
        "placement_and_advice",
        "Sections I to K: placement, personal budget and advice",
        "Section I is left empty in a draft plan: tell us below which school or setting you want named. "
        "Leave a box empty if you have nothing to add.",
        (
            _views("j", "J: Personal budget"),
            _views("k", "K: Advice and information"),
        ),
    ),
    Section(
        "school",
        "The school or setting you want named",
        "You can ask for a particular school, college or other setting to be named in section I of the plan. "
        "The council must name it unless it would be unsuitable, or bad for the education of others, or "
        "not an efficient use of resources.",
        (
            Question("school", "The school or setting you want named", required=True),
            Question(
                "school_reason",
                "Why you want this school or setting",
                "textarea",
                required=True,
                missing="Enter why you want this school or setting",
            ),
        ),
    ),
    Section(
        "meeting",
        "A meeting about the draft plan",
        "You can ask to meet someone from the council to talk about the draft plan before the final plan is "
        "issued.",
        (
            Question(
                "meeting",
                "Would you like a meeting?",
                "radios",
                required=True,
                options=YES_NO,
                missing="Select yes if you would like a meeting",
            ),
            Question("meeting_about", "What would you like to talk about?", "textarea"),
        ),
    ),
)


class NotOpen(Exception):
    """The response can no longer be sent: already sent, the last day has passed, or the case moved on."""


def section_for(key: str) -> Section | None:
    return next((section for section in SECTIONS if section.key == key), None)


def response_of(request: AssessmentRequest) -> PlanResponse | None:
    return db.session.scalar(select(PlanResponse).where(PlanResponse.request_id == request.id))


def response_for_saving(
    owner: User, request: AssessmentRequest, found: PlanResponse | None = None
) -> PlanResponse:
    """The family's response (`found`, as the page looked it up), started on their first save (once only,
    if two tabs start it at once)."""
    if found is not None:
        return found
    db.session.add(PlanResponse(request_id=request.id, owner_id=owner.id, answers={}, section_status={}))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    found = response_of(request)
    assert found is not None
    return found


def sent_response(request: AssessmentRequest) -> PlanResponse | None:
    """The response as the team sees it: only once the family has sent it."""
    return db.session.scalar(
        select(PlanResponse).where(PlanResponse.request_id == request.id, PlanResponse.sent_at.is_not(None))
    )


def is_open(request: AssessmentRequest, response: PlanResponse | None, today: date | None = None) -> bool:
    """The family may still change and send their response: the draft plan is out, its last day (UK
    time) has not passed, and they have not sent it."""
    today = today or statutory.uk_today()
    return (
        request.step == CaseStep.DRAFT_PLAN_SENT
        and request.family_due_on is not None
        and today <= request.family_due_on
        and not (response is not None and response.is_sent)
    )


def incomplete_sections(response: PlanResponse | None) -> list[Section]:
    if response is None:
        return list(SECTIONS)
    return sectioned_forms.incomplete_sections(response, SECTIONS)


def send(
    owner: User, request: AssessmentRequest, response: PlanResponse, sent_with: list[Document]
) -> CaseEvent:
    """Send the response, once, by the last day: one statement checks the case is still waiting for it
    and the day has not passed (UK time); another that it was not sent already. Then the officer is
    emailed, and the case's date for the family cleared."""
    today = statutory.uk_today()
    moment = now()
    try:
        cases.claim(
            request,
            AssessmentRequest.step == CaseStep.DRAFT_PLAN_SENT,
            AssessmentRequest.family_due_on >= today,
            family_due_on=None,
        )
    except cases.ActedFirst as moved:
        documents.discard(sent_with)
        raise NotOpen("the time to comment has ended, or the case has moved on") from moved
    sent = rows_changed(
        update(PlanResponse)
        .where(PlanResponse.id == response.id, PlanResponse.sent_at.is_(None))
        .values(sent_at=moment, version=PlanResponse.version + 1)
        .execution_options(synchronize_session=False)
    )
    if sent != 1:
        db.session.rollback()
        documents.discard(sent_with)
        raise NotOpen("the response was sent already")
    event = CaseEvent(
        kind=FAMILY_RESPONDED, step=request.step, officer_id=request.officer_id, created_at=moment
    )
    cases.logged(owner, request, event, sent_with)
    db.session.refresh(response)
    return event
