"""Appendix A, the request for an EHC needs assessment: its eleven sections and how answers are checked.

Answers are kept exactly as typed, section by section. A section can be saved incomplete; marking it as
completed, and submitting, check every required answer and every format.

The form comes in editions (EDITIONS). Each request keeps the number of the edition it was started on and
is always read with that edition's sections, so a later edition can rename, add or drop questions
without hiding the answers of requests already made: a published edition is never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import InstrumentedAttribute

from models import ChildLink
from models.types import column_length
from services import contact_details, identifiers
from services.dates import ANY_DATE, DATE_OF_BIRTH, DateRules, check_date, check_date_of_birth
from services.young_person import uk_today, young_person_problem

# The longest answer to a one-line question kept only in the request's answers.
SHORT_ANSWER_MAX = 500

YES_NO = (("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str = "text"  # text, textarea, radios, date, postcode, phone, email, nhs, upn, agree
    required: bool = False
    hint: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    autocomplete: str | None = None
    # The column a submitted answer is also stored in (for a child not yet known to the council,
    # the access request's), whose length is then the answer's limit.
    column: InstrumentedAttribute | None = None
    # What to say when a required answer is missing, if the label does not make it by itself;
    # "{whose}" stands for the row of a repeated group ("person 2").
    missing: str | None = None
    # For a date: what it must be beyond a real date (in the past, at most so many years ago).
    date_rules: DateRules = ANY_DATE

    def max_length(self, settings: Mapping) -> int:
        if self.column is not None:
            length = column_length(self.column)
            assert length is not None, "answers kept in a column are kept in String columns"
            return length
        return settings["APPENDIX_A_MAX_CHARACTERS"] if self.kind == "textarea" else SHORT_ANSWER_MAX


@dataclass(frozen=True)
class Group:
    """Rows that can be added and removed, such as the people with parental responsibility."""

    key: str
    label: str
    item: str
    questions: tuple[Question, ...]
    min_rows: int = 0
    add_label: str = "Add another"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    parts: tuple[Question | Group, ...] = ()
    # "any": at least one answer is needed before the section can be marked as completed
    needs_one_answer: bool = False
    uploads: bool = False

    @property
    def questions(self) -> list[Question]:
        return [part for part in self.parts if isinstance(part, Question)]

    @property
    def groups(self) -> list[Group]:
        return [part for part in self.parts if isinstance(part, Group)]


def _long(key: str, label: str, hint: str | None = None, required: bool = False) -> Question:
    return Question(key, label, "textarea", required, hint)


NEED_AREAS = (
    ("communication", "Communication and interaction"),
    ("cognition", "Cognition and learning"),
    ("social", "Social, emotional and mental health"),
    ("sensory", "Sensory and/or physical needs"),
)

EDITION_1: tuple[Section, ...] = (
    Section(
        "about",
        "About this request",
        "Tell us who is asking for the assessment and who is helping.",
        (
            Question(
                "completed_by",
                "Who is making this request?",
                "radios",
                True,
                options=(
                    ("parent", "A parent or carer"),
                    ("young_person", "The young person (aged 16 to 25)"),
                    ("other_pr", "Someone else with parental responsibility"),
                ),
            ),
            Question(
                "relationship",
                "Your relationship to the child or young person",
                required=True,
                hint="For example, mother, father, foster carer, grandparent, or myself",
            ),
            Question(
                "helper",
                "Is anyone helping you fill this in?",
                hint="For example, a SENDIAS adviser, a family support worker or a friend",
            ),
            Question(
                "school_support",
                "Does the school or setting know about this request and support it?",
                "radios",
                options=(
                    ("yes", "Yes, they know and support it"),
                    ("knows", "They know but do not support it"),
                    ("no", "They do not know"),
                    ("none", "The child does not go to a school or setting"),
                ),
            ),
        ),
    ),
    Section(
        "child",
        "The child or young person",
        "Their details as the school or setting knows them.",
        (
            Question("first_name", "Legal first name", required=True, column=ChildLink.child_first_name),
            Question("last_name", "Legal last name", required=True, column=ChildLink.child_last_name),
            Question("preferred_name", "Name they like to be called"),
            Question(
                "date_of_birth",
                "Date of birth",
                "date",
                True,
                hint="For example, 27 3 2014",
                date_rules=DATE_OF_BIRTH,
            ),
            Question("gender", "Gender"),
            Question("address", "Home address", "textarea", True),
            Question("postcode", "Home postcode", "postcode", True, column=ChildLink.child_postcode),
            Question(
                "nhs_number",
                "NHS number",
                "nhs",
                hint="10 numbers, like 943 476 5919. Leave this blank if you do not know it.",
            ),
            Question(
                "upn",
                "Unique pupil number (UPN)",
                "upn",
                hint="13 characters, starting with a letter. Ask the school, or leave it blank.",
            ),
            Question(
                "languages", "Languages spoken at home", hint="Include British Sign Language (BSL) if used"
            ),
            Question(
                "access_needs",
                "Do they or you need an interpreter or information in another format?",
                hint="For example, large print, easy read or a BSL interpreter",
            ),
            Question(
                "school",
                "Current school or setting",
                required=True,
                hint="If they do not go to one, say so",
                column=ChildLink.child_school,
            ),
            Question("year_group", "Year group"),
            Group(
                "previous_settings",
                "Previous schools or settings",
                "Previous school or setting",
                (
                    Question(
                        "name",
                        "Name of school or setting",
                        required=True,
                        missing="Enter the name of {whose}",
                    ),
                    Question(
                        "dates", "When they went there", hint="For example, September 2019 to July 2022"
                    ),
                ),
                add_label="Add a previous school or setting",
            ),
            Question(
                "looked_after",
                "Is the child looked after by the local authority?",
                "radios",
                options=(("yes", "Yes"), ("no", "No"), ("prefer_not", "I would rather not say")),
            ),
            Question("social_worker", "Social worker's name and contact details, if they have one"),
            Question("gp", "GP surgery"),
            _long("main_need", "Their main need or diagnosis, if known"),
        ),
    ),
    Section(
        "household",
        "People with parental responsibility and the household",
        "Everyone with parental responsibility for the child, and who should get letters.",
        (
            Group(
                "people",
                "People with parental responsibility",
                "Person",
                (
                    Question("name", "Full name", required=True),
                    Question(
                        "relationship",
                        "Relationship to the child",
                        required=True,
                        missing="Enter the relationship of {whose} to the child",
                    ),
                    Question(
                        "has_pr",
                        "Do they have parental responsibility?",
                        "radios",
                        True,
                        options=YES_NO,
                        missing="Select whether {whose} has parental responsibility",
                    ),
                    Question("address", "Address, if different from the child's"),
                    Question("phone", "Phone number", "phone"),
                    Question("email", "Email address", "email"),
                    Question(
                        "preferred_contact",
                        "How do they prefer to be contacted?",
                        "radios",
                        options=(("email", "Email"), ("phone", "Phone"), ("post", "Post")),
                    ),
                    Question("interpreter", "Do they need an interpreter? Which language?"),
                    Question("copy_letters", "Should they get copies of letters?", "radios", options=YES_NO),
                ),
                min_rows=1,
                add_label="Add another person",
            ),
        ),
    ),
    Section(
        "all_about_me",
        "All about me",
        "The child or young person's own views, in their words. They can have help to write them. "
        "You can send a drawing or photo in the documents section.",
        (
            _long("liked_for", "What people like and admire about me"),
            _long("important", "What is important to me now and in the future"),
            _long("helps", "What helps me and what I like"),
            _long("hard", "What I find hard"),
            _long("who_helps", "Who helps me share my views"),
        ),
        needs_one_answer=True,
    ),
    Section(
        "parent_views",
        "Your views as parent or carer",
        "Your own account of the child's needs and what you hope for.",
        (
            _long(
                "history",
                "The history of your concerns",
                "When you first noticed, and what has happened since",
            ),
            _long("working", "What is working and not working, at home and at school or setting"),
            _long("hopes", "Your hopes, and the outcomes you want for them"),
        ),
        needs_one_answer=True,
    ),
    Section(
        "needs",
        "Needs",
        "Describe the child's needs in the four broad areas of the SEND Code of Practice. "
        "Complete at least one area; leave out any that do not apply.",
        tuple(
            question
            for area, title in NEED_AREAS
            for question in (
                _long(f"{area}_needs", f"{title}: the needs you see"),
                _long(f"{area}_impact", f"{title}: the impact on them"),
                _long(f"{area}_helps", f"{title}: what helps"),
                _long(f"{area}_support", f"{title}: support already in place, and its effect"),
            )
        ),
    ),
    Section(
        "support_tried",
        "Support already tried",
        "What the school or setting has done so far (the graduated approach).",
        (
            _long(
                "plans", "SEN support plans", "For example, an individual support plan and when it started"
            ),
            _long("cycles", "Assess, plan, do, review cycles", "How many, and when"),
            _long("interventions", "Interventions, with dates and their impact"),
            _long("why_not_enough", "Why the school or setting cannot meet the needs from its own resources"),
        ),
        needs_one_answer=True,
    ),
    Section(
        "professionals",
        "Professionals involved",
        "Anyone who has worked with the child, such as a speech and language therapist or a paediatrician. "
        "Leave this empty if there is no one.",
        (
            Group(
                "professionals",
                "Professionals",
                "Professional",
                (
                    Question("name", "Name", required=True),
                    Question("role", "Role or service", required=True),
                    Question("contact", "Contact details"),
                    Question("last_seen", "When the child last saw them", hint="For example, March 2026"),
                    Question("last_report", "Date of their last report", hint="For example, January 2026"),
                ),
                add_label="Add a professional",
            ),
        ),
    ),
    Section(
        "documents",
        "Documents",
        "Reports, diagnosis letters, SEN support plans and the child's drawing or photo. "
        "This section is optional.",
        uploads=True,
    ),
    Section(
        "consent",
        "Consent to share information",
        "We need your agreement to make the request and to share information for the assessment.",
        (
            Question(
                "agree_request",
                "I agree to this request for an EHC needs assessment",
                "agree",
                True,
                missing="Confirm that you agree to this request for an EHC needs assessment",
            ),
            Question(
                "agree_share",
                "I agree that information can be shared with education, educational psychology, "
                "health and social care for the assessment and any plan",
                "agree",
                True,
                missing="Confirm that you agree to information being shared for the assessment and any plan",
            ),
            _long("do_not_share", "Is there anyone we must not share information with?"),
            Question(
                "copy_parents",
                "If you are the young person: should your parents be copied into letters?",
                "radios",
                options=YES_NO,
            ),
        ),
    ),
    Section(
        "declaration",
        "Declaration",
        "The date of the declaration is set when you submit the request.",
        (
            Question(
                "true",
                "The information I have given is true to the best of my knowledge",
                "agree",
                True,
                missing="Confirm that the information you have given is true to the best of your knowledge",
            ),
            Question("full_name", "Your full name", required=True, autocomplete="name"),
        ),
    ),
)
# Every edition of the form by its number. To change the form, add the next edition (which may reuse
# the sections and questions that stay the same); never edit one that requests have been made on. The
# keys read by rules across sections (about.completed_by; the child's names, date_of_birth, postcode and
# school, prefilled by services.assessment_requests.start and copied to an access request; the needs
# areas) stay the same in every edition.
EDITIONS: dict[int, tuple[Section, ...]] = {1: EDITION_1}


def current_edition() -> int:
    """The edition a new request is made on: the latest."""
    return max(EDITIONS)


def sections_for(edition: int) -> tuple[Section, ...]:
    return EDITIONS[edition]


def section_for(edition: int, key: str) -> Section | None:
    return next((section for section in EDITIONS[edition] if section.key == key), None)


NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
DATE_PARTS = ("day", "month", "year")


# --- Reading answers from a form ------------------------------------------------------------------


def field_id(question: Question, group: Group | None = None, row: int | None = None) -> str:
    return f"{group.key}-{row}-{question.key}" if group else question.key


def first_input_id(group: Group, row: int) -> str:
    """The id of the first control of a group's row: a date's first control is its day."""
    question = group.questions[0]
    key = field_id(question, group, row)
    return f"{key}-day" if question.kind == "date" else key


def group_heading_id(group: Group) -> str:
    return f"{group.key}-heading"


@dataclass(frozen=True)
class RowChange:
    """A row added to or removed from a group, and where the page should return to afterwards."""

    answers: dict
    return_to: str
    announcement: str = ""
    group_key: str = ""


def change_rows(section: Section, answers: dict, action: str) -> RowChange | None:
    """Add or remove a row of a repeatable group, as asked by the button pressed ("add:group" or
    "remove:group:index"). None when the action names no group of this section."""
    verb, _, rest = action.partition(":")
    group_key, _, row = rest.partition(":")
    group = next((g for g in section.groups if g.key == group_key), None)
    if group is None:
        return None
    rows = list(answers.get(group.key) or [])
    if verb == "add":
        rows.append(blank_row(group))
        return RowChange({**answers, group.key: rows}, first_input_id(group, len(rows) - 1))
    if verb == "remove" and row.isdigit() and int(row) < len(rows):
        rows.pop(int(row))
        announcement = f"{group.item} {int(row) + 1} removed"
        return RowChange({**answers, group.key: rows}, group_heading_id(group), announcement, group.key)
    return None


def _read_question(question: Question, form: Mapping, prefix: str) -> str | dict:
    if question.kind == "date":
        return {part: form.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")}
    if question.kind == "agree":
        return "yes" if form.get(prefix) == "yes" else ""
    value = form.get(prefix, "")
    return value.strip() if question.kind != "textarea" else value.replace("\r\n", "\n").strip()


def read_section(section: Section, form: Mapping) -> dict:
    """The section's answers from a submitted form, exactly as typed."""
    answers: dict = {q.key: _read_question(q, form, q.key) for q in section.questions}
    for group in section.groups:
        count = _row_count(form, group)
        rows = []
        for row in range(count):
            rows.append({q.key: _read_question(q, form, field_id(q, group, row)) for q in group.questions})
        answers[group.key] = rows
    return answers


