"""A real headless Chromium per test module, browser tabs kept open between its tests, and a folder served.

Debian's ``chromium`` drives the browser tests (no browser download works here). Without it the
tests are skipped with a message saying how to install it; CI sets CLUSTER_KB_REQUIRE_BROWSER=1
(see .ci/run), which turns the skip into a failure.

Opening a tab is most of what a short browser test costs: a new context starts a renderer process
whose first page load and first axe-core run compile every script from cold (about 1.5 CPU-s,
against 0.4 CPU-s for the same load and check in a tab that is already open). So a module's tests
that only navigate and read share one :class:`WarmTab`, whose cookies and storage are emptied
after each test, and which is replaced after a test that failed, so one failure cannot spill into
the next test. A test that listens to or intercepts requests, or needs other context options (no
JavaScript), opens its own context: a shared tab would hide what the HTTP cache already holds.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", *os.environ.get("XARGS","").split()]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, **({"reduced_motion": "reduce"} if os.environ.get("RM") else {})}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

_FORGET = "() => { try { localStorage.clear(); sessionStorage.clear(); } catch (error) {} }"


def chromium_executable() -> str:
    """Debian's Chromium (or ``$CHROMIUM``); skips the test without it, fails it in CI."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "no Chromium found: install Debian's package with `apt-get install chromium` (or set CHROMIUM=/path)"
    if os.environ.get("CLUSTER_KB_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def launched() -> Iterator[Any]:
    """A real headless Chromium, closed afterwards."""
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _NoStoreHandler(_QuietHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def served(folder: Path, *, no_store: bool = False) -> Iterator[str]:
    """``folder`` served on loopback while the block runs: its address, ending in ``/``.

    The server answers from the folder as it is at each request, so it may be started before the
    folder is written (a build that needs its own address). ``no_store`` tells the browser to cache
    nothing, so every load asks the server again.
    """
    handler = functools.partial(_NoStoreHandler if no_store else _QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class WarmTab:
    """A browser tab that stays open across tests: lent to one test at a time by :meth:`lend`."""

    def __init__(self, browser: Any, **context_options: Any) -> None:
        self._browser = browser
        self._options = context_options
        self._context: Any = None
        self.page: Any = None
        self.opened = 0
        """How many tabs this has opened (a new one after each failed test)."""

    def _open(self) -> Any:
        self._context = self._browser.new_context(**self._options)
        self.page = self._context.new_page()
        self.opened += 1
        return self.page

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
        self._context = self.page = None

    @contextmanager
    def lend(self, request: pytest.FixtureRequest) -> Iterator[Any]:
        """The open tab for the test of a fixture's ``request``; afterwards forgotten, or closed if it failed.

        Meant for a function-scoped fixture: the test's outcome is read from its report (``rep_call``,
        kept by the hook in conftest.py), so a test that failed, or never ran, leaves no tab behind.
        """
        page = self.page or self._open()
        try:
            yield page
        except BaseException:
            self.close()
            raise
        report = getattr(request.node, "rep_call", None)
        if report is None or report.failed or page.is_closed():
            self.close()
            return
        try:
            page.evaluate(_FORGET)
            self._context.clear_cookies()
            if "viewport" in self._options:
                page.set_viewport_size(self._options["viewport"])
        except Exception:  # a tab that cannot be reset is replaced, never reused as it is
            self.close()
