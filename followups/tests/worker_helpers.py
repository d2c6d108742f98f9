"""Real Celery worker *processes* for the reminder tests (test_reminders_worker.py).

The iop and decisions tests run a worker in a thread of the test process; the reminders must
also survive a worker that is killed (SIGKILL) and two workers at once, so these tests start
workers as subprocesses of their own. A subprocess is this module run as a script::

    python -m followups.tests.worker_helpers NAME

which sets Django up on the test database (``DATABASE_URL``), points the project's Celery app
(``iop.celery.app``) at Redis with the test's own queue and key prefix, and starts the same
worker ``celery -A iop worker -c 1`` starts (``app.worker_main``: prefork pool, acks late, as
configured in the settings). What it adds for the test, read from the environment:

* ``IOP_TEST_MAIL_DIR``: e-mails go through :class:`FileEmailBackend`, one ``.eml`` file per
  message, so the test can count what the subprocesses really sent;
* ``IOP_TEST_MAIL_HOLD_AFTER=N``: after N messages the backend stops before sending the next
  one and waits (a file ``held-<pid>`` tells the test): the place where the test kills the
  worker, after some e-mails were sent *and marked* and before the rest;
* ``IOP_TEST_MAIL_DELAY=seconds``: a pause before each message, so that two workers overlap;
* ``IOP_TEST_CLOCK_SHIFT=seconds``: the worker's clock runs that far ahead (time-machine), so
  it sees the claims of a killed worker as expired without the test waiting for them;
* ``IOP_TEST_RUN_LOG``: a JSON line per event (ready, task started, task finished with its
  return value) for the test to wait on.
"""

from __future__ import annotations

import contextlib
import datetime
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
BACKEND = "followups.tests.worker_helpers.FileEmailBackend"


# --- In the worker subprocess ---------------------------------------------------------------


class FileEmailBackend(BaseEmailBackend):
    """One file per message in ``IOP_TEST_MAIL_DIR`` (written to a temporary name and renamed,
    so the test never reads half a message), with the pauses the environment asks for."""

    sent_by_this_process = 0

    def send_messages(self, email_messages) -> int:
        directory = Path(os.environ["IOP_TEST_MAIL_DIR"])
        hold_after = os.environ.get("IOP_TEST_MAIL_HOLD_AFTER", "")
        delay = float(os.environ.get("IOP_TEST_MAIL_DELAY", "0") or 0)
        sent = 0
        for message in email_messages:
            if hold_after and FileEmailBackend.sent_by_this_process >= int(hold_after):
                (directory.parent / f"held-{os.getpid()}").touch()
                time.sleep(120)  # the test kills the worker meanwhile
                raise RuntimeError("held for 120 s and not killed")
            if delay:
                time.sleep(delay)
            name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex}.eml"
            temporary = directory / f".{name}.tmp"
            temporary.write_bytes(message.message().as_bytes(linesep="\n"))
            os.replace(temporary, directory / name)
            FileEmailBackend.sent_by_this_process += 1
            sent += 1
        return sent


def _log_event(**event: Any) -> None:
    path = os.environ.get("IOP_TEST_RUN_LOG")
    if not path:
        return
    event.update(pid=os.getpid(), worker=os.environ.get("IOP_TEST_WORKER_NAME", ""), at=time.time())
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(event, default=str) + "\n")


