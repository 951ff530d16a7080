"""Shared fixtures: the fixture knowledge base, and its site built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURE_KB, cluster_kb_build


@pytest.fixture(scope="session")
def fixture_kb() -> Path:
    """The small valid synthetic knowledge base in tests/fixtures/kb (read only)."""
    return FIXTURE_KB


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture knowledge base built by the real ``cluster-kb build`` into a temporary folder."""
    site = tmp_path_factory.mktemp("built") / "site"
    result = cluster_kb_build(FIXTURE_KB, site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site
