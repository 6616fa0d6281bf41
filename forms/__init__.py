"""WTForms classes, one module per area, and helpers shared by them."""

from __future__ import annotations

from flask_wtf import FlaskForm


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def error_list(*forms: FlaskForm) -> list[tuple[str, str]]:
    """(field id, message) for every error, in page order, for the error summary."""
    return [(field.id, message) for form in forms for field in form for message in field.errors]


class ButtonForm(FlaskForm):
    """A form that is only a button: it carries the CSRF token and nothing else."""
