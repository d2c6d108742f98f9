"""A production-like site on the throwaway servers, for the fault tests: the database made
and filled once per module (``prepare``), a gunicorn and Celery worker processes on it.

Run as a script in a subprocess with ``DJANGO_SETTINGS_MODULE=tests.faults.settings`` and
``DATABASE_URL`` at the throwaway cluster::

    python -m tests.faults.site prepare   # tables, roles, the story's data; prints JSON
    python -m tests.faults.site worker    # a Celery worker (prefork, concurrency 1)
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


# --- In the subprocesses --------------------------------------------------------------------


def prepare() -> dict[str, Any]:
    """Make the tables straight from the models (the settings switch migrations off: half a
    minute saved), the role groups, and the data both scenarios use."""
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", run_syncdb=True, verbosity=0)
    from iop.roles import sync_roles

    sync_roles(apps)

    from decisions import services as decision_services
    from decisions.tests.factories import meeting_of
    from decisions.tests.test_meetings import ready_matter
    from iop.constants import CaseStatus, Role
    from iop.tests.factories import CaseFactory, CommitteeFactory, UserFactory

    coordinator = UserFactory(role=Role.COORDINATOR)
    case = CaseFactory(status=CaseStatus.PREPARATION)
    new_officer = UserFactory(role=Role.CASE_OFFICER)
    client = Client()
    client.force_login(coordinator)

    secretary = UserFactory(role=Role.SECRETARY)
    committee = CommitteeFactory()
    import datetime

    from django.utils import timezone

    meeting = meeting_of(
        committee, date=timezone.localdate() + datetime.timedelta(days=14), secretary=secretary
    )
    # Not printed: the package's build prints its documents (WeasyPrint: the slow part).
    matter = ready_matter(committee, stored=False)
    decision_services.add_to_agenda(matter=matter, meeting=meeting, actor=secretary)
    return {
        "session": client.cookies["sessionid"].value,
        "case": case.pk,
        "old_officer": case.officer_id,
        "new_officer": new_officer.pk,
        "meeting": meeting.pk,
        "secretary": secretary.pk,
    }


def worker() -> None:
    """The project's worker (``celery -A iop worker``: prefork, acks late, reject on worker
    lost) with the test's lines in ``IOP_FAULTS_RUN_LOG``."""
    import django

    django.setup()
    from celery.signals import task_postrun, task_prerun, worker_ready

    from iop.celery import app

    app.conf.update(worker_hijack_root_logger=True)
    # Warm WeasyPrint (imports, fonts) before the pool forks, as a busy worker is: the
    # package's printing then takes its usual second or two, not a cold start's seven.
    import weasyprint

    weasyprint.HTML(string="<p>IOP</p>").write_pdf()
    log_path = os.environ["IOP_FAULTS_RUN_LOG"]

    def log(**event: Any) -> None:
        event.update(worker=os.environ["IOP_FAULTS_WORKER"], pid=os.getpid(), at=time.time())
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(event, default=str) + "\n")

    worker_ready.connect(lambda **kw: log(event="ready"), weak=False)
    task_prerun.connect(
        lambda sender=None, task_id=None, **kw: log(event="started", task=sender.name, id=task_id),
        weak=False,
    )
    task_postrun.connect(
        lambda sender=None, task_id=None, retval=None, **kw: log(
            event="finished", task=sender.name, id=task_id, retval=repr(retval)
        ),
        weak=False,
    )
    app.worker_main(
        ["worker", "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
         "--without-mingle", "--without-heartbeat"]
    )  # fmt: skip


# --- In the test process --------------------------------------------------------------------


def run_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass
class Process:
    """A subprocess in a session of its own, so that a kill reaches its children too."""

    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> Process:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL to the process and its children at once: nothing acknowledges, nothing
        commits."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class Site:
    """What the subprocesses share: their environment and working directory."""

    database_url: str
    broker_url: str
    workdir: Path
    data: dict[str, Any] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "60",  # persistent connections: the restart must not break them
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(self.workdir / "media"),
            "EMAIL_URL": f"filemail://{self.workdir / 'mail'}",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def prepare(self) -> subprocess.Popen:
        """Start making the database; ``prepared`` waits for it. What the preparation's saves
        queue (the matters' printing) goes to another Redis database, not to the workers."""
        broker = self.broker_url.rsplit("/", 1)[0] + "/1"
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.site", "prepare"],
            cwd=ROOT, env=self.env(CELERY_BROKER_URL=broker), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def prepared(self, process: subprocess.Popen) -> dict[str, Any]:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-4000:]
        self.data = json.loads(out.strip().splitlines()[-1])
        return self.data

    def gunicorn(self, port: int) -> Process:
        return Process(
            [str(Path(sys.executable).parent / "gunicorn"), "iop.wsgi", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60", "--graceful-timeout",
             "1"],
            self.env(), self.workdir / "gunicorn.log",
        ).start()  # fmt: skip

    def worker(self, name: str) -> Process:
        env = self.env(IOP_FAULTS_RUN_LOG=str(self.workdir / "runs.jsonl"), IOP_FAULTS_WORKER=name)
        return Process(
            [sys.executable, "-m", "tests.faults.site", "worker"],
            env, self.workdir / f"{name}.log",
        ).start()  # fmt: skip


class Browser:
    """A user's browser on the live server: the session cookie, the CSRF token of the form."""

    def __init__(self, base: str, session: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.jar.set_cookie(_cookie("sessionid", session))
        self.csrf = ""

    def get(self, path: str) -> tuple[int, str]:
        status, body = self._open(urllib.request.Request(self.base + path))
        if match := re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body):
            self.csrf = match.group(1)
        return status, body

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0,
        name,
        value,
        None,
        False,
        "127.0.0.1",
        False,
        False,
        "/",
        True,
        False,
        None,
        False,
        None,
        None,
        {},
    )


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        print(json.dumps(prepare()))
    elif sys.argv[1] == "worker":
        worker()