def _row_count(form: Mapping, group: Group) -> int:
    try:
        return max(0, min(int(form.get(f"{group.key}-count", "0")), 50))
    except ValueError:
        return 0


def blank_row(group: Group) -> dict:
    return {question.key: "" for question in group.questions}


# --- Checking answers --------------------------------------------------------------------------------


@dataclass
class Problems:
    messages: dict[str, str] = field(default_factory=dict)  # field id -> message
    date_parts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.messages.setdefault(key, message)

    def summary(self) -> list[tuple[str, str]]:
        """(id of the field to focus, message) for the error summary: a date links to its first
        day, month or year input in error, as the date input's own id is not a field."""
        return [(self._target(key), message) for key, message in self.messages.items()]

    def _target(self, key: str) -> str:
        if key not in self.date_parts:
            return key
        parts = self.date_parts[key] or DATE_PARTS
        return f"{key}-{next(part for part in DATE_PARTS if part in parts)}"

    def __bool__(self) -> bool:
        return bool(self.messages)


def _is_blank(value) -> bool:
    if isinstance(value, dict):
        return not any(value.values())
    return not value


FORMAT_CHECKS = {
    "postcode": (contact_details.normalise_postcode, "Enter a full UK postcode, like TA1 1HE"),
    "phone": (
        contact_details.normalise_uk_phone,
        "Enter a UK phone number, like 01823 355000 or 07700 900982",
    ),
    "nhs": (identifiers.normalise_nhs_number, "Enter a valid NHS number: 10 numbers, like 943 476 5919"),
    "upn": (
        identifiers.normalise_upn,
        "Enter a valid unique pupil number: 13 characters, like A123456789012",
    ),
}


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def _missing_message(question: Question, whose: str | None) -> str:
    if question.missing:
        return question.missing.format(whose=whose or "")
    verb = "Select" if question.kind == "radios" else ("Confirm" if question.kind == "agree" else "Enter")
    if whose:
        return f"{verb} the {_lower_first(question.label)} of {whose}"
    return f"{verb} {_lower_first(question.label)}"


