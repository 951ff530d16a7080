"""`cluster-kb validate`: one broken fixture per failure, each with its exact located message.

Each folder under tests/fixtures/broken/ holds files that are laid over a copy of the valid
fixture knowledge base (tests/fixtures/kb/); the run must print exactly the expected lines.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_kb.commands import cli

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "kb"
BROKEN = FIXTURES / "broken"

EXPECTED: dict[str, list[str]] = {
    "accented-file-name": [
        "clusters/bogotá-cluster.yaml:1:1: error: file name 'bogotá-cluster.yaml': 'bogotá-cluster' is not a valid id: "
        "use lowercase ASCII letters, digits and single hyphens (kebab-case), e.g. 'catalan-water-partnership'"
    ],
    "alias": ["territories/norway.yaml:4:10: error: YAML aliases (*n) are not allowed; write the value out"],
    "bad-date": ["editions/colombia-2018.yaml:7:8: error: start: '30 May 2018' is not a date; write YYYY-MM-DD"],
    "bad-file-name": [
        "clusters/Example Cluster.yaml:1:1: error: file name 'Example Cluster.yaml': 'Example Cluster' is not a valid id: "
        "use lowercase ASCII letters, digits and single hyphens (kebab-case), e.g. 'catalan-water-partnership'"
    ],
    "bad-kind-value": [
        "territories/norway.yaml:3:7: error: kind: 'nation' is not allowed; "
        "use one of: 'country', 'region', 'city' or 'cross-border'"
    ],
    # YAML mistakes in plain words, each with its fix (records/loader.py).
    "colon-in-text": [
        "clusters/example-coffee-cluster.yaml:4:10: error: the text holds ': ', which YAML reads as the start of a field; "
        'put the text in quotes: summary: "Results: more than 50 meetings"'
    ],
    "bad-url": [
        "clusters/example-coffee-cluster.yaml:4:10: error: website: 'javascript:alert(1)' is not an http(s) address; "
        "write a full address such as https://example.org/page"
    ],
    "duplicate-key": ["clusters/example-wine-cluster.yaml:5:1: error: duplicate key 'territory' (first written on line 3)"],
    "duplicate-number": ["decalogue/shared-vision.yaml:3:9: error: decalogue number 1 is already used by 'principle-2'"],
    "empty-file": ["territories/norway.yaml:1:1: error: file is empty; a record file holds one YAML mapping"],
    "end-before-start": ["editions/colombia-2018.yaml:8:6: error: end 2018-05-30 is before start 2018-06-01"],
    # A record with field errors still has its references checked, in the same run.
    "field-one-level-up": [
        "territories/bogota.yaml:15:1: error: 'url' belongs to an entry of 'sources' (line 12): indent it under that entry"
    ],
    "field-and-reference": [
        "clusters/example-wine-cluster.yaml:3:12: error: unknown territory 'bogata' (did you mean 'bogota'?)",
        "clusters/example-wine-cluster.yaml:4:1: error: unknown field 'sector' (did you mean 'sectors'?)",
        "clusters/example-wine-cluster.yaml:5:10: error: founded: expected a whole number, got 'around 2010'",
        "clusters/example-wine-cluster.yaml:9:18: error: unknown principle 'shared-visio' (did you mean 'shared-vision'?)",
        "clusters/example-wine-cluster.yaml:9:32: error: 'Not An Id' is not a principle id: ids are file names in "
        "lowercase kebab-case; the principles are: principle-2, shared-vision",
    ],
    "id-inside": [
        "clusters/example-coffee-cluster.yaml:1:1: error: unknown field 'id': a record's id is its file name; remove this line"
    ],
    "indent-too-far": [
        "territories/norway.yaml:3:2: error: 'kind' is indented one space too far; "
        "line it up with 'synthetic' on line 2, column 1"
    ],
    "indent-too-little": [
        "territories/bogota.yaml:13:4: error: 'url' is indented one space too little; "
        "line it up with 'title' on line 12, column 5"
    ],
    "latin-1": ["territories/norway.yaml:4:12: error: file is not valid UTF-8 (byte 0xef); save it as UTF-8"],
    "list-entry-misaligned": [
        "editions/norway-2013.yaml:9:2: error: this list entry is indented one space too little; "
        "line its '-' up with the '-' on line 8, column 3"
    ],
    "missing-field": ["sectors/health.yaml:1:1: error: missing required field 'ecosystem'"],
    "misspelt-field": ["clusters/example-wine-cluster.yaml:4:1: error: unknown field 'sector' (did you mean 'sectors'?)"],
    "not-a-mapping": [
        "territories/norway.yaml:1:1: error: a record file must hold a mapping of fields (name: ..., sources: ...)"
    ],
    "parent-cycle": [
        "territories/bogota.yaml:4:9: error: territory parents form a cycle: bogota -> colombia -> bogota",
        "territories/colombia.yaml:4:9: error: territory parents form a cycle: colombia -> bogota -> colombia",
    ],
    "quote-ends-early": [
        "territories/colombia.yaml:5:19: error: this ' ends the quoted text, but more text follows; write it twice ('') "
        'or quote the whole text with ": summary: "Colombia\'s clusters work together."'
    ],
    "quote-runs-on": [
        'territories/catalonia.yaml:5:10: error: the text quoted with " here is not closed on its line, so the text runs on '
        'to line 7; end it with ": summary: "A synthetic region."'
    ],
    "several-documents": [
        "territories/norway.yaml:6:1: error: file holds several YAML documents; keep one record per file (remove '---')"
    ],
    "tab-indent": ["territories/norway.yaml:5:1: error: tab character in indentation; indent with spaces"],
    "territory-figure-without-year": [
        "territories/colombia.yaml:5:5: error: a territory figure needs 'as_of' (the year it describes)"
    ],
    "unclosed-quote": [
        'territories/norway.yaml:1:7: error: the text quoted with " here is never closed; end it with ": name: "Norway"'
    ],
    "unknown-language": [
        "clusters/example-wine-cluster.yaml:15:3: error: summary: unknown language 'fr'; write the text under en, es or ca"
    ],
    "unknown-principle": [
        "clusters/example-wine-cluster.yaml:7:18: error: unknown principle 'shared-visio' (did you mean 'shared-vision'?)"
    ],
    "unknown-reference": ["clusters/example-wine-cluster.yaml:3:12: error: unknown territory 'bogata' (did you mean 'bogota'?)"],
    "unknown-source": [
        "territories/colombia.yaml:8:13: error: source 'https://example.org/nowhere' is not among this record's sources; "
        "give the url or title of one of them"
    ],
    "unknown-tag": [
        "territories/norway.yaml:1:7: error: YAML tag '!!python/object/apply:os.system' is not allowed; write plain values"
    ],
    "year-mismatch": ["editions/colombia-2018.yaml:7:8: error: start 2018-05-30 is not in the edition's year 2017"],
    "yes-is-not-true": ["clusters/example-coffee-cluster.yaml:2:12: error: synthetic: expected true or false, got 'yes'"],
    "yml-extension": ["clusters/example.yml:1:1: error: unexpected file 'example.yml': rename it to 'example.yaml'"],
}


def lay_over(tmp_path: Path, case: str) -> Path:
    """A copy of the valid fixture knowledge base with one broken case laid over it."""
    root = tmp_path / "kb"
    shutil.copytree(VALID, root)
    shutil.copytree(BROKEN / case, root, dirs_exist_ok=True)
    return root


def test_every_broken_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED)


def test_the_valid_fixture_validates(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(VALID.parent)
    assert cli.main(["validate", "kb"]) == 0
    out = capsys.readouterr().out
    assert out == "kb: valid: 13 records (2 editions, 2 clusters, 2 decalogue, 4 territories, 3 sectors)\n"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_fixture_reports_exact_located_error(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = lay_over(tmp_path, case)
    monkeypatch.chdir(root)  # paths are printed relative to the current directory
    assert cli.main(["validate", "."]) == 1
    lines = capsys.readouterr().out.splitlines()
    expected = EXPECTED[case]
    files = len({line.split(":", 1)[0] for line in expected})
    noun = "error" if len(expected) == 1 else "errors"
    assert lines == [*expected, f"{len(expected)} {noun} in {files} file{'s' if files > 1 else ''}"]


def test_every_problem_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = lay_over(tmp_path, "unknown-reference")
    for case in ("bad-kind-value", "bad-date", "missing-field"):
        shutil.copytree(BROKEN / case, root, dirs_exist_ok=True)
    monkeypatch.chdir(root)
    assert cli.main(["validate", "."]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "4 errors in 4 files"
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "clusters/example-wine-cluster.yaml",
        "editions/colombia-2018.yaml",
        "sectors/health.yaml",
        "territories/norway.yaml",
    ]


def test_paths_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = lay_over(tmp_path, "misspelt-field")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "kb"]) == 1
    assert capsys.readouterr().out.startswith("kb/clusters/example-wine-cluster.yaml:4:1: error: ")
    assert root.exists()


def test_a_record_with_problems_is_not_reported_again_as_an_unknown_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The edition's follow-up names example-wine-cluster, which is broken: one error, not two.
    root = lay_over(tmp_path, "misspelt-field")
    monkeypatch.chdir(root)
    assert cli.main(["validate", "."]) == 1
    assert "unknown cluster" not in capsys.readouterr().out


def test_unknown_tag_never_executes(tmp_path: Path) -> None:
    marker = Path("/tmp/cluster-kb-pwned")  # noqa: S108 - the file the hostile fixture would create
    marker.unlink(missing_ok=True)
    root = lay_over(tmp_path, "unknown-tag")
    assert cli.main(["validate", str(root)]) == 1
    assert not marker.exists()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["validate", str(tmp_path / "missing")]) == 2
    assert "not found" in capsys.readouterr().err
    assert cli.main(["validate", "--no-such-option"]) == 2
    assert cli.main([]) == 2


def test_no_traceback_from_the_real_command(tmp_path: Path) -> None:
    root = lay_over(tmp_path, "latin-1")
    shutil.copytree(BROKEN / "alias", root, dirs_exist_ok=True)
    (root / "clusters" / "huge.yaml").write_bytes(b"name: " + b"x" * 1_100_000 + b"\n")
    result = subprocess.run(
        [sys.executable, "-m", "cluster_kb", "validate", str(root)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    expected = "kb/clusters/huge.yaml:1:1: error: file is 1,100,007 bytes; a record file may be at most 1,000,000 bytes"
    assert expected in result.stdout


def test_editions_sort_by_year_then_start_even_when_a_start_is_unknown(tmp_path: Path) -> None:
    from cluster_kb.knowledge import load_knowledge_base

    root = tmp_path / "kb"
    shutil.copytree(VALID, root)
    (root / "editions" / "colombia-2018-second.yaml").write_text(
        "name: Second 2018\nsynthetic: true\nyear: 2018\norganiser: X\nhost: catalonia\ninvited: [norway]\n"
        "sources:\n  - title: t\n",
        encoding="utf-8",
    )
    kb = load_knowledge_base(root)
    assert [e.id for e in kb.editions_by_year()] == ["norway-2013", "colombia-2018", "colombia-2018-second"]
