"""The pages of a form saved section by section (services.sectioned_forms), shared by Appendix A and the
response to a draft plan: a section's page, its save as typed (htmx), and the page that shows two versions
when another window saved first. Each blueprint says where its pages are (FormPages) and what holds the
answers; this module imports no other blueprint but session_limits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request
from werkzeug.datastructures import MultiDict

from blueprints import session_limits
from models import User
from services import appendix_a, sectioned_forms
from services.appendix_a import Problems, Section
from services.clock import uk_time
from services.sectioned_forms import AnswersRecord


@dataclass(frozen=True)
class FormPages:
    caption: str  # above every section's heading: which form this is
    back: str  # the form's task list (or check answers page)
    action: str  # where the section's form posts
    autosave: str  # where htmx saves it as the family types


def answers_to_show(record: AnswersRecord, section: Section) -> tuple[dict, str | None]:
    """What a section's page shows: answers kept over a session timeout (and why), or those saved, with
    each repeated group's first rows ready to fill in."""
    answers = (record.answers or {}).get(section.key, {})
    kept, reason = session_limits.take_kept_answers(request.full_path.rstrip("?"))
    if kept is not None:
        answers = appendix_a.read_section(section, MultiDict(kept))
    for group in section.groups:
        if not answers.get(group.key) and group.min_rows:
            answers = {**answers, group.key: [appendix_a.blank_row(group)] * group.min_rows}
    return answers, reason


def section_page(
    record: AnswersRecord,
    section: Section,
    answers: dict,
    pages: FormPages,
    problems: Problems | None = None,
    extra_errors: list[tuple[str, str]] = (),  # type: ignore[assignment]
    kept_reason: str | None = None,
    **more: Any,
) -> str:
    problems = problems or Problems()
    return render_template(
        "appendix_a/section.html",
        record=record,
        pages=pages,
        section=section,
        answers=answers,
        problems=problems,
        errors=[
            *(session_limits.expired_form_errors("section-form") if kept_reason == "expired_form" else []),
            *problems.summary(),
            *extra_errors,
        ],
        status=sectioned_forms.status_of(record, section),
        max_characters=current_app.config["APPENDIX_A_MAX_CHARACTERS"],
        tab=secrets.token_hex(8),
        kept_reason=kept_reason,
        **more,
    )


def version_sent() -> int:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else -1


def tab_sent() -> str:
    return request.form.get("tab", "")[:32]


def conflict_page(
    record: AnswersRecord, section: Section, mine: dict, theirs: dict | None, section_url: str
) -> str:
    """Both versions side by side; what was just typed is sent again with the newer version if kept."""
    resend = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "version")
    ]
    return render_template(
        "appendix_a/conflict.html",
        section=section,
        mine=mine,
        theirs=theirs or {},
        resend=resend,
        version=record.version,
        section_url=section_url,
    )


def save_posted(
    owner: User, record: AnswersRecord, section: Section, pages: FormPages, audited: object | None = None
) -> str | None:
    """Save a section as its form posted it (a section without repeated rows). Gives the page to show
    instead of moving on: both versions when another window saved first, or the problems (unless the
    family chose to save and come back later); None once saved, for the caller to redirect."""
    answers = appendix_a.read_section(section, request.form)
    complete = request.form.get("completed") == "yes"
    saved = sectioned_forms.save_section(
        owner, record, section, answers, version_sent(), complete, tab_sent(), audited=audited
    )
    if saved.conflict:
        return conflict_page(record, section, answers, saved.newer_answers, pages.action.split("?")[0])
    if saved.problems and request.form.get("action", "continue") != "later":
        return section_page(record, section, answers, pages, saved.problems, saved_at=True)
    return None


def save_as_typed(owner: User, record: AnswersRecord, section: Section, audited: object | None = None) -> str:
    """An autosave (htmx): the section saved as posted, answered with when, or why not."""
    answers = appendix_a.read_section(section, request.form)
    complete = request.form.get("completed") == "yes"
    saved = sectioned_forms.save_section(
        owner, record, section, answers, version_sent(), complete, tab_sent(), audited=audited
    )
    return autosaved(record, saved)


def autosaved(record: AnswersRecord, saved: sectioned_forms.Saved) -> str:
    """The few hundred bytes an autosave answers: when it was saved, or why not."""
    return render_template(
        "appendix_a/_autosave.html",
        conflict=saved.conflict,
        saved_at=uk_time(record.updated_at),
        version=record.version,
    )
