"""Shared fixtures: the fixture knowledge base, its site built once per test session, and the browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import DESKTOP, PHONE, WarmTab, launched
from helpers import FIXTURE_KB, cluster_kb_build


@pytest.fixture(scope="session")
def fixture_kb() -> Path:
    """The small valid synthetic knowledge base in tests/fixtures/kb (read only)."""
    return FIXTURE_KB


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture knowledge base built by the real ``cluster-kb build`` into a temporary folder.

    The build has a temporary folder of its own (``TMPDIR``, beside the site, named ``tmp``), so
    it starts with no compiled templates kept: tests/test_template_cache.py reads what it left.
    """
    root = tmp_path_factory.mktemp("built")
    (root / "tmp").mkdir()
    site = root / "site"
    result = cluster_kb_build(FIXTURE_KB, site, env={"TMPDIR": str(root / "tmp")})
    assert result.returncode == 0, result.stdout + result.stderr
    return site


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
