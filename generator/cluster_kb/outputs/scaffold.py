"""New record files with every field present, commented and waiting to be filled.

:func:`render_record` writes the text of ``content/<kind>/<id>.yaml`` from the kind's JSON Schema
(see :mod:`generator.schema`), so the scaffold names exactly the fields the models accept, in the
same order and with the same descriptions an editor shows. Required fields are left empty and
marked ``REQUIRED``: until a contributor fills them, ``cluster-kb validate`` reports each one at its
line; once filled (and the references point at existing records) the file validates. Optional
fields are present and empty, which is valid and reads as "not yet documented".
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..kinds import KINDS
from ..kinds import kind as _kind
from ..kinds import resolve_kind as _resolve
from ..records.models import id_problem
from .schema import record_schema

__all__ = [
    "KIND_ALIASES",
    "SCHEMA_LINE",
    "ScaffoldError",
    "create_record",
    "render_record",
    "resolve_kind",
    "schema_line",
    "singular",
]

SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/{file}"
"""First line of every record file: content/<kind>/<id>.yaml -> schemas/<kind>.schema.json."""

KIND_ALIASES: dict[str, str] = {k.noun: k.folder for k in KINDS}
"""Singular nouns accepted for a kind's folder name."""

# Which field each prefill option fills, per kind.
_TERRITORY_FIELD = {"clusters": "territory", "territories": "parent", "editions": "invited"}
_SECTOR_FIELD = {"clusters": "sectors", "editions": "sectors"}

_WIDTH = 100
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_PLAIN = re.compile(r"[^\W_][\w .,'’&()/+-]*", re.UNICODE)


class ScaffoldError(ValueError):
    """A request that cannot become a record file (bad id, option that does not apply)."""


def resolve_kind(text: str) -> str | None:
    """The folder name for ``text`` (``clusters`` or ``cluster``), or ``None``."""
    found = _resolve(text)
    return found.folder if found else None


def schema_line(folder: str) -> str:
    """``# yaml-language-server: $schema=../../schemas/<kind>.schema.json``."""
    return SCHEMA_LINE.format(file=_kind(folder).schema_file)


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back the same, double-quoted otherwise."""
    if text not in _NULLS and _PLAIN.fullmatch(text) and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar(item) for item in items) + "]"


# -- reading the schema ------------------------------------------------------------------------


def _unwrap(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The non-null branch of ``anyOf: [X, null]`` and whether null was allowed."""
    options = prop.get("anyOf")
    if options:
        rest = [option for option in options if option.get("type") != "null"]
        if len(rest) == 1 and len(rest) < len(options):
            return {**rest[0], **{k: v for k, v in prop.items() if k != "anyOf"}}, True
    return prop, False


