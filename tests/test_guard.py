"""`cluster-kb build --site-dir DIR` replaces DIR whole, so DIR is guarded before anything is touched.

Refused (exit 2, a message naming the folder and why): the content folder, the docs folder, the
MkDocs configuration's folder, a git work tree, anything holding one of them or lying inside the
content or docs folder; and a non-empty folder that is not a previous build, unless --force. Every
refused folder is byte-for-byte intact afterwards: every file under the test's folder is hashed
before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_kb.commands import build as build_command
from cluster_kb.commands import cli
from helpers import FIXTURE_KB, ROOT, SOURCE_DATE_EPOCH

pytestmark = pytest.mark.slow


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout laid out like the project's: .git, mkdocs.yml, docs/ and content/; the current directory."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", repo / "docs")
    shutil.copytree(FIXTURE_KB, repo / "content")
    (repo / "notes.txt").write_text("hand-written, not part of any build\n", "utf-8")
    monkeypatch.chdir(repo)
    return repo


def snapshot(folder: Path) -> dict[str, str]:
    """Every file, link and folder under ``folder``: a hash of each file's bytes, each link's target."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = "link -> " + os.readlink(path)
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run_build(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cluster_kb build ...`` as a user runs it, from ``cwd``."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("SITE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cluster_kb", "build", "--content", "content", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


# (--site-dir, what the message must say about it)
REFUSED = [
    ("content", "it is the content folder 'content'"),
    ("content/clusters", "it lies inside the content folder 'content'"),
    ("docs", "it is the docs folder (docs_dir of mkdocs.yml)"),
    ("docs/es", "it lies inside the docs folder (docs_dir of mkdocs.yml)"),
    ("docs/new-site", "it lies inside the docs folder (docs_dir of mkdocs.yml)"),
    (".", "it is the folder of the MkDocs configuration 'mkdocs.yml'"),
    (".", "it is a git work tree (it holds .git)"),
    (".", "it holds the content folder 'content'"),
    ("..", "it holds the folder of the MkDocs configuration 'mkdocs.yml'"),
    ("..", "it holds the git work tree"),
    ("content/../docs", "it is the docs folder"),
    ("link-to-content", "it is the content folder 'content'"),
]


@pytest.mark.parametrize(("site_dir", "reason"), REFUSED)
@pytest.mark.parametrize("force", [False, True])
def test_protected_folders_are_refused_and_left_intact(
    site_dir: str, reason: str, force: bool, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (checkout / "link-to-content").symlink_to(checkout / "content", target_is_directory=True)
    before = snapshot(checkout.parent)
    code = cli.main(["build", "--content", "content", "--site-dir", site_dir, *(["--force"] if force else [])])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith(f"cluster-kb: error: refusing to build into --site-dir '{site_dir}'")
    assert reason in captured.err
    assert "choose a folder of its own" in captured.err
    assert snapshot(checkout.parent) == before


def test_a_link_is_named_with_where_it_leads(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (checkout / "link-to-content").symlink_to(checkout / "content", target_is_directory=True)
    assert cli.main(["build", "--content", "content", "--site-dir", "link-to-content"]) == 2
    assert f"--site-dir 'link-to-content' ({checkout.resolve() / 'content'})" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("site_dir", "reason"),
    [("content", "the content folder"), ("docs", "the docs folder"), (".", "git work tree"), ("..", "git work tree")],
)
def test_the_real_command_refuses_and_leaves_everything_intact(site_dir: str, reason: str, checkout: Path) -> None:
    before = snapshot(checkout.parent)
    done = run_build(checkout, "--site-dir", site_dir)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"--site-dir '{site_dir}'" in done.stderr and reason in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert snapshot(checkout.parent) == before


def test_a_site_dir_that_is_a_file_is_refused(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(checkout.parent)
    assert cli.main(["build", "--content", "content", "--site-dir", "notes.txt"]) == 2
    assert "--site-dir 'notes.txt' is a file, not a folder" in capsys.readouterr().err
    assert snapshot(checkout.parent) == before


def test_a_docs_dir_set_in_the_configuration_is_guarded(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.move(checkout / "docs", checkout / "pages")
    config = checkout / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("docs_dir: docs", "docs_dir: pages"), "utf-8")
    before = snapshot(checkout.parent)
    assert cli.main(["build", "--content", "content", "--site-dir", "pages"]) == 2
    assert "it is the docs folder (docs_dir of mkdocs.yml)" in capsys.readouterr().err
    assert snapshot(checkout.parent) == before


# -- a folder that is not a previous build --------------------------------------------------------


def test_a_non_empty_foreign_folder_is_refused_without_force(checkout: Path) -> None:
    out = checkout / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work\n", "utf-8")
    before = snapshot(checkout.parent)
    done = run_build(checkout, "--site-dir", "out")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("cluster-kb: error: refusing to build into --site-dir 'out': it holds files that are not")
    assert "there is no .cluster-kb-site file in it" in done.stderr and "--force" in done.stderr
    assert snapshot(checkout.parent) == before


def test_force_replaces_a_non_empty_foreign_folder(checkout: Path) -> None:
    out = checkout / "out"
    out.mkdir()
    (out / "old.html").write_text("an old site\n", "utf-8")
    done = run_build(checkout, "--site-dir", "out", "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (out / "old.html").exists()
    assert (out / "index.html").is_file() and (out / build_command.MARKER).is_file()
    assert sorted(p.name for p in checkout.iterdir() if p.name.startswith(".out-")) == []  # no staging left


def test_force_never_replaces_a_folder_holding_a_git_repository(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = checkout / "out" / "projects" / "thesis"
    (project / ".git").mkdir(parents=True)
    (project / "thesis.tex").write_text("years of work\n", "utf-8")
    before = snapshot(checkout.parent)
    assert cli.main(["build", "--content", "content", "--site-dir", "out", "--force"]) == 2
    err = capsys.readouterr().err
    assert "refusing to build into --site-dir 'out', even with --force: it holds the git work tree" in err
    assert str(project) in err
    assert snapshot(checkout.parent) == before


def test_an_empty_folder_may_be_built_into(checkout: Path) -> None:
    (checkout / "site").mkdir()
    assert build_command._foreign(Path("site"), force=False) is None
    (checkout / "site" / "mine.txt").write_text("kept\n", "utf-8")
    assert "holds files that are not a previous build" in (build_command._foreign(Path("site"), force=False) or "")


def test_a_previous_build_is_recognised_and_replaced(checkout: Path, built_site: Path) -> None:
    site = checkout / "site"
    shutil.copytree(built_site, site)  # the session's build of the same content: a previous build
    marker = (site / build_command.MARKER).read_text("utf-8")
    assert marker.startswith("Written by `cluster-kb build`") and "cluster-kb " in marker.splitlines()[-1]
    (site / "stray.html").write_text("left over\n", "utf-8")
    (site / "about" / "index.html").write_text("stale\n", "utf-8")
    again = run_build(checkout, "--site-dir", "site")
    assert again.returncode == 0, again.stdout + again.stderr
    assert not (site / "stray.html").exists()
    assert (site / "about" / "index.html").read_text("utf-8") != "stale\n"
    assert (site / build_command.MARKER).read_text("utf-8") == marker
    assert (checkout / "notes.txt").read_text("utf-8") == "hand-written, not part of any build\n"


def test_the_guard_runs_in_process_too(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """cli.main: refused before validation and before MkDocs; nothing is created, not even the parent."""
    before = snapshot(checkout.parent)
    assert cli.main(["build", "--content", "content", "--site-dir", "docs/deeper/site"]) == 2
    assert "it lies inside the docs folder" in capsys.readouterr().err
    assert snapshot(checkout.parent) == before
    assert not (checkout / "docs" / "deeper").exists()
