"""Open data: the exported JSON validates against the schemas, CSVs hold one row per record."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cluster_kb import load_knowledge_base
from cluster_kb.kinds import KINDS as _KINDS
from cluster_kb.outputs.export import LIST_SEPARATOR, export_files, kind_columns
from cluster_kb.outputs.schema import schema_file_name
from jsonschema import Draft202012Validator

KINDS = {k.folder: k.model for k in _KINDS}

ROOT = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(scope="module", params=[FIXTURE, ROOT / "content"], ids=["fixture", "content"])
def exported(request: pytest.FixtureRequest) -> tuple[Any, dict[str, bytes]]:
    kb = load_knowledge_base(request.param)
    return kb, export_files(kb)


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_export_lists_the_files_the_site_publishes(exported: tuple[Any, dict[str, bytes]]) -> None:
    _, files = exported
    assert sorted(files) == sorted(
        ["data/knowledge-base.json"]
        + [f"data/{kind}.csv" for kind in KINDS]
        + [f"schemas/{schema_file_name(kind)}" for kind in KINDS]
    )
    for kind in KINDS:
        assert files[f"schemas/{schema_file_name(kind)}"] == (ROOT / "schemas" / schema_file_name(kind)).read_bytes()


def test_every_exported_record_validates_against_its_kinds_schema(exported: tuple[Any, dict[str, bytes]]) -> None:
    kb, files = exported
    document = json.loads(files["data/knowledge-base.json"])
    assert list(document["records"]) == list(KINDS)
    assert document["counts"] == kb.counts()
    checked = 0
    for kind, records in document["records"].items():
        schema = json.loads(files[document["schemas"][kind].removeprefix("../")])
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        ids = [record["id"] for record in records]
        assert ids == sorted(kb.of_kind(kind))
        for record in records:
            data = {key: value for key, value in record.items() if key != "id"}
            problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
            assert not problems, f"{kind}/{record['id']}: {problems}"
            assert list(data) == list(schema["properties"])  # every field, in the schema's order
            checked += 1
    assert checked == len(kb) > 0


def test_exported_json_keeps_real_types() -> None:
    files = export_files(load_knowledge_base(FIXTURE))
    document = json.loads(files["data/knowledge-base.json"])
    edition = next(r for r in document["records"]["editions"] if r["id"] == "colombia-2018")
    assert isinstance(edition["year"], int)
    assert edition["start"] == "2018-05-30"
    assert isinstance(edition["synthetic"], bool)
    assert isinstance(edition["outcomes"][0]["value"], int)


def test_each_csv_has_a_header_and_one_row_per_record(exported: tuple[Any, dict[str, bytes]]) -> None:
    kb, files = exported
    for kind in KINDS:
        table = rows(files[f"data/{kind}.csv"])
        header = files[f"data/{kind}.csv"].decode("utf-8").split("\r\n", 1)[0].split(",")
        assert header == kind_columns(kind)
        assert [row["id"] for row in table] == sorted(kb.of_kind(kind))
        assert all(None not in row and len(row) == len(header) for row in table)


def test_csv_flattens_lists_and_nested_objects() -> None:
    kb = load_knowledge_base(FIXTURE)
    files = export_files(kb)
    sectors = {row["id"]: row for row in rows(files["data/sectors.csv"])}
    assert sectors["agri-food"]["aliases"] == f"food{LIST_SEPARATOR}wine"
    assert sectors["health"]["aliases"] == ""
    assert sectors["health"]["summary"] == ""
    editions = {row["id"]: row for row in rows(files["data/editions.csv"])}
    colombia = editions["colombia-2018"]
    assert colombia["sectors"] == "textiles; health; agri-food"
    assert colombia["delegation.summary"] == "Cluster managers and network executives."
    assert json.loads(colombia["delegation.counts"])[0]["value"] == 15
    assert colombia["delegation.institutions"] == "Example Chamber of Commerce"
    assert json.loads(colombia["programme"])[0]["title"] == "Cluster policy in both territories"
    assert editions["norway-2013"]["delegation.summary"] == ""
    assert colombia["synthetic"] == "true"
    assert colombia["year"] == "2018"


def test_export_is_deterministic_and_follows_the_records(tmp_path: Path) -> None:
    first = export_files(load_knowledge_base(FIXTURE))
    assert first == export_files(load_knowledge_base(FIXTURE))
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE, copy)
    path = copy / "sectors" / "health.yaml"
    path.write_text(path.read_text("utf-8").replace("name: Health", "name: Health and care"), "utf-8")
    changed = export_files(load_knowledge_base(copy))
    assert [name for name in first if first[name] != changed[name]] == ["data/knowledge-base.json", "data/sectors.csv"]
    assert "Health and care" in changed["data/sectors.csv"].decode("utf-8")


def test_the_build_publishes_the_open_data_and_the_home_page_links_it(built_site: Path, fixture_kb: Path) -> None:
    from cluster_kb.knowledge import load_knowledge_base as _load
    from cluster_kb.outputs.export import export_files as _export

    expected = _export(_load(fixture_kb))
    for path, data in expected.items():
        assert (built_site / path).read_bytes() == data, path
    home = (built_site / "index.html").read_text(encoding="utf-8")
    for path in ("data/knowledge-base.json", "data/clusters.csv", "schemas/clusters.schema.json"):
        assert f'href="{path}"' in home
