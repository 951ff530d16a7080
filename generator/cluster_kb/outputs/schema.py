"""JSON Schemas for record files, exported from the pydantic models.

One schema per kind describes ``content/<kind>/<id>.yaml``. Editors use it to complete and check
fields while a contributor types (the VS Code YAML extension reads the
``# yaml-language-server: $schema=...`` line and ``.vscode/settings.json``); analysts use it to read
the published data. The schemas come from the same declarations that validate records, so they
cannot disagree about which fields exist; :func:`schema_files` is byte-for-byte deterministic, and
the committed copies under ``schemas/`` are checked against it.

The schemas describe real types, as an editor parsing YAML 1.2 sees them (``year: 2018`` is an
integer, ``start: 2018-05-30`` a string in date format). What pydantic cannot see in a validator
function (the id, url and partial-date rules) is added here, so editors flag those too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from ..kinds import KINDS, kind
from ..records import models
from ..records.models import ID_MAX, ID_PATTERN, Record, nested_model, ref_kind

__all__ = [
    "SCHEMA_DIALECT",
    "check_schemas",
    "field_order",
    "record_schema",
    "schema_bytes",
    "schema_file_name",
    "schema_files",
    "write_schemas",
]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema draft pydantic generates for."""

_PARTIAL_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"

# What each validator function of the models checks, in JSON Schema words. Keyed by the function
# itself so that a renamed or replaced validator drops out instead of lying.
_VALIDATOR_SCHEMAS: dict[Callable[..., Any], JsonSchemaValue] = {
    models._check_id: {"pattern": ID_PATTERN, "maxLength": ID_MAX},
    models._check_url: {"format": "uri", "pattern": r"^https?://\S+$"},
    # A year alone is an integer to a YAML 1.2 editor; the loader reads it as text, and both are
    # valid, so the schema accepts both: a string must match the pattern, an integer the range.
    models._check_partial_date: {
        "type": ["string", "integer"],
        "pattern": _PARTIAL_DATE_PATTERN,
        "minimum": 1000,
        "maximum": 9999,
    },
}


class _RecordSchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, plus the rules hidden in the models' validator functions."""

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        json_schema = super().function_after_schema(schema)
        function = schema["function"].get("function")
        extra = _VALIDATOR_SCHEMAS.get(function) if function is not None else None
        if extra and "$ref" not in json_schema:
            json_schema = {**json_schema, **extra}
        return json_schema


def schema_file_name(folder: str) -> str:
    """``clusters`` -> ``clusters.schema.json``."""
    return kind(folder).schema_file


def field_order(model: type[BaseModel]) -> list[str]:
    """Field names in reading order: ``name``, ``language``, the kind's own fields, then ``sources`` and ``synthetic``.

    Pydantic lists inherited fields first; a contributor reads a record top to bottom, so the
    schema, the scaffold and the CSV columns all use this order instead.
    """
    names = list(model.model_fields)
    if not (isinstance(model, type) and issubclass(model, Record)):
        return names
    common = list(Record.model_fields)
    own = [name for name in names if name not in common]
    return ["name", "language", *own, *(name for name in common if name not in ("name", "language"))]


def _models_in(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """``model`` and every model nested in its fields, each once."""
    seen: set[type[BaseModel]] = set()
    stack = [model]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for info in current.model_fields.values():
            nested = nested_model(info.annotation)
            if nested is not None:
                stack.append(nested)


def _describe_references(model: type[BaseModel], schema: dict[str, Any]) -> None:
    """Say in each reference field's description which folder its ids come from."""
    definitions = schema.get("$defs", {})
    for current in _models_in(model):
        target = schema if current is model else definitions.get(current.__name__)
        if target is None:
            continue
        for name, info in current.model_fields.items():
            folder = ref_kind(info.annotation, info.metadata)
            prop = target.get("properties", {}).get(name)
            if folder is None or prop is None:
                continue
            what = "ids of records" if prop.get("type") == "array" else "the id of a record"
            hint = f"Give {what} in content/{folder}/ (the file name without .yaml)."
            prop["description"] = f"{prop.get('description', '').rstrip()} {hint}".strip()


def record_schema(folder: str) -> dict[str, Any]:
    """The JSON Schema of one kind's record files, as a dict in a stable key order."""
    folders = [k.folder for k in KINDS]
    if folder not in folders:
        raise KeyError(f"unknown kind '{folder}'; kinds: {', '.join(folders)}")
    kind_ = folder
    model = kind(folder).model
    generated = model.model_json_schema(schema_generator=_RecordSchemaGenerator, mode="validation")
    _describe_references(model, generated)
    properties = generated.pop("properties")
    required = set(generated.pop("required", []))
    order = field_order(model)
    summary = (model.__doc__ or model.__name__).strip().splitlines()[0]
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": schema_file_name(kind_),
        "title": f"{model.__name__} record (content/{kind_}/<id>.yaml)",
        "description": (
            f"{summary} One YAML file per record, content/{kind_}/<id>.yaml; "
            "the id is the file name, never a field. Exported from the cluster-kb models by `cluster-kb schema`."
        ),
        "type": "object",
        "properties": {name: properties[name] for name in order},
        "required": [name for name in order if name in required],
        "additionalProperties": generated.pop("additionalProperties", False),
    }
    generated.pop("title", None)
    generated.pop("description", None)
    generated.pop("type", None)
    definitions = generated.pop("$defs", {})
    schema.update(generated)  # anything pydantic adds in future stays, after ours
    if definitions:
        schema["$defs"] = {name: definitions[name] for name in sorted(definitions)}
    return schema


def schema_bytes(folder: str) -> bytes:
    """One schema file's exact bytes: UTF-8 JSON, two-space indent, newline at the end."""
    return (json.dumps(record_schema(folder), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def schema_files() -> dict[str, bytes]:
    """Every schema file by name (``clusters.schema.json``), in the order of :data:`~cluster_kb.kinds.KINDS`."""
    return {k.schema_file: schema_bytes(k.folder) for k in KINDS}


def check_schemas(directory: Path) -> list[str]:
    """Problems that make ``directory`` differ from the models' schemas; empty when up to date."""
    problems = []
    expected = schema_files()
    for name, data in expected.items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.read_bytes() != data:
            problems.append(f"{path}: out of date")
    if directory.is_dir():
        for path in sorted(directory.glob("*.schema.json")):
            if path.name not in expected:
                problems.append(f"{path}: no record kind '{path.name.removesuffix('.schema.json')}'; remove the file")
    return problems


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the files whose bytes changed.

    Each file is written to a temporary name and renamed, so a reader never sees half a schema.
    """
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, data in schema_files().items():
        path = directory / name
        if path.is_file() and path.read_bytes() == data:
            continue
        partial = path.with_name(f".{name}.partial")
        partial.write_bytes(data)
        partial.replace(path)
        changed.append(path)
    return changed
