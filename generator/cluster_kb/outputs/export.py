"""Open data: the whole knowledge base as JSON, one CSV per kind, and the JSON Schemas.

:func:`export_files` returns the files the site publishes, by path under the site root, so that
analysts can reuse the data without scraping pages. The bytes depend only on the records: kinds in
:data:`~cluster_kb.kinds.KINDS` order, records by id, fields in :func:`~generator.schema.field_order`,
no timestamps, so an unchanged knowledge base publishes unchanged files.

* ``data/knowledge-base.json``: every record with its id and all its fields (empty ones as
  ``null`` or ``[]``). A record without its ``id`` is exactly what its kind's schema describes.
* ``data/<kind>.csv``: one row per record, flat columns. Lists of plain values are joined with
  ``"; "``; a nested object (an edition's delegation) spreads into dotted columns
  (``delegation.summary``); lists of objects (sources, practices, figures) are JSON in their cell.
* ``schemas/<kind>.schema.json``: the same bytes as the committed ``schemas/`` folder.
"""

from __future__ import annotations

import csv
import io
import json
import types
import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from ..kinds import KINDS, kind
from ..knowledge import KnowledgeBase
from ..records.models import nested_model
from .schema import field_order, schema_files

__all__ = ["LIST_SEPARATOR", "export_files", "kind_columns", "kind_csv", "knowledge_base_json", "record_data"]

LIST_SEPARATOR = "; "
"""Joins a list of plain values in one CSV cell."""

JSON_PATH = "data/knowledge-base.json"


def record_data(record_id: str, record: BaseModel) -> dict[str, Any]:
    """One record as JSON data: ``id`` first, then every field in reading order."""
    dumped = record.model_dump(mode="json")
    return {"id": record_id, **{name: dumped[name] for name in field_order(type(record))}}


def knowledge_base_json(kb: KnowledgeBase) -> bytes:
    """``data/knowledge-base.json``: every record by kind, each kind's records by id."""
    document = {
        "title": "cluster-kb: cluster best practices from ACCIÓ's International Intercluster Meeting",
        "description": (
            "Every record of the knowledge base, by kind. A record is its YAML file's fields, empty ones "
            "as null or [], plus its id (the file name). The schema of each kind's records (without the id) "
            "is given under 'schemas'."
        ),
        "counts": kb.counts(),
        "schemas": {k.folder: f"../schemas/{k.schema_file}" for k in KINDS},
        "records": {
            k.folder: [record_data(record_id, entry.record) for record_id, entry in sorted(kb.of_kind(k.folder).items())]
            for k in KINDS
        },
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _is_list(annotation: Any) -> bool:
    """Whether a field holds a list (looking through ``Annotated`` and ``X | None``)."""
    origin = get_origin(annotation)
    if origin is list:
        return True
    if origin is typing.Annotated:
        return _is_list(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in get_args(annotation) if arg is not type(None))
    return False


def _column_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name in field_order(model):
        info = model.model_fields[name]
        nested = nested_model(info.annotation)
        if nested is not None and not _is_list(info.annotation):
            paths.extend(_column_paths(nested, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


def kind_columns(folder: str) -> list[str]:
    """The CSV header of one kind: ``id``, then every field, nested objects as dotted columns."""
    return ["id", *(".".join(path) for path in _column_paths(kind(folder).model))]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(isinstance(item, str | int | float) and not isinstance(item, bool) for item in value):
            return LIST_SEPARATOR.join(str(item) for item in value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _lookup(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def kind_csv(kb: KnowledgeBase, folder: str) -> bytes:
    """``data/<kind>.csv``: a header row, then one row per record, by id (RFC 4180, UTF-8)."""
    paths = _column_paths(kind(folder).model)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(kind_columns(folder))
    for record_id, entry in sorted(kb.of_kind(folder).items()):
        data = entry.record.model_dump(mode="json")
        writer.writerow([record_id, *(_cell(_lookup(data, path)) for path in paths)])
    return buffer.getvalue().encode("utf-8")


def export_files(kb: KnowledgeBase) -> dict[str, bytes]:
    """Every open-data file by its path under the site root, with its exact bytes."""
    files = {JSON_PATH: knowledge_base_json(kb)}
    for k in KINDS:
        files[f"data/{k.folder}.csv"] = kind_csv(kb, k.folder)
    for name, data in schema_files().items():
        files[f"schemas/{name}"] = data
    return files