def _definition(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    name = ref.rsplit("/", 1)[-1]
    definition: dict[str, Any] = schema["$defs"][name]
    return definition


def _shape(schema: dict[str, Any], prop: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """``("object" | "objects" | "list" | "scalar", definition of the nested object or None)``."""
    prop, _ = _unwrap(prop)
    if "$ref" in prop:
        return "object", _definition(schema, prop["$ref"])
    if prop.get("type") == "array":
        items = prop.get("items", {})
        if "$ref" in items:
            return "objects", _definition(schema, items["$ref"])
        return "list", None
    return "scalar", None


def _types(prop: dict[str, Any]) -> set[str]:
    declared = prop.get("type", [])
    return set(declared) if isinstance(declared, list) else {declared}


def _hint(prop: dict[str, Any]) -> str:
    """What kind of value goes here, when the description does not already say it."""
    prop, _ = _unwrap(prop)
    description = prop.get("description", "")
    if "enum" in prop:
        return "One of: " + ", ".join(f"'{option}'" for option in prop["enum"]) + "."
    kinds = set().union(*(_types(option) for option in prop.get("anyOf", []))) or _types(prop)
    if kinds == {"integer"}:
        low, high = prop.get("minimum"), prop.get("maximum")
        if low is not None and high is not None:
            return f"A whole number from {low} to {high}."
        if low is not None:
            return f"A whole number, {low} or more."
        return "A whole number."
    if kinds == {"integer", "number"}:
        return "A number, without words such as 'more than' (those go in 'qualifier')."
    if prop.get("format") == "date" and "YYYY" not in description:
        return "A date: YYYY-MM-DD."
    if prop.get("type") == "array" and prop.get("minItems"):
        return f"At least {prop['minItems']}."
    return ""


def _comment(prop: dict[str, Any], required: bool) -> str:
    parts = ["REQUIRED." if required else "", prop.get("description", "").strip(), _hint(prop)]
    return " ".join(part for part in parts if part)


def _comment_lines(text: str, indent: str = "") -> list[str]:
    width = _WIDTH - len(indent) - 2
    return [f"{indent}# {line}" for line in textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)]


def _item_lines(schema: dict[str, Any], definition: dict[str, Any], indent: str) -> list[str]:
    """One list entry, a field a line with its description as an inline comment."""
    required = set(definition.get("required", []))
    properties: dict[str, Any] = definition.get("properties", {})
    rows = []
    for position, (name, prop) in enumerate(properties.items()):
        shape, nested = _shape(schema, prop)
        value = " []" if shape in ("list", "objects") else ""
        lead = f"{indent}- " if position == 0 else f"{indent}  "
        comment = _comment(prop, name in required)
        if nested is not None:
            comment += f" Entries have: {', '.join(nested.get('properties', {}))}."
        rows.append((f"{lead}{name}:{value}", comment))
    width = max(len(code) for code, _ in rows) + 2
    return [f"{code:<{width}}# {comment}" if comment else code for code, comment in rows]


def _object_lines(schema: dict[str, Any], definition: dict[str, Any], indent: str) -> list[str]:
    """A nested mapping's fields, one a line with inline comments."""
    return [line.replace("- ", "  ", 1) if i == 0 else line for i, line in enumerate(_item_lines(schema, definition, indent))]


def _field_lines(
    schema: dict[str, Any], name: str, prop: dict[str, Any], required: bool, value: str | list[str] | None
) -> Iterator[str]:
    if name == "synthetic":
        return  # only generated test and benchmark records say it, and they never go in content/
    shape, nested = _shape(schema, prop)
    comment = _comment(prop, required)
    if name == "language":
        comment = (
            "The language you write the text fields in: en, es or ca. A text field may also give its text in "
            "several languages: summary: {en: ..., es: ..., ca: ...}."
        )
        value = value or "en"
    if shape == "objects" and nested is not None and not required:
        comment += " To add entries, replace [] with entries shaped like the commented lines below."
    if shape == "object" and nested is not None:
        comment += " To fill it, write its fields below it, shaped like the commented lines."
    yield ""
    yield from _comment_lines(comment)
    if shape == "objects" and nested is not None:
        if required:
            yield f"{name}:"
            yield from _item_lines(schema, nested, "  ")
        else:
            yield f"{name}: []"
            yield from (f"# {line}" for line in _item_lines(schema, nested, "  "))
    elif shape == "object" and nested is not None:
        yield f"{name}:"
        yield from (f"# {line}" for line in _object_lines(schema, nested, ""))
    elif shape == "list":
        items = value if isinstance(value, list) else []
        yield f"{name}: {_flow_list(items)}"
    else:
        yield f"{name}: {_scalar(value)}" if isinstance(value, str) else f"{name}:"


def _check_id(option: str, value: str) -> None:
    message = id_problem(value)
    if message:
        raise ScaffoldError(f"{option}: {message}")


def render_record(
    kind: str,
    record_id: str,
    *,
    name: str | None = None,
    territory: str | None = None,
    sectors: Sequence[str] = (),
) -> str:
    """The text of a new ``content/<kind>/<record_id>.yaml``; raises :class:`ScaffoldError` on bad input.

    ``name``, ``territory`` and ``sectors`` prefill the fields they name: ``territory`` is a
    cluster's territory, a territory's parent or an edition's invited territory; ``sectors`` are
    a cluster's or an edition's sectors.
    """
    folders = [k.folder for k in KINDS]
    if kind not in folders:
        raise ScaffoldError(f"unknown kind '{kind}'; use one of: {', '.join(folders)}")
    message = id_problem(record_id)
    if message:
        raise ScaffoldError(message)
    values: dict[str, str | list[str]] = {}
    if name is not None:
        if not name.strip():
            raise ScaffoldError("--name: must not be empty")
        values["name"] = name.strip()
    if territory is not None:
        if kind not in _TERRITORY_FIELD:
            raise ScaffoldError(f"--territory does not apply to {kind}; it fills: {_applies(_TERRITORY_FIELD)}")
        _check_id("--territory", territory)
        field = _TERRITORY_FIELD[kind]
        values[field] = [territory] if field == "invited" else territory
    if sectors:
        if kind not in _SECTOR_FIELD:
            raise ScaffoldError(f"--sector does not apply to {kind}; it fills: {_applies(_SECTOR_FIELD)}")
        for sector in sectors:
            _check_id("--sector", sector)
        values[_SECTOR_FIELD[kind]] = list(dict.fromkeys(sectors))

    schema = record_schema(kind)
    model = _kind(kind).model
    summary = (model.__doc__ or model.__name__).strip().splitlines()[0]
    lines = [schema_line(kind)]
    lines += _comment_lines(
        f"New {model.__name__.lower()} '{record_id}': {summary[0].lower()}{summary[1:]} "
        "Written by `cluster-kb new`. Fill every field marked REQUIRED; `cluster-kb validate content` "
        "(or the pull-request check) points at each one still empty. Leave an optional field empty when "
        "no source states it: the page then says 'not yet documented'. Every fact must come from one of "
        "the `sources` at the end, in your own words. Text fields take plain text in the record's `language`, "
        "or one text per language: {en: ..., es: ..., ca: ...}. The id is the file name: never add an `id:` field. "
        "You may delete these comment lines."
    )
    required = set(schema.get("required", []))
    for field, prop in schema["properties"].items():
        lines.extend(_field_lines(schema, field, prop, field in required, values.get(field)))
    return "\n".join(lines) + "\n"


def singular(kind: str) -> str:
    """``clusters`` -> ``cluster``, ``decalogue`` -> ``principle``."""
    return next((noun for noun, folder in KIND_ALIASES.items() if folder == kind), kind)


def _applies(table: dict[str, str]) -> str:
    parts = []
    for kind, field in table.items():
        noun = singular(kind)
        parts.append(f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}'s '{field}'")
    return ", ".join(parts)


def create_record(
    content: Path,
    kind: str,
    record_id: str,
    *,
    name: str | None = None,
    territory: str | None = None,
    sectors: Sequence[str] = (),
) -> Path:
    """Write ``content/<kind>/<record_id>.yaml`` and return its path.

    Raises :class:`ScaffoldError` on bad input and :class:`FileExistsError` when the file exists:
    a scaffold never overwrites a record.
    """
    text = render_record(kind, record_id, name=name, territory=territory, sectors=sectors)
    folder = content / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_id}.yaml"
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path
