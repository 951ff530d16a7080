"""The strict loader: YAML 1.2 meaning, refusals with positions, and no crash on any input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cluster_kb.kinds import KINDS as _KINDS
from cluster_kb.records.load import LoadCache, flag_misplaced_fields, read_records
from cluster_kb.records.loader import MAX_BYTES, WITH_LIBYAML, Document, LoadError, load_bytes
from cluster_kb.records.validation import validate_documents
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KINDS = {k.folder: k.model for k in _KINDS}

PATH = Path("content/territories/x.yaml")


def load(text: str | bytes) -> Document:
    return load_bytes(text.encode() if isinstance(text, str) else text, PATH)


def messages(text: str | bytes) -> list[str]:
    try:
        doc = load(text)
    except LoadError as exc:
        return [f"{p.line}:{p.col}: {p.message}" for p in exc.problems]
    return [f"{p.line}:{p.col}: {p.message}" for p in doc.problems]


def test_uses_libyaml() -> None:
    assert WITH_LIBYAML, "PyYAML was installed without libyaml: loading 10,000 records would be too slow"


@pytest.mark.parametrize("word", ["NO", "no", "yes", "on", "off", "Y", "n", "True", "2018-05-30", "1.10", "0x10", "1e3"])
def test_plain_scalars_stay_text(word: str) -> None:
    assert load(f"value: {word}\n").data == {"value": word}


@pytest.mark.parametrize("word", ["", "~", "null", "Null", "NULL"])
def test_yaml_1_2_nulls(word: str) -> None:
    assert load(f"value: {word}\n").data == {"value": None}


def test_quoted_null_is_text() -> None:
    assert load('value: "null"\n').data == {"value": "null"}


def test_norway_country_code_stays_no() -> None:
    doc = load("name: Norway\nkind: country\ncountry_code: NO\nsources:\n  - title: t\n")
    record = KINDS["territories"].model_validate(doc.data)
    assert record.country_code == "NO"


def test_version_1_10_is_not_1_1() -> None:
    doc = load("name: 1.10\nsources:\n  - title: 1.10\necosystem: Health\n")
    record = KINDS["sectors"].model_validate(doc.data)
    assert record.name == "1.10"


def test_byte_order_mark_is_accepted() -> None:
    assert load(b"\xef\xbb\xbfname: x\n").data == {"name": "x"}


def test_positions_are_recorded_for_keys_and_values() -> None:
    doc = load("name: x\nlist:\n  - a: 1\n    b:  two\n")
    assert doc.values[("name",)] == (1, 7)
    assert doc.values[("list", 0, "b")] == (4, 9)
    assert doc.keys[("list", 0, "b")] == (4, 5)
    assert doc.position(("list", 0, "missing")) == (3, 5)


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    assert messages("a: 1\nb: 2\na: 3\n") == ["3:1: duplicate key 'a' (first written on line 1)"]


def test_nested_duplicate_keys() -> None:
    assert messages("a:\n  b: 1\n  b: 2\n") == ["3:3: duplicate key 'b' (first written on line 2)"]


def test_explicit_tags_are_refused() -> None:
    assert messages("a: !!python/name:os.system x\n") == [
        "1:4: YAML tag '!!python/name:os.system' is not allowed; write plain values"
    ]
    assert messages("a: !!int 3\n") == ["1:4: YAML tag '!!int' is not allowed; write plain values"]
    assert messages("a: !custom\n  b: 1\n") == ["1:4: YAML tag '!custom' is not allowed; write plain values"]


def test_alias_bomb_is_refused_without_expansion() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(lines) + "\n"
    found = messages(bomb)
    # Every alias is reported once, where it is written; nothing is expanded (9**9 items otherwise).
    assert len(found) == 8 * 9
    assert found[0] == "2:8: YAML aliases (*a) are not allowed; write the value out"


def test_an_alias_of_a_plain_scalar_is_refused_where_it_is_written() -> None:
    # Plain strings are read in place (the common case); an alias to one is still the same node.
    assert messages("a: &x hello\nb: *x\n") == ["2:4: YAML aliases (*x) are not allowed; write the value out"]
    assert messages("a: &x hello\nb: [one, *x]\n") == ["2:10: YAML aliases (*x) are not allowed; write the value out"]
    assert load("a: &x hello\nb: *x\n").is_flagged(("b",))


def test_merge_keys_are_plain_unknown_keys() -> None:
    assert load("'<<': x\n").data == {"<<": "x"}


def test_several_documents() -> None:
    assert messages("a: 1\n---\nb: 2\n") == ["2:1: file holds several YAML documents; keep one record per file (remove '---')"]


def test_empty_and_comment_only_files() -> None:
    for text in ("", "\n\n", "# just a comment\n", "---\n"):
        assert messages(text) == ["1:1: file is empty; a record file holds one YAML mapping"]


def test_tabs_in_indentation() -> None:
    assert messages("a:\n\tb: 1\n") == ["2:1: tab character in indentation; indent with spaces"]


def test_tabs_inside_text_are_fine() -> None:
    assert load('a: "x\ty"\n').data == {"a": "x\ty"}


def test_non_utf8_bytes() -> None:
    assert messages(b"a: ok\nb: caf\xe9\n") == ["2:7: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"]


def test_files_over_the_limit() -> None:
    big = b"a: " + b"x" * MAX_BYTES + b"\n"
    assert messages(big) == [f"1:1: file is {len(big):,} bytes; a record file may be at most {MAX_BYTES:,} bytes"]


def test_syntax_errors_are_located() -> None:
    assert messages("a: [1, 2\nb: 3\n")[0].startswith("2:")
    # An unclosed quote is reported where it opens, not where the file ends.
    assert messages("a: 'unterminated\n")[0].startswith("1:4: the text quoted with ' here is never closed")


def test_top_level_must_be_a_mapping() -> None:
    assert messages("- a\n- b\n") == ["1:1: a record file must hold a mapping of fields (name: ..., sources: ...)"]
    assert messages("just text\n") == ["1:1: a record file must hold a mapping of fields (name: ..., sources: ...)"]


def test_complex_keys_are_refused() -> None:
    assert messages("? [a, b]\n: 1\n") == ["1:3: mapping keys must be plain field names"]


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * 200 + "]" * 200 + "\n"
    assert messages(text)[0].endswith("YAML nesting is too deep (more than 50 levels)")


# -- YAML mistakes in plain words, each with its fix ------------------------------------------------

PLAIN_WORDS = {
    "colon in text": (
        "name: X\nsummary: Results: more than 50\n",
        "2:10: the text holds ': ', which YAML reads as the start of a field; "
        'put the text in quotes: summary: "Results: more than 50"',
    ),
    "colon in text, keeping its comment": (
        "name: X\nsummary: Results: more than 50  # from the report\n",
        "2:10: the text holds ': ', which YAML reads as the start of a field; "
        'put the text in quotes: summary: "Results: more than 50" # from the report',
    ),
    "colon in text holding double quotes": (
        'name: X\nsummary: Results: "more" than 50\n',
        "2:10: the text holds ': ', which YAML reads as the start of a field; "
        "put the text in quotes: summary: 'Results: \"more\" than 50'",
    ),
    "colon in a list entry's text": (
        "name: X\npractices:\n  - title: Results: more than 50\n",
        "3:12: the text holds ': ', which YAML reads as the start of a field; "
        'put the text in quotes: - title: "Results: more than 50"',
    ),
    "colon in the second line of a text": (
        "name: X\nsummary: The cluster grew.\n  Results: more than 50\n",
        "3:3: the text of 'summary' (line 2) holds ': ' on this line, which YAML reads as the start of a field; "
        "put the whole text in quotes",
    ),
    "field one space too far": (
        "name: X\nsynthetic: true\n kind: city\n",
        "3:2: 'kind' is indented one space too far; line it up with 'synthetic' on line 2, column 1",
    ),
    "entry field one space too far": (
        "name: X\nsources:\n  - title: t\n     url: https://x.org\n",
        "4:6: 'url' is indented one space too far; line it up with 'title' on line 3, column 5",
    ),
    "entry field one space too little": (
        "name: X\nsources:\n  - title: t\n   url: https://x.org\n",
        "4:4: 'url' is indented one space too little; line it up with 'title' on line 3, column 5",
    ),
    "entry field two spaces too little": (
        "name: X\nsources:\n  - title: t\n    url: u\n   publisher: p\n",
        "5:4: 'publisher' is indented one space too little; line it up with 'url' on line 4, column 5",
    ),
    "list entry one space too far": (
        "name: X\nsources:\n  - title: t\n   - title: u\n",
        "4:4: this list entry is indented one space too far; line its '-' up with the '-' on line 3, column 3",
    ),
    "list entry one space too little": (
        "name: X\nsectors:\n  - a\n - b\n",
        "4:2: this list entry is indented one space too little; line its '-' up with the '-' on line 3, column 3",
    ),
    "list entry inside an entry": (
        "sources:\n  - title: t\n    url: u\n    - title: v\n",
        "4:5: this list entry is indented 2 spaces too far; line its '-' up with the '-' on line 2, column 3",
    ),
    "field after a list, one space too far": (
        "name: X\nsectors:\n  - a\n kind: city\n",
        "4:2: 'kind' is indented one space too far; line it up with 'sectors' on line 2, column 1",
    ),
    "field between two levels": (
        "name: X\ndelegation:\n  summary: s\n counts: []\n",
        "4:2: 'counts' lines up with no field above it; line it up with 'delegation' on line 2, column 1, or, "
        "to put it under 'delegation', with 'summary' on line 3, column 3",
    ),
    "unclosed double quote": (
        'name: "Norway\nkind: country\n',
        '1:7: the text quoted with " here is never closed; end it with ": name: "Norway"',
    ),
    "unclosed single quote": (
        "name: X\nsummary: 'It is\nkind: country\n",
        "2:10: the text quoted with ' here is never closed; end it with ': summary: 'It is'",
    ),
    "unclosed quote in a list": (
        'name: X\nsectors: ["a, b]\nkind: x\n',
        '2:11: the text quoted with " here is never closed; end it with "',
    ),
    "quote that runs on to a later line": (
        'name: "Norway\nkind: country\nsummary: "A text"\n',
        '1:7: the text quoted with " here is not closed on its line, so the text runs on to line 3; '
        'end it with ": name: "Norway"',
    ),
    "apostrophe in single-quoted text": (
        "name: X\nsummary: 'It's fine'\n",
        "2:13: this ' ends the quoted text, but more text follows; write it twice ('') or quote the whole text "
        'with ": summary: "It\'s fine"',
    ),
    "double quote in double-quoted text": (
        'name: X\nsummary: "He said "hi" to me"\n',
        "2:19: this \" ends the quoted text, but more text follows; quote the whole text with ': "
        "summary: 'He said \"hi\" to me'",
    ),
    "unclosed flow list": (
        "a: [1, 2\nb: 3\n",
        "2:2: the list opened with '[' on line 1, column 4 is not closed: end it with ']' (and separate its items with ', ')",
    ),
    "unclosed flow mapping": (
        "a: {b: 1\nc: 2\n",
        "2:2: the mapping opened with '{' on line 1, column 4 is not closed: end it with '}' (and separate its items with ', ')",
    ),
}


@pytest.mark.parametrize("case", sorted(PLAIN_WORDS))
def test_yaml_mistakes_are_explained_with_their_fix(case: str) -> None:
    text, expected = PLAIN_WORDS[case]
    assert messages(text) == [expected]


def test_no_libyaml_jargon_for_the_usual_mistakes() -> None:
    for text, _ in PLAIN_WORDS.values():
        (message,) = messages(text)
        for jargon in ("mapping values are not allowed", "did not find expected", "<block end>", "end of stream"):
            assert jargon not in message


def test_the_fixed_line_of_a_colon_in_text_loads_as_the_text() -> None:
    for text, expected in (PLAIN_WORDS["colon in text"], PLAIN_WORDS["colon in text holding double quotes"]):
        fixed = expected.split("put the text in quotes: ", 1)[1]
        written = text.split("\n")[1].split(": ", 1)[1]
        assert load(f"{fixed}\n").data == {"summary": written}


def test_an_unexplained_mistake_keeps_the_generic_message() -> None:
    assert messages("a:\n  b: 1\n  - c\n") == ["3:3: invalid YAML: did not find expected key (while parsing a block mapping)"]


def _misplaced(folder: str, text: str) -> list[str]:
    doc = load(text)
    flag_misplaced_fields(folder, doc)
    _, problems = validate_documents([(folder, "x", doc)])
    # Alone, the record's references resolve to nothing: those messages are not the point here.
    return [f"{p.line}:{p.col}: {p.message}" for p in problems if "records yet" not in p.message]


def test_a_field_written_one_level_too_high_says_where_it_belongs() -> None:
    text = "name: N\nkind: country\nsources:\n  - title: A\n  - title: B\npublisher: P\n"
    assert _misplaced("territories", text) == [
        "6:1: 'publisher' belongs to an entry of 'sources' (line 5): indent it under that entry"
    ]


def test_a_field_of_a_nested_mapping_written_one_level_too_high() -> None:
    text = (
        "name: E\norganiser: O\nhost: h\ninvited: [i]\ndelegation:\n  summary: s\ninstitutions: [x]\n"
        "sources:\n  - title: A\n"
    )
    assert _misplaced("editions", text) == [
        "7:1: 'institutions' belongs under 'delegation' (line 6): indent it under that field"
    ]


def test_a_field_one_level_too_high_two_levels_down() -> None:
    text = (
        "name: E\norganiser: O\nhost: h\ninvited: [i]\ndelegation:\n  counts:\n    - label: l\n      value: 1\n"
        "      source: A\n  as_of: 2018\nsources:\n  - title: A\n"
    )
    assert _misplaced("editions", text) == [
        "10:3: delegation: 'as_of' belongs to an entry of 'counts' (line 7): indent it under that entry"
    ]


def test_a_field_of_the_level_above_is_still_an_unknown_field() -> None:
    # 'figures' is a cluster field, not a practice's: an unknown field, with the fields a practice has.
    text = "name: C\nterritory: t\npractices:\n  - title: P\n    summary: S\n    figures: []\nsources:\n  - title: A\n"
    (found,) = _misplaced("clusters", text)
    assert found.startswith("6:5: practices[0]: unknown field 'figures'; allowed fields: title, summary")


def test_an_unknown_field_that_belongs_nowhere_keeps_its_message() -> None:
    text = "name: N\nkind: country\nsources:\n  - title: A\nbogus: 1\n"
    (found,) = _misplaced("territories", text)
    assert found.startswith("5:1: unknown field 'bogus'; allowed fields: ")


_line = st.tuples(
    st.integers(min_value=0, max_value=6),
    st.sampled_from(["- ", "", "- - "]),
    st.sampled_from(["name", "url", "title", "a b", "'q", '"q', "x'y"]),
    st.sampled_from([": ", ":", ": v: w", ": 'x", ': "x', ": [a, b", ": {a: 1", ": |", "", " - z", ": 'it's'"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, min_size=1, max_size=8))
def test_mistaken_indentation_and_quotes_never_crash(lines: list[tuple[int, str, str, str]]) -> None:
    text = "".join(" " * indent + dash + key + rest + "\n" for indent, dash, key, rest in lines)
    try:
        load(text)
    except LoadError as exc:
        for problem in exc.problems:
            assert 1 <= problem.line <= len(lines) + 1 and problem.col >= 1 and problem.message


def _outcome(raw: bytes) -> None:
    """Load then validate as every kind: only reported problems may come out."""
    try:
        doc = load_bytes(raw, PATH)
    except LoadError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message
        return
    assert isinstance(doc.data, dict)
    for kind in KINDS:
        _, problems = validate_documents([(kind, "x", doc)])
        for problem in problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    _outcome(raw)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},&*!|>'\"#%@`?\n\t ~\\\ufeff1.é")), max_size=120))
def test_yaml_punctuation_soup_never_crashes(text: str) -> None:
    _outcome(text.encode())


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20), st.dates()
)
_yaml_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_field_names = st.sampled_from(
    ["name", "sources", "kind", "parent", "country_code", "figures", "year", "start", "end", "host", "invited",
     "programme", "territory", "sectors", "practices", "number", "status", "ecosystem", "synthetic", "title", "url"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.one_of(_field_names, st.text(max_size=8)), _yaml_values, max_size=8))
def test_arbitrary_yaml_documents_never_crash(data: dict) -> None:
    _outcome(yaml.safe_dump(data, allow_unicode=True).encode())


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        _field_names,
        # PyYAML's emitter (not our loader) mangles NEL and the Unicode line separators.
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029"), max_size=30),
        max_size=10,
    )
)
def test_text_values_round_trip_exactly(data: dict[str, str]) -> None:
    """Whatever text a contributor quotes comes back unchanged (no YAML 1.1 retyping)."""
    doc = load_bytes(yaml.safe_dump(data, allow_unicode=True).encode(), PATH)
    assert doc.data == data


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    """Loading pauses Python's cycle collector (it doubles the time at 10,000 records) and restores it."""
    import gc

    from cluster_kb.records.load import read_records

    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "bad.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        _, problems, _ = read_records(tmp_path)
        assert problems
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_a_load_cache_reads_again_only_the_files_that_changed(tmp_path: Path) -> None:
    from helpers import copy_kb

    kb = copy_kb(tmp_path)
    extra = kb / "sectors" / "extra.yaml"
    health = (kb / "sectors" / "health.yaml").read_text(encoding="utf-8")
    extra.write_text(health.replace("name: Health", "name: Extra"), encoding="utf-8")
    cache = LoadCache()
    first, problems, _ = read_records(kb, cache=cache)
    assert problems == [] and "extra" in first["sectors"]
    coffee = kb / "clusters" / "example-coffee-cluster.yaml"
    coffee.write_text(coffee.read_text(encoding="utf-8") + "summary: Roasters of Bogotá.\n", encoding="utf-8")
    extra.unlink()
    broken = kb / "sectors" / "health.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    for _ in range(2):  # the broken file's problem is reported from the cache too
        second, problems, _ = read_records(kb, cache=cache)
        assert [p.path.name for p in problems] == ["health.yaml"]
    wine = "example-wine-cluster"
    assert second["clusters"][wine].record is first["clusters"][wine].record  # not read again
    assert second["clusters"]["example-coffee-cluster"].record.summary == "Roasters of Bogotá."
    assert "extra" not in second["sectors"] and "health" not in second["sectors"]
