"""``cluster-kb match``: every format, every exit code (0 plan, 1 invalid content, 2 usage), no traceback.

Self-contained: the knowledge base is written as YAML into a temporary folder. Each case runs
through :func:`cluster_kb.commands.cli.main` and, for the exit codes and the bytes, through a real
``python -m cluster_kb match`` process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cluster_kb.commands import cli
from cluster_kb.outputs.meetings import CSV_HEADER
from icalendar import Calendar

SOURCE = [{"title": "Test source"}]


def _sector(name: str, complements: list[str] | None = None) -> dict[str, Any]:
    return {"name": name, "ecosystem": name, **({"complements": complements} if complements else {})}


def _cluster(name: str, territory: str, sectors: list[str], principles: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "territory": territory, "sectors": sectors}
    if principles:
        data["practices"] = [{"title": "A practice", "summary": "What was done.", "principles": principles}]
    return data


RECORDS: dict[str, dict[str, dict[str, Any]]] = {
    "territories": {
        "catalonia": {"name": "Catalonia", "kind": "region"},
        "barcelona": {"name": "Barcelona", "kind": "city", "parent": "catalonia"},
        "colombia": {"name": "Colombia", "kind": "country"},
        "bogota": {"name": "Bogotá", "kind": "city", "parent": "colombia"},
        "norway": {"name": "Norway", "kind": "country"},
        "peru": {"name": "Peru", "kind": "country"},
    },
    "sectors": {
        "agri-food": _sector("Agri-food", ["retail"]),
        "digital": _sector("Digital", ["health"]),
        "health": _sector("Health"),
        "textiles": _sector("Textiles"),
        "retail": _sector("Retail"),
    },
    "decalogue": {
        "shared-vision": {"name": "A shared vision for the future", "number": 1, "status": "documented", "summary": "Agreed."},
    },
    "clusters": {
        "wine": _cluster("Wine Cluster", "barcelona", ["agri-food"], ["shared-vision"]),
        "gourmet": _cluster("Gourmet Cluster", "catalonia", ["agri-food"]),
        "digital-cat": _cluster("Digital Catalonia", "catalonia", ["digital"]),
        "fashion-cat": _cluster("Fashion Catalonia", "catalonia", ["textiles"]),
        "coffee": _cluster("Coffee Cluster", "bogota", ["agri-food"], ["shared-vision"]),
        "dairy": _cluster("Dairy Cluster", "colombia", ["agri-food"]),
        "health-co": _cluster("Health Colombia", "colombia", ["health"]),
        "shops": _cluster("Bogotá Shops", "bogota", ["retail"]),
        "peru-food": _cluster("Peru Food", "peru", ["agri-food"]),
    },
    "editions": {
        "norway-2013": {
            "name": "Norway meets Catalonia",
            "year": 2013,
            "organiser": "Test Agency",
            "host": "catalonia",
            "invited": ["norway"],
            "follow_ups": [{"what": "A joint project.", "clusters": ["gourmet", "dairy"], "source": "Test source"}],
        },
        "colombia-2018": {
            "name": "Colombia meets Catalonia",
            "year": 2018,
            "organiser": "Test Agency",
            "host": "catalonia",
            "invited": ["colombia"],
            "start": "2018-05-30",
            "follow_ups": [{"what": "A mission.", "clusters": ["wine", "coffee"], "source": "Test source"}],
        },
    },
}


def write_kb(root: Path, records: dict[str, dict[str, dict[str, Any]]] = RECORDS) -> Path:
    for folder, table in records.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for record_id, data in table.items():
            text = yaml.safe_dump({"synthetic": True, **data, "sources": SOURCE}, sort_keys=False, allow_unicode=True)
            (root / folder / f"{record_id}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "content")


def match(capsys: pytest.CaptureFixture[str], kb: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["match", "--content", str(kb), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def as_json(capsys: pytest.CaptureFixture[str], kb: Path, *args: str) -> dict[str, Any]:
    code, out, err = match(capsys, kb, *args, "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


# -- formats ---------------------------------------------------------------------------------------------


def test_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str], kb: Path) -> None:
    data = as_json(capsys, kb, "--edition", "colombia-2018")
    for key in ("host", "invited", "per_cluster", "optimal", "total_affinity", "slots", "meetings", "short"):
        assert key in data
    assert (data["host"], data["invited"], data["per_cluster"], data["optimal"]) == ("catalonia", ["colombia"], 3, True)
    assert data["meetings"]
    for meeting in data["meetings"]:
        assert {"host", "invited", "affinity", "slot", "reasons"} <= set(meeting)
        assert meeting["host"] in {"wine", "gourmet", "digital-cat", "fashion-cat"}
        assert meeting["invited"] in {"coffee", "dairy", "health-co", "shops"}
        assert meeting["affinity"] > 0 and 1 <= meeting["slot"] <= data["slots"]
        assert all(isinstance(reason, str) for reason in meeting["reasons"])
    assert data["total_affinity"] == sum(m["affinity"] for m in data["meetings"])
    for item in data["short"]:
        assert {"cluster", "meetings", "why"} <= set(item) and item["why"]
    assert data["weights"]["shared_sector"] > data["weights"]["complementary_cap"]
    assert data["tables"] == max(data["meetings_per_slot"])
    assert data["proof"]["cut_capacity"] == len(data["meetings"])
    assert data["proof"]["affinity_bound"] == data["total_affinity"]
    assert data["date"] == "2018-05-30"


def test_the_plan_counts_earlier_cooperation_only(capsys: pytest.CaptureFixture[str], kb: Path) -> None:
    at_2018 = {(m["host"], m["invited"]): m for m in as_json(capsys, kb, "--edition", "colombia-2018")["meetings"]}
    # gourmet and dairy cooperated after 2013: penalised. wine and coffee's follow-up is of 2018 itself.
    assert at_2018[("gourmet", "dairy")]["affinity"] == 2
    assert "already cooperated (a follow-up of Norway meets Catalonia)" in at_2018[("gourmet", "dairy")]["reasons"]
    assert at_2018[("wine", "coffee")]["affinity"] == 15
    assert at_2018[("wine", "coffee")]["reasons"] == ["both Agri-food", "both practise a shared vision for the future"]
    assert at_2018[("digital-cat", "health-co")]["reasons"] == ["complementary: Digital and Health"]
    now = {(m["host"], m["invited"]): m for m in as_json(capsys, kb, "--host", "catalonia", "--invited", "colombia")["meetings"]}
    assert now[("wine", "coffee")]["affinity"] == 5


def test_text_is_a_readable_table(capsys: pytest.CaptureFixture[str], kb: Path) -> None:
    code, out, _ = match(capsys, kb, "--edition", "colombia-2018")
    assert code == 0
    assert out.startswith("C2C matchmaking: Catalonia (host) and Colombia (invited), edition Colombia meets Catalonia")
    assert "optimal (proven" in out
    assert "Slot" in out and "Reasons" in out
    assert "Wine Cluster" in out and "both practise a shared vision for the future" in out
    assert "Fashion Catalonia (fashion-cat, host): 0 of 3: no cluster on the other side shares" in out
    assert "Affinity: 12 per shared sector" in out


def test_csv_has_one_row_per_meeting(capsys: pytest.CaptureFixture[str], kb: Path) -> None:
    data = as_json(capsys, kb, "--edition", "colombia-2018")
    code, out, _ = match(capsys, kb, "--edition", "colombia-2018", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) - 1 == len(data["meetings"])
    assert [(r[5], r[7], int(r[9])) for r in rows[1:]] == [(m["host"], m["invited"], m["affinity"]) for m in data["meetings"]]
    assert {r[0] for r in rows[1:]} == {"2018-05-30"}


def test_ics_is_one_calendar_with_an_event_per_meeting(capsys: pytest.CaptureFixture[str], kb: Path) -> None:
    data = as_json(capsys, kb, "--edition", "colombia-2018", "--start", "14:30", "--slot-minutes", "20")
    code, out, _ = match(capsys, kb, "--edition", "colombia-2018", "--format", "ics", "--start", "14:30", "--slot-minutes", "20")
    assert code == 0
    calendar = Calendar.from_ical(out)
    events = calendar.walk("VEVENT")
    assert len(events) == len(data["meetings"])
    assert len({str(e["UID"]) for e in events}) == len(events)
    by_uid = {str(e["UID"]): e for e in events}
    for meeting in data["meetings"]:
        event = by_uid[f"colombia-2018--{meeting['host']}--{meeting['invited']}@cluster-kb"]
        begin = datetime(2018, 5, 30, 14, 30) + timedelta(minutes=20 * (meeting["slot"] - 1))
        assert event.decoded("DTSTART") == begin
        assert event.decoded("DTEND") == begin + timedelta(minutes=20)
        assert meeting["start"] == begin.strftime("%H:%M")
    assert all(e.decoded("DTSTAMP") == datetime(2018, 5, 30, 0, 0, tzinfo=e.decoded("DTSTAMP").tzinfo) for e in events)
    assert str(calendar["VERSION"]) == "2.0" and "cluster-kb" in str(calendar["PRODID"])
    assert "\r\n" in out


def test_ics_dtstamp_follows_source_date_epoch(
    capsys: pytest.CaptureFixture[str], kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1527638400")  # 2018-05-30T00:00:00Z
    first = match(capsys, kb, "--edition", "colombia-2018", "--format", "ics")[1]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    second = match(capsys, kb, "--edition", "colombia-2018", "--format", "ics")[1]
    assert "DTSTAMP:20180530T000000Z" in first and "DTSTAMP:20200913T122640Z" in second
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, _, err = match(capsys, kb, "--edition", "colombia-2018", "--format", "ics")
    assert code == 2 and "SOURCE_DATE_EPOCH" in err


def test_ics_needs_a_date(capsys: pytest.CaptureFixture[str], kb: Path) -> None:
    code, out, err = match(capsys, kb, "--host", "catalonia", "--invited", "colombia", "--format", "ics")
    assert code == 2 and out == "" and "--date" in err
    code, _, err = match(capsys, kb, "--edition", "norway-2013", "--format", "ics")
    assert code == 2 and "edition 'norway-2013' has no start date" in err
    code, out, _ = match(capsys, kb, "--host", "catalonia", "--invited", "colombia", "--format", "ics", "--date", "2026-03-02")
    assert code == 0 and "DTSTART:20260302T090000" in out


@pytest.mark.parametrize("form", ["text", "json", "csv", "ics"])
def test_an_empty_side_is_an_empty_plan_that_says_why(capsys: pytest.CaptureFixture[str], kb: Path, form: str) -> None:
    args = ["--host", "catalonia", "--invited", "norway", "--format", form, "--date", "2013-06-01"]
    code, out, err = match(capsys, kb, *args)
    assert code == 0
    why = "no cluster is based in Norway or its sub-territories"
    if form == "text":
        assert f"No meetings: {why}." in out
    elif form == "json":
        data = json.loads(out)
        assert data["meetings"] == [] and data["why"] == why and data["slots"] == 0 and data["optimal"] is True
        assert {s["cluster"] for s in data["short"]} == {"wine", "gourmet", "digital-cat", "fashion-cat"}
    elif form == "csv":
        assert out == ",".join(CSV_HEADER) + "\n" and why in err
    else:
        calendar = Calendar.from_ical(out)
        assert calendar.walk("VEVENT") == [] and why in str(calendar["DESCRIPTION"]) and why in err


def test_reruns_are_byte_identical(capsys: pytest.CaptureFixture[str], kb: Path) -> None:
    for form in ("text", "json", "csv", "ics"):
        runs = {match(capsys, kb, "--edition", "colombia-2018", "--format", form)[1] for _ in range(2)}
        assert len(runs) == 1, form


# -- --out -------------------------------------------------------------------------------------------------


def test_out_writes_a_file_and_never_overwrites_silently(capsys: pytest.CaptureFixture[str], kb: Path, tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    code, out, _ = match(capsys, kb, "--edition", "colombia-2018", "--format", "json", "--out", str(target))
    assert code == 0 and "written" in out
    first = target.read_bytes()
    assert json.loads(first)["optimal"] is True
    target.write_bytes(b"keep me")
    code, _, err = match(capsys, kb, "--edition", "colombia-2018", "--format", "json", "--out", str(target))
    assert code == 2 and "exists" in err and "--force" in err
    assert target.read_bytes() == b"keep me"
    code, _, _ = match(capsys, kb, "--edition", "colombia-2018", "--format", "json", "--out", str(target), "--force")
    assert code == 0 and target.read_bytes() == first
    code, _, err = match(capsys, kb, "--edition", "colombia-2018", "--out", str(tmp_path))
    assert code == 2 and "folder" in err
    code, _, err = match(capsys, kb, "--edition", "colombia-2018", "--force")
    assert code == 2 and "--force" in err


# -- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "catalunia", "--invited", "colombia"], "unknown territory 'catalunia'; did you mean 'catalonia'?"),
        (["--host", "Bogotá", "--invited", "catalonia"], "did you mean 'bogota'"),
        (["--host", "catalonia", "--invited", "colombia,nowhere"], "unknown territory 'nowhere'"),
        (["--edition", "colombia-2019"], "unknown edition 'colombia-2019'; did you mean 'colombia-2018'"),
        (["--host", "catalonia", "--invited", "colombia,catalonia"], "'catalonia' is the host"),
        (["--host", "catalonia", "--invited", "barcelona"], "part of the host"),
        (["--host", "barcelona", "--invited", "catalonia"], "contains the host"),
        (["--host", "catalonia"], "give --invited"),
        (["--invited", "colombia"], "give --host"),
        ([], "give --edition, or --host and --invited"),
        (["--edition", "colombia-2018", "--host", "catalonia"], "not both"),
        (["--host", "catalonia", "--invited", ","], "at least one territory"),
        (["--edition", "colombia-2018", "--per-cluster", "0"], "must be 1 or more"),
        (["--edition", "colombia-2018", "--per-cluster", "-2"], "must be 1 or more"),
        (["--edition", "colombia-2018", "--per-cluster", "three"], "not a whole number"),
        (["--edition", "colombia-2018", "--slot-minutes", "0"], "must be 1 or more"),
        (["--edition", "colombia-2018", "--start", "9am"], "not a time of day"),
        (["--edition", "colombia-2018", "--date", "30/05/2018"], "not a date"),
        (["--edition", "colombia-2018", "--format", "xml"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], kb: Path, args: list[str], message: str) -> None:
    code, out, err = match(capsys, kb, *args)
    assert code == 2
    assert out == ""
    assert message in err


def test_missing_content_folder_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = match(capsys, tmp_path / "nowhere", "--edition", "colombia-2018")
    assert code == 2 and "not found" in err


def invalid_kb(root: Path) -> Path:
    records = {**RECORDS, "clusters": {**RECORDS["clusters"], "broken": _cluster("Broken", "catalonia", ["agrifood"])}}
    return write_kb(root, records)


def test_invalid_content_exits_1_with_located_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    kb = invalid_kb(tmp_path / "content")
    code, out, _ = match(capsys, kb, "--edition", "colombia-2018")
    assert code == 1
    first = out.splitlines()[0]
    assert "broken.yaml:" in first and ": error: " in first and "agrifood" in first
    path, line, col = first.split(":")[:3]
    assert path.endswith("broken.yaml") and line.isdigit() and col.isdigit()


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["match", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: cluster-kb match")
    for option in (
        "--edition",
        "--host",
        "--invited",
        "--per-cluster",
        "--format",
        "--out",
        "--slot-minutes",
        "--start",
        "--date",
    ):
        assert option in out


# -- a real process ------------------------------------------------------------------------------------------


def run_match(kb: Path, *args: str, hashseed: str = "0", cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = hashseed
    return subprocess.run(
        [sys.executable, "-m", "cluster_kb", "match", "--content", str(kb), *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


# One real process per way out: a plan (of an edition, of two territories), a usage error found by
# argparse and one found in the content. Every format and every usage error is covered in process
# above, and the real json and ics output below; a process of its own each would only add startups.
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--edition", "colombia-2018"], 0),
        (["--host", "catalonia", "--invited", "norway", "--format", "csv"], 0),
        (["--edition", "colombia-2018", "--per-cluster", "0"], 2),
        (["--host", "atlantis", "--invited", "colombia"], 2),
    ],
)
def test_a_real_process_gives_the_same_exit_codes(kb: Path, args: list[str], code: int) -> None:
    result = run_match(kb, *args)
    assert result.returncode == code, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    if code == 0:
        assert result.stdout
    else:
        assert result.stdout == b"" and b"error:" in result.stderr


def test_a_real_process_reports_invalid_content(tmp_path: Path) -> None:
    result = run_match(invalid_kb(tmp_path / "content"), "--edition", "colombia-2018")
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert b"broken.yaml:" in result.stdout and b": error: " in result.stdout


def test_a_real_process_is_byte_identical_across_hash_seeds(kb: Path, tmp_path: Path) -> None:
    printed = {}
    for form in ("json", "ics"):  # csv and text are written from the same plan as json
        outputs = {run_match(kb, "--edition", "colombia-2018", "--format", form, hashseed=seed).stdout for seed in ("1", "2")}
        assert len(outputs) == 1, form
        printed[form] = outputs.pop()
    result = run_match(kb, "--edition", "colombia-2018", "--format", "ics", "--out", str(tmp_path / "plan.ics"))
    assert result.returncode == 0
    assert (tmp_path / "plan.ics").read_bytes() == printed["ics"]
    calendar = Calendar.from_ical(printed["ics"])
    data = json.loads(printed["json"])
    assert len(calendar.walk("VEVENT")) == len(data["meetings"]) > 0
    assert data["date"] == date(2018, 5, 30).isoformat()
    again = run_match(kb, "--edition", "colombia-2018", "--format", "ics", "--out", str(tmp_path / "plan.ics"))
    assert again.returncode == 2 and b"exists" in again.stderr
