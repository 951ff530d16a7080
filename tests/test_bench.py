"""`make bench` runs end to end: a tiny size, real builds, the table and the JSON figures.

Speed is measured by the benchmark itself, never asserted here: this only proves it runs and
reports every figure issue 6 asks for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_runs_and_reports_every_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "generator.bench", "--sizes", "5", "--no-serve", "--repeat", "1",
         "--work", str(tmp_path / "work"), "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for row in ("load+validate (s)", "page generation (s)", "full mkdocs build (s)", "baseline build, plain pages (s)",
                "full build in one process (s)", "full / baseline", "one process / baseline", "peak RSS, full build",
                "peak PSS, full build", "largest HTML page", "search index (first search)"):
        assert row in run.stdout, row
    assert "Targets (issue 6):" in run.stdout
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["machine"]["nproc"] >= 1 and data["machine"]["libyaml"] is True
    (figures,) = data["results"]
    assert figures["clusters"] == 5
    assert figures["build_processes"] == 1  # a tiny site stays in one process
    for key in ("load_s", "generation_s", "build_s", "baseline_build_s", "build_one_process_s", "one_process_ratio",
                "peak_rss_bytes", "peak_pss_bytes", "largest_html_bytes", "search_index_bytes", "site_bytes"):
        assert figures[key] and figures[key] > 0, key
