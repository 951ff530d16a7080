"""The browser tab the browser tests share (tests/browsing.py) forgets each test, a failure ends it,
and the hook in conftest.py that tells a lent tab how its test ended works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from browsing import DESKTOP, WarmTab, served

pytest_plugins = ("pytester",)

@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("origin")
    (folder / "index.html").write_text("<!doctype html><title>t</title><p>page</p>", encoding="utf-8")
    with served(folder) as url:
        yield url


def _after(outcome: str | None) -> SimpleNamespace:
    """A stand-in for a fixture's ``request`` whose test ended so (``None``: it never ran)."""
    node = SimpleNamespace()
    if outcome is not None:
        node.rep_call = SimpleNamespace(failed=outcome == "failed")
    return SimpleNamespace(node=node)


@pytest.mark.browser
def test_a_passed_test_leaves_the_same_tab_with_nothing_remembered(browser: object, origin: str, tmp_path: Path) -> None:
    tab = WarmTab(browser, **DESKTOP)
    try:
        request = _after("passed")
        with tab.lend(request) as page:  # type: ignore[arg-type]
            page.goto(origin)
            page.evaluate("() => { localStorage.setItem('k', 'v'); sessionStorage.setItem('k', 'v'); }")
            page.context.add_cookies([{"name": "c", "value": "1", "url": origin}])
            page.set_viewport_size({"width": 400, "height": 300})
        with tab.lend(request) as again:  # type: ignore[arg-type]
            assert again is page and tab.opened == 1
            again.goto(origin)
            assert again.evaluate("() => [localStorage.getItem('k'), sessionStorage.getItem('k')]") == [None, None]
            assert again.context.cookies() == []
            assert again.viewport_size == DESKTOP["viewport"]
    finally:
        tab.close()


@pytest.mark.browser
@pytest.mark.parametrize("outcome", ["failed", None])
def test_a_failed_or_unfinished_test_closes_its_tab(browser: object, origin: str, outcome: str | None) -> None:
    tab = WarmTab(browser, **DESKTOP)
    try:
        with tab.lend(_after(outcome)) as page:  # type: ignore[arg-type]
            page.goto(origin)
        assert page.is_closed()
        with tab.lend(_after("passed")) as fresh:  # type: ignore[arg-type]
            assert fresh is not page and tab.opened == 2
    finally:
        tab.close()


@pytest.mark.browser
def test_an_exception_inside_the_loan_closes_the_tab(browser: object, origin: str) -> None:
    tab = WarmTab(browser, **DESKTOP)
    with pytest.raises(RuntimeError), tab.lend(_after("passed")) as page:  # type: ignore[arg-type]
        page.goto(origin)
        raise RuntimeError("the test broke")
    assert page.is_closed() and tab.page is None

_OUTCOMES = '''
import pytest

@pytest.fixture
def seen(request):
    yield
    with open("outcomes.txt", "a") as out:
        out.write(f"{request.node.name} {request.node.rep_call.outcome}\\n")

def test_passes(seen):
    pass

def test_fails(seen):
    assert False
'''


def test_the_hook_shows_a_fixture_how_its_test_ended(pytester: pytest.Pytester) -> None:
    """conftest.py keeps each test's call report, which is how a lent tab knows to be replaced."""
    pytester.makeconftest((Path(__file__).with_name("conftest.py")).read_text(encoding="utf-8"))
    pytester.makepyfile(test_outcomes=_OUTCOMES)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)
    assert sorted((pytester.path / "outcomes.txt").read_text(encoding="utf-8").split("\n")[:-1]) == [
        "test_fails failed", "test_passes passed",
    ]
