"""The GOV.UK field markup is written once: each kind of field in templates/components/fields.html, and the
parts every field has (form group, label, hint, error message, aria-describedby) in forms/markup.py. The
WTForms macros (components/forms.html) and the Appendix A questions (components/questions.html) hand their
fields to it, so a fix to a kind of field reaches every page that has one."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FIELD_MACROS = "components/fields.html"
FIELD_PARTS = ROOT / "forms" / "markup.py"
# Markup that belongs to one kind of field.
FIELD_MARKUP = (
    'class="govuk-input',
    "govuk-password-input__input",
    "govuk-textarea",
    "govuk-character-count__message",
    "govuk-radios__input",
    "govuk-checkboxes__input",
    "govuk-date-input__input",
)
# Markup of the parts every field has: written in forms/markup.py, in no template's macros.
PART_MARKUP = ("govuk-form-group--error", "govuk-error-message", "app-required")


def macro_files() -> dict[str, str]:
    """Every template that defines a macro, by its name under templates/."""
    files = {path.relative_to(TEMPLATES).as_posix(): path.read_text() for path in TEMPLATES.rglob("*.html")}
    return {name: text for name, text in files.items() if "{% macro" in text}


@pytest.mark.parametrize("markup", FIELD_MARKUP)
def test_each_kind_of_field_markup_is_written_in_one_macro_file(markup):
    holders = sorted(name for name, text in macro_files().items() if markup in text)
    assert holders == [FIELD_MACROS], f"{markup} is written in {holders}"


@pytest.mark.parametrize("markup", PART_MARKUP)
def test_the_parts_every_field_has_are_written_once_outside_the_templates(markup):
    holders = sorted(name for name, text in macro_files().items() if markup in text)
    assert holders == [], f"{markup} is written in {holders}"
    assert markup in FIELD_PARTS.read_text()


def test_the_wtforms_and_appendix_a_macros_use_the_field_macros():
    files = macro_files()
    for name in ("components/forms.html", "components/questions.html"):
        assert f'{{% import "{FIELD_MACROS}" as govuk %}}' in files[name], name


def render(app, call: str, **context) -> BeautifulSoup:
    source = f'{{% import "{FIELD_MACROS}" as govuk %}}{{{{ {call} }}}}'
    return BeautifulSoup(app.jinja_env.from_string(source).render(**context), "html.parser")


def test_a_field_is_described_by_its_hint_then_its_character_count_then_its_error(app):
    soup = render(
        app,
        'govuk.textarea("needs", "needs", "", "Their needs", True, "Say what helps", ["Enter their needs"],'
        " max_characters=5000)",
    )
    assert soup.find("textarea")["aria-describedby"] == "needs-hint needs-info needs-error"
    assert soup.find(id="needs-info").get_text() == "You can enter up to 5,000 characters"
    assert " ".join(soup.find(id="needs-error").get_text().split()) == "Error: Enter their needs"


def test_only_the_parts_of_a_date_in_error_are_highlighted(app):
    parts = [
        {
            "id": f"dob-{part}",
            "name": f"dob-{part}",
            "label": part,
            "value": "",
            "width": 2,
            "error": part == "month",
        }
        for part in ("day", "month", "year")
    ]
    call = 'govuk.date_input("dob", parts, "Date of birth", errors=["Enter a real month"])'
    soup = render(app, call, parts=parts)
    highlighted = [field["id"] for field in soup.select(".govuk-date-input__input.govuk-input--error")]
    assert highlighted == ["dob-month"]
    assert soup.find("fieldset")["aria-describedby"] == "dob-error"
