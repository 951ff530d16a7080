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
composed nodes, which records the line and column of every key and value, is ours. A syntax error
is explained in plain words with its fix where the mistake is a usual one (a ': ' in unquoted
text, a line indented a space too far or too little, a quote never closed): see
:func:`_plain_words`; anything else keeps libyaml's words, located.
"""

from __future__ import annotations

import contextlib
import re
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
_Scalar = yaml.ScalarNode


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


def _yaml_problem(exc: yaml.YAMLError, path: Path, text: str = "") -> Problem:
    if isinstance(exc, yaml.composer.ComposerError) and "single document" in str(exc):
        line, col = _mark(exc.problem_mark) if exc.problem_mark else (1, 1)
        return Problem(path, line, col, "file holds several YAML documents; keep one record per file (remove '---')")
    if isinstance(exc, yaml.reader.ReaderError):
        return Problem(path, 1, exc.position + 1, f"unacceptable character #x{exc.character:04x} in file")
    if isinstance(exc, yaml.MarkedYAMLError):
        try:
            plain = _plain_words(exc, text)
        except Exception:  # the plain words are a courtesy: whatever happens, the located error still goes out
            plain = None
        if plain is not None:
            line, col, message = plain
            return Problem(path, line, col, message)
        mark = exc.problem_mark or exc.context_mark
        line, col = _mark(mark) if mark else (1, 1)
        what = " ".join(part for part in (exc.problem, exc.context and f"({exc.context})") if part)
        return Problem(path, line, col, f"invalid YAML: {what or exc}")
    return Problem(path, 1, 1, f"invalid YAML: {exc}")


# -- YAML errors in plain words ------------------------------------------------------------------
#
# libyaml says where it gave up ("mapping values are not allowed here", "did not find expected
# key"), which is seldom where the mistake is nor what to do about it. These helpers read the lines
# around that place and name the usual mistakes of a hand-edited record: a ': ' inside unquoted
# text, a line indented a space too far or too little, a quote that is never closed. Each returns
# ``(line, column, message)`` (1-based) or None, when the generic message is the honest one.

_Plain = tuple[int, int, str]

# A line that starts a field: indentation, any list dashes, the key, ':', then the value.
_FIELD_LINE = re.compile(r"^(?P<lead> *(?:- +)*)(?P<key>[^\s#'\"\[\]{},&*!|>%@`-][^\n]*?|-[^\s][^\n]*?):(?: +(?P<value>.*))?$")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
_QUOTES = "\"'"


def _plain_words(exc: yaml.MarkedYAMLError, text: str) -> _Plain | None:
    mark = exc.problem_mark
    if mark is None or not text:
        return None
    lines = text.split("\n")
    problem = exc.problem or ""
    context = exc.context or ""
    if "quoted scalar" in context and "end of stream" in problem:
        return _unclosed_quote(lines, text, exc.context_mark, mark, runs_on=None)
    quoted = _quote_before(lines, text, mark)
    if quoted is not None:
        return quoted
    if problem.startswith("mapping values are not allowed"):
        return _colon_in_text(lines, mark)
    if problem in ("did not find expected key", "did not find expected '-' indicator") or problem.startswith(
        "expected <block end>"
    ):
        return _misaligned(lines, mark, exc.context_mark, sequence="'-'" in problem or "sequence" in context)
    if problem.startswith("did not find expected ','") and exc.context_mark is not None and "flow" in context:
        opened = exc.context_mark
        what, closer = ("list", "]") if "sequence" in context else ("mapping", "}")
        opener = "[" if closer == "]" else "{"
        return (
            mark.line + 1,
            mark.column + 1,
            f"the {what} opened with '{opener}' on line {opened.line + 1}, column {opened.column + 1} is not closed: "
            f"end it with '{closer}' (and separate its items with ', ')",
        )
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _quote(text: str) -> str:
    """``text`` quoted for YAML: double quotes where that needs no escape, single quotes otherwise."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


def _split_comment(value: str) -> tuple[str, str]:
    """A plain value and its trailing comment (' # ...'), if any."""
    at = value.find(" #")
    return (value, "") if at < 0 else (value[:at].rstrip(), value[at:])


def _offset(text: str, line: int, col: int) -> int:
    """0-based (line, col) -> index into ``text``."""
    start = 0
    for _ in range(line):
        start = text.index("\n", start) + 1
    return start + col


def _unclosed_quote(lines: list[str], text: str, opened: Any, mark: Any, *, runs_on: int | None) -> _Plain | None:
    """A quoted text that never ends: point at its opening quote, not at the end of the file."""
    line, col = (opened.line, opened.column) if opened is not None else (-1, -1)
    if not (0 <= line < len(lines) and col < len(lines[line]) and lines[line][col] in _QUOTES):
        # No usable start from the parser: scan back from where it gave up to the quote that opens a value.
        found = _opening_quote_before(text, _offset(text, mark.line, min(mark.column, len(lines[mark.line]))))
        if found is None:
            return None
        line, col = found
    quote = lines[line][col]
    where = "is never closed" if runs_on is None else f"is not closed on its line, so the text runs on to line {runs_on}"
    message = f"the text quoted with {quote} here {where}; end it with {quote}"
    if not any(bracket in lines[line][:col] for bracket in "[{"):  # a plain value: show the line mended
        message += f": {(lines[line].rstrip() + quote).strip()}"
    return line + 1, col + 1, message


