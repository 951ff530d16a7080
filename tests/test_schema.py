"""JSON Schemas: committed copies match the models, and they accept and refuse what validation does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cluster_kb.commands import cli
from cluster_kb.kinds import KINDS as _KINDS
from cluster_kb.outputs.scaffold import schema_line
from cluster_kb.outputs.schema import field_order, record_schema, schema_bytes, schema_file_name
from jsonschema import Draft202012Validator

KINDS = {k.folder: k.model for k in _KINDS}

ROOT = Path(__file__).parent.parent
SCHEMAS = ROOT / "schemas"
CONTENT = ROOT / "content"


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(record_schema(kind))


def errors(kind: str, data: dict[str, Any]) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.validator}" for e in validator(kind).iter_errors(data))


def test_committed_schemas_match_the_models_byte_for_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", "--out", str(tmp_path / "fresh")]) == 0
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "fresh").iterdir()}
    committed = {p.name: p.read_bytes() for p in SCHEMAS.glob("*.schema.json")}
    assert sorted(fresh) == sorted(committed) == sorted(schema_file_name(kind) for kind in KINDS)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"schemas/ is out of date for {stale}: run `cluster-kb schema` and commit the result"
    assert "5 written" in capsys.readouterr().out


def test_schema_check_reports_drift_missing_and_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, out)
    assert cli.main(["schema", "--check", "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out

    (out / "clusters.schema.json").write_bytes(schema_bytes("clusters").replace(b"Display name,", b"Name,"))
    (out / "sectors.schema.json").unlink()
    (out / "widgets.schema.json").write_text("{}")
    assert cli.main(["schema", "--check", "--out", str(out)]) == 1
    report = capsys.readouterr().out
    assert f"{out / 'clusters.schema.json'}: out of date" in report
    assert f"{out / 'sectors.schema.json'}: missing" in report
    assert "widgets.schema.json: no record kind 'widgets'" in report
    assert "territories" not in report

    # Writing repairs what differs and touches nothing else.
    before = (out / "territories.schema.json").stat().st_mtime_ns
    assert cli.main(["schema", "--out", str(out)]) == 0
    assert "2 written, 3 unchanged" in capsys.readouterr().out
    assert (out / "territories.schema.json").stat().st_mtime_ns == before
    assert (out / "clusters.schema.json").read_bytes() == schema_bytes("clusters")


def test_schema_out_that_is_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert cli.main(["schema", "--out", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("kind", list(KINDS))
def test_schema_is_valid_2020_12_with_id_title_and_descriptions(kind: str) -> None:
    schema = json.loads((SCHEMAS / schema_file_name(kind)).read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    assert list(schema)[:4] == ["$schema", "$id", "title", "description"]
    assert schema["$id"] == schema_file_name(kind)
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == field_order(KINDS[kind])
    assert next(iter(schema["properties"])) == "name"
    undocumented = [
        f"{owner}.{name}"
        for owner, definition in [("record", schema), *schema.get("$defs", {}).items()]
        for name, prop in definition["properties"].items()
        if not prop.get("description")
    ]
    assert not undocumented


def test_schemas_carry_the_rules_hidden_in_validator_functions() -> None:
    good = {"name": "A", "territory": "catalonia", "sources": [{"title": "T", "url": "https://example.org", "date": "2018-05"}]}
    assert errors("clusters", good) == []
    assert errors("clusters", {**good, "territory": "Catalonia"}) == ["territory: pattern"]
    assert errors("clusters", {**good, "website": "javascript:alert(1)"}) == ["website: anyOf"]
    assert errors("clusters", {**good, "sources": [{"title": "T", "date": "30 May 2018"}]}) == ["sources/0/date: anyOf"]
    assert errors("clusters", {**good, "sector": ["x"]}) == [": additionalProperties"]
    assert errors("clusters", {**good, "sources": []}) == ["sources: minItems"]
    assert errors("clusters", {"name": "A", "sources": [{"title": "T"}]}) == [": required"]
    # An editor reads `date: 2018` as an integer and `founded: 2008` too; both are valid records.
    assert errors("clusters", {**good, "founded": 2008, "sources": [{"title": "T", "date": 2018}]}) == []
    assert errors("clusters", {**good, "founded": "2008"}) == ["founded: anyOf"]
    assert errors("sectors", {"name": "S", "ecosystem": "Fashion", "sources": [{"title": "T"}]}) == ["ecosystem: enum"]
    edition = {"name": "E", "year": 2018, "organiser": "O", "host": "catalonia", "invited": ["colombia"],
               "start": "2018-05-30", "sources": [{"title": "T"}]}  # fmt: skip
    assert errors("editions", edition) == []
    assert errors("editions", {**edition, "invited": []}) == ["invited: minItems"]
    outcome = {"label": "meetings", "value": 50, "qualifier": "over", "source": "T"}
    assert errors("editions", {**edition, "outcomes": [outcome]}) == ["outcomes/0/qualifier: anyOf"]


def test_reference_fields_say_which_folder_their_ids_come_from() -> None:
    schema = record_schema("clusters")
    assert "content/territories/" in schema["properties"]["territory"]["description"]
    assert "content/decalogue/" in schema["$defs"]["Practice"]["properties"]["principles"]["description"]


@pytest.mark.parametrize("path", sorted(CONTENT.glob("*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_content_file_starts_with_its_schema_line(path: Path) -> None:
    first = path.read_text("utf-8").split("\n", 1)[0]
    assert first == schema_line(path.parent.name)
    assert (path.parent / first.split("$schema=", 1)[1]).resolve() == (SCHEMAS / schema_file_name(path.parent.name)).resolve()


def test_vscode_settings_map_every_content_folder_to_its_schema() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text("utf-8"))
    mapping = settings["yaml.schemas"]
    expected = {f"./schemas/{schema_file_name(kind)}": [f"content/{kind}/*.yaml"] for kind in KINDS}
    assert mapping == expected
    for schema in mapping:
        assert (ROOT / schema).is_file()
