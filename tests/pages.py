"""The page checks every page must pass, and helpers to fetch and submit pages with the test client."""

from __future__ import annotations

import json
import re
from collections import Counter

from bs4 import BeautifulSoup

NON_LABELLED_TYPES = {"hidden", "submit", "button", "image", "reset"}
HTMX_SCRIPT = re.compile(r"/js/htmx-[0-9.]+(\.min)?\.js")


def check_page(html: str) -> BeautifulSoup:
    """One h1, a title that starts with it, labelled fields, forms with an action and a CSRF
    token, no duplicate ids, and an error summary that matches the page title."""
    soup = BeautifulSoup(html, "html.parser")
    headings = soup.find_all("h1")
    assert len(headings) == 1, f"expected one h1, found {len(headings)}"
    h1 = " ".join(headings[0].get_text().split())
    title = " ".join(soup.title.get_text().split())
    has_errors = soup.select_one(".govuk-error-summary") is not None
    if has_errors:
        assert title.startswith("Error: "), f"title {title!r} lacks Error: prefix"
        title = title[len("Error: ") :]
    assert title.startswith(h1), f"title {title!r} does not start with h1 {h1!r}"

    ids = [tag["id"] for tag in soup.find_all(id=True)]
    duplicates = [name for name, count in Counter(ids).items() if count > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"

    for field in soup.find_all(["input", "select", "textarea"]):
        if field.name == "input" and field.get("type", "text") in NON_LABELLED_TYPES:
            continue
        field_id = field.get("id")
        assert field_id, f"field without id: {field}"
        assert soup.find("label", attrs={"for": field_id}) or field.get("aria-label"), (
            f"field {field_id} has no label"
        )
        assert not field.has_attr("maxlength") or field.get("type") != "password"

    for form in soup.find_all("form"):
        assert form.get("action"), f"form without action: {form}"
        if form.get("method", "get").lower() == "post":
            assert form.find("input", attrs={"name": "csrf_token"}), f"POST form without CSRF token: {form}"

    # A link that looks like a button still navigates: role="button" would make Space expected to work.
    button_links = soup.select("a[role=button]")
    assert not button_links, f"links with role=button: {button_links}"

    uses_htmx = any(name.startswith("data-hx-") for tag in soup.body.find_all(True) for name in tag.attrs)
    loads_htmx = soup.find("script", src=HTMX_SCRIPT) is not None
    assert uses_htmx == loads_htmx, f"htmx loaded: {loads_htmx}, but used by the content: {uses_htmx}"

    for link in soup.select(".govuk-error-summary a"):
        target = link["href"].lstrip("#")
        assert soup.find(id=target), f"error summary links to missing #{target}"
    return soup


def get_page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return check_page(response.get_data(as_text=True))


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from the page's htmx headers."""
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    return json.loads(soup.body["data-hx-headers"])["X-CSRFToken"]


def post(client, url: str, data: dict | None = None, **kwargs):
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kwargs)


def autosave(client, section_url: str, data: dict):
    """A save as you type, as htmx sends it from an Appendix A section page."""
    return client.post(
        section_url + "/autosave",
        data=data,
        headers={
            "HX-Request": "true",
            "HX-Target": "save-status",
            "HX-Current-URL": f"http://localhost{section_url}",
        },
    )


def post_page(client, url: str, data: dict | None = None, status: int = 200) -> BeautifulSoup:
    response = post(client, url, data)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return check_page(response.get_data(as_text=True))


def error_messages(soup: BeautifulSoup) -> list[str]:
    return [" ".join(a.get_text().split()) for a in soup.select(".govuk-error-summary a")]


def field_error(soup: BeautifulSoup, field_id: str) -> str:
    element = soup.find(id=f"{field_id}-error")
    return " ".join(element.get_text().split()) if element else ""
