"""``cluster-kb match``: the optimal C2C meeting plan of an edition, with its timetable.

``cluster-kb match (--edition ID | --host TERRITORY --invited TERRITORY[,TERRITORY...])
[--per-cluster N] [--format text|json|csv|ics] [--out FILE [--force]] [--content DIR]
[--slot-minutes M] [--start HH:MM] [--date YYYY-MM-DD]``

The plan itself is :mod:`cluster_kb.knowledge.matchmaking`; this module only reads the options,
renders the plan and writes it. Exit 0 with a plan (an empty one says why), 1 when the content has
problems (printed as ``path:line:col: error: message``), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from datetime import date, time
from pathlib import Path
from typing import Any

from ..knowledge import KnowledgeBase, load_knowledge_base
from ..knowledge.matchmaking import DEFAULT_PER_CLUSTER, MatchError, Plan, plan_edition, plan_meetings
from ..outputs.meetings import FORMATS, RENDER, plural
from ..records.problems import ValidationFailed
from ..records.validation import fold


class _Usage(Exception):
    """A usage error: printed, exit 2."""


def _positive(what: str, most: int | None = None) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"{value}: {what} must be 1 or more")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"{value}: {what} must be at most {most}")
        return value

    return parse


def _clock(text: str) -> time:
    try:
        hours, minutes = text.split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time of day: write HH:MM, e.g. 09:00") from None


def _day(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD, e.g. 2018-05-30") from None


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "match",
        help="plan an edition's C2C meetings: the optimal pairs, their timetable and why",
        description=(
            "Plan the one-to-one meetings between the clusters of the host territory (and its sub-territories) and "
            "those of the invited territories (and theirs): the most meetings, then the highest total affinity "
            "(shared sectors, shared decalogue principles, complementary sectors; less for pairs that already "
            "cooperated), each cluster in at most N meetings, solved exactly and proven optimal. Meetings go into "
            "numbered slots, as many as the busiest cluster has meetings. Exit 0 with a plan, 1 when the content has "
            "problems, 2 on a usage error."
        ),
    )
    which = parser.add_argument_group("which meeting (give --edition, or --host and --invited)")
    which.add_argument("--edition", metavar="ID", help="an edition: its host and invited territories, its start date")
    which.add_argument("--host", metavar="TERRITORY", help="the host territory's id")
    which.add_argument("--invited", metavar="TERRITORY[,TERRITORY...]", help="the invited territories' ids, comma-separated")
    parser.add_argument(
        "--per-cluster",
        type=_positive("meetings per cluster"),
        default=DEFAULT_PER_CLUSTER,
        metavar="N",
        help=f"meetings per cluster at most (default: {DEFAULT_PER_CLUSTER})",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="text (default), json, csv or ics (a calendar)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output (never overwritten)")
    parser.add_argument("--force", action="store_true", help="with --out: replace FILE if it exists")
    parser.add_argument("--content", default="content", type=Path, metavar="DIR", help="content folder (default: content)")
    parser.add_argument(
        "--slot-minutes", type=_positive("slot minutes", 24 * 60), default=30, metavar="M", help="length of a slot (default: 30)"
    )
    parser.add_argument(
        "--start", type=_clock, default=time(9, 0), metavar="HH:MM", help="when the first slot starts (default: 09:00)"
    )
    parser.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day of the meetings (default: the edition's start)")
    parser.set_defaults(run=run)


# -- resolving ids -----------------------------------------------------------------------------------


def _suggest(kind: str, wanted: str, table: dict[str, Any]) -> str:
    ids = sorted(table)
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
    folded = fold(wanted)
    for record_id in ids:
        if fold(table[record_id].name) == folded and record_id not in close:
            close.insert(0, record_id)
    message = f"unknown {kind} '{wanted}'"
    if close:
        return message + "; did you mean " + " or ".join(f"'{c}'" for c in close[:3]) + "?"
    if ids and len(ids) <= 12:
        return message + "; known: " + ", ".join(ids)
    return message + f"; see the files in {kind.replace('territory', 'territories').replace('edition', 'editions')}/"


def _territory(kb: KnowledgeBase, wanted: str) -> str:
    if wanted not in kb.territories:
        raise _Usage(_suggest("territory", wanted, kb.territories))
    return wanted


def _resolve(kb: KnowledgeBase, options: argparse.Namespace) -> tuple[str | None, str, list[str], date | None]:
    """``(edition, host, invited, day)`` from the options."""
    day: date | None = options.date
    if options.edition:
        if options.edition not in kb.editions:
            raise _Usage(_suggest("edition", options.edition, kb.editions))
        record = kb.editions[options.edition].record
        return options.edition, record.host, list(record.invited), day or record.start
    host = _territory(kb, options.host)
    invited = [_territory(kb, tid) for tid in _split(options.invited)]
    if host in invited:
        raise _Usage(f"'{host}' is the host and cannot be invited too; a territory is either host or invited")
    return None, host, invited, day


def _split(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    found = list(dict.fromkeys(item for item in items if item))
    if not found:
        raise _Usage("--invited: give at least one territory id")
    return found


def _check_options(options: argparse.Namespace) -> None:
    if options.edition and (options.host or options.invited):
        raise _Usage("give either --edition, or --host with --invited, not both")
    if not options.edition and not (options.host and options.invited):
        missing = "--invited" if options.host else "--host" if options.invited else "--edition, or --host and --invited"
        raise _Usage(f"give {missing}")
    if options.force and not options.out:
        raise _Usage("--force only applies with --out FILE")
    if options.out is not None:
        if options.out.is_dir():
            raise _Usage(f"--out: '{options.out}' is a folder; give a file name")
        if options.out.exists() and not options.force:
            raise _Usage(f"--out: '{options.out}' exists; give another file, or --force to replace it")




# -- running ---------------------------------------------------------------------------------------


def _error(message: str) -> int:
    print(f"cluster-kb match: error: {message}", file=sys.stderr)
    return 2


def run(options: argparse.Namespace) -> int:
    try:
        _check_options(options)
    except _Usage as usage:
        return _error(str(usage))
    content: Path = options.content
    if not content.is_dir():
        return _error(f"content folder '{content}' not found")
    try:
        kb = load_knowledge_base(content)
    except ValidationFailed as failed:
        print(failed.report())
        return 1
    try:
        edition, host, invited, day = _resolve(kb, options)
        if options.format == "ics" and day is None:
            where = f"edition '{edition}' has no start date" if edition else "no edition gives the date"
            raise _Usage(f"an ics calendar needs the day of the meetings: {where}; give --date YYYY-MM-DD")
        if edition:
            plan = plan_edition(kb, edition, options.per_cluster)
        else:
            plan = plan_meetings(kb, host, invited, options.per_cluster)
        text = RENDER[options.format](kb, plan, options.start, options.slot_minutes, day)
    except (_Usage, MatchError, ValueError) as usage:
        return _error(str(usage))
    if not plan.optimal:
        print(f"cluster-kb match: warning: the plan is not proven optimal: {plan.proof.status}", file=sys.stderr)
    if not plan.meetings and options.format in ("csv", "ics") and plan.why:
        print(f"cluster-kb match: note: no meetings: {plan.why.english(kb)}", file=sys.stderr)
    if options.out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    return _write(options.out, text, options.force, plan)


def _write(out: Path, text: str, force: bool, plan: Plan) -> int:
    data = text.encode("utf-8")
    try:
        with open(out, "wb" if force else "xb") as handle:
            handle.write(data)
    except FileExistsError:
        return _error(f"--out: '{out}' exists; give another file, or --force to replace it")
    except OSError as exc:
        return _error(f"cannot write '{out}': {exc.strerror or exc}")
    print(f"{out}: written ({plural(len(plan.meetings), 'meeting')} in {plural(plan.slots, 'slot')})")
    return 0
