"""The meeting plan as files: a readable table, JSON, CSV and an RFC 5545 calendar.

``cluster-kb match`` writes one of them; the site publishes the JSON, the CSV and (when the edition
has a date) the calendar of each edition's proposed plan beside its meetings page. Every format is
byte-identical on reruns: no clock is read (``DTSTAMP`` is ``SOURCE_DATE_EPOCH`` or the day).
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, date, datetime, time

from ..knowledge import KnowledgeBase
from ..knowledge.matchmaking import Plan, slot_times

__all__ = ["CSV_HEADER", "FORMATS", "PRODID", "RENDER", "plural", "render_csv", "render_ics", "render_json", "render_text"]

FORMATS = ("text", "json", "csv", "ics")
CSV_HEADER = ("date", "slot", "start", "end", "table", "host", "host_name", "invited", "invited_name", "affinity", "reasons")
PRODID = "-//cluster-kb//Intercluster matchmaking//EN"


# -- formats -----------------------------------------------------------------------------------


def _name(kb: KnowledgeBase, folder: str, record_id: str) -> str:
    entry = kb.of_kind(folder).get(record_id)
    return entry.name if entry is not None else record_id


def _clock_text(begin: datetime, first: datetime) -> str:
    days = (begin.date() - first.date()).days
    return begin.strftime("%H:%M") + (f" (+{days} d)" if days else "")


def _weights_line(plan: Plan) -> str:
    w = plan.weights
    return (
        f"Affinity: {w.shared_sector} per shared sector, {w.shared_principle} per decalogue principle both practise, "
        f"{w.complementary} per pair of complementary sectors ({w.complementary_cap} at most), "
        f"minus {w.cooperated} for a pair that already cooperated; a pair at 0 or less is never proposed."
    )


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def render_text(kb: KnowledgeBase, plan: Plan, start: time, minutes: int, day: date | None) -> str:
    out = io.StringIO()
    invited = " and ".join(_name(kb, "territories", t) for t in plan.invited)
    edition = f", edition {_name(kb, 'editions', plan.edition)} ({plan.edition})" if plan.edition else ""
    out.write(f"C2C matchmaking: {_name(kb, 'territories', plan.host)} (host) and {invited} (invited){edition}\n")
    out.write(
        f"Clusters: {len(plan.host_clusters):,} host, {len(plan.invited_clusters):,} invited; "
        f"at most {plural(plan.per_cluster, 'meeting')} each\n"
    )
    proof = plan.proof
    if plan.optimal:
        verdict = (
            f"optimal (proven: minimum cut {proof.cut_capacity:,} = meetings; "
            f"LP dual bound {proof.affinity_bound:,} = total affinity)"
        )
    else:
        verdict = f"NOT proven optimal ({proof.status})"
    out.write(f"Plan: {plural(len(plan.meetings), 'meeting')}, total affinity {plan.total_affinity:,}; {verdict}\n")
    if not plan.meetings:
        out.write(f"No meetings: {plan.why.english(kb) if plan.why else 'nothing to plan'}.\n")
    else:
        on = f" on {day.isoformat()}" if day else ""
        out.write(
            f"Timetable: {plural(plan.slots, 'slot')} of {minutes} minutes from {start.strftime('%H:%M')}{on}; "
            f"{plural(plan.tables, 'table')} (meetings per slot: {', '.join(str(n) for n in plan.meetings_per_slot())})\n\n"
        )
        first = slot_times(1, start, minutes, day)[0]
        rows = [("Slot", "Time", "Table", "Host", "Invited", "Affinity", "Reasons")]
        for m in plan.meetings:
            begin, end = slot_times(m.slot, start, minutes, day)
            rows.append(
                (
                    str(m.slot),
                    f"{_clock_text(begin, first)}-{_clock_text(end, first)}",
                    str(m.table),
                    _name(kb, "clusters", m.host),
                    _name(kb, "clusters", m.invited),
                    str(m.affinity),
                    "; ".join(r.english(kb) for r in m.reasons),
                )
            )
        widths = [max(len(row[k]) for row in rows) for k in range(6)]
        right = {0, 2, 5}
        for row in rows:
            cells = [row[k].rjust(widths[k]) if k in right else row[k].ljust(widths[k]) for k in range(6)]
            out.write(("  ".join(cells) + "  " + row[6]).rstrip() + "\n")
    if plan.short:
        out.write(f"\nFewer than {plural(plan.per_cluster, 'meeting')} ({plural(len(plan.short), 'cluster')}):\n")
        for s in plan.short:
            out.write(
                f"  {_name(kb, 'clusters', s.cluster)} ({s.cluster}, {s.side}): "
                f"{s.meetings} of {plan.per_cluster}: {s.english(kb)}\n"
            )
    out.write("\n" + _weights_line(plan) + "\n")
    return out.getvalue()


def render_json(kb: KnowledgeBase, plan: Plan, start: time, minutes: int, day: date | None) -> str:
    return json.dumps(plan.as_data(kb, start=start, slot_minutes=minutes, day=day), ensure_ascii=False, indent=2) + "\n"


def render_csv(kb: KnowledgeBase, plan: Plan, start: time, minutes: int, day: date | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for m in plan.meetings:
        begin, end = slot_times(m.slot, start, minutes, day)
        writer.writerow(
            (
                begin.date().isoformat() if day else "",
                m.slot,
                begin.strftime("%H:%M"),
                end.strftime("%H:%M"),
                m.table,
                m.host,
                _name(kb, "clusters", m.host),
                m.invited,
                _name(kb, "clusters", m.invited),
                m.affinity,
                "; ".join(r.english(kb) for r in m.reasons),
            )
        )
    return out.getvalue()


def _stamp(day: date) -> datetime:
    """DTSTAMP: SOURCE_DATE_EPOCH when set (reproducible builds), else the day at 00:00 UTC; never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH '{epoch}' is not a number of seconds since 1970") from None
    return datetime.combine(day, time(0, 0), UTC)


