"""Uploading documents: accepted by content, refused with reasons, private, read only by the right people."""

from __future__ import annotations

import io
import random
import re
import struct
import tracemalloc
import zipfile
import zlib
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from PIL import ExifTags, Image
from sqlalchemy import select

from config import Defaults
from models import AuditEvent, ChildLink, Document, SecurityEvent, User
from services import storage
from services.documents import MAX_ZIP_ENTRIES, Incoming, save_uploads
from services.file_contents import Refusal, check_office_file
from tests import files
from tests.clamd_standin import EICAR, ClamdStandIn
from tests.concurrency import run_together
from tests.pages import get_page, post
from tests.people import (
    approved_link,
    make_family,
    make_link,
    make_staff,
    signed_in_past_second_step,
)
from tests.photo_metadata import metadata_in


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
        ("bomb.docx", None, "bomb.docx is too large once unpacked: it must unpack to less than 100 MB"),
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


def check_upload(client, url: str, fields: dict, named_files: list[tuple[str, bytes]]):
    data = {**fields, "upload_check": "1"}
    data["files"] = [(io.BytesIO(content), name) for name, content in named_files]
    return post(client, url, data, content_type="multipart/form-data", headers={"HX-Request": "true"})


def test_the_upload_check_marks_the_form_and_never_stores_a_file(client, db, child, family):
    link = make_link(family, state="requested")
    db.session.commit()
    for url in (
        upload_page(client, child),
        f"/send/access/{link.public_id}/documents",
        f"/send/requests/{child_request(client, db, child)}/documents",
    ):
        missing = check_upload(client, url, {"description": "Speech"}, [("report.pdf", b"")])
        soup = BeautifulSoup(missing.get_data(as_text=True), "html.parser")
        assert [a["href"] for a in soup.select(".govuk-error-summary a")] == ["#category"]
        message = soup.find(id="category-error").get_text(" ", strip=True)
        assert message == "Error: Select what you are sending"
        assert soup.find(id="description")["value"] == "Speech"
        assert soup.select_one("form[data-upload]")["action"] == url
        nothing = check_upload(client, url, {"category": "report"}, [])
        assert "Select a file" in nothing.get_data(as_text=True)
        ready = check_upload(client, url, {"category": "report"}, [("report.pdf", files.PDF)])
        ready_html = ready.get_data(as_text=True)
        assert "govuk-error-summary" not in ready_html
        assert "govuk-form-group--error" not in ready_html
    assert db.session.scalars(select(Document)).all() == []


def child_request(client, db, child) -> str:
    response = post(client, "/send/requests/new", {"child": child.public_id})
    return response.location.rsplit("/", 1)[1]


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


def saved_names(content_disposition: str) -> tuple[str, str]:
    """What a browser saves as (RFC 6266: filename* first, RFC 5987 UTF-8), and what an older client
    that only reads filename saves as."""
    extended = re.search(r"filename\*=UTF-8''([^;\s]+)", content_disposition)
    plain = re.search(r'filename=("(?:[^"\\]|\\.)*"|[^;\s]+)', content_disposition).group(1)
    if plain.startswith('"'):
        plain = re.sub(r"\\(.)", r"\1", plain[1:-1])
    return (unquote(extended.group(1), errors="strict") if extended else plain), plain


@pytest.mark.parametrize(
    "name, ascii_name",
    [
        ("Child\u2019s report.pdf", "Child's report.pdf"),
        ("日本.pdf", "document.pdf"),
        ("café menu.pdf", "cafe menu.pdf"),
        ("report 📄 2026.pdf", "report 2026.pdf"),
        ("notes; 100% done.pdf", "notes; 100% done.pdf"),
    ],
)
def test_any_name_downloads_through_gunicorn_under_that_name(client, db, child, gunicorn, name, ascii_name):
    upload(client, upload_page(client, child), [(name, files.PDF)])
    document = db.session.scalar(select(Document))
    cookie = f"session={client.get_cookie('session').value}"
    status, headers, body = gunicorn.get(f"/documents/{document.public_id}/download", {"Cookie": cookie})
    assert status == 200
    assert body == files.PDF
    assert headers["Content-Disposition"].startswith("attachment;")
    assert saved_names(headers["Content-Disposition"]) == (name, ascii_name)


