"""Uploading documents: accepted by content, refused with reasons, private, read only by the right people."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from models import AuditEvent, Document, SecurityEvent
from services import storage
from tests import files
from tests.clamd_standin import EICAR, ClamdStandIn
from tests.pages import get_page, post
from tests.people import (
    approved_link,
    make_family,
    make_link,
    make_staff,
    signed_in_past_second_step,
)


def upload(client, url: str, named_files: list[tuple[str, bytes]], category: str = "report", headers=None):
    data = {"category": category, "description": ""}
    data["files"] = [(io.BytesIO(content), name) for name, content in named_files]
    return post(client, url, data, content_type="multipart/form-data", headers=headers or {})


def upload_page(client, child) -> str:
    return f"/send/children/{child.public_id}/documents"


def stored_bytes(app, document: Document) -> bytes:
    return storage.storage_from_settings(app.config).load(document.storage_key)


@pytest.mark.parametrize(
    "name, make, content_type",
    [
        ("report.pdf", lambda: files.PDF, "application/pdf"),
        ("scan.png", files.png, "image/png"),
        ("photo.heic", files.heic, "image/heic"),
        ("plan.docx", files.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("letter.odt", files.odt, "application/vnd.oasis.opendocument.text"),
        ("photo-named-wrongly.pdf", files.png, "image/png"),
    ],
)
def test_each_accepted_kind_is_stored_by_its_content(app, client, db, child, name, make, content_type):
    response = upload(client, upload_page(client, child), [(name, make())])
    assert response.status_code == 302
    document = db.session.scalar(select(Document))
    assert (document.original_name, document.content_type) == (name, content_type)
    assert len(document.sha256) == 64 and document.size == len(stored_bytes(app, document))
    assert document.scan_status == "not_scanned"
    assert document.storage_key not in name and "/" not in document.storage_key


def test_photo_location_is_removed_before_storing(app, client, db, child):
    original = files.jpeg_with_location()
    assert files.location_of(original)
    upload(client, upload_page(client, child), [("photo.jpg", original)])
    document = db.session.scalar(select(Document))
    assert files.location_of(stored_bytes(app, document)) == {}


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.pdf", b"", "empty.pdf is empty"),
        (
            "program.exe",
            files.EXECUTABLE,
            "program.exe must be a PDF, JPG, PNG, HEIC, Word or OpenDocument text file",
        ),
        ("report.pdf", files.EXECUTABLE, "report.pdf is not a real PDF file"),
        ("letter.pdf", files.HTML, "letter.pdf is not a real PDF file"),
        ("bomb.docx", None, "bomb.docx is not a real Word file"),
        ("big.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "big.pdf must be smaller than 10 MB"),
        ("x" * 250 + ".pdf", files.PDF, "has a name longer than 200 characters"),
    ],
)
def test_each_refusal_names_the_file_and_the_others_are_kept(client, db, child, name, content, message):
    content = files.docx_bomb() if content is None else content
    response = upload(client, upload_page(client, child), [("good.pdf", files.PDF), (name, content)])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert [d.original_name for d in db.session.scalars(select(Document))] == ["good.pdf"]
    assert "Uploaded good.pdf" in html


def test_no_file_chosen_says_so(client, child):
    response = upload(client, upload_page(client, child), [])
    assert "Select a file" in response.get_data(as_text=True)


def test_names_are_cleaned_for_display_and_never_used_as_paths(client, db, child):
    upload(client, upload_page(client, child), [("..\\..\\evil/../../app.py.pdf", files.PDF)])
    document = db.session.scalar(select(Document))
    assert document.original_name == "app.py.pdf"


def test_at_most_20_files_for_one_child(app, client, db, child):
    app.config["DOCUMENT_MAX_FILES"] = 2
    response = upload(client, upload_page(client, child), [(f"r{n}.pdf", files.PDF) for n in range(3)])
    assert "r2.pdf was not uploaded: you can only send 2 files" in response.get_data(as_text=True)


def test_htmx_gets_the_outcome_and_the_list_only(client, child):
    response = upload(
        client, upload_page(client, child), [("report.pdf", files.PDF)], headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "Uploaded report.pdf" in html
    assert 'id="document-list"' in html


def test_download_is_an_attachment_never_cached_and_audited(client, db, child):
    upload(client, upload_page(client, child), [("report.pdf", files.PDF)])
    document = db.session.scalar(select(Document))
    response = client.get(f"/documents/{document.public_id}/download")
    assert response.data == files.PDF
    assert response.headers["Content-Disposition"] == "attachment; filename=report.pdf"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "document")).all()
    assert [row.action for row in rows] == ["created", "downloaded"]


def test_another_family_gets_404_and_staff_can_download(app, client, db, child):
    upload(client, upload_page(client, child), [("report.pdf", files.PDF)])
    document = db.session.scalar(select(Document))
    make_family("other@example.com")
    other = app.test_client()
    signed_in_past_second_step(other, "other@example.com")
    assert other.get(f"/documents/{document.public_id}/download").status_code == 404
    assert post(other, f"/documents/{document.public_id}/delete").status_code == 404
    assert other.get(upload_page(other, child)).status_code == 404
    make_staff()
    staff = app.test_client()
    signed_in_past_second_step(staff, "officer@somerset.gov.uk")
    assert staff.get(f"/documents/{document.public_id}/download").data == files.PDF
    assert "Not scanned" in get_page(staff, f"/staff/children/{child.public_id}").get_text()


def test_a_second_linked_family_cannot_read_the_first_family_s_documents(app, client, db, child):
    """Sharing by the team is tested in test_document_sharing.py."""
    upload(client, upload_page(client, child), [("report.pdf", files.PDF)])
    document = db.session.scalar(select(Document))
    carer = make_family("carer@example.com")
    approved_link(carer, child)
    other = app.test_client()
    signed_in_past_second_step(other, "carer@example.com")
    assert other.get(f"/documents/{document.public_id}/download").status_code == 404
    assert "report.pdf" not in other.get(upload_page(other, child)).get_data(as_text=True)


def test_evidence_can_be_deleted_while_the_request_is_open(app, client, db, family):
    link = make_link(family)
    url = f"/send/access/{link.public_id}/documents"
    upload(client, url, [("court-order.pdf", files.PDF)], category="other")
    document = db.session.scalar(select(Document))
    key = document.storage_key
    assert post(client, f"/documents/{document.public_id}/delete").location == url
    assert db.session.scalars(select(Document)).all() == []
    with pytest.raises(FileNotFoundError):
        storage.storage_from_settings(app.config).load(key)


def test_evidence_cannot_be_deleted_once_decided(client, db, family):
    link = make_link(family)
    upload(client, f"/send/access/{link.public_id}/documents", [("court-order.pdf", files.PDF)])
    link.state = "approved"
    db.session.commit()
    document = db.session.scalar(select(Document))
    assert post(client, f"/documents/{document.public_id}/delete").status_code == 404
    assert post(client, f"/send/access/{link.public_id}/documents", {"category": "other"}).status_code == 409


class TestVirusScanning:
    @pytest.fixture
    def clamd(self):
        daemon = ClamdStandIn()
        daemon.start()
        yield daemon
        daemon.stop()

    @pytest.fixture
    def app_settings(self, clamd):
        return {"CLAMD": clamd.address}

    def test_an_infected_file_is_refused_and_recorded(self, client, db, child):
        response = upload(
            client,
            upload_page(client, child),
            [("clean.pdf", files.PDF), ("bad.pdf", b"%PDF-" + EICAR.encode())],
        )
        assert "bad.pdf contains a virus" in response.get_data(as_text=True)
        [document] = db.session.scalars(select(Document)).all()
        assert (document.original_name, document.scan_status) == ("clean.pdf", "clean")
        assert "infected_upload" in db.session.scalars(select(SecurityEvent.kind)).all()
