"""Sending documents to the SEND Assessment Hub Team, and downloading them again."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints import is_htmx
from blueprints.access import family_required, second_step_required
from forms import ButtonForm, error_list
from forms.documents import UploadForm
from models import OPEN_LINK_STATES
from services import children, documents, notices

bp = Blueprint("documents", __name__)

# RFC 5987 attr-char, less the letters and digits quote() always keeps
ATTR_CHAR_PUNCTUATION = "!#$&+-.^_`|~"


def checking_only() -> bool:
    """With JavaScript the upload form is first sent with each chosen file's name and no content:
    its errors are shown as without JavaScript, the chosen files stay chosen, and nothing is
    uploaded until the answers are right."""
    return request.form.get("upload_check") == "1"


def upload_check(form: UploadForm, action: str, secondary: bool) -> str:
    """The error summary and the upload form marked with its errors, or clean when it may be sent."""
    form.validate_on_submit()
    return render_template(
        "documents/_upload_check.html",
        errors=error_list(form),
        upload_form=form,
        upload_errors=form.files.errors,
        upload_action=action,
        secondary=secondary,
    )


def _upload_page(template_args: dict, child=None, link=None, action: str = "") -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = UploadForm()
    if checking_only():
        return upload_check(form, action, secondary=False)
    outcome = None
    if form.validate_on_submit():
        uploads = documents.received(form.chosen_files())
        outcome = documents.save_uploads(
            user, uploads, form.category.data, form.description.data, child=child, link=link
        )
        if not outcome.errors and not is_htmx():
            flash("Uploaded " + ", ".join(doc.original_name for doc in outcome.saved), notices.SUCCESS)
            return redirect(action)
        form.files.errors = [*form.files.errors, *outcome.errors]
    listed = documents.documents_for(user, child=child, link=link)
    args = {
        **template_args,
        "form": form,
        "errors": error_list(form),
        "documents": listed,
        "outcome": outcome,
        "action": action,
        "delete_form": ButtonForm(),
        "user": user,
    }
    if is_htmx():
        return render_template("documents/_upload_result.html", **args)
    return render_template("documents/upload.html", **args)


@bp.route("/send/children/<public_id>/documents", methods=["GET", "POST"])
@family_required
def child_documents(public_id: str) -> ResponseReturnValue:
    found = children.family_child(current_user, public_id)
    if found is None:
        abort(404)
    child, _link = found
    return _upload_page(
        {"heading": "Send documents to the SEND Assessment Hub Team", "child": child},
        child=child,
        action=url_for(".child_documents", public_id=public_id),
    )


@bp.route("/send/access/<public_id>/documents", methods=["GET", "POST"])
@family_required
def request_documents(public_id: str) -> ResponseReturnValue:
    link = children.family_link(current_user, public_id)
    if link is None:
        abort(404)
    if link.state not in OPEN_LINK_STATES and request.method == "POST":
        abort(409)
    return _upload_page(
        {"heading": "Add evidence to your request", "link": link},
        link=link,
        action=url_for(".request_documents", public_id=public_id),
    )


def _document_or_404(public_id: str):
    document = documents.find(public_id)
    if document is None or not documents.may_download(current_user, document):
        abort(404)
    return document


@bp.get("/documents/<public_id>/download")
@second_step_required
def download(public_id: str) -> ResponseReturnValue:
    document = _document_or_404(public_id)
    data = documents.read_for_download(current_user, document)
    response = Response(data, mimetype=document.content_type)
    response.headers.set(
        "Content-Disposition", "attachment", **attachment_names(documents.download_name(document))
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_names(name: str) -> dict[str, str]:
    """RFC 6266: a name beyond ASCII goes in filename* as UTF-8 (RFC 5987), with a plain ASCII filename
    for old clients; HTTP headers carry no other characters (gunicorn refuses to send them)."""
    if name.isascii():
        return {"filename": name}
    stem, _, extension = name.rpartition(".")
    fallback = unicodedata.normalize("NFKD", stem.replace("\u2019", "'")).encode("ascii", "ignore").decode()
    fallback = " ".join(fallback.split()) or "document"
    return {
        "filename": f"{fallback}.{extension}",
        "filename*": "UTF-8''" + quote(name, safe=ATTR_CHAR_PUNCTUATION),
    }


@bp.post("/documents/<public_id>/delete")
@family_required
def delete(public_id: str) -> ResponseReturnValue:
    document = _document_or_404(public_id)
    if not documents.may_delete(current_user, document):
        abort(404)
    if document.request is not None:
        back = url_for("appendix_a.section", public_id=document.request.public_id, key="documents")
    else:
        back = url_for(".request_documents", public_id=document.link.public_id)
    name = document.original_name
    documents.delete(current_user, document)
    flash(f"Deleted {name}", notices.SUCCESS)
    return redirect(back)