def render_ics(kb: KnowledgeBase, plan: Plan, start: time, minutes: int, day: date | None) -> str:
    from icalendar import Calendar, Event

    if day is None:  # checked before planning; kept here so the function stands alone
        raise ValueError("an ics calendar needs a date")
    stamp = _stamp(day)
    key = plan.edition or "--".join((plan.host, *plan.invited))
    title = f"C2C meetings: {_name(kb, 'territories', plan.host)} and " + " and ".join(
        _name(kb, "territories", t) for t in plan.invited
    )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", title)
    calendar.add("x-wr-calname", title)
    if not plan.meetings and plan.why:
        calendar.add("description", f"No meetings: {plan.why.english(kb)}.")
    for m in plan.meetings:
        begin, end = slot_times(m.slot, start, minutes, day)
        host, guest = _name(kb, "clusters", m.host), _name(kb, "clusters", m.invited)
        event = Event()
        event.add("uid", f"{key}--{m.host}--{m.invited}@cluster-kb")
        event.add("dtstamp", stamp)
        event.add("dtstart", begin)
        event.add("dtend", end)
        event.add("summary", f"C2C meeting: {host} – {guest}")
        event.add("location", f"Table {m.table}")
        reasons = "; ".join(r.english(kb) for r in m.reasons)
        event.add(
            "description",
            f"Slot {m.slot}, table {m.table}. {host} ({m.host}) meets {guest} ({m.invited}). Affinity {m.affinity}: {reasons}.",
        )
        event.add("categories", ["C2C meeting"])
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    text: str = calendar.to_ical().decode("utf-8")
    return text


RENDER = {"text": render_text, "json": render_json, "csv": render_csv, "ics": render_ics}
"""Each format's writer: ``(kb, plan, start, slot minutes, day) -> text``."""
