"""Chromium from Debian, driven by Playwright, with JavaScript on and off, and the axe checks."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_SCRIPT_TAG = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_axe = Axe()


def pytest_collection_modifyitems(config, items) -> None:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: browser tests must run in CI")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def js_enabled(request) -> bool:
    return request.param


@pytest.fixture
def browser_page(browser: Browser, js_enabled: bool):
    context = browser.new_context(java_script_enabled=js_enabled, viewport={"width": 375, "height": 812})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_enabled = js_enabled
    yield page
    context.close()


@pytest.fixture
def axe_check(browser: Browser):
    """Assert zero axe violations on the page as it stands.

    With JavaScript off axe cannot run inside the page, so the page's HTML is replayed, scripts
    removed, at the same address in a second context where only axe itself runs.
    """
    checker_context = browser.new_context()

    def check(page: Page) -> None:
        target = page
        if not getattr(page, "js_enabled", True):
            target = _replay_without_scripts(checker_context, page)
        results = _axe.run(target)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    yield check
    checker_context.close()


def _replay_without_scripts(context, page: Page) -> Page:
    html = _SCRIPT_TAG.sub("", page.content())
    url = page.url
    replay = context.new_page()

    def handle(route: Route) -> None:
        if route.request.url == url:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif route.request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    replay.route("**/*", handle)
    replay.goto(url)
    return replay