def _opening_quote_before(text: str, end: int) -> tuple[int, int] | None:
    """The first quote, scanning back from ``end``, that starts a value (after ': ', '- ' or a line's indentation)."""
    for index in range(min(end, len(text)) - 1, -1, -1):
        if text[index] not in _QUOTES:
            continue
        start = text.rfind("\n", 0, index) + 1
        before = text[start:index].rstrip(" ")
        if not before or before.endswith((":", "-", "[", "{", ",")):
            return text.count("\n", 0, index), index - start
    return None


def _quote_before(lines: list[str], text: str, mark: Any) -> _Plain | None:
    """Text after a closing quote: the quote closed too early, or an earlier quote was never closed."""
    last = None
    with contextlib.suppress(yaml.YAMLError):
        for token in yaml.scan(text, Loader=_NodeLoader):
            end = token.end_mark
            if (end.line, end.column) > (mark.line, mark.column):
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    if last is None or last.style not in _QUOTES or last.end_mark.line != mark.line:
        return None
    line = lines[mark.line]
    between = line[last.end_mark.column : mark.column]
    if between.strip() or mark.column >= len(line) or line[mark.column] in "#:,]}":
        return None
    start = last.start_mark
    if start.line != mark.line:
        return _unclosed_quote(lines, text, start, mark, runs_on=mark.line + 1)
    quote = last.style
    inner, _ = _split_comment(line[start.column + 1 :].rstrip())
    if inner.endswith(quote):
        inner = inner[:-1]
    fixed = line[: start.column] + _quote(inner)
    twice = "write it twice ('') or " if quote == "'" else ""
    other = '"' if quote == "'" else "'"
    return (
        mark.line + 1,
        last.end_mark.column,
        f"this {quote} ends the quoted text, but more text follows; {twice}quote the whole text with {other}: "
        f"{fixed.strip()}",
    )


def _field(line: str) -> tuple[int, str, int | None] | None:
    """``(key column, key, value column or None)`` of a line that starts a field."""
    found = _FIELD_LINE.match(line)
    if not found:
        return None
    key_col = len(found["lead"])
    value = found["value"]
    value_col = None if value is None else len(line) - len(value)
    return key_col, found["key"], value_col


def _spaces(count: int) -> str:
    return "one space" if count == 1 else f"{count} spaces"


def _colon_in_text(lines: list[str], mark: Any) -> _Plain | None:
    """'mapping values are not allowed here': a ': ' in unquoted text, or a field indented too far."""
    line = lines[mark.line]
    field = _field(line)
    if field is not None and field[2] is not None and mark.column > field[2]:
        key_col, key, value_col = field
        value = line[value_col:]
        if value[:1] in "\"'[{|>":
            return None
        plain, comment = _split_comment(value)
        fixed = f"{line[:value_col]}{_quote(plain)}{comment}".strip()
        return (
            mark.line + 1,
            value_col + 1,
            f"the text holds ': ', which YAML reads as the start of a field; put the text in quotes: {fixed}",
        )
    # The ': ' is on a line that continues the value of a field above it.
    indent = _indent(line)
    if line[indent:].startswith("-"):
        return None  # a list entry after a field with a value: no one fix to offer
    for number in range(mark.line - 1, -1, -1):
        above = lines[number]
        if not above.strip() or above.lstrip().startswith("#") or _indent(above) >= indent:
            continue
        owner = _field(above)
        if owner is None:
            return None
        key_col, key, value_col = owner
        written = _field(line)
        if written is not None and _FIELD_NAME.fullmatch(written[1]):
            return (
                mark.line + 1,
                indent + 1,
                f"'{written[1]}' is indented {_spaces(indent - key_col)} too far; "
                f"line it up with '{key}' on line {number + 1}, column {key_col + 1}",
            )
        return (
            mark.line + 1,
            indent + 1,
            f"the text of '{key}' (line {number + 1}) holds ': ' on this line, which YAML reads as the start of a field; "
            "put the whole text in quotes",
        )
    return None


def _anchors(lines: list[str], first: int, last: int) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
    """List dashes ``(line, col)`` and field keys ``(line, col, key)`` written on lines first..last-1."""
    dashes: list[tuple[int, int]] = []
    keys: list[tuple[int, int, str]] = []
    for number in range(max(first, 0), last):
        line = lines[number]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        col = _indent(line)
        while line[col : col + 2] == "- " or line[col:].rstrip() == "-":
            dashes.append((number, col))
            col += 1
            while col < len(line) and line[col] == " ":
                col += 1
        field = _field(line)
        if field is not None and field[0] == col:
            keys.append((number, col, field[1]))
    return dashes, keys


