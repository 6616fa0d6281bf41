"""Two adults linked to one child (separated parents, say): neither sees what the other sent, unless
the team shares a document; then the other sees it as shared by the team, never who sent it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from extensions import db as database
from models import AuditEvent, ChildLink, Document, User
from services import assessment_requests, document_sharing, documents
from services.clock import now
from tests import files
from tests.concurrency import run_together
from tests.pages import check_page, get_page, post
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_link,
    make_staff,
    signed_in_past_second_step,
)

HTMX = {"HX-Request": "true"}


def pdf(marker: str) -> bytes:
    """A real PDF whose bytes say whose it is, so a download can be told apart."""
    return files.PDF + f"% {marker}\n".encode()


def sent_request(owner, child):
    request = assessment_requests.start(owner, child)
    request.state, request.reference = "submitted", f"EHC-2026-{request.id:06d}"
    request.submitted_at, request.received_on, request.decision_due_on = now(), now().date(), now().date()
    database.session.commit()
    return request


def save(owner, name: str, **belongs_to) -> Document:
    outcome = documents.save_uploads(
        owner, [documents.Incoming(name, pdf(name))], "report", None, **belongs_to
    )
    assert not outcome.errors, outcome.errors
    return outcome.saved[0]


@pytest.fixture
def world(db):
    """Alex and Blake, both linked (approved) to Jamie. Alex has sent a document from every place a
    family can; Blake has their own request, draft and sent request to look at."""
    alex = make_family("alex@example.com", first_name="Alex")
    blake = make_family("blake@example.com", first_name="Blake")
    make_staff()
    jamie = make_child()
    approved_link(alex, jamie)
    approved_link(blake, jamie)
    alex_request = make_link(alex, first="Casey")
    alex_draft = assessment_requests.start(alex, jamie)
    alex_sent = sent_request(alex, jamie)
    alex_documents = {
        "child page": save(alex, "alex-child-page.pdf", child=jamie),
        "appendix a draft": save(alex, "alex-appendix-draft.pdf", request=alex_draft),
        "appendix a sent": save(alex, "alex-appendix-sent.pdf", request=alex_sent),
        "evidence": save(alex, "alex-evidence.pdf", link=alex_request),
    }
    blake_request = make_link(blake, first="Robin")
    blake_draft = assessment_requests.start(blake, jamie)
    blake_sent = sent_request(blake, jamie)
    return {
        "alex": alex,
        "blake": blake,
        "jamie": jamie,
        "alex_documents": alex_documents,
        "blake_request": blake_request,
        "blake_draft": blake_draft,
        "blake_sent": blake_sent,
    }


def signed_in(app, email: str):
    client = app.test_client()
    signed_in_past_second_step(client, email)
    return client


def upload_body(name: str) -> dict:
    return {"category": "report", "description": "", "files": [(io.BytesIO(pdf(name)), name)]}


def blake_pages(world) -> list[tuple[str, str, dict | None, dict]]:
    """Every page and fragment that lists documents for Blake: (method, url, body, headers)."""
    child_documents = f"/send/children/{world['jamie'].public_id}/documents"
    draft, sent = world["blake_draft"].public_id, world["blake_sent"].public_id
    return [
        ("GET", "/send", None, {}),
        ("GET", f"/send/children/{world['jamie'].public_id}", None, {}),
        ("GET", child_documents, None, {}),
        ("GET", child_documents, None, HTMX),
        ("POST", child_documents, upload_body("blake-own.pdf"), HTMX),
        ("GET", f"/send/access/{world['blake_request'].public_id}/documents", None, {}),
        ("GET", f"/send/access/{world['blake_request'].public_id}/documents", None, HTMX),
        ("GET", f"/send/requests/{draft}/sections/documents", None, {}),
        ("POST", f"/send/requests/{draft}/documents", upload_body("blake-appendix.pdf"), HTMX),
        ("GET", f"/send/requests/{draft}/check", None, {}),
        ("GET", f"/send/requests/{sent}", None, {}),  # the submitted request, read-only and printable
        ("GET", f"/send/requests/{sent}/submitted", None, {}),
    ]


def visit(client, method: str, url: str, body: dict | None, headers: dict) -> str:
    if method == "GET":
        response = client.get(url, headers=headers)
    else:
        response = post(client, url, body, content_type="multipart/form-data", headers=headers)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    if not headers:
        check_page(html)
    return html


def download(client, document: Document):
    return client.get(f"/documents/{document.public_id}/download")


def share(app, document: Document, came_from: str = ""):
    staff = signed_in(app, "officer@somerset.gov.uk")
    suffix = f"?from={came_from}" if came_from else ""
    response = post(staff, f"/staff/documents/{document.public_id}/share{suffix}", {"checked": "y"})
    assert response.status_code == 302
    return response


def stop_sharing(app, document: Document):
    staff = signed_in(app, "officer@somerset.gov.uk")
    response = post(staff, f"/staff/documents/{document.public_id}/stop-sharing")
    assert response.status_code == 302
    return response


def test_the_other_family_sees_none_of_the_first_family_s_documents_anywhere(app, world):
    blake = signed_in(app, "blake@example.com")
    for method, url, body, headers in blake_pages(world):
        html = visit(blake, method, url, body, headers)
        assert "alex-" not in html, (method, url, headers)
        assert "Alex" not in html and "alex@example.com" not in html, url
    for place, document in world["alex_documents"].items():
        assert download(blake, document).status_code == 404, place
        assert post(blake, f"/documents/{document.public_id}/delete").status_code == 404, place


def test_each_family_still_sees_and_downloads_what_it_sent(app, world):
    alex = signed_in(app, "alex@example.com")
    page = get_page(alex, f"/send/children/{world['jamie'].public_id}/documents").get_text()
    assert "alex-child-page.pdf" in page
    for document in world["alex_documents"].values():
        assert download(alex, document).data == pdf(document.original_name)


def test_a_shared_document_is_seen_by_the_other_family_as_shared_by_the_team(app, world):
    document = world["alex_documents"]["child page"]
    share(app, document)

    blake = signed_in(app, "blake@example.com")
    pages = {
        (method, url, bool(headers)): visit(blake, method, url, body, headers)
        for method, url, body, headers in blake_pages(world)
    }
    child_documents = f"/send/children/{world['jamie'].public_id}/documents"
    for key in [
        ("GET", child_documents, False),
        ("GET", child_documents, True),
        ("POST", child_documents, True),
    ]:
        html = pages[key]
        assert "alex-child-page.pdf" in html, key
        assert "Shared with you by the SEND Assessment Hub Team" in html, key
        assert "Alex" not in html and "alex@example.com" not in html, key
        assert f"/documents/{document.public_id}/delete" not in html, key
    assert "Documents (1)" in pages[("GET", child_documents, False)]  # not "Documents sent": Blake sent none
    # Only on the child's documents page: never among Blake's own requests or evidence.
    for (_, url, _), html in pages.items():
        if url != child_documents:
            assert "alex-child-page.pdf" not in html, url
        assert "alex-appendix" not in html and "alex-evidence" not in html, url

    response = download(blake, document)
    assert response.status_code == 200 and response.data == pdf("alex-child-page.pdf")
    make_family("stranger@example.com", first_name="Sam")  # linked to no child
    assert download(signed_in(app, "stranger@example.com"), document).status_code == 404
    assert post(blake, f"/documents/{document.public_id}/delete").status_code == 404
    for place in ("appendix a draft", "appendix a sent", "evidence"):
        assert download(blake, world["alex_documents"][place]).status_code == 404, place


def test_the_sender_is_told_the_team_shared_it(app, world):
    share(app, world["alex_documents"]["child page"])
    alex = signed_in(app, "alex@example.com")
    page = get_page(alex, f"/send/children/{world['jamie'].public_id}/documents").get_text()
    assert "The team has shared it with the other adults linked to this child" in page


def test_after_sharing_stops_the_other_family_gets_404_again(app, world):
    document = world["alex_documents"]["child page"]
    share(app, document)
    blake = signed_in(app, "blake@example.com")
    assert download(blake, document).status_code == 200
    stop_sharing(app, document)
    assert download(blake, document).status_code == 404
    for method, url, body, headers in blake_pages(world):
        assert "alex-child-page.pdf" not in visit(blake, method, url, body, headers), url


def test_an_appendix_a_attachment_can_be_shared_and_shows_on_the_child_s_documents_page(app, world):
    document = world["alex_documents"]["appendix a sent"]
    response = share(app, document, came_from="request")
    assert response.location == f"/staff/requests/{document.request.public_id}"
    blake = signed_in(app, "blake@example.com")
    page = get_page(blake, f"/send/children/{world['jamie'].public_id}/documents").get_text()
    assert "alex-appendix-sent.pdf" in page
    assert download(blake, document).data == pdf("alex-appendix-sent.pdf")


def test_sharing_and_stopping_are_audited_with_who_and_when(app, world):
    document = world["alex_documents"]["child page"]
    staff = database.session.scalar(select(User).where(User.email == "officer@somerset.gov.uk"))
    share(app, document)
    database.session.refresh(document)
    assert document.shared_by_id == staff.id and document.shared_at is not None
    stop_sharing(app, document)
    database.session.refresh(document)
    assert document.shared_at is None and document.shared_by_id is None
    rows = database.session.scalars(
        select(AuditEvent).where(
            AuditEvent.record_type == "document",
            AuditEvent.record_id == document.id,
            AuditEvent.action.in_(("shared", "unshared")),
        )
    ).all()
    assert [(row.action, row.actor_id, row.actor_role) for row in rows] == [
        ("shared", staff.id, "staff"),
        ("unshared", staff.id, "staff"),
    ]
    officer = signed_in(app, "officer@somerset.gov.uk")
    trail = get_page(officer, f"/staff/children/{world['jamie'].public_id}").get_text()
    assert "Shared the document" in trail and "Stopped sharing the document" in trail


def test_families_cannot_share_or_stop_sharing(app, world):
    document = world["alex_documents"]["child page"]
    for email in ("alex@example.com", "blake@example.com"):
        family = signed_in(app, email)
        assert family.get(f"/staff/documents/{document.public_id}/share").status_code == 403
        assert (
            post(family, f"/staff/documents/{document.public_id}/share", {"checked": "y"}).status_code == 403
        )
        assert post(family, f"/staff/documents/{document.public_id}/stop-sharing").status_code == 403
    database.session.refresh(document)
    assert document.shared_at is None
    assert download(signed_in(app, "blake@example.com"), document).status_code == 404
    shared_rows = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "shared")).all()
    assert shared_rows == []


def test_staff_confirm_what_sharing_means_before_it_happens(app, world):
    document = world["alex_documents"]["child page"]
    staff = signed_in(app, "officer@somerset.gov.uk")
    url = f"/staff/documents/{document.public_id}/share"
    page = get_page(staff, url)
    assert page.h1.get_text() == "Share this document with the other linked adults?"
    text = " ".join(page.get_text().split())
    assert "They do not see who sent it" in text
    assert "Blake Morgan, parent" in text  # who would see it now
    assert "Alex Morgan, parent" not in text  # the sender is not among them

    response = post(staff, url, {})
    refused = check_page(response.get_data(as_text=True))
    assert refused.title.get_text().startswith("Error: ")
    assert "Confirm that you have checked the document before sharing it" in refused.get_text()
    database.session.refresh(document)
    assert document.shared_at is None


def test_staff_pages_show_whether_each_document_is_shared(app, world):
    staff = signed_in(app, "officer@somerset.gov.uk")
    child_page = f"/staff/children/{world['jamie'].public_id}"
    row = _row(get_page(staff, child_page), "alex-child-page.pdf")
    assert "Not shared" in row and "by Alex Morgan" in row
    share(app, world["alex_documents"]["child page"])
    row = _row(get_page(staff, child_page), "alex-child-page.pdf")
    assert "Shared by Pat Morgan" in row and "Stop sharing" in row

    sent = world["alex_documents"]["appendix a sent"]
    request_page = get_page(staff, f"/staff/requests/{sent.request.public_id}")
    assert "Not shared" in _row(request_page, "alex-appendix-sent.pdf")
    share_link = request_page.find("a", href=f"/staff/documents/{sent.public_id}/share?from=request")
    assert share_link is not None


def _row(page, name: str) -> str:
    link = page.find("a", string=name)
    return " ".join(link.find_parent("tr").get_text().split())


def test_access_request_evidence_cannot_be_shared(app, world):
    evidence = world["alex_documents"]["evidence"]
    staff = signed_in(app, "officer@somerset.gov.uk")
    request_page = get_page(staff, f"/staff/access/{evidence.link.public_id}")
    assert "cannot be shared" in _row(request_page, "alex-evidence.pdf")
    assert staff.get(f"/staff/documents/{evidence.public_id}/share").status_code == 409
    assert post(staff, f"/staff/documents/{evidence.public_id}/share", {"checked": "y"}).status_code == 409
    officer = database.session.scalar(select(User).where(User.email == "officer@somerset.gov.uk"))
    assert document_sharing.share(officer, evidence) is False
    database.session.refresh(evidence)
    assert evidence.shared_at is None


def test_shared_means_linked_now_a_revoked_link_sees_nothing_and_a_new_one_sees_it(app, world):
    document = world["alex_documents"]["child page"]
    share(app, document)
    blake = signed_in(app, "blake@example.com")
    assert download(blake, document).status_code == 200

    blake_link = database.session.scalar(
        select(ChildLink).where(
            ChildLink.user_id == world["blake"].id, ChildLink.child_id == world["jamie"].id
        )
    )
    staff = signed_in(app, "officer@somerset.gov.uk")
    revoked = post(staff, f"/staff/links/{blake_link.public_id}/revoke", {"reason": "Court order"})
    assert revoked.status_code == 302
    assert download(blake, document).status_code == 404

    approved_link(make_family("carer@example.com", first_name="Sam"), world["jamie"])
    carer = signed_in(app, "carer@example.com")
    assert download(carer, document).data == pdf("alex-child-page.pdf")
    page = get_page(carer, f"/send/children/{world['jamie'].public_id}/documents").get_text()
    assert "alex-child-page.pdf" in page and "Alex" not in page


def test_one_adult_s_uploads_do_not_use_up_the_other_s_room(app, world):
    app.config["DOCUMENT_MAX_FILES"] = 1  # Alex already sent one from the child's page
    blake = signed_in(app, "blake@example.com")
    child_documents = f"/send/children/{world['jamie'].public_id}/documents"
    response = post(blake, child_documents, upload_body("blake-own.pdf"), content_type="multipart/form-data")
    assert response.status_code == 302
    html = blake.get(child_documents).get_data(as_text=True)
    assert "blake-own.pdf" in html and "alex-" not in html


def test_two_members_of_staff_sharing_at_once_share_it_once(app, db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    document_id = world["alex_documents"]["child page"].id
    staff_id = database.session.scalar(select(User.id).where(User.email == "officer@somerset.gov.uk"))

    def press_share(ready) -> bool:
        with app.app_context():
            staff, document = (
                database.session.get(User, staff_id),
                database.session.get(Document, document_id),
            )
            ready()
            shared = document_sharing.share(staff, document)
            database.session.remove()
            return shared

    assert sorted(run_together(press_share, [(), ()])) == [False, True]
    rows = database.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "shared", AuditEvent.record_id == document_id)
    ).all()
    assert len(rows) == 1
