"""``cluster-kb validate [CONTENT]``: check every record, print every problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..knowledge import load_knowledge_base
from ..records.problems import ValidationFailed


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check every record and print each problem as path:line:col: error: message",
        description="Load and validate a knowledge base. Exit 0 when valid, 1 on problems, 2 on a usage error.",
    )
    parser.add_argument("content", nargs="?", default="content", type=Path, help="content folder (default: content)")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    content: Path = options.content
    if not content.is_dir():
        print(f"cluster-kb: error: content folder '{content}' not found", file=sys.stderr)
        return 2
    try:
        kb = load_knowledge_base(content)
    except ValidationFailed as failed:
        print(failed.report())
        return 1
    counts = ", ".join(f"{count} {kind}" for kind, count in kb.counts().items())
    print(f"{content}: valid: {len(kb)} records ({counts})")
    return 0
