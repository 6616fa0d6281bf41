"""The simulated families of the load benchmark (run by bench/load/run.py, not on its own).

Each family arrives signed in and through the second step (run.py did that over HTTP), holding a session
cookie and a draft request. `LOAD_FILE` names the JSON file of families; `LOAD_ACKS_FILE` is where each
family's last acknowledged autosave is written when the run stops, to be compared with the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie
from pathlib import Path

from locust import FastHttpUser, constant, events, task

from bench.load import sink

FAMILIES = json.loads(Path(os.environ["LOAD_FILE"]).read_text(encoding="utf-8"))
THINK_SECONDS = float(os.environ.get("LOAD_THINK_SECONDS", "1.0"))
MAIL_FOLDER = Path(os.environ.get("LOAD_MAIL_FOLDER", "."))
SESSION_COOKIE = os.environ.get("LOAD_SESSION_COOKIE", "session")
SECTION = "parent_views"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')

_next_family = itertools.count()
# email -> {"answers": the section's answers the portal last said it saved}
acknowledged: dict[str, dict] = {}


@events.test_stop.add_listener
def write_acknowledged(**_kwargs) -> None:
    path = os.environ.get("LOAD_ACKS_FILE")
    if path:
        Path(path).write_text(json.dumps(acknowledged), encoding="utf-8")


class HelloUser(FastHttpUser):
    """The hello app, as fast as it answers."""

    wait_time = constant(0)

    @task
    def hello(self) -> None:
        self.client.get("/", name="hello")


class PublicPageReader(FastHttpUser):
    """A public page of the portal (no account, no database), as fast as it answers: what the portal's
    layout, headers, compression and logging cost on their own, to set the task list's figure against."""

    wait_time = constant(0)

    @task
    def public_page(self) -> None:
        self.client.get("/accessibility", name="public page")


class Family(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        family = FAMILIES[next(_next_family) % len(FAMILIES)]
        self.email, self.password = family["email"], family["password"]
        self.request_url = f"/send/requests/{family['request']}"
        self.tab = f"load{random.randrange(10**9)}"
        self.client.cookiejar.set_cookie(_cookie(SESSION_COOKIE, family["cookie"]))
        self.csrf, self.version = family["csrf"], family["version"]
        self.typed = 0

    def page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class TaskListReader(Family):
    """The task list, as fast as it answers: the throughput figure compared with hello."""

    wait_time = constant(0)

    @task
    def task_list(self) -> None:
        self.page(self.request_url, "task list")


class FamilyAtWork(Family):
    """A family filling in Appendix A: mostly reading and typing, now and then signing in again."""

    def wait_time(self) -> float:
        return random.uniform(0.5 * THINK_SECONDS, 1.5 * THINK_SECONDS)

    @task(15)
    def send_home(self) -> None:
        self.page("/send", "SEND home")

    @task(20)
    def task_list(self) -> None:
        self.page(self.request_url, "task list")

    @task(20)
    def section(self) -> None:
        with self.client.get(
            f"{self.request_url}/sections/{SECTION}", name="section", catch_response=True
        ) as response:
            found = VERSION.search(response.text or "")
            if response.status_code != 200 or not found:
                response.failure(f"{response.status_code}")
                return
            self.version = found.group(1)
            self.csrf = CSRF.search(response.text).group(1)

    @task(30)
    def autosave(self) -> None:
        self.typed += 1
        answers = {
            "history": f"Noticed at {self.typed} months; the nursery agreed.",
            "working": f"Visual timetable, step {self.typed}.",
            "hopes": "To make friends and enjoy school.",
        }
        data = {**answers, "csrf_token": self.csrf, "version": self.version, "tab": self.tab}
        with self.client.post(
            f"{self.request_url}/sections/{SECTION}/autosave",
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf},
            name="autosave",
            catch_response=True,
        ) as response:
            text = response.text or ""
            found = VERSION.search(text)
            if response.status_code != 200 or not text.startswith("Saved at") or not found:
                response.failure(f"{response.status_code}: {text[:80]}")
                return
            self.version = found.group(1)
            acknowledged[self.email] = {"answers": answers}

    @task(10)
    def check_answers(self) -> None:
        self.page(f"{self.request_url}/check", "check answers")

    @task(2)
    def sign_in_again(self) -> None:
        """Sign out, then sign in and through the second step with the code from the email."""
        self.client.post("/sign-out", data={"csrf_token": self.csrf}, name="sign out", allow_redirects=False)
        page = self.client.get("/sign-in", name="sign-in page")
        self.csrf = CSRF.search(page.text or "").group(1)
        self.client.post(
            "/sign-in",
            data={"csrf_token": self.csrf, "email": self.email, "password": self.password},
            name="sign in",
            allow_redirects=False,
        )
        before, _ = sink.latest(MAIL_FOLDER, self.email)
        page = self.client.get("/two-step/code?next=/send", name="security code page")
        self.csrf = CSRF.search(page.text or "").group(1)
        code = _wait_for_code(self.email, before)
        with self.client.post(
            "/two-step/code?next=/send",
            data={"csrf_token": self.csrf, "code": code},
            name="security code",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Passed: on to the SEND section, or back to the page the family was last on.
            where = response.headers.get("Location") or ""
            if response.status_code != 302 or not where.startswith("/send"):
                response.failure(f"{response.status_code} to {where}")
        self.section()


def _wait_for_code(email: str, before: int, timeout: float = 30.0) -> str:
    code = sink.wait_for_code(MAIL_FOLDER, email, before, timeout)
    if code is not None:
        return code
    events.request.fire(
        request_type="EMAIL",
        name="security code email",
        response_time=timeout * 1000,
        response_length=0,
        exception=TimeoutError(f"no code for {email}"),
    )
    return "000000"


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
    )
