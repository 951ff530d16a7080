"""The wheel carries every file the package reads: templates, theme, assets, catalogues, map outlines."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "generator" / "cluster_kb"
GENERATED = {".pyc", ".mo", ".pot"}  # compiled or extracted locally, never shipped from the tree


def test_every_data_file_of_the_package_is_declared_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["cluster_kb"]
    declared = {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}
    data = {
        path
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix != ".py" and path.suffix not in GENERATED and "__pycache__" not in path.parts
    }
    assert data, "the package has no data files: the glob above is wrong"
    missing = sorted(str(path.relative_to(PACKAGE)) for path in data - declared)
    assert not missing, f"not in [tool.setuptools.package-data], so missing from the wheel: {missing}"
