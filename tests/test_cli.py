"""The `cluster-kb` command: help, exit codes (0 done, 1 problems, 2 usage) and no tracebacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_kb import __version__
from cluster_kb.commands import COMMANDS, cli

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


def verbs() -> list[str]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return list(action.choices)  # type: ignore[arg-type]


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: cluster-kb")
    assert len(verbs()) == len(COMMANDS)
    for verb in verbs():
        assert verb in out


@pytest.mark.parametrize("verb", verbs())
def test_each_subcommand_has_help(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([verb, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: cluster-kb {verb}")
    assert len(out.splitlines()) > 3


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cluster-kb {__version__}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["publish"], "invalid choice: 'publish'"),
        (["validate", "--strict"], "unrecognized arguments: --strict"),
        (["validate", "--content", "c"], "unrecognized arguments: --content"),
        (["linkcheck", "--timeout"], "argument --timeout: expected one argument"),
        (["new", "clusters"], "the following arguments are required: ID"),
        (["schema", "--out"], "argument --out: expected one argument"),
    ],
)
def test_usage_errors_exit_2_with_usage_on_stderr(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage: cluster-kb" in captured.err
    assert message in captured.err


def test_validate_exits_0_on_the_fixture_knowledge_base(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        f"{FIXTURE}: valid: 13 records (2 editions, 2 clusters, 2 decalogue, 4 territories, 3 sectors)"
    )


def test_validate_a_missing_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(tmp_path / "nothing")]) == 2
    assert "content folder" in capsys.readouterr().err


def test_validate_exits_1_with_located_problems_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "a.yaml").write_text("name: A\nterritory: nowhere\nsources: [{title: T}]\nbogus: 1\n", "utf-8")
    assert cli.main(["validate", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "2 errors in 1 file"
    shown = os.path.relpath(tmp_path / "clusters" / "a.yaml")
    assert lines[0] == f"{shown}:2:12: error: unknown territory 'nowhere' (there are no territories records yet)"
    assert lines[1].startswith(f"{shown}:4:1: error: unknown field 'bogus'; allowed fields: name, ")


def run_module(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cluster_kb", *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_python_dash_m_generator_is_the_same_command() -> None:
    done = run_module("validate", str(FIXTURE))
    assert (done.returncode, done.stderr) == (0, "")
    assert "valid: 13 records" in done.stdout
    usage = run_module()
    assert usage.returncode == 2
    assert "usage: cluster-kb" in usage.stderr


def test_input_problems_never_show_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "bad.yaml").write_bytes(b"name: \xff\xfe\n")
    (tmp_path / "territories").mkdir()
    (tmp_path / "territories" / "x.yaml").write_text("name: [unclosed\n", "utf-8")
    done = run_module("validate", str(tmp_path))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "2 errors in 2 files"
    new = run_module("new", "clusters", "bad", "--content", str(tmp_path))
    assert new.returncode == 1
    assert "Traceback" not in new.stdout + new.stderr


# -- `new` answers with the id to write -----------------------------------------------------------


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE, target)
    return target


def _new(kb: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["new", "cluster", "x", "--content", str(kb), *args])
    err = capsys.readouterr().err
    path = kb / "clusters" / "x.yaml"
    text = path.read_text("utf-8") if path.exists() else ""
    return code, text, err


@pytest.mark.parametrize(
    ("args", "line", "note"),
    [
        (
            ["--territory", "Bogotá"],
            "territory: bogota",
            "note: --territory 'Bogotá': wrote the id 'bogota' (ids are lowercase, without accents)",
        ),
        (
            ["--sector", "Health"],
            "sectors: [health]",
            "note: --sector 'Health': wrote the id 'health' (ids are lowercase, without accents)",
        ),
        (
            ["--sector", "fashion"],
            "sectors: [textiles]",
            "note: --sector 'fashion' is another name for the sector 'textiles': wrote its id",
        ),
        (
            ["--sector", "Agri-food", "--sector", "food"],
            "sectors: [agri-food]",
            "note: --sector 'food' is another name for the sector 'agri-food': wrote its id",
        ),
    ],
)
def test_new_writes_the_id_it_is_sure_of(
    args: list[str], line: str, note: str, kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, err = _new(kb_copy, capsys, *args)
    assert code == 0, err
    assert f"\n{line}\n" in text
    assert note in err.splitlines()


def test_new_names_a_territory_by_its_name(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = kb_copy / "territories" / "bogota.yaml"
    path.write_text(path.read_text("utf-8").replace("name: Bogotá", "name: Bogotá D.C."), "utf-8")
    code, text, err = _new(kb_copy, capsys, "--territory", "Bogotá D.C.")
    assert code == 0, err
    assert "\nterritory: bogota\n" in text
    assert "note: --territory 'Bogotá D.C.' is the name of the territory 'bogota': wrote its id" in err


def test_new_lists_the_sectors_for_an_unknown_one(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, err = _new(kb_copy, capsys, "--sector", "widgets")
    assert code == 0
    assert "\nsectors: [widgets]\n" in text  # written as typed; validation reports it until fixed
    assert err.splitlines()[0] == (
        f"note: there is no sector record 'widgets' ({kb_copy / 'sectors' / 'widgets.yaml'}); "
        "the sectors are: agri-food, health, textiles"
    )


def test_new_offers_the_closest_id_without_writing_it(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, err = _new(kb_copy, capsys, "--territory", "bogata", "--sector", "helth")
    assert code == 0
    assert "\nterritory: bogata\n" in text and "\nsectors: [helth]\n" in text
    lines = err.splitlines()
    missing = kb_copy / "territories" / "bogata.yaml"
    assert lines[0] == f"note: there is no territory record 'bogata' ({missing}); did you mean 'bogota'?"
    assert lines[1].endswith("did you mean 'health'? the sectors are: agri-food, health, textiles")


def test_new_refuses_a_name_it_cannot_place(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, err = _new(kb_copy, capsys, "--territory", "Bogota City")
    assert (code, text) == (2, "")
    assert err.startswith("cluster-kb new: error: --territory: 'Bogota City' is not a valid id")
    assert err.rstrip().endswith("did you mean 'bogota'?")
    code, _, err = _new(kb_copy, capsys, "--territory", "Atlantis Nova")
    assert code == 2
    assert err.rstrip().endswith("for a new territory, write its id: 'atlantis-nova'")


def test_checking_records_starts_without_the_matchmaking_libraries() -> None:
    """``validate`` never plans a meeting: numpy and scipy stay unloaded, so a contributor's check starts sooner."""
    code = (
        "import sys\n"
        "from cluster_kb.commands import cli\n"
        "assert cli.main(['validate', sys.argv[1]]) == 0\n"
        "print(sorted(name for name in ('numpy', 'scipy') if name in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", code, str(FIXTURE)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "[]"
