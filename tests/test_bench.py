"""`make bench` runs end to end: a tiny size, real builds, the table, the targets and the JSON figures.

Speed is measured by the benchmark itself, never asserted here: this only proves it runs and
reports every figure the issues ask for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_bench_runs_and_reports_every_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "bench/bench.py", "--sizes", "5", "--no-serve", "--no-browser", "--no-match", "--repeat", "1",
         "--work", str(tmp_path / "work"), "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for row in ("load+validate (s)", "generation without MkDocs (s)", "full build, 3 languages (s)", "one-language build (s)",
                "3 languages / 1 language", "baseline: plain material (s)", "full / baseline", "peak RSS, full build",
                "peak PSS, full build", "largest HTML page", "largest map in a page", "directory data, gzipped"):
        assert row in run.stdout, row
    assert "Targets:" in run.stdout and "issue 13" in run.stdout and "issue 15" in run.stdout
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["machine"]["nproc"] >= 1 and data["machine"]["libyaml"] is True
    (figures,) = data["results"]
    assert figures["clusters"] == 5
    for key in ("load_s", "generation_s", "full_s", "one_language_s", "baseline_s", "full_over_baseline", "languages_ratio",
                "peak_rss_bytes", "peak_pss_bytes", "largest_html_bytes", "directory_gzip_bytes", "site_bytes"):
        assert figures[key] and figures[key] > 0, key