@pytest.mark.parametrize(
    "name, make, image_format",
    [
        ("photo.heic", files.heic_with_location, "HEIF"),
        ("photo.jpg", files.jpeg_with_everything, "JPEG"),
        ("scan.png", files.png_with_everything, "PNG"),
    ],
)
def test_photos_are_downloaded_without_location_camera_or_comments(
    client, db, child, name, make, image_format
):
    original = make()
    assert {"EXIF", "XMP", "ICC"} <= metadata_in(original)
    assert files.CAMERA_MAKE.encode() in original and b"GPS" in original
    upload(client, upload_page(client, child), [(name, original)])
    document = db.session.scalar(select(Document))
    downloaded = client.get(f"/documents/{document.public_id}/download").data
    assert metadata_in(downloaded) == set()
    assert [tell for tell in files.TELL_TALES if tell in downloaded] == []
    with Image.open(io.BytesIO(downloaded)) as photo:
        assert (photo.format, photo.size) == (image_format, (32, 16))
        assert not photo.getexif() and "xmp" not in photo.info


def test_a_photo_keeps_the_way_up_it_was_taken(client, db, child):
    """Turning it upright must not bring the camera's EXIF (make, model, location) back with it."""
    upload(client, upload_page(client, child), [("sideways.jpg", files.jpeg_with_everything(orientation=6))])
    document = db.session.scalar(select(Document))
    downloaded = client.get(f"/documents/{document.public_id}/download").data
    with Image.open(io.BytesIO(downloaded)) as photo:
        assert photo.size == (16, 32)
        exif = photo.getexif()
        assert (exif.get(ExifTags.Base.Make), exif.get(ExifTags.Base.Model)) == (None, None)
        assert not exif
    assert metadata_in(downloaded) == set()
    assert [tell for tell in files.TELL_TALES if tell in downloaded] == []


