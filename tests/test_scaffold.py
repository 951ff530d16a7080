"""`cluster-kb new`: scaffold -> validate fails at each placeholder -> fill -> validate passes."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from cluster_kb import load_knowledge_base
from cluster_kb.commands import cli
from cluster_kb.kinds import KINDS as _KINDS
from cluster_kb.outputs.scaffold import render_record, schema_line
from cluster_kb.outputs.schema import record_schema
from cluster_kb.records.models import id_problem

KINDS = {k.folder: k.model for k in _KINDS}

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
ROOT = Path(__file__).parent.parent

# Values a contributor would write for each required field, per kind. References point at
# records of the fixture knowledge base, so the filled record validates across records too.
FILL: dict[str, dict[str, str]] = {
    "territories": {"name": "Example Region", "kind": "region", "title": "Synthetic source Z"},
    "sectors": {"name": "Example Sector", "ecosystem": "Tourism", "title": "Synthetic source Z"},
    "decalogue": {"name": "Principle 3", "number": "3", "status": "undocumented", "title": "Synthetic source Z"},
    "editions": {
        "name": "Norway meets Catalonia again",
        "year": "2019",
        "organiser": "Example Agency",
        "host": "catalonia",
        "invited": "[norway]",
        "title": "Synthetic source Z",
    },
    "clusters": {"name": "Example Tea Cluster", "territory": "bogota", "title": "Synthetic source Z"},
}

_FIELD = re.compile(r"^(?P<lead>\s*(?:- )?)(?P<key>\w+):(?P<value>[^#]*?)\s*(?P<comment>#.*)?$")


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the valid synthetic fixture knowledge base."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE, target)
    return target


def placeholders(text: str) -> dict[int, str]:
    """Line number -> field name of every empty field marked REQUIRED (inline or in the comment above)."""
    lines = text.split("\n")
    found = {}
    for number, line in enumerate(lines, start=1):
        match = _FIELD.match(line)
        if not match or match["value"].strip() not in ("", "[]"):
            continue
        if number < len(lines) and lines[number].startswith("  ") and not line.startswith(" "):
            continue  # a mapping or list written below the key: its fields are the placeholders
        above = number - 2
        while above >= 0 and lines[above].startswith("#") and not lines[above].startswith("# REQUIRED"):
            above -= 1
        marked_above = above >= 0 and lines[above].startswith("# REQUIRED") and not line.startswith(" ")
        if "REQUIRED" in (match["comment"] or "") or marked_above:
            found[number] = match["key"]
    return found


def fill(text: str, values: dict[str, str]) -> str:
    lines = text.split("\n")
    for number, key in placeholders(text).items():
        match = _FIELD.match(lines[number - 1])
        assert match, lines[number - 1]
        lines[number - 1] = f"{match['lead']}{key}: {values[key]}"
    return "\n".join(lines)


def validate(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = cli.main(["validate", str(content)])
    return code, capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("kind", list(KINDS))
def test_scaffold_fails_at_each_placeholder_then_validates_once_filled(
    kind: str, kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["new", kind, "new-record", "--content", str(kb_copy)]) == 0
    path = kb_copy / kind / "new-record.yaml"
    assert f"{path}: written" in capsys.readouterr().out
    text = path.read_text("utf-8")
    assert text.split("\n", 1)[0] == schema_line(kind)

    # Every required field is a placeholder, and each one is reported at its own line.
    holes = placeholders(text)
    required_top = set(record_schema(kind)["required"])
    assert required_top - {"sources"} <= set(holes.values())
    assert "title" in holes.values()  # the first source's, written out below `sources:`
    code, output = validate(kb_copy, capsys)
    assert code == 1
    shown = os.path.relpath(path)
    problems = [line for line in output if line.startswith(f"{shown}:")]
    assert len(problems) == len(holes) == len(output) - 1
    reported_lines = {int(line[len(shown) + 1 :].split(":", 1)[0]) for line in problems}
    assert reported_lines == set(holes)
    for line in problems:
        assert re.search(r": error: [\w.\[\]]+: (expected|'?nothing|needs at least)", line), line

    # Filled in, it validates and holds what was written; the optional fields stay empty.
    path.write_text(fill(text, FILL[kind]), "utf-8")
    code, output = validate(kb_copy, capsys)
    assert code == 0, "\n".join(output)
    record = load_knowledge_base(kb_copy).of_kind(kind)["new-record"].record
    assert record.name == FILL[kind]["name"]
    assert record.sources[0].title == "Synthetic source Z"
    assert record.synthetic is False


@pytest.mark.parametrize("kind", list(KINDS))
def test_scaffold_names_every_field_of_the_schema(kind: str) -> None:
    text = render_record(kind, "x")
    schema = record_schema(kind)
    top_level = {m["key"] for line in text.split("\n") if (m := _FIELD.match(line)) and not line.startswith((" ", "#"))}
    # Every field but `synthetic`, which only generated test and benchmark records carry.
    assert top_level == set(schema["properties"]) - {"synthetic"}
    for definition in schema.get("$defs", {}).values():
        for name in definition["properties"]:
            assert re.search(rf"^#?\s+(- )?{name}:", text, re.MULTILINE), f"{name} missing from the {kind} scaffold"


def test_prefilled_values_read_back_exactly(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = 'Café: "Agro" # 2 & more'
    args = ["new", "cluster", "prefilled", "--content", str(kb_copy), "--name", name]
    assert cli.main([*args, "--territory", "colombia", "--sector", "health", "--sector", "textiles"]) == 0
    path = kb_copy / "clusters" / "prefilled.yaml"
    text = path.read_text("utf-8")
    path.write_text(fill(text, {"title": "Synthetic source Z"}), "utf-8")
    code, output = validate(kb_copy, capsys)
    assert code == 0, output
    cluster = load_knowledge_base(kb_copy).clusters["prefilled"].record
    assert (cluster.name, cluster.territory, cluster.sectors) == (name, "colombia", ["health", "textiles"])


def test_territory_fills_an_editions_invited_list(kb_copy: Path) -> None:
    assert cli.main(["new", "editions", "e-2020", "--content", str(kb_copy), "--territory", "bogota"]) == 0
    assert "\ninvited: [bogota]\n" in (kb_copy / "editions" / "e-2020.yaml").read_text("utf-8")


def test_new_refuses_to_overwrite(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = kb_copy / "clusters" / "example-wine-cluster.yaml"
    before = existing.read_bytes()
    assert cli.main(["new", "clusters", "example-wine-cluster", "--content", str(kb_copy), "--name", "Other"]) == 1
    err = capsys.readouterr().err
    assert f"{existing} already exists; edit it, or choose another id" in err
    assert existing.read_bytes() == before


@pytest.mark.parametrize("bad_id", ["Bad_Id", "bogotá-cluster", "double--hyphen", "x" * 65])
def test_bad_id_is_refused_with_the_message_validate_gives(
    bad_id: str, kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["new", "clusters", bad_id, "--content", str(kb_copy)]) == 2
    err = capsys.readouterr().err.strip()
    assert not (kb_copy / "clusters" / f"{bad_id}.yaml").exists()
    # validate's message for a record file of that name
    shutil.copy(kb_copy / "clusters" / "example-coffee-cluster.yaml", kb_copy / "clusters" / f"{bad_id}.yaml")
    code, output = validate(kb_copy, capsys)
    assert code == 1
    validate_message = output[0].split(f"file name '{bad_id}.yaml': ", 1)[1]
    assert validate_message == id_problem(bad_id)
    assert err == f"cluster-kb new: error: {validate_message}"


def test_unknown_kind_is_a_usage_error_listing_the_kinds(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new", "widgets", "x", "--content", str(kb_copy)]) == 2
    err = capsys.readouterr().err
    assert "usage: cluster-kb new" in err
    assert f"unknown kind 'widgets'; use one of: {', '.join(KINDS)}" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "sectors", "s", "--territory", "x"], "--territory does not apply to sectors"),
        (["new", "decalogue", "p", "--sector", "x"], "--sector does not apply to decalogue"),
        (["new", "clusters", "c", "--territory", "Not An Id"], "--territory: 'Not An Id' is not a valid id"),
        (["new", "clusters", "c", "--name", "  "], "--name: must not be empty"),
    ],
)
def test_options_that_do_not_fit_are_usage_errors(
    args: list[str], message: str, kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*args, "--content", str(kb_copy)]) == 2
    assert message in capsys.readouterr().err
    assert not list(kb_copy.glob(f"*/{args[2]}.yaml"))


def test_missing_content_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new", "clusters", "c", "--content", str(tmp_path / "nope")]) == 2
    assert "content folder" in capsys.readouterr().err


def test_references_not_yet_in_the_content_are_noted(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new", "clusters", "c", "--content", str(kb_copy), "--territory", "atlantis", "--sector", "health"]) == 0
    err = capsys.readouterr().err
    assert "no territory record 'atlantis'" in err
    assert "health" not in err


def test_contributing_shows_the_current_cluster_template() -> None:
    guide = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    template = render_record("clusters", "your-cluster-id")
    assert f"```yaml\n{template}```" in guide, "CONTRIBUTING.md's template is stale: paste render_record('clusters', ...)"


def _block_after(guide: str, marker: str) -> str:
    match = re.search(rf"<!-- {re.escape(marker)}[^>]*-->\n```\w+\n(.*?)```", guide, re.DOTALL)
    assert match, f"CONTRIBUTING.md has no block after '<!-- {marker}'"
    return match.group(1)


def test_contributing_error_example_is_what_validate_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    guide = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    shutil.copytree(FIXTURE, tmp_path / "content")
    (tmp_path / "content" / "clusters" / "my-cluster.yaml").write_text(_block_after(guide, "example: broken record"), "utf-8")
    monkeypatch.chdir(tmp_path)
    code, output = validate(Path("content"), capsys)
    assert code == 1
    assert output == _block_after(guide, "example: validate output").splitlines()