def _misaligned(lines: list[str], mark: Any, context: Any, *, sequence: bool) -> _Plain | None:
    """'did not find expected key' / '-' indicator: a line that lines up with nothing above it."""
    number = mark.line
    if number >= len(lines):
        return None
    line = lines[number]
    indent = _indent(line)
    if mark.column != indent or not line.strip():
        return None
    first = context.line if context is not None else 0
    dashes, keys = _anchors(lines, first, number)
    _, every_key = _anchors(lines, 0, number)
    is_dash = line[indent : indent + 2] == "- " or line[indent:].rstrip() == "-"
    if is_dash:
        if not dashes:
            return None
        best = min(dashes, key=lambda d: (abs(d[1] - indent), -d[0]))
        if best[1] == indent:
            return None
        how = "too far" if indent > best[1] else "too little"
        return (
            number + 1,
            indent + 1,
            f"this list entry is indented {_spaces(abs(indent - best[1]))} {how}; "
            f"line its '-' up with the '-' on line {best[0] + 1}, column {best[1] + 1}",
        )
    written = _field(line)
    if written is None:
        return None
    key = written[1]
    if sequence and context is not None:
        # Inside a list: the field belongs to its last entry, or (aligned with the dashes) maybe above the list.
        dash_col = context.column
        entry = max((d[0] for d in dashes if d[1] == dash_col), default=first)
        candidates = [k for k in keys if k[0] >= entry and k[1] > dash_col]
        if indent <= dash_col:
            candidates += [k for k in every_key if k[1] < dash_col]
        if not candidates:
            return None
    else:
        candidates = keys
    columns = sorted({k[1] for k in candidates}, key=lambda c: (abs(c - indent), c))
    if not columns or columns[0] == indent:
        return None
    nearest = [c for c in columns if abs(c - indent) == abs(columns[0] - indent)]

    def sibling(col: int) -> tuple[int, int, str]:
        return max((k for k in candidates if k[1] == col), key=lambda k: k[0])

    first_line, first_col, first_key = sibling(nearest[0])
    if len(nearest) == 1:
        how = "too far" if indent > first_col else "too little"
        return (
            number + 1,
            indent + 1,
            f"'{key}' is indented {_spaces(abs(indent - first_col))} {how}; "
            f"line it up with '{first_key}' on line {first_line + 1}, column {first_col + 1}",
        )
    deep_line, deep_col, deep_key = sibling(nearest[1])
    owner = next((k for k in sorted(every_key, key=lambda k: -k[0]) if k[0] < deep_line and k[1] < deep_col), None)
    under = f"to put it under '{owner[2]}', " if owner is not None else "to put it one level down, "
    return (
        number + 1,
        indent + 1,
        f"'{key}' lines up with no field above it; line it up with '{first_key}' on line {first_line + 1}, "
        f"column {first_col + 1}, or, {under}with '{deep_key}' on line {deep_line + 1}, column {deep_col + 1}",
    )


def load_bytes(raw: bytes, path: Path) -> Document:
    """Load a record from its bytes. Raises :class:`LoadError`; never anything else for any input."""
    text = _decode(raw, path)
    _check_tabs(text, path)
    try:
        node = yaml.compose(text, Loader=_NodeLoader)
    except yaml.YAMLError as exc:
        raise LoadError([_yaml_problem(exc, path, text)]) from None
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
        # A plain string scalar, the most common node by far, is read in place: no call, no location
        # (both only matter for a problem, and then the general path below is taken).
        fast = not self.record
        seen = self._seen
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._fail(node, f"YAML tag '{_short_tag(node.tag)}' is not allowed; write plain values", loc)
                return None
            items: list[Any] = []
            for index, item in enumerate(node.value):
                if fast and item.__class__ is _Scalar and item.tag == _STR and id(item) not in seen:
                    seen.add(id(item))
                    items.append(None if not item.style and item.value in _NULLS else item.value)
                else:
                    items.append(self.walk(item, (*loc, index), depth + 1))
            return items
        if node.tag != _MAP:
            self._fail(node, f"YAML tag '{_short_tag(node.tag)}' is not allowed; write plain values", loc)
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not _Scalar or key_node.tag != _STR:
                self._fail(key_node, "mapping keys must be plain field names", loc)
                continue
            key = key_node.value
            if key in result:
                first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key)
                self._fail(key_node, f"duplicate key '{key}' (first written on line {first.start_mark.line + 1})")
                continue
            if fast and value_node.__class__ is _Scalar and value_node.tag == _STR and id(value_node) not in seen:
                seen.add(id(value_node))
                result[key] = None if not value_node.style and value_node.value in _NULLS else value_node.value
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
