"""Your account, and the door to the SEND section."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("account", __name__)


@bp.get("/account")
@login_required
def home() -> str:
    return render_template("account/home.html", user=current_user)


@bp.get("/send")
@login_required
def send_home() -> str:
    return render_template("account/send_needs_two_step.html", user=current_user)