def worker_main(name: str) -> None:
    shift = float(os.environ.get("IOP_TEST_CLOCK_SHIFT", "0") or 0)
    if shift:
        import time_machine

        ahead = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=shift)
        time_machine.travel(ahead, tick=True).start()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings.base")
    import django

    django.setup()
    from celery.signals import task_postrun, task_prerun, worker_ready

    from django.conf import settings

    from iop.celery import app

    settings.EMAIL_BACKEND = BACKEND
    queue = os.environ["IOP_TEST_WORKER_QUEUE"]
    prefix = os.environ["IOP_TEST_WORKER_PREFIX"]
    app.conf.update(
        broker_url=os.environ["IOP_TEST_BROKER_URL"],
        broker_transport_options={"global_keyprefix": prefix},
        task_default_queue=queue,
        task_always_eager=False,
        task_ignore_result=True,
        worker_hijack_root_logger=True,
    )

    @worker_ready.connect(weak=False)
    def ready(**kwargs: Any) -> None:
        _log_event(event="ready")

    @task_prerun.connect(weak=False)
    def started(sender=None, task_id=None, args=None, kwargs=None, **rest: Any) -> None:
        _log_event(event="started", task=sender.name, id=task_id, args=list(args or ()))

    @task_postrun.connect(weak=False)
    def finished(sender=None, task_id=None, retval=None, state=None, **rest: Any) -> None:
        if isinstance(retval, BaseException):
            retval = repr(retval)
        _log_event(event="finished", task=sender.name, id=task_id, retval=retval, state=state)

    app.worker_main(
        [
            "worker",
            "--queues",
            queue,
            "--hostname",
            f"{name}@%h",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


# --- In the test process --------------------------------------------------------------------


def database_url_of_test() -> str:
    """The URL of the database this test runs on (pytest-django's test_… database)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@dataclass
class Broker:
    """This test's own queue and key prefix on the shared Redis database: another xdist
    worker, another checkout or a worker left over from another test never takes its
    messages. ``send`` sends a task by name, as beat would."""

    url: str = REDIS_URL
    queue: str = field(
        default_factory=lambda: (
            f"reminders-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:12]}"
        )
    )

    @property
    def prefix(self) -> str:
        return f"{self.queue}:"

    @contextlib.contextmanager
    def client(self) -> Iterator[Any]:
        from celery import Celery

        app = Celery("reminder-tests", set_as_current=False)
        app.conf.update(
            broker_url=self.url,
            broker_transport_options={"global_keyprefix": self.prefix},
            task_default_queue=self.queue,
        )
        self._app = app
        try:
            yield self
        finally:
            app.close()
            self.forget()

    def send(self, task: str, *args: Any) -> None:
        self._app.send_task(task, args=args, queue=self.queue)

    def pending(self) -> int:
        """Messages waiting in this test's queue (kombu keeps one list per priority step)."""
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            return sum(
                client.llen(key)
                for key in client.scan_iter(match=f"{self.prefix}{self.queue}*", count=500)
                if client.type(key) == b"list"
            )
        finally:
            client.close()

    def forget(self) -> None:
        """Delete every key of this test's prefix (its queue, the unacked messages of a
        killed worker)."""
        import redis

        client = redis.Redis.from_url(self.url)
        keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


@dataclass
class Worker:
    """A worker subprocess in a session of its own, so that ``kill`` ends it and its pool."""

    name: str
    broker: Broker
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self) -> Worker:
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
            "DJANGO_SETTINGS_MODULE": "iop.settings.base",
            "DATABASE_URL": database_url_of_test(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": self.broker.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "IOP_TEST_BROKER_URL": self.broker.url,
            "IOP_TEST_WORKER_QUEUE": self.broker.queue,
            "IOP_TEST_WORKER_PREFIX": self.broker.prefix,
            "IOP_TEST_WORKER_NAME": self.name,
            "IOP_TEST_MAIL_DIR": str(self.workdir / "mail"),
            "IOP_TEST_RUN_LOG": str(self.workdir / "runs.jsonl"),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "followups.tests.worker_helpers", self.name],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def group_alive(self) -> bool:
        """Whether any process of the worker (the main process, its pool) is left."""
        if self.process is None:
            return False
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL to the worker and its pool process at once: nothing runs a handler, nothing
        is acknowledged, no transaction commits."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while self.group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)  # the pool process, reparented, is reaped by init

    def terminate(self) -> None:
        """Ask for a warm shutdown (SIGTERM: the running task finishes)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self, timeout: float = 20) -> None:
        """A warm shutdown, killed if it takes longer than ``timeout``."""
        if self.process is None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # The pool process may outlive the main process by a moment.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@dataclass(frozen=True)
class SentMail:
    path: Path
    message_id: str
    to: tuple[str, ...]
    subject: str
    body: str


class Workers:
    """The subprocess workers of one test, their e-mails and their run log."""

    def __init__(self, broker: Broker, workdir: Path) -> None:
        self.broker = broker
        self.workdir = workdir
        (workdir / "mail").mkdir(parents=True, exist_ok=True)
        self.started: list[Worker] = []

    def start(self, name: str, **env: str) -> Worker:
        worker = Worker(name, self.broker, self.workdir, dict(env)).start()
        self.started.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.terminate()  # all at once, then wait for each
        for worker in self.started:
            worker.stop()

    def events(self) -> list[dict[str, Any]]:
        path = self.workdir / "runs.jsonl"
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def finished(self, task: str, worker: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events()
            if e["event"] == "finished"
            and e["task"] == task
            and (worker is None or e["worker"] == worker)
        ]

    def busy(self) -> bool:
        """Whether a task has started and not finished (in a worker still alive)."""
        alive = {w.name for w in self.started if w.alive()}
        open_ids: dict[str, str] = {}
        for event in self.events():
            if event["event"] == "started":
                open_ids[event["id"]] = event["worker"]
            elif event["event"] == "finished":
                open_ids.pop(event["id"], None)
        return any(worker in alive for worker in open_ids.values())

    def intervals(self, worker: str) -> list[tuple[float, float]]:
        """(start, end) of every task the worker finished."""
        starts: dict[str, float] = {}
        spans = []
        for event in self.events():
            if event["worker"] != worker:
                continue
            if event["event"] == "started":
                starts[event["id"]] = event["at"]
            elif event["event"] == "finished" and event["id"] in starts:
                spans.append((starts.pop(event["id"]), event["at"]))
        return spans

    def overlapped(self, one: str, other: str) -> bool:
        """Whether the two workers were ever running a task at the same moment."""
        return any(
            a_start < b_end and b_start < a_end
            for a_start, a_end in self.intervals(one)
            for b_start, b_end in self.intervals(other)
        )

    def held(self) -> list[Path]:
        return sorted(self.workdir.glob("held-*"))

    def mails(self) -> list[SentMail]:
        result = []
        for path in sorted((self.workdir / "mail").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            result.append(
                SentMail(
                    path=path,
                    message_id=str(message["Message-ID"]),
                    to=tuple(a.addr_spec for a in message["To"].addresses),
                    subject=str(message["Subject"]),
                    body=body.get_content() if body is not None else "",
                )
            )
        return result

    def wait_for(self, what: str, predicate: Callable[[], bool], timeout: float = 60) -> None:
        """Poll until ``predicate()``; on timeout (or when every worker died) fail with the
        workers' logs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.started and not any(w.alive() for w in self.started):
                break
            time.sleep(0.1)
        if predicate():
            return
        logs = "\n".join(f"--- {w.name} ---\n{w.log()[-4000:]}" for w in self.started)
        raise AssertionError(f"timed out waiting for {what}\n{logs}")

    def wait_ready(self, *workers: Worker, timeout: float = 60) -> None:
        names = {w.name for w in workers}
        self.wait_for(
            f"workers {sorted(names)} to be ready",
            lambda: names <= {e["worker"] for e in self.events() if e["event"] == "ready"},
            timeout,
        )


if __name__ == "__main__":
    worker_main(sys.argv[1] if len(sys.argv) > 1 else "reminders")