def _check_question(
    question: Question,
    value,
    key: str,
    problems: Problems | _NamingRow,
    complete: bool,
    settings,
    today,
    whose: str | None = None,
) -> None:
    """whose names the row of a repeated group ("person 2"), so that its messages say which one."""
    if _is_blank(value):
        if complete and question.required:
            problems.add(key, _missing_message(question, whose))
            if question.kind == "date":
                problems.date_parts[key] = DATE_PARTS
        return
    if whose:
        problems = _NamingRow(problems, whose)
    if question.kind == "date":
        checked = check_date(
            value.get("day"),
            value.get("month"),
            value.get("year"),
            today,
            question.label,
            question.date_rules,
        )
        if checked.message:
            problems.add(key, checked.message)
            problems.date_parts[key] = checked.parts
    elif question.kind in FORMAT_CHECKS:
        normalise, message = FORMAT_CHECKS[question.kind]
        if normalise(value) is None:
            problems.add(key, message)
    elif question.kind == "email" and not contact_details.is_email_address(value):
        problems.add(key, contact_details.EMAIL_FORMAT)
    elif question.kind == "radios" and value not in {option for option, _ in question.options}:
        problems.add(key, f"Select {question.label[0].lower()}{question.label[1:]}")
    limit = question.max_length(settings)
    if isinstance(value, str) and len(value) > limit:
        problems.add(key, f"{question.label} must be {limit:,} characters or fewer")


