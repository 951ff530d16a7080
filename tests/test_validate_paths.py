"""`cluster-kb validate PATH ...`: a content folder, a kind folder or record files, and symbolic links.

A kind folder or a file is checked against the whole knowledge base it belongs to (its references
resolve), but only its own problems are reported and counted. A symbolic link under the content
folder is a located error, and whatever it points at is never read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_kb.commands import cli
from cluster_kb.records import load as load_module

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
OUTSIDE_TEXT = "TOPOUTSIDE_TEXT-outside-the-content-folder"


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture knowledge base at ./content, the current directory being its parent."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    monkeypatch.chdir(tmp_path)
    return content


def validate(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[str], str]:
    code = cli.main(["validate", *paths])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cluster_kb", *args], capture_output=True, text=True, cwd=cwd, check=False)


def break_norway(content: Path) -> None:
    (content / "territories" / "norway.yaml").write_text("name: Norway\nkind: kingdom\nsources: []\n", "utf-8")


# -- a kind folder, record files -------------------------------------------------------------------


def test_a_kind_folder_is_its_records_not_a_content_folder(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate(capsys, "content/clusters") == (0, ["content/clusters: valid: 2 records (2 clusters)"], "")


def test_a_kind_folder_reports_only_its_own_problems(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_norway(kb)
    assert validate(capsys, "content/clusters") == (0, ["content/clusters: valid: 2 records (2 clusters)"], "")
    code, out, _ = validate(capsys, "content/territories")
    assert code == 1
    assert out[-1] == "2 errors in 1 file"
    assert all(line.startswith("content/territories/norway.yaml:") for line in out[:-1])


def test_record_files_of_several_kinds(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(capsys, "content/clusters/example-wine-cluster.yaml", "content/territories/bogota.yaml")
    assert (code, err) == (0, "")
    assert out == [
        "content/clusters/example-wine-cluster.yaml content/territories/bogota.yaml: valid: 2 records (1 clusters, 1 territories)"
    ]


def test_references_of_a_file_resolve_against_the_whole_knowledge_base(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = kb / "clusters" / "example-wine-cluster.yaml"
    path.write_text(path.read_text("utf-8").replace("territory: catalonia", "territory: bogata"), "utf-8")
    break_norway(kb)  # another file's problems stay out of the report and of the count
    code, out, _ = validate(capsys, "content/clusters/example-wine-cluster.yaml")
    assert code == 1
    assert out == [
        "content/clusters/example-wine-cluster.yaml:3:12: error: unknown territory 'bogata' (did you mean 'bogota'?)",
        "1 error in 1 file",
    ]


def test_a_reference_to_a_file_outside_the_selection_resolves(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The edition's follow-up names example-wine-cluster, which is not asked about: it is still read.
    assert validate(capsys, "content/editions/colombia-2018.yaml")[0] == 0


def test_a_kind_folder_given_as_dot(kb: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(kb / "clusters")
    assert validate(capsys, ".") == (0, [".: valid: 2 records (2 clusters)"], "")
    one = "example-coffee-cluster.yaml"
    assert validate(capsys, one) == (0, [f"{one}: valid: 1 record (1 clusters)"], "")
    assert validate(capsys, "../territories/../clusters")[0] == 0


def test_a_stray_file_asked_about_gets_the_scan_message(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "clusters" / "example.yml").write_text("name: x\n", "utf-8")
    code, out, _ = validate(capsys, "content/clusters/example.yml")
    assert code == 1
    assert out == [
        "content/clusters/example.yml:1:1: error: unexpected file 'example.yml': rename it to 'example.yaml'",
        "1 error in 1 file",
    ]


def test_the_whole_content_folder_still_reports_everything(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_norway(kb)
    code, out, _ = validate(capsys, "content")
    assert code == 1 and out[-1] == "2 errors in 1 file"
    code, out, _ = validate(capsys, "content", "content/clusters")  # the whole folder wins
    assert code == 1 and out[-1] == "2 errors in 1 file"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("content/clusters/nope.yaml", "cluster-kb: error: record file 'content/clusters/nope.yaml' not found"),
        ("nowhere", "cluster-kb: error: content folder 'nowhere' not found"),
        ("content/clusterz", "cluster-kb: error: content folder 'content/clusterz' not found"),
    ],
)
def test_a_path_that_does_not_exist_is_a_usage_error(
    path: str, message: str, kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(capsys, "content/clusters", path) == (2, [], message + "\n")


def test_a_file_outside_a_kind_folder_is_a_usage_error(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(capsys, "content/README.md")
    assert (code, out) == (2, [])
    assert err.startswith("cluster-kb: error: 'content/README.md' is not in a kind folder of a content folder")
    (kb / "clusters" / "README.md").write_text("notes\n", "utf-8")
    code, _, err = validate(capsys, "content/clusters/README.md")
    assert code == 2 and "is not a record file" in err


def test_the_real_command(kb: Path) -> None:
    break_norway(kb)
    done = run_module("validate", "content/clusters/example-wine-cluster.yaml", "content/sectors", cwd=kb.parent)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "content/clusters/example-wine-cluster.yaml content/sectors: valid: 4 records (1 clusters, 3 sectors)\n"
    done = run_module("validate", "content/territories/norway.yaml", cwd=kb.parent)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "2 errors in 1 file"
    done = run_module("validate", "content/territories/missing.yaml", cwd=kb.parent)
    assert done.returncode == 2 and "'content/territories/missing.yaml' not found" in done.stderr


# -- symbolic links: located errors, never read -------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the content whose files must never be read through a link."""
    folder = tmp_path / "outside"
    (folder / "territories").mkdir(parents=True)
    for path in (FIXTURE / "territories").iterdir():
        shutil.copy(path, folder / "territories" / path.name)
    # Valid records, so reading one would count it, build it or name it.
    (folder / "secret.yaml").write_text(
        f"name: {OUTSIDE_TEXT}\nterritory: bogota\nsources:\n  - title: {OUTSIDE_TEXT}\n", "utf-8"
    )
    (folder / "territories" / "secret.yaml").write_text(
        f"name: {OUTSIDE_TEXT}\nkind: city\nsources:\n  - title: {OUTSIDE_TEXT}\n", "utf-8"
    )
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every record file the loader reads."""
    seen: list[Path] = []
    real = load_module.load_file

    def spy(path: Path):  # type: ignore[no-untyped-def]
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(load_module, "load_file", spy)
    return seen


def _nothing_outside_read(reads: list[Path], outside: Path) -> None:
    assert reads, "the loader read nothing at all"
    for path in reads:
        assert not path.is_symlink()
        assert outside.resolve() not in path.resolve().parents, path


LINKED_FILE = (
    "content/clusters/linked.yaml:1:1: error: 'linked.yaml' is a symbolic link; record files must be real, inside the "
    "content folder (a link could publish a file from elsewhere): replace it with the file itself"
)
LINKED_FOLDER = (
    "content/territories:1:1: error: 'territories' is a symbolic link; record folders must be real, inside the "
    "content folder (a link could publish a file from elsewhere): replace it with the file itself"
)


@pytest.mark.parametrize("asked", ["content", "content/clusters", "content/clusters/linked.yaml"])
def test_a_linked_record_file_is_an_error_and_is_never_read(
    asked: str, kb: Path, outside: Path, reads: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    (kb / "clusters" / "linked.yaml").symlink_to(outside / "secret.yaml")
    code, out, err = validate(capsys, asked)
    assert code == 1
    assert out == [LINKED_FILE, "1 error in 1 file"]
    assert OUTSIDE_TEXT not in "\n".join(out) + err
    _nothing_outside_read(reads, outside)


@pytest.mark.parametrize("asked", ["content", "content/territories"])
def test_a_linked_kind_folder_is_an_error_and_is_never_read(
    asked: str, kb: Path, outside: Path, reads: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(kb / "territories")
    (kb / "territories").symlink_to(outside / "territories", target_is_directory=True)
    code, out, err = validate(capsys, asked)
    assert code == 1
    assert LINKED_FOLDER in out
    if asked == "content/territories":
        assert out == [LINKED_FOLDER, "1 error in 1 file"]
    else:  # the territories were not read, so every reference to one is unknown
        assert "unknown territory 'bogota'" in "\n".join(out)
    assert OUTSIDE_TEXT not in "\n".join(out) + err
    _nothing_outside_read(reads, outside)


def test_links_through_the_real_commands_print_nothing_from_outside(kb: Path, outside: Path) -> None:
    (kb / "clusters" / "linked.yaml").symlink_to(outside / "secret.yaml")
    shutil.rmtree(kb / "territories")
    os.symlink(outside / "territories", kb / "territories", target_is_directory=True)
    for args in (["validate", "content"], ["validate", "content/clusters/linked.yaml"], ["validate", "content/territories"]):
        done = run_module(*args, cwd=kb.parent)
        assert done.returncode == 1, done.stdout + done.stderr
        assert OUTSIDE_TEXT not in done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
    site = kb.parent / "site"
    done = run_module("build", "--content", str(kb), "--site-dir", str(site), cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 1
    assert OUTSIDE_TEXT not in done.stdout + done.stderr
    assert not site.exists()
