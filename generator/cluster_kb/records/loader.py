"""Strict YAML loading with positions.

The knowledge base is written by people in web editors, so the loader is strict where PyYAML is
lenient, and every refusal is a located :class:`~generator.problems.Problem`:

* YAML 1.2 meaning, decided by the schema rather than by YAML 1.1's implicit typing. Every plain
  scalar is kept as text (``NO``, ``on``, ``1.10`` and ``2018-05-30`` all stay strings) and the
  pydantic models turn text into a number or a date only where a field says so. Only the YAML 1.2
  null spellings (``~``, ``null``, nothing) of a plain scalar become ``None``.
* Duplicate keys, explicit tags (``!!python/object`` and friends, which therefore never
  execute), anchors and aliases (so an alias bomb is refused without being expanded), several
  documents in one file, tabs in indentation, non-UTF-8 bytes, empty files and files over
  :data:`MAX_BYTES` are errors. A UTF-8 byte-order mark is accepted.

Parsing and composing run in libyaml (PyYAML's C parser) when it is available; the walk over the
composed nodes, which records the line and column of every key and value, is ours.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from .problems import Problem

__all__ = ["MAX_BYTES", "Document", "LoadError", "Loc", "load_bytes", "load_file"]

MAX_BYTES = 1_000_000
"""Largest record file accepted, in bytes. A record is a page, not a data dump."""

Loc = tuple[str | int, ...]
"""A path into a document: mapping keys and list indexes, as pydantic reports locations."""

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
WITH_LIBYAML: bool = _BaseLoader is not yaml.SafeLoader


class _NodeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Composes nodes only; no implicit resolvers, so every plain scalar is tagged ``str``."""

    yaml_implicit_resolvers: ClassVar[dict[str, Any]] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """Untagged nodes: text, list or mapping, never a YAML 1.1 implicit type (and fast)."""
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass
class Document:
    """A loaded record file: plain data, and where each piece of it was written.

    Positions are only needed to report a problem, so they are worked out on first use by
    walking the file's nodes again; the common, valid path never pays for them.
    """

    path: Path
    data: dict[str, Any]
    text: str = field(default="", repr=False)
    problems: list[Problem] = field(default_factory=list)
    """Problems that left the rest of the file readable (duplicate keys, tags, aliases)."""
    flagged: set[Loc] = field(default_factory=set)
    """Locations already reported by the loader; validation stays quiet about them."""
    _positions: tuple[dict[Loc, tuple[int, int]], dict[Loc, tuple[int, int]]] | None = field(
        default=None, init=False, repr=False
    )

    @property
    def values(self) -> dict[Loc, tuple[int, int]]:
        """1-based (line, column) of each value, by location."""
        return self._locate()[0]

    @property
    def keys(self) -> dict[Loc, tuple[int, int]]:
        """1-based (line, column) of each mapping key, by the location of its value."""
        return self._locate()[1]

    def _locate(self) -> tuple[dict[Loc, tuple[int, int]], dict[Loc, tuple[int, int]]]:
        if self._positions is None:
            walker = _Walker(self.path, self.text, record=True)
            with contextlib.suppress(yaml.YAMLError, RecursionError):  # it composed once already
                walker.walk(yaml.compose(self.text, Loader=_NodeLoader), ())
            self._positions = (walker.values, walker.keys)
        return self._positions

    def is_flagged(self, loc: Loc) -> bool:
        return any(loc[: len(f)] == f for f in self.flagged) if self.flagged else False

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Where ``loc`` was written; falls back to the nearest enclosing place that exists."""
        values, keys = self._locate()
        table = keys if key else values
        while loc:
            if loc in table:
                return table[loc]
            if key and loc in values:
                return values[loc]
            loc = loc[:-1]
            table = values
        return values.get((), (1, 1))

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, col = self.position(loc, key=key)
        return Problem(self.path, line, col, message)


class LoadError(Exception):
    """The file could not be read as one strict YAML mapping."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def load_file(path: Path) -> Document:
    """Read and load one record file; raises :class:`LoadError` with located problems."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError([Problem(path, 1, 1, f"file is {size:,} bytes; a record file may be at most {MAX_BYTES:,} bytes")])
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError([Problem(path, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    return load_bytes(raw, path)


def _decode(raw: bytes, path: Path) -> str:
    if len(raw) > MAX_BYTES:
        raise LoadError([Problem(path, 1, 1, f"file is {len(raw):,} bytes; a record file may be at most {MAX_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            [Problem(path, line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8")]
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _check_tabs(text: str, path: Path) -> None:
    """Tabs in indentation: YAML forbids them, and PyYAML's own message does not say so."""
    problems = []
    for number, line in enumerate(text.split("\n") if "\t" in text else (), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            col = line.index("\t") + 1
            problems.append(Problem(path, number, col, "tab character in indentation; indent with spaces"))
    if problems:
        raise LoadError(problems)


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _yaml_problem(exc: yaml.YAMLError, path: Path) -> Problem:
    if isinstance(exc, yaml.composer.ComposerError) and "single document" in str(exc):
        line, col = _mark(exc.problem_mark) if exc.problem_mark else (1, 1)
        return Problem(path, line, col, "file holds several YAML documents; keep one record per file (remove '---')")
    if isinstance(exc, yaml.reader.ReaderError):
        return Problem(path, 1, exc.position + 1, f"unacceptable character #x{exc.character:04x} in file")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = _mark(mark) if mark else (1, 1)
        what = " ".join(part for part in (exc.problem, exc.context and f"({exc.context})") if part)
        return Problem(path, line, col, f"invalid YAML: {what or exc}")
    return Problem(path, 1, 1, f"invalid YAML: {exc}")


def load_bytes(raw: bytes, path: Path) -> Document:
    """Load a record from its bytes. Raises :class:`LoadError`; never anything else for any input."""
    text = _decode(raw, path)
    _check_tabs(text, path)
    try:
        node = yaml.compose(text, Loader=_NodeLoader)
    except yaml.YAMLError as exc:
        raise LoadError([_yaml_problem(exc, path)]) from None
    except RecursionError:
        raise LoadError([Problem(path, 1, 1, "YAML nesting is too deep")]) from None
    if node is None or (isinstance(node, yaml.ScalarNode) and not node.style and node.value in _NULLS):
        raise LoadError([Problem(path, 1, 1, "file is empty; a record file holds one YAML mapping")])
    if not isinstance(node, yaml.MappingNode) or node.tag != _MAP:
        line, col = _mark(node.start_mark)
        raise LoadError([Problem(path, line, col, "a record file must hold a mapping of fields (name: ..., sources: ...)")])
    walker = _Walker(path, text)
    data = walker.walk(node, ())
    return Document(path, data, text, walker.problems, walker.flagged)


class _Walker:
    """Turns composed nodes into dicts, lists and strings; with ``record``, notes positions too."""

    def __init__(self, path: Path, text: str, *, record: bool = False) -> None:
        self.path = path
        self.text = text
        self.record = record
        self.values: dict[Loc, tuple[int, int]] = {}
        self.keys: dict[Loc, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._seen: set[int] = set()
        self._aliases_reported = False
        self.flagged: set[Loc] = set()

    def _fail(self, node: yaml.Node, message: str, loc: Loc | None = None) -> None:
        line, col = _mark(node.start_mark)
        self.problems.append(Problem(self.path, line, col, message))
        if loc is not None:
            self.flagged.add(loc)

    def walk(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        if depth > 50:
            self._fail(node, "YAML nesting is too deep (more than 50 levels)", loc)
            return None
        if id(node) in self._seen:
            self._alias()
            self.flagged.add(loc)
            return None
        self._seen.add(id(node))
        if self.record:
            mark = node.start_mark
            self.values[loc] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _STR:
                self._fail(node, f"YAML tag '{_short_tag(node.tag)}' is not allowed; write plain values", loc)
                return None
            if not node.style and node.value in _NULLS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._fail(node, f"YAML tag '{_short_tag(node.tag)}' is not allowed; write plain values", loc)
                return None
            return [self.walk(item, (*loc, index), depth + 1) for index, item in enumerate(node.value)]
        if node.tag != _MAP:
            self._fail(node, f"YAML tag '{_short_tag(node.tag)}' is not allowed; write plain values", loc)
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                self._fail(key_node, "mapping keys must be plain field names", loc)
                continue
            key = key_node.value
            if key in result:
                first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key)
                self._fail(key_node, f"duplicate key '{key}' (first written on line {first.start_mark.line + 1})")
                continue
            if self.record:
                mark = key_node.start_mark
                self.keys[(*loc, key)] = (mark.line + 1, mark.column + 1)
            result[key] = self.walk(value_node, (*loc, key), depth + 1)
        return result

    def _alias(self) -> None:
        """Report every alias where it is written. Only runs on this rare path, so it may re-parse."""
        if self._aliases_reported:
            return
        self._aliases_reported = True
        for event in yaml.parse(self.text, Loader=_NodeLoader):
            if isinstance(event, yaml.AliasEvent):
                line, col = _mark(event.start_mark)
                self.problems.append(
                    Problem(self.path, line, col, f"YAML aliases (*{event.anchor}) are not allowed; write the value out")
                )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag
