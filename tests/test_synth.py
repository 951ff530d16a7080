"""``cluster-kb synth``: a synthetic knowledge base that validates, is reproducible and is marked synthetic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_kb.commands import cli
from cluster_kb.kinds import KINDS as _KINDS
from cluster_kb.knowledge import load_knowledge_base
from cluster_kb.records.loader import load_file
from cluster_kb.records.models import ECOSYSTEMS
from cluster_kb.synth import generate, slug

KINDS = {k.folder: k.model for k in _KINDS}


def _synth(out: Path, clusters: int, *extra: str) -> int:
    return cli.main(["synth", "--clusters", str(clusters), "--out", str(out), *extra])


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "kb"
    assert _synth(out, 60) == 0
    return out


def test_output_validates_with_the_real_loader(written: Path) -> None:
    kb = load_knowledge_base(written)
    counts = kb.counts()
    assert counts["clusters"] == 60
    assert counts["sectors"] == len(ECOSYSTEMS)
    assert sorted(e.record.ecosystem for e in kb.sectors.values()) == sorted(ECOSYSTEMS)
    assert [e.record.number for e in kb.principles_in_order()] == list(range(1, 11))
    assert all(e.record.status == "documented" for e in kb.decalogue.values())
    assert 3 <= counts["editions"] <= 10
    kinds = {e.record.kind for e in kb.territories.values()}
    assert kinds == {"country", "region", "city"}


def test_every_record_is_marked_synthetic_in_the_file_itself(written: Path) -> None:
    files = [p for kind in KINDS for p in (written / kind).glob("*.yaml")]
    assert files
    for path in files:
        assert load_file(path).data.get("synthetic") == "true", path
    kb = load_knowledge_base(written)
    assert all(entry.record.synthetic for kind in KINDS for entry in kb.of_kind(kind).values())


def test_clusters_have_zero_to_three_practices_that_cite_principles(written: Path) -> None:
    kb = load_knowledge_base(written)
    counts = {len(e.record.practices) for e in kb.clusters.values()}
    assert counts <= {0, 1, 2, 3}
    assert len(counts) > 1
    practices = [p for e in kb.clusters.values() for p in e.record.practices]
    assert practices and all(p.principles for p in practices)
    assert any(kb.practices_for(pid) for pid in kb.decalogue)


def test_some_names_carry_accents_so_folding_is_exercised(written: Path) -> None:
    kb = load_knowledge_base(written)
    names = [e.name for kind in ("territories", "clusters") for e in kb.of_kind(kind).values()]
    accented = [name for name in names if not name.isascii()]
    assert accented and len(accented) < len(names)


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    assert _synth(tmp_path / "a", 40, "--seed", "7") == 0
    assert _synth(tmp_path / "b", 40, "--seed", "7") == 0
    assert _synth(tmp_path / "c", 40, "--seed", "8") == 0
    first = _tree(tmp_path / "a")
    assert len(first) > 40
    assert first == _tree(tmp_path / "b")
    assert first != _tree(tmp_path / "c")


def test_same_seed_is_reproducible_in_a_fresh_interpreter(tmp_path: Path) -> None:
    # String hashing is randomised per process; the output must not depend on it.
    code = "import sys; from cluster_kb.synth import write_knowledge_base as w; w(sys.argv[1], 25)"
    for name, hashseed in (("x", "1"), ("y", "2")):
        env = {"PYTHONHASHSEED": hashseed, "PATH": "/usr/bin:/bin"}
        # Where bytecode goes (make test keeps it in the venv): the only settings taken from outside.
        env.update({k: os.environ[k] for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX") if k in os.environ})
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, env=env, cwd=Path(__file__).parents[1])
    assert _tree(tmp_path / "x") == _tree(tmp_path / "y")


def test_exactly_n_clusters_including_zero(tmp_path: Path) -> None:
    for n in (0, 1, 250):
        assert _synth(tmp_path / str(n), n) == 0
        assert len(list((tmp_path / str(n) / "clusters").glob("*.yaml"))) == n
        assert load_knowledge_base(tmp_path / str(n)).counts()["clusters"] == n


def test_generate_gives_unique_valid_ids() -> None:
    records = generate(500)
    assert len(records["clusters"]) == 500
    for table in records.values():
        for record_id in table:
            assert record_id == slug(record_id)


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kb"
    (out / "clusters").mkdir(parents=True)
    (out / "clusters" / "mine.yaml").write_text("name: mine\n")
    assert _synth(out, 3) == 2
    err = capsys.readouterr().err
    assert "is not empty" in err and "Traceback" not in err
    assert sorted(p.name for p in out.rglob("*")) == ["clusters", "mine.yaml"]


def test_writes_into_an_existing_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert _synth(out, 2) == 0
    assert len(list((out / "clusters").glob("*.yaml"))) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_refuses_the_real_content_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _synth(Path("content"), 2) == 2
    assert "synthetic records never go there" in capsys.readouterr().err
    assert not (tmp_path / "content").exists()


def test_refuses_a_file_as_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert _synth(target, 2) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clusters", "-3", "--out", "x"], "negative"),
        (["--clusters", "many", "--out", "x"], "not a whole number"),
        (["--clusters", "3"], "--out"),
        (["--out", "x"], "--clusters"),
        (["--clusters", "3", "--out", "x", "--seed", "abc"], "invalid int"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["synth", *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_validate_accepts_the_output(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(written)]) == 0
    assert "60 clusters" in capsys.readouterr().out


def test_the_world_grows_with_the_clusters_and_is_whole_from_200_on() -> None:
    # A handful of clusters does not come with 135 territories: that would make a small benchmark
    # mostly territory pages. From 200 clusters on, the territories are those of any larger size.
    tiny, small, whole = (generate(n)["territories"] for n in (5, 120, 200))
    assert len(tiny) < len(small) < len(whole)
    assert generate(1000)["territories"] == whole
    assert {record["kind"] for record in tiny.values()} == {"country", "region", "city"}
    assert all(any(t.get("parent") == country for t in tiny.values()) for country, r in tiny.items() if r["kind"] == "country")