@dataclass
class _NamingRow:
    """Adds a row's format problems to the section's, saying which row they are in."""

    problems: Problems | _NamingRow
    whose: str

    @property
    def date_parts(self) -> dict[str, tuple[str, ...]]:
        return self.problems.date_parts

    def add(self, key: str, message: str) -> None:
        self.problems.add(key, f"{self.whose[0].upper()}{self.whose[1:]}: {_lower_first(message)}")


def check_section(
    section: Section,
    answers: dict,
    complete: bool,
    settings: Mapping,
    today,
    request_answers: Mapping | None = None,
) -> Problems:
    """Format problems always; missing answers too when the section is being marked as completed.
    request_answers, the whole request's (with this section's as now typed), let a rule that joins
    two sections be checked in both."""
    problems = Problems()
    _check_young_person(section, {**(request_answers or {}), section.key: answers}, problems)
    for question in section.questions:
        _check_question(
            question, answers.get(question.key), question.key, problems, complete, settings, today
        )
    for group in section.groups:
        rows = answers.get(group.key) or []
        if complete and len(rows) < group.min_rows:
            problems.add(f"{group.key}-add", f"Add at least {group.min_rows} {group.item.lower()}")
        for row, values in enumerate(rows):
            whose = f"{_lower_first(group.item)} {row + 1}"
            for question in group.questions:
                key = field_id(question, group, row)
                _check_question(
                    question, values.get(question.key), key, problems, complete, settings, today, whose
                )
    if (
        complete
        and section.needs_one_answer
        and all(_is_blank(answers.get(q.key)) for q in section.questions)
    ):
        problems.add(
            section.questions[0].key, "Answer at least one question before you mark this section as completed"
        )
    if (
        complete
        and section.key == "needs"
        and all(_is_blank(answers.get(f"{area}_needs")) for area, _ in NEED_AREAS)
    ):
        problems.add("communication_needs", "Describe the needs in at least one area")
    return problems