def _truncated(make) -> bytes:
    data = make()
    return data[: len(data) // 2]


def _png_too_many_pixels() -> bytes:
    data = files.png()
    header = bytearray(data[:33])
    struct.pack_into(">II", header, 16, 10_000, 10_000)  # 100 million pixels declared
    struct.pack_into(">I", header, 29, zlib.crc32(bytes(header[12:29])))
    return bytes(header) + data[33:]


ODT_MESSAGE = "is damaged or not a real OpenDocument file"
WORD_MESSAGE = "is damaged or not a real Word file"
PHOTO_MESSAGE = "could not be read as a picture"


@pytest.mark.parametrize(
    "name, make, message",
    [
        ("bad-crc.odt", lambda: files.with_entry_headers(files.odt_with(), "mimetype", crc=1), ODT_MESSAGE),
        (
            "method.odt",
            lambda: files.with_entry_headers(files.odt_with(), "mimetype", method=99),
            ODT_MESSAGE,
        ),
        (
            "deflate.odt",
            lambda: files.with_entry_data_damaged(
                files.odt_with(b"x" * 64 + b"y" * 64, stored=False), "mimetype"
            ),
            ODT_MESSAGE,
        ),
        ("content.odt", lambda: files.with_entry_headers(files.odt(), "content.xml", crc=7), ODT_MESSAGE),
        ("cut.odt", lambda: _truncated(files.odt), "cut.odt is not a real OpenDocument file"),
        (
            "bad-crc.docx",
            lambda: files.with_entry_headers(files.docx(), "word/document.xml", crc=1),
            WORD_MESSAGE,
        ),
        (
            "method.docx",
            lambda: files.with_entry_headers(files.docx(), "word/document.xml", method=12),
            WORD_MESSAGE,
        ),
        (
            "deflate.docx",
            lambda: files.with_entry_data_damaged(
                files.docx_with_document(bytes(range(256)) * 64), "word/document.xml"
            ),
            WORD_MESSAGE,
        ),
        (
            "longer.docx",
            lambda: files.docx_lying_about_its_size(declared=1000, inflated=5000),
            WORD_MESSAGE,
        ),
        (
            "locked.docx",
            lambda: files.with_entry_headers(files.docx(), "word/document.xml", flags=1),
            "locked.docx is password protected",
        ),
        ("cut.docx", lambda: _truncated(files.docx), "cut.docx is not a real Word file"),
        ("cut.png", lambda: _truncated(files.png), PHOTO_MESSAGE),
        ("cut.jpg", lambda: _truncated(files.jpeg_with_location), PHOTO_MESSAGE),
        ("cut.heic", lambda: _truncated(files.heic), PHOTO_MESSAGE),
        ("huge.png", _png_too_many_pixels, "huge.png is too large a picture"),
    ],
)
def test_each_malformed_file_is_refused_by_name_and_the_others_kept(client, db, child, name, make, message):
    response = upload(client, upload_page(client, child), [("good.pdf", files.PDF), (name, make())])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and name in html
    assert "Uploaded good.pdf" in html
    assert [d.original_name for d in db.session.scalars(select(Document))] == ["good.pdf"]


def test_a_docx_is_refused_by_what_it_inflates_to_not_what_it_declares(app, client, db, child):
    lying = files.docx_lying_about_its_size()
    declared = sum(entry.file_size for entry in zipfile.ZipFile(io.BytesIO(lying)).infolist())
    assert declared < 2000 and len(lying) < 300_000
    response = upload(client, upload_page(client, child), [("good.pdf", files.PDF), ("plan.docx", lying)])
    assert "plan.docx is too large once unpacked: it must unpack to less than 100 MB" in response.get_data(
        as_text=True
    )
    assert [d.original_name for d in db.session.scalars(select(Document))] == ["good.pdf"]


def test_the_unpacked_size_cap_is_a_setting(app, client, db, child):
    app.config["DOCUMENT_MAX_UNPACKED_BYTES"] = 1024 * 1024
    honest = files.docx_with_document(b"<w:document/>" + b"\0" * (2 * 1024 * 1024))
    response = upload(client, upload_page(client, child), [("good.pdf", files.PDF), ("plan.docx", honest)])
    html = response.get_data(as_text=True)
    assert "plan.docx is too large once unpacked: it must unpack to less than 1 MB" in html
    assert [d.original_name for d in db.session.scalars(select(Document))] == ["good.pdf"]


def test_inflating_stops_at_the_cap_a_small_buffer_at_a_time():
    lying = files.docx_lying_about_its_size()
    tracemalloc.start()
    try:
        with pytest.raises(Refusal, match="too large once unpacked"):
            check_office_file(lying, "Word", Defaults.DOCUMENT_MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize(
    "name, make",
    [
        ("letter.odt", files.odt),
        ("plan.docx", files.docx),
        ("scan.png", files.png_with_everything),
        ("photo.jpg", files.jpeg_with_everything),
        ("photo.heic", files.heic_with_location),
    ],
)
def test_no_corruption_of_a_file_causes_an_error(app, db, child, name, make):
    """Bytes overwritten at random places (a fixed seed): each copy is stored or refused by name."""
    original = make()
    chance = random.Random(name)
    owner = db.session.get(User, db.session.scalar(select(ChildLink.user_id)))
    for _ in range(40):
        damaged = bytearray(original)
        for _ in range(chance.randint(1, 4)):
            damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        outcome = save_uploads(owner, [Incoming(name, bytes(damaged))], "report", None, child=child)
        assert len(outcome.saved) + len(outcome.errors) == 1
        assert all(error.startswith(name) for error in outcome.errors)


class TestConcurrentUploads:
    @pytest.fixture
    def app_settings(self, tmp_path):
        return {"DOCUMENT_FOLDER": str(tmp_path / "documents")}

    @pytest.fixture(autouse=True)
    def postgresql_only(self, database_url):
        if not database_url.startswith("postgresql"):
            pytest.skip("SQLite lets one writer in at a time; the row lock is tested on PostgreSQL")

    @pytest.mark.parametrize("sent_to", ["a child's page", "an access request", "an assessment request"])
    def test_four_uploads_at_once_store_no_more_than_the_limit(
        self, app, db, family, child, tmp_path, sent_to
    ):
        clients = [app.test_client() for _ in range(4)]
        for each in clients:
            signed_in_past_second_step(each, "parent@example.com")
        if sent_to == "an access request":
            url = f"/send/access/{make_link(family).public_id}/documents"
        elif sent_to == "an assessment request":
            draft = post(clients[0], "/send/requests/new", {"child": child.public_id}).location
            url = f"{draft}/documents"
        else:
            url = upload_page(None, child)

        def send_eight(ready, each) -> str:
            named = [(f"report-{id(each)}-{n}.pdf", files.PDF + str(n).encode()) for n in range(8)]
            ready()
            return upload(each, url, named).get_data(as_text=True)

        pages = run_together(send_eight, [(each,) for each in clients])
        stored = db.session.scalars(select(Document)).all()
        assert len(pages) == 4
        assert len(stored) == 20
        refused = set(
            re.findall(r"(report-\S+\.pdf) was not uploaded: you can only send 20 files", "".join(pages))
        )
        assert len(refused) == 12
        assert refused.isdisjoint(document.original_name for document in stored)
        kept_files = {path.name for path in (tmp_path / "documents").rglob("*") if path.is_file()}
        assert kept_files == {document.storage_key for document in stored}
