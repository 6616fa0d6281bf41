"""Forms saved section by section, as the family types: Appendix A, and the family's response to a draft
plan. Whatever holds the answers (an AssessmentRequest, a PlanResponse) has the same columns: answers and
section_status by section key, a version raised by every save, and the browser tab that saved last. The
questions and their checks are services.appendix_a's Section, Question and check_section."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from extensions import commit_keeping_loaded, db
from models import User
from models.audit import CHANGED
from services import appendix_a, audit
from services.appendix_a import COMPLETED, IN_PROGRESS, NOT_STARTED, Problems, Section
from services.clock import now


class AnswersRecord(Protocol):
    answers: dict
    section_status: dict
    version: int
    last_section: str | None
    saved_by_tab: str | None
    updated_at: datetime


@dataclass
class Saved:
    conflict: bool = False
    problems: Problems = field(default_factory=Problems)
    newer_answers: dict | None = None  # what another tab saved, when there is a conflict


def status_of(record: AnswersRecord, section: Section) -> str:
    return (record.section_status or {}).get(section.key, NOT_STARTED)


def save_section(
    owner: User,
    record: AnswersRecord,
    section: Section,
    answers: dict,
    version: int,
    complete: bool,
    tab: str = "",
    audited: object | None = None,
) -> Saved:
    """Save a section as typed. A save made from an older version in another tab is not applied: the
    family is shown both versions and chooses. The same tab's own autosaves never conflict with it.
    The audit row names `audited` (the child's record the answers belong to), or the record itself."""
    if version != record.version and not (tab and tab == record.saved_by_tab):
        return Saved(conflict=True, newer_answers=(record.answers or {}).get(section.key, {}))
    problems = appendix_a.check_section(
        section, answers, complete, current_app.config, now().date(), record.answers
    )
    if complete and not problems:
        status = COMPLETED
    elif appendix_a.has_any_answer(section, answers) or section.uploads:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    record.answers = {**(record.answers or {}), section.key: answers}
    record.section_status = {**(record.section_status or {}), section.key: status}
    record.last_section = section.key
    record.saved_by_tab = tab or None
    record.updated_at = now()
    audit.record(owner, CHANGED, audited if audited is not None else record)  # type: ignore[arg-type]
    try:
        # The record now holds what was written (its new version included): the page showing the
        # save reads it as it is, without loading it and the account again.
        commit_keeping_loaded()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(record)
        return Saved(conflict=True, newer_answers=(record.answers or {}).get(section.key, {}))
    return Saved(problems=problems)


def incomplete_sections(record: AnswersRecord, sections: Iterable[Section]) -> list[Section]:
    """The sections not yet marked completed, or whose answers no longer pass their checks."""
    settings, today = current_app.config, now().date()
    missing = []
    for section in sections:
        answers = (record.answers or {}).get(section.key, {})
        if section.uploads:
            continue
        if status_of(record, section) != COMPLETED or appendix_a.check_section(
            section, answers, True, settings, today, record.answers
        ):
            missing.append(section)
    return missing
