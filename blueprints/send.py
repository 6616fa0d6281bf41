"""The SEND section: everything here needs the second step in this session."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from blueprints.two_step import second_step_required

bp = Blueprint("send", __name__, url_prefix="/send")


@bp.get("")
@second_step_required
def home() -> str:
    return render_template("send/home.html", user=current_user)
