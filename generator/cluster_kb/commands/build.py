"""``cluster-kb build``: validate a knowledge base, then build the site with MkDocs, atomically.

The content is validated first; on problems every ``path:line:col: error:`` line is printed and
nothing is built (exit 1). The site is built (strict: a warning fails the build) into a temporary
folder next to the target and swapped in only when the build succeeded, so an existing site
folder is never left half-written.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..knowledge import load_knowledge_base
from ..records.problems import ValidationFailed

PLUGIN_NAME = "cluster-kb"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "build",
        help="validate the content, then build the site (nothing is replaced unless the build succeeds)",
        description=(
            "Validate a knowledge base and build its site with MkDocs (strict). "
            "Exit 0 when built, 1 on problems in the content or a failed build, 2 on a usage error."
        ),
    )
    parser.add_argument("--content", default="content", type=Path, help="content folder (default: content)")
    parser.add_argument("--site-dir", default="site", type=Path, help="where to write the site (default: site)")
    parser.add_argument("--config-file", default="mkdocs.yml", type=Path, help="MkDocs configuration (default: mkdocs.yml)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.set_defaults(run=run)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname}: {record.getMessage()}"


def _logging(quiet: bool) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    handler.setLevel(logging.ERROR if quiet else logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def run(options: argparse.Namespace) -> int:
    content: Path = options.content
    site_dir: Path = options.site_dir.resolve()
    config_file: Path = options.config_file
    if not content.is_dir():
        print(f"cluster-kb: error: content folder '{content}' not found", file=sys.stderr)
        return 2
    if not config_file.is_file():
        print(f"cluster-kb: error: MkDocs configuration '{config_file}' not found", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        kb = load_knowledge_base(content)
    except ValidationFailed as failed:
        print(failed.report())
        print(f"cluster-kb: the site was not built; {site_dir} is unchanged", file=sys.stderr)
        return 1

    # Imported here: the core never needs MkDocs, and `cluster-kb validate` stays fast.
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _logging(options.quiet)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-building-", dir=site_dir.parent))
    try:
        try:
            config = load_config(config_file=str(config_file), site_dir=str(staging), strict=True)
            plugin = config.plugins.get(PLUGIN_NAME)
            if plugin is None:
                print(f"cluster-kb: error: {config_file} does not enable the '{PLUGIN_NAME}' plugin", file=sys.stderr)
                return 2
            plugin.config.content_dir = str(content.resolve())
            plugin.use_knowledge_base(content, kb)  # type: ignore[attr-defined]
            config.plugins.on_startup(command="build", dirty=False)
            build(config)
            config.plugins.on_shutdown()
        except Exception as exc:  # MkDocs, theme and plugin errors alike: report, never a traceback
            kind = "" if isinstance(exc, MkDocsException) else f"{type(exc).__name__}: "
            print(f"cluster-kb: error: the build failed: {kind}{exc}", file=sys.stderr)
            print(f"cluster-kb: the site was not built; {site_dir} is unchanged", file=sys.stderr)
            return 1
        _swap(staging, site_dir)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    if not options.quiet:
        print(f"{content}: built {len(kb)} records into {site_dir} in {time.monotonic() - started:.1f} s")
    return 0


def _swap(staging: Path, site_dir: Path) -> None:
    """Put the new site in place; the old one goes only once the new one is there."""
    os.chmod(staging, 0o755)  # noqa: S103 - mkdtemp makes it private; a published site is readable
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
        staging.rename(site_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(site_dir)
