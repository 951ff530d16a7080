"""``cluster-kb synth``: write a deterministic synthetic knowledge base (benchmarks, tests)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..synth import DEFAULT_SEED, SynthError, write_knowledge_base


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give 0 or more")
    return value


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic knowledge base (every record marked synthetic) for benchmarks and tests",
        description=(
            "Write a deterministic synthetic knowledge base into a new or empty folder: fictional territories, "
            "the 14 sectors, a ten-principle decalogue, a few editions and N clusters with practices. The same "
            "seed always writes the same bytes. Exit 0 when written, 2 on a usage error."
        ),
    )
    parser.add_argument("--clusters", required=True, type=_count, metavar="N", help="number of clusters to write")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write (must not exist or be empty)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    try:
        counts = write_knowledge_base(options.out, options.clusters, options.seed)
    except SynthError as exc:
        print(f"cluster-kb: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cluster-kb: error: cannot write '{options.out}': {exc.strerror or exc}", file=sys.stderr)
        return 2
    total = sum(counts.values())
    detail = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    print(f"{options.out}: wrote {total} synthetic records ({detail}), seed {options.seed}")
    return 0
