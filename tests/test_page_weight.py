"""What a first visit weighs: htmx only where a page uses it, and the stylesheet and scripts compressed
for clients that accept gzip or brotli, compressed once per process."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest

from services import static_files
from tests.pages import get_page
from tests.test_register import register_until_password

STYLESHEET = "/static/css/portal.css"
FIRST_VISIT_BUDGET = 40 * 1024  # bytes on the wire for CSS and JavaScript, as in bench/pages.py
ASSETS = re.compile(r'(?:href|src)="(/static/[^"?]+)[^"]*"')


def raw_stylesheet(app) -> bytes:
    return (Path(app.static_folder) / "css" / "portal.css").read_bytes()


@pytest.mark.parametrize(
    ("accept", "encoding", "decompress"),
    [
        ("gzip", "gzip", gzip.decompress),
        ("br", "br", brotli.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
    ],
)
def test_the_stylesheet_is_sent_compressed(app, client, accept, encoding, decompress):
    response = client.get(STYLESHEET, headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.vary
    assert response.mimetype == "text/css"
    assert len(response.data) < 20 * 1024
    assert decompress(response.data) == raw_stylesheet(app)


def test_a_client_that_accepts_no_compression_gets_the_file_as_it_is(app, client):
    response = client.get(STYLESHEET, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.vary
    assert response.data == raw_stylesheet(app)


def test_each_encoding_has_its_own_etag_and_revalidates(client):
    etags = {
        accept: client.get(STYLESHEET, headers={"Accept-Encoding": accept}).headers["ETag"]
        for accept in ("gzip", "br", "identity")
    }
    assert len(set(etags.values())) == 3
    again = client.get(STYLESHEET, headers={"Accept-Encoding": "gzip", "If-None-Match": etags["gzip"]})
    assert again.status_code == 304
    other = client.get(STYLESHEET, headers={"Accept-Encoding": "br", "If-None-Match": etags["gzip"]})
    assert other.status_code == 200
    assert other.headers["Content-Encoding"] == "br"


def test_the_stylesheet_is_compressed_once_per_process(client, monkeypatch):
    calls = []
    real_compress = gzip.compress

    def counting_compress(data, *args, **kwargs):
        calls.append(len(data))
        return real_compress(data, *args, **kwargs)

    static_files._copy.cache_clear()
    monkeypatch.setattr(static_files.gzip, "compress", counting_compress)
    for _ in range(3):
        assert client.get(STYLESHEET, headers={"Accept-Encoding": "gzip"}).status_code == 200
    assert len(calls) == 1


def test_other_static_paths_are_still_refused(client):
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/css/missing.css").status_code == 404


def test_pages_without_htmx_attributes_do_not_load_htmx(client):
    soup = get_page(client, "/")
    assert soup.find("script", src=re.compile("htmx")) is None


def test_pages_with_htmx_attributes_load_it_deferred(client):
    register_until_password(client)
    soup = get_page(client, "/register/password")
    script = soup.find("script", src=re.compile("htmx"))
    assert script is not None and script.has_attr("defer")


def test_a_first_visit_stays_within_budget_for_a_gzip_only_client(client):
    html = client.get("/").get_data(as_text=True)
    sizes = {}
    for url in ASSETS.findall(html):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("Content-Encoding") == "gzip", url
        sizes[url] = len(response.data)
    assert STYLESHEET in sizes
    assert sum(sizes.values()) <= FIRST_VISIT_BUDGET, sizes