def _check_young_person(section: Section, request_answers: Mapping, problems: Problems) -> None:
    """Asking as the young person needs them to be 16 or over: said beside who is asking and beside
    the date of birth, so that marking either section as completed, or submitting, meets the rule."""
    if section.key not in ("about", "child"):
        return
    asking_as = (request_answers.get("about") or {}).get("completed_by")
    born = (request_answers.get("child") or {}).get("date_of_birth") or {}
    if not isinstance(born, Mapping):
        return
    born = check_date_of_birth(born.get("day"), born.get("month"), born.get("year"), uk_today()).value
    message = young_person_problem(asking_as, born)
    if message is None:
        return
    if section.key == "about":
        problems.add("completed_by", message)
    else:
        problems.add("date_of_birth", message)
        problems.date_parts["date_of_birth"] = DATE_PARTS


def has_any_answer(section: Section, answers: dict) -> bool:
    return any(not _is_blank(value) for value in answers.values())


def display_value(question: Question, value) -> str:
    """An answer as shown on check your answers and the staff page."""
    if _is_blank(value):
        return "Not answered"
    if question.kind == "date":
        return f"{value.get('day')} {value.get('month')} {value.get('year')}"
    if question.kind == "agree":
        return "Yes"
    if question.options:
        return dict(question.options).get(value, value)
    return value
