"""`make bench` runs end to end: a tiny size, real builds, the table, the targets and the JSON figures.

Speed is measured by the benchmark itself, never asserted here: this only proves it runs and
reports every figure the issues ask for.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
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
                "3 languages / 1 language", "run by run", "baseline: plain material (s)", "full / baseline",
                "peak RSS, full build", "peak PSS, full build", "largest HTML page", "largest map in a page",
                "directory data, gzipped"):
        assert row in run.stdout, row
    assert "Targets:" in run.stdout and "issue 13" in run.stdout and "issue 15" in run.stdout
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["machine"]["nproc"] >= 1 and data["machine"]["libyaml"] is True
    (figures,) = data["results"]
    assert figures["clusters"] == 5
    for key in ("load_s", "generation_s", "full_s", "one_language_s", "baseline_s", "full_over_baseline", "languages_ratio",
                "peak_rss_bytes", "peak_pss_bytes", "largest_html_bytes", "directory_gzip_bytes", "site_bytes"):
        assert figures[key] and figures[key] > 0, key
    assert len(figures["languages_ratio_runs"]) == 1 and figures["languages_ratio_runs"][0] == figures["languages_ratio"]


_PARENT = """
import os, subprocess, time
held = bytearray(200 * 2**20)
for i in range(0, len(held), 4096):
    held[i] = 1  # resident, not only mapped
if os.fork() == 0:  # a child that never execs: its pages are the parent's until written
    time.sleep(60)
    os._exit(0)
subprocess.Popen(["sleep", "60"])  # a child that did exec: memory of its own
print("ready", flush=True)
time.sleep(60)
"""


def _load_bench() -> Any:
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("cluster_kb_bench", ROOT / "bench" / "bench.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path[:] = saved


def test_the_memory_of_a_child_not_yet_exec_is_counted_once() -> None:
    """A Pagefind run is for a moment a vfork child on the build's command line: the tree's memory
    must not count the build twice then (it reported 2.0 GB for 1.1 GB in use)."""
    bench = _load_bench()
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == b"ready"
        process = psutil.Process(parent.pid)
        children = process.children(recursive=True)
        assert len(children) == 2
        own = process.memory_info().rss
        exec_child = next(c for c in children if c.cmdline()[0] == "sleep")
        tree = bench._tree_rss(process)
        assert own > 200 * 2**20
        assert tree >= own + exec_child.memory_info().rss  # the child that exec'd is counted
        assert tree < own * 1.25, (tree, own)  # not the forked one: its pages are the parent's
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()
        parent.stdout.close()  # type: ignore[union-attr]


def test_the_language_ratio_is_also_given_run_by_run() -> None:
    """The target's ratio is fastest over fastest; each attempt's own ratio shows the machine's drift
    beside it, and an attempt in which a build failed gives no ratio."""
    bench = _load_bench()
    def run(returncode: int, seconds: float) -> Any:
        return bench.Measured(returncode, seconds, 1, None, Path("build.log"))

    full = [run(0, 90.0), run(1, 5.0), run(0, 84.0)]
    one = [run(0, 45.0), run(0, 44.0), run(0, 40.0)]
    assert bench.paired_ratios(full, one) == [2.0, 2.1]
    assert bench.paired_ratios(full[:1], []) == []
    row = next(fmt for label, key, fmt in bench.ROWS if key == "languages_ratio_runs")
    assert row([2.0, 2.1]) == "2.00-2.10x" and row([2.031]) == "2.03x" and row([]) == "n/a"
