"""``cluster-kb build``: validate a knowledge base, then build the site with MkDocs, atomically.

The content is validated first; on problems every ``path:line:col: error:`` line is printed and
nothing is built (exit 1). The site is built (strict: a warning fails the build) into a temporary
folder next to the target and swapped in only when the build succeeded, so an existing site
folder is never left half-written.

The site folder is replaced whole, so it is guarded before anything is created or deleted: a
``--site-dir`` that is, holds or lies inside the content folder or the docs folder, that is or
holds the MkDocs configuration's folder or a git work tree, is refused (exit 2); so is a non-empty
folder that is not a previous build (each build leaves a :data:`MARKER` file in the site), unless
``--force`` says to replace it. Paths are compared resolved (symbolic links, ``..``).
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

from .. import __version__
from ..knowledge import load_knowledge_base
from ..records.problems import ValidationFailed

PLUGIN_NAME = "cluster-kb"

MARKER = ".cluster-kb-site"
"""A file in every built site: a folder that holds it is a previous build, which the next build replaces."""
MARKER_TEXT = (
    "Written by `cluster-kb build`: this folder is a built site, and the next build replaces all of it.\n"
    "Do not keep anything else here.\n"
)


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
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a non-empty --site-dir that is not a previous build (never the content, the docs or a checkout)",
    )
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
    refusal = _protected(options.site_dir, content, config_file)
    if refusal:
        print(f"cluster-kb: error: {refusal}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        kb = load_knowledge_base(content)
    except ValidationFailed as failed:
        print(failed.report())
        print(f"cluster-kb: the site was not built; {site_dir} is unchanged", file=sys.stderr)
        return 1
    refusal = _foreign(options.site_dir, force=options.force)
    if refusal:
        print(f"cluster-kb: error: {refusal}", file=sys.stderr)
        return 2

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
            (staging / MARKER).write_text(f"{MARKER_TEXT}cluster-kb {__version__}\n", encoding="utf-8")
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


# -- the guard: what a site folder must never be ---------------------------------------------------


def _shown(given: Path, resolved: Path) -> str:
    return f"'{given}'" if Path(os.path.abspath(given)) == resolved else f"'{given}' ({resolved})"


def _docs_dir(config_file: Path) -> Path:
    """The configuration's docs_dir, resolved (relative to the configuration's folder, as MkDocs reads it)."""
    from mkdocs.utils import yaml_load

    folder = config_file.resolve().parent
    try:
        with config_file.open("rb") as handle:
            config = yaml_load(handle)
        docs = config.get("docs_dir") or "docs"
    except Exception:  # an unreadable configuration fails the build later, before anything is written
        docs = "docs"
    return (folder / str(docs)).resolve()


def _work_tree(start: Path) -> Path | None:
    """The root of the git work tree holding ``start`` (the nearest folder with a .git entry), if any."""
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def _protected(given: Path, content: Path, config_file: Path) -> str | None:
    """Why ``given`` must never be a site folder, or None. Reads nothing but paths and .git entries."""
    site = given.resolve()
    shown = _shown(given, site)
    if site.exists() and not site.is_dir():
        return f"--site-dir {shown} is a file, not a folder; choose a folder for the site, e.g. --site-dir site"
    config_folder = config_file.resolve().parent
    guarded = [
        (content.resolve(), f"the content folder '{content}'", True),
        (_docs_dir(config_file), f"the docs folder (docs_dir of {config_file})", True),
        (config_folder, f"the folder of the MkDocs configuration '{config_file}'", False),
    ]
    reasons: list[str] = []
    for folder, what, inside_too in guarded:
        if site == folder:
            reasons.append(f"it is {what}")
        elif site in folder.parents:
            reasons.append(f"it holds {what}")
        elif inside_too and folder in site.parents:
            reasons.append(f"it lies inside {what}")
    if os.path.lexists(site / ".git"):
        reasons.append("it is a git work tree (it holds .git)")
    else:
        for start in (content.resolve(), config_folder, Path.cwd().resolve()):
            tree = _work_tree(start)
            if tree is not None and site in tree.parents:
                reasons.append(f"it holds the git work tree {tree}")
                break
    if not reasons:
        return None
    return (
        f"refusing to build into --site-dir {shown}: {'; '.join(reasons)}. A build replaces everything in its site "
        "folder: choose a folder of its own, e.g. --site-dir site"
    )


def _foreign(given: Path, *, force: bool) -> str | None:
    """Why an existing ``given`` may not be replaced, or None: it must be empty or a previous build."""
    site = given.resolve()
    if not site.is_dir():
        return None
    shown = _shown(given, site)
    try:
        entries = list(site.iterdir())
    except OSError as exc:
        return f"cannot read --site-dir {shown}: {exc.strerror or exc}"
    if not entries or (site / MARKER).is_file():
        return None
    if not force:
        return (
            f"refusing to build into --site-dir {shown}: it holds files that are not a previous build of this site "
            f"(there is no {MARKER} file in it), and a build replaces everything in its site folder. Choose an empty "
            f"or new folder, or pass --force to replace {shown} and everything in it"
        )
    for folder, names, _ in os.walk(site):  # even with --force, never a git repository
        if ".git" in names or os.path.lexists(Path(folder) / ".git"):
            return (
                f"refusing to build into --site-dir {shown}, even with --force: it holds the git work tree {folder}. "
                "Choose another folder"
            )
    return None
