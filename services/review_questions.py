"""What a family is asked for an annual review: their views before the meeting (with the child's own, as
in Appendix A's "All about me"), and their comments on proposed amendments to the plan. Both are saved
section by section by the Appendix A engine (services.sectioned_forms)."""

from __future__ import annotations

from dataclasses import dataclass

from models.plan_response import COMMENTS, VIEWS
from services import appendix_a
from services.appendix_a import YES_NO, Question, Section


def _long(key: str, label: str, hint: str | None = None) -> Question:
    return Question(key, label, "textarea", hint=hint)


FAMILY_VIEWS = Section(
    "family_views",
    "Your views",
    "Tell us how the past year has gone and what you want from the next. Write as much or as little as you "
    "like: leave a box empty if you have nothing to add.",
    (
        _long("working", "What is working well", "At home, at school or setting, and in the help given"),
        _long("not_working", "What is not working well, or is difficult"),
        _long("change", "What should change in the plan"),
        _long("hopes", "Your hopes for the next year"),
    ),
    needs_one_answer=True,
)

# The child's own views, asked as Appendix A asks them.
ALL_ABOUT_ME = next(section for section in appendix_a.EDITION_1 if section.key == "all_about_me")

PROPOSED_CHANGES = Section(
    "proposed_changes",
    "The proposed changes",
    "Say what you think of the changes the council proposes to the plan.",
    (
        Question(
            "agree",
            "Do you agree with the proposed changes?",
            "radios",
            required=True,
            options=(("yes", "Yes"), ("partly", "Partly"), ("no", "No")),
            missing="Select whether you agree with the proposed changes",
        ),
        Question(
            "comments",
            "Your comments on the proposed changes",
            "textarea",
            hint="What is right, what is missing, and what should be different",
        ),
    ),
)

MEETING_AND_SCHOOL = Section(
    "meeting_and_school",
    "A meeting, and the school or setting",
    "You can ask to meet someone from the council about the changes, and ask for a different school, "
    "college or other setting to be named in section I of the plan.",
    (
        Question(
            "meeting",
            "Would you like a meeting about the changes?",
            "radios",
            required=True,
            options=YES_NO,
            missing="Select yes if you would like a meeting",
        ),
        Question(
            "school",
            "A school or setting you want named instead (optional)",
            hint="Leave this empty to keep the one named in the plan",
        ),
        _long("school_reason", "Why you want this school or setting (optional)"),
    ),
)


@dataclass(frozen=True)
class ReviewForm:
    kind: str
    title: str  # the form's name, above each of its pages
    sections: tuple[Section, ...]
    send_label: str

    def section_for(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)


FORMS = {
    VIEWS: ReviewForm(
        VIEWS, "Your views for the annual review", (FAMILY_VIEWS, ALL_ABOUT_ME), "Send your views"
    ),
    COMMENTS: ReviewForm(
        COMMENTS,
        "Your comments on the proposed amendments",
        (PROPOSED_CHANGES, MEETING_AND_SCHOOL),
        "Send your comments",
    ),
}
