"""Locust users for bench/load.sh: the demo data's staff at work (README.md, Roles).

Each simulated user logs in once, at its start, as one of the demo users of its role (the
password hashing is meant to be expensive: logging in on every task would bench the hasher),
then browses with a think time of 0.5–1.5 s:

* case officers and the coordinator (anna, johan, karin) and the auditor (maria): the case
  register, sometimes filtered, the case pages, the start page;
* the jurist (erik): the legal review queue, a case page;
* finance (omar): this year's payment plan;
* the committee secretary (lena): the meetings, and about once per 30 s a meeting package
  (POST the request as htmx does, then poll the package panel until it is made or has failed).

Requests are named by page (``/arenden/[id]/``), so the figures are per page, not per URL.
The users are ``FastHttpUser``s (geventhttpclient): locust runs on the server's machine, and
its own CPU per request is a fifth of ``HttpUser``'s (requests), which would otherwise be
taken from the server under test.
"""

from __future__ import annotations

import itertools
import random
import re
import time

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = "iop-demo-2026"
LOGIN_URL = "/konto/logga-in/"
CASE_LINK = re.compile(r'href="/arenden/(\d+)/"')
MEETING_LINK = re.compile(r'href="/namnd/sammantraden/(\d+)/"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POLLING = 'data-hx-trigger="every 1s"'
# At most ~90 s of polling a package: bench/load.sh's Celery worker is niced, so on its one
# machine it makes the package with the CPU the web server leaves (production's workers have
# machines of their own).
PACKAGE_POLLS = 90
PACKAGE_EVERY_S = (20.0, 40.0)  # a secretary asks for a package about once per 30 s

_accounts: dict[str, itertools.cycle] = {}


def next_account(role: str, usernames: tuple[str, ...]) -> str:
    """The role's demo users in turn, so the simulated users spread over them."""
    if role not in _accounts:
        _accounts[role] = itertools.cycle(usernames)
    return next(_accounts[role])


class StaffUser(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    role = ""
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        self.username = next_account(self.role, self.usernames)
        self.case_ids: list[int] = []
        page = self.client.get(LOGIN_URL, name="login (form)")
        token = self._csrf(page.text)
        with self.client.post(
            LOGIN_URL,
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + LOGIN_URL},
            name="login (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code}")
                return
        self.home()

    def _csrf(self, html: str) -> str:
        match = CSRF_INPUT.search(html)
        return match.group(1) if match else self.cookie("csrftoken")

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == name), "") or ""

    def get(self, url: str, name: str, **kwargs):
        """GET a page; a redirect to the login page (a lost session) is an error."""
        with self.client.get(
            url, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if LOGIN_URL in (response.headers.get("Location") or ""):
                response.failure("redirected to the login page")
            elif response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    def remember_cases(self, html: str) -> None:
        found = sorted({int(pk) for pk in CASE_LINK.findall(html)})
        if found:
            self.case_ids = found

    def home(self) -> None:
        self.remember_cases(self.get("/", "/ (start page)").text)

    def case_page(self) -> None:
        if not self.case_ids:
            self.remember_cases(self.get("/arenden/", "/arenden/ (register)").text)
        if self.case_ids:
            self.get(f"/arenden/{random.choice(self.case_ids)}/", "/arenden/[id]/ (case page)")


class CaseOfficer(StaffUser):
    weight = 6
    role = "officer"
    usernames = ("anna", "johan", "karin", "maria")

    @task(6)
    def case(self) -> None:
        self.case_page()

    @task(3)
    def register(self) -> None:
        self.remember_cases(self.get("/arenden/", "/arenden/ (register)").text)

    @task(1)
    def register_filtered(self) -> None:
        query = random.choice(["?status=active", "?q=förening", "?sort=title", "?year=2026"])
        self.get(f"/arenden/{query}", "/arenden/?… (register, filtered)")

    @task(2)
    def start_page(self) -> None:
        self.home()


class Jurist(StaffUser):
    weight = 2
    role = "jurist"
    usernames = ("erik",)

    @task(3)
    def queue(self) -> None:
        self.remember_cases(self.get("/juristgranskning/", "/juristgranskning/ (queue)").text)

    @task(1)
    def case(self) -> None:
        self.case_page()

    @task(1)
    def start_page(self) -> None:
        self.home()


class Finance(StaffUser):
    weight = 1
    role = "finance"
    usernames = ("omar",)

    @task(3)
    def plan(self) -> None:
        self.get("/utbetalningar/", "/utbetalningar/ (payment plan)")

    @task(1)
    def start_page(self) -> None:
        self.home()


class Secretary(StaffUser):
    weight = 1
    role = "secretary"
    usernames = ("lena",)

    def on_start(self) -> None:
        super().on_start()
        listing = self.get("/namnd/sammantraden/", "/namnd/sammantraden/ (meetings)")
        self.meeting_ids = sorted({int(pk) for pk in MEETING_LINK.findall(listing.text)})
        # the first package after 0–30 s, so the secretaries do not all ask at once
        self.next_package = time.monotonic() + random.uniform(0.0, PACKAGE_EVERY_S[1] - 10)

    @task(3)
    def meetings(self) -> None:
        self.get("/namnd/sammantraden/", "/namnd/sammantraden/ (meetings)")

    @task(1)
    def package(self) -> None:
        """Ask for a meeting's package as the page's button does (htmx), then poll the panel
        once a second while it says the package is being made. A secretary does this now and
        then (about once per 30 s), not on every task: until then she reads the meetings."""
        if not self.meeting_ids or time.monotonic() < self.next_package:
            self.meetings()
            return
        self.next_package = time.monotonic() + random.uniform(*PACKAGE_EVERY_S)
        pk = random.choice(self.meeting_ids)
        page = self.get(f"/namnd/sammantraden/{pk}/", "/namnd/sammantraden/[id]/ (meeting)")
        if 'id="package-request"' not in page.text:
            return  # no package to make for this meeting (no agenda, or not this user's)
        htmx = {
            "HX-Request": "true",
            "X-CSRFToken": self.cookie("csrftoken"),
            "Referer": f"{self.host}/namnd/sammantraden/{pk}/",
        }
        with self.client.post(
            f"/namnd/sammantraden/{pk}/handlingar/",
            data={"force": "1"},
            headers=htmx,
            name="/namnd/sammantraden/[id]/handlingar/ (package request)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            panel = response.text
        started = time.monotonic()
        for _ in range(PACKAGE_POLLS):
            if POLLING not in panel:
                break
            time.sleep(1)
            panel = self.get(
                f"/namnd/sammantraden/{pk}/?panel=package",
                "/namnd/sammantraden/[id]/?panel=package (poll)",
                headers={"HX-Request": "true"},
            ).text
        else:
            events.request.fire(
                request_type="PACKAGE",
                name="meeting package made",
                response_time=(time.monotonic() - started) * 1000,
                response_length=0,
                exception=RuntimeError("still not made after the polls"),
            )
            return
        failed = 'id="package-failed"' in panel
        events.request.fire(
            request_type="PACKAGE",
            name="meeting package made",
            response_time=(time.monotonic() - started) * 1000,
            response_length=0,
            exception=RuntimeError("the package failed") if failed else None,
        )

    @task(1)
    def start_page(self) -> None:
        self.home()
