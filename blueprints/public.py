"""Pages anyone can read: the start page, accessibility, privacy and cookies."""

from flask import Blueprint, render_template

bp = Blueprint("public", __name__)


@bp.get("/")
def start() -> str:
    return render_template("public/start.html")


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.get("/cookies")
def cookies() -> str:
    return render_template("public/cookies.html")
