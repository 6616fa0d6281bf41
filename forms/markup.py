"""The parts every GOV.UK field has (its form group's classes, label or legend with the required marker, hint,
error message and aria-describedby), for the field macros in templates/components/fields.html.

They are functions rather than macros because a page of Appendix A questions calls them some hundred times,
and a Jinja macro call costs several times a function call; the markup of each part is still written once."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

REQUIRED_MARKER = Markup(
    ' <span class="app-required" aria-hidden="true">*</span>'
    '<span class="govuk-visually-hidden"> (required)</span>'
)


def form_group_classes(errors: Sequence[str] | None, classes: str = "") -> Markup:
    """The class attribute's value of a field's form group."""
    extra = f" {escape(classes)}" if classes else ""
    return Markup(f"govuk-form-group{extra}{' govuk-form-group--error' if errors else ''}")


def label_text(text: str, required: bool | None) -> Markup:
    """A label's words: True adds the asterisk (and "(required)" for screen readers), False "(optional)",
    None nothing."""
    if required:
        return escape(text) + REQUIRED_MARKER
    return escape(text) + (Markup(" (optional)") if required is not None else Markup())


def label(field_id: str, text: str, required: bool | None, classes: str = "") -> Markup:
    extra = f" {escape(classes)}" if classes else ""
    return Markup(
        f'<label class="govuk-label{extra}" for="{escape(field_id)}">{label_text(text, required)}</label>'
    )


def legend(text: str, required: bool | None, classes: str) -> Markup:
    return Markup(
        f'<legend class="govuk-fieldset__legend {escape(classes)}">{label_text(text, required)}</legend>'
    )


def hint(field_id: str, text: str | None) -> Markup:
    if not text:
        return Markup()
    return Markup(f'<div id="{escape(field_id)}-hint" class="govuk-hint">{escape(text)}</div>')


def error_message(field_id: str, messages: Sequence[str] | None) -> Markup:
    """Every message, each after a visually hidden "Error:"; its id is "{field id}-error"."""
    if not messages:
        return Markup()
    shown = Markup("<br>").join(
        Markup('<span class="govuk-visually-hidden">Error:</span> ') + escape(message) for message in messages
    )
    return Markup(f'<p id="{escape(field_id)}-error" class="govuk-error-message">{shown}</p>')


def described_by(
    field_id: str, hint_text: str | None = None, extra: str | None = None, errors: Sequence[str] | None = None
) -> Markup:
    """The hint first, then anything else that describes the field, then the error, as GOV.UK Frontend orders
    them; nothing when there is none."""
    ids = [f"{field_id}-hint"] if hint_text else []
    ids += [extra] if extra else []
    ids += [f"{field_id}-error"] if errors else []
    return Markup(f' aria-describedby="{escape(" ".join(ids))}"') if ids else Markup()


TEMPLATE_GLOBALS = {
    "field_group_classes": form_group_classes,
    "field_label_text": label_text,
    "field_label": label,
    "field_legend": legend,
    "field_hint": hint,
    "field_error": error_message,
    "field_described_by": described_by,
}
