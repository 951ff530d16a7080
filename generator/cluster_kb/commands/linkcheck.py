"""``cluster-kb linkcheck``: check the external links of the hand-written pages and of every record."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..outputs.linkcheck import LinkCheckUnavailable, check_links, docs_links, record_links
from ..records.problems import ValidationFailed, format_problem


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text} is out of range; give more than 0 and at most 600 seconds")
    return value


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "linkcheck",
        help="check the external links of docs/ and of every record (sources, websites) with linkcheckmd",
        description=(
            "Request every external link of the hand-written pages (DOCS/**.md) and of the records (each "
            "source's url, each cluster's website, links in record text) and print each dead one as "
            "path:line:col: warning: URL: STATUS, at the line where it is written. Needs the network. "
            "Exit 0 when every link is alive, 1 when any is dead (or the content has problems), 2 on a usage error."
        ),
    )
    parser.add_argument("--content", default="content", type=Path, metavar="DIR", help="content folder (default: content)")
    parser.add_argument("--docs", default="docs", type=Path, metavar="DIR", help="hand-written pages (default: docs)")
    parser.add_argument(
        "--timeout", default=10.0, type=_seconds, metavar="S", help="seconds to wait for each address (default: 10)"
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    content: Path = options.content
    docs: Path = options.docs
    for folder, what in ((content, "content folder"), (docs, "docs folder")):
        if not folder.is_dir():
            print(f"cluster-kb: error: {what} '{folder}' not found", file=sys.stderr)
            return 2
    try:
        links = docs_links(docs) + record_links(content)
    except ValidationFailed as failed:
        print(failed.report())
        print("cluster-kb linkcheck: the links were not checked; fix the problems above first", file=sys.stderr)
        return 1
    try:
        dead = check_links(links, timeout=options.timeout)
    except LinkCheckUnavailable as exc:
        print(f"cluster-kb: error: {exc}", file=sys.stderr)
        return 2
    for problem in sorted(dead):
        print(format_problem(problem))
    addresses = len({link.url for link in links})
    summary = f"{len(links)} links to {addresses} addresses checked"
    if dead:
        places = "place" if len(dead) == 1 else "places"
        print(f"{summary}: {len({p.message for p in dead})} dead, written in {len(dead)} {places}")
        return 1
    print(f"{summary}: all alive")
    return 0
