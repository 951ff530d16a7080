"""Shared fixtures: the fixture knowledge base, its site built once per test run, and the browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import DESKTOP, PHONE, WarmTab, launched
from filelock import FileLock
from helpers import FIXTURE_KB, cluster_kb_build


@pytest.fixture(scope="session")
def fixture_kb() -> Path:
    """The small valid synthetic knowledge base in tests/fixtures/kb (read only)."""
    return FIXTURE_KB


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The fixture knowledge base built by the real ``cluster-kb build`` into a temporary folder,
    once for the whole run: under ``make test``'s workers the first to need it builds it, holding a
    lock, and the others read the same folder (tests only read it, or copy it).

    The build has a temporary folder of its own (``TMPDIR``, beside the site, named ``tmp``), so
    it starts with no compiled templates kept: tests/test_template_cache.py reads what it left.
    """
    # A worker's base folder sits in the run's own one (pytest-of-<user>/pytest-<n>/popen-gw0/).
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if hasattr(request.config, "workerinput") else base
    root = shared / "built-site"
    with FileLock(str(root) + ".lock"):
        if not (root / "built").is_file():
            shutil.rmtree(root, ignore_errors=True)  # what a worker that failed half-way left
            (root / "tmp").mkdir(parents=True)
            result = cluster_kb_build(FIXTURE_KB, root / "site", env={"TMPDIR": str(root / "tmp")})
            assert result.returncode == 0, result.stdout + result.stderr
            (root / "built").touch()
    return root / "site"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """Keep each phase's report on the test (``rep_call``): a shared browser tab is replaced after a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A real headless Chromium for a module's browser tests (see tests/browsing.py).

    Per module, not per session: Playwright's synchronous API keeps an event loop running in this
    thread while a browser is open, and other modules' tests call ``asyncio.run``.
    """
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def desktop(browser: object) -> Iterator[WarmTab]:
    """The module's desktop tab, lent to one test at a time."""
    tab = WarmTab(browser, **DESKTOP)
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def phone(browser: object) -> Iterator[WarmTab]:
    """The module's phone-sized tab, lent to one test at a time."""
    tab = WarmTab(browser, **PHONE)
    yield tab
    tab.close()


@pytest.fixture
def page(desktop: WarmTab, request: pytest.FixtureRequest) -> Iterator[object]:
    """A desktop tab shared with the module's other tests, forgotten between them."""
    with desktop.lend(request) as page:
        yield page


@pytest.fixture
def phone_page(phone: WarmTab, request: pytest.FixtureRequest) -> Iterator[object]:
    """A phone-sized tab shared with the module's other phone tests."""
    with phone.lend(request) as page:
        yield page
