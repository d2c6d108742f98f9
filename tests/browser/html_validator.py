"""The Nu Html Checker (vnu, npm's vnu-jar) as one HTTP service per test session, so that
every page a browser test visits is validated without starting a JVM per page.

The service starts in the background when the first browser test sets up and is waited for
only when the first page is validated; a page then takes some tens of milliseconds. The
page's HTML is what the server sent (the document response the browser received), not the
DOM after scripts ran: that is what the checker is made for, and what a screen reader's
browser parses.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"
# C1 only: the checker starts in about half the time, and pages are small. The C1-compiled
# schema needs a deeper stack than the default one.
JAVA_ARGS = ["-Xss8m", "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
START_TIMEOUT = 90  # seconds; a loaded CI machine needs far fewer


class HtmlValidator:
    """``validator.errors(html) -> list[dict]``: the checker's errors (``type`` "error" or
    "non-document-error"), each with ``lastLine`` and ``message``."""

    def __init__(self) -> None:
        java = shutil.which("java")
        if java is None or not VNU_JAR.exists():
            raise RuntimeError(
                "The HTML check needs Java and node_modules/vnu-jar: run `scripts/setup.sh test`."
            )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/?out=json"
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                java,
                *JAVA_ARGS,
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ready = False

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Nu Html Checker stopped (exit {self.process.returncode}).")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    self.ready = True
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"The Nu Html Checker did not start within {START_TIMEOUT} s.")

    def errors(self, html: str) -> list[dict]:
        if not self.ready:
            self._wait_until_ready()
        request = urllib.request.Request(  # noqa: S310 - our own service on the loopback
            self.url,
            data=html.encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            messages = json.load(response)["messages"]
        return [m for m in messages if m["type"] in ("error", "non-document-error")]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def format_errors(errors: list[dict]) -> str:
    return "\n".join(
        f"- line {error.get('lastLine', '?')}: {error['message']}"
        + (f"\n      {' '.join(error['extract'].split())[:200]}" if error.get("extract") else "")
        for error in errors
    )


class DocumentLog:
    """The document responses each page of the watched browser contexts received, newest
    last, so that the HTML the server sent for a page's current document can be read."""

    def __init__(self) -> None:
        self.responses: dict = {}
        self.watched: set[int] = set()

    def watch(self, context) -> None:
        if id(context) in self.watched:
            return
        self.watched.add(id(context))

        def on_response(response) -> None:
            request = response.request
            if request.resource_type == "document" and request.frame.parent_frame is None:
                self.responses.setdefault(request.frame.page, []).append(response)

        context.on("response", on_response)

    def html(self, page) -> str | None:
        """The HTML of the page's current document; None for pages not loaded from a
        server (``set_content``, ``about:blank``) or that are not HTML."""
        self.watch(page.context)  # a context a test opened itself: from now on
        if not page.url.startswith("http"):
            return None
        current = page.url.split("#")[0]
        for response in reversed(self.responses.get(page, [])):
            if response.url.split("#")[0] != current or not 200 <= response.status < 300:
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                return None
            try:
                return response.text()
            except Exception:  # noqa: BLE001 - the body is gone: fetch the page again below
                break
        # Not seen (opened before its context was watched): ask the server again, with the
        # page's cookies.
        fetched = page.context.request.get(page.url)
        if "text/html" not in (fetched.headers.get("content-type") or ""):
            return None
        return fetched.text()
