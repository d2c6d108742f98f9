"""A live site on throwaway servers while they fail: PostgreSQL restarts in the middle of a
save, and a Celery worker's process is killed in the middle of a meeting package.

One PostgreSQL cluster and one redis-server for the module (``tests/faults/services.py``),
the tables made once (``tests/faults/site.py prepare``), and the project's own processes on
them: gunicorn with DEBUG off, Celery workers. The test process reads the database with
psycopg, as an operator would.
"""

from __future__ import annotations

import os
import signal
import threading

import psycopg
import pytest

from .services import free_port, port_answers, wait_until
from .site import Browser, Site, run_log

pytestmark = pytest.mark.faults

PACKAGE = "decisions.tasks.build_meeting_package"


@pytest.fixture(scope="module")
def live(pg_server, redis_server, tmp_path_factory):
    """The database being made while gunicorn and the first worker start (their imports take
    seconds each): the site, the server's address, the worker."""
    site = Site(pg_server.url(), redis_server.url, tmp_path_factory.mktemp("faults-site"))
    preparing = site.prepare()
    port = free_port()
    server = site.gunicorn(port)
    worker = site.worker("worker")
    try:
        site.prepared(preparing)
        wait_until(lambda: port_answers(port) or not server.alive(), 30, "gunicorn")
        assert server.alive(), server.log()
        yield site, f"http://127.0.0.1:{port}", worker
    finally:
        # No graceful shutdown needed: the servers go away with the module.
        worker.kill()
        server.kill()


@pytest.fixture(scope="module")
def site(live):
    return live[0]


@pytest.fixture(scope="module")
def server(live):
    return live[1]


def sql(pg_server, query: str, *args):
    with psycopg.connect(pg_server.url(), autocommit=True) as connection:
        cursor = connection.execute(query, args)
        return cursor.fetchall() if cursor.description else []


# --- PostgreSQL restarts in the middle of a save ---------------------------------------------


def test_a_database_restart_mid_save_shows_the_error_page_saves_nothing_and_the_next_works(
    site, server, pg_server
):
    data = site.data
    path = f"/arenden/{data['case']}/handlaggare/"
    browser = Browser(server, data["session"])
    status, _ = browser.get(path)  # the worker's persistent connection is open now
    assert status == 200
    history_before = sql(pg_server, "SELECT count(*) FROM iop_historicalcase")[0][0]

    # The save updates the case and its history row, then writes the timeline's event: hold
    # the event table, so that the request stops between the two, with its writes in flight.
    holder = psycopg.connect(pg_server.url())
    holder.execute("LOCK TABLE iop_caseevent IN EXCLUSIVE MODE")
    answer: dict[str, tuple[int, str]] = {}
    request = threading.Thread(
        target=lambda: answer.update(
            first=browser.post(path, {"officer": data["new_officer"], "note": "Semester."})
        )
    )
    request.start()
    wait_until(
        lambda: (
            sql(
                pg_server,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'INSERT INTO \"iop_caseevent\"%%'",
            )[0][0]
            == 1
        ),
        20,
        "the save to wait on the event table",
    )
    pg_server.restart("fast")  # every session is cut, the save's transaction with it
    request.join(timeout=30)
    holder.close()

    status, page = answer["first"]
    assert status == 500
    assert "Ett fel inträffade" in page and "har inte sparats" in page  # the Swedish page
    assert "Traceback" not in page and "psycopg" not in page
    # Nothing half-saved: neither the new officer, nor the history row, nor the event.
    assert sql(pg_server, "SELECT officer_id FROM iop_case WHERE id = %s", data["case"]) == [
        (data["old_officer"],)
    ]
    assert sql(pg_server, "SELECT count(*) FROM iop_historicalcase")[0][0] == history_before
    assert sql(pg_server, "SELECT count(*) FROM iop_caseevent WHERE kind = 'assignment'") == [(0,)]

    # The next request works on a fresh connection (CONN_HEALTH_CHECKS), and so does the save.
    status, _ = browser.get(path)
    assert status == 200
    status, _ = browser.post(path, {"officer": data["new_officer"], "note": "Semester."})
    assert status == 302
    assert sql(pg_server, "SELECT officer_id FROM iop_case WHERE id = %s", data["case"]) == [
        (data["new_officer"],)
    ]
    assert sql(pg_server, "SELECT count(*) FROM iop_caseevent WHERE kind = 'assignment'") == [(1,)]


# --- A worker killed in the middle of a meeting package ----------------------------------------


def test_a_package_whose_worker_process_is_killed_is_made_once_when_redelivered(live, pg_server):
    """The pool process building the package is SIGKILLed (as the out-of-memory killer
    does): the message goes back to the queue (acks late, reject on worker lost), a new pool
    process takes it, finds the package its lost predecessor left running, and makes it."""
    from celery import Celery

    site, _, worker = live
    data = site.data
    log = site.workdir / "runs.jsonl"
    sender = Celery(broker=site.broker_url, set_as_current=False)
    try:
        wait_until(lambda: any(e["event"] == "ready" for e in run_log(log)), 60, "a worker")
        # The secretary asks for the package (what package_request writes, then its task).
        sql(
            pg_server,
            "INSERT INTO decisions_meetingpackage (meeting_id, requested_by_id, status, stage,"
            " progress, signature, error, requested_at, claimed_by, file)"
            " VALUES (%s, %s, 'queued', 'documents', 0, '', '', now(), '', '')",
            data["meeting"],
            data["secretary"],
        )
        [(package,)] = sql(pg_server, "SELECT id FROM decisions_meetingpackage")
        sender.send_task(PACKAGE, args=[package])
    finally:
        sender.close()

    def status():
        return sql(pg_server, "SELECT status FROM decisions_meetingpackage")[0][0]

    # It is printing the matter's documents (WeasyPrint: seconds) when its process dies.
    wait_until(lambda: status() == "running", 60, "the build to start")
    [started] = [e for e in run_log(log) if e["event"] == "started" and e["task"] == PACKAGE]
    os.kill(started["pid"], signal.SIGKILL)
    assert status() == "running"

    wait_until(lambda: status() in ("done", "failed"), 60, "the package")
    wait_until(
        lambda: any(e["event"] == "finished" and e["task"] == PACKAGE for e in run_log(log)),
        10,
        "the task to finish",
    )
    assert worker.alive(), worker.log()
    [(state, error, pages, file)] = sql(
        pg_server, "SELECT status, error, pages, file FROM decisions_meetingpackage"
    )  # one package
    assert (state, error) == ("done", "")
    assert pages and file
    runs = [e for e in run_log(log) if e["task" if "task" in e else "event"] == PACKAGE]
    # Started twice (the same message), finished once, by another process than the killed one.
    assert [e["event"] for e in runs] == ["started", "started", "finished"]
    assert runs[-1]["retval"] == "True" and runs[-1]["pid"] != started["pid"]
    assert len(list((site.workdir / "media" / "meetings" / "packages").rglob("*.pdf"))) == 1
