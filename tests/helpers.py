"""Helpers shared by the site tests: run the real build, read what it wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"
SOURCE_DATE_EPOCH = "1700000000"
SITE_PATH = "/cluster-kb/"
"""The path of mkdocs.yml's default site_url: the 404 page links from there."""


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command from the repository root with a reproducible environment."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    full_env.pop("SITE_URL", None)
    return subprocess.run(list(args), cwd=ROOT, env=full_env, capture_output=True, text=True, check=False)


def cluster_kb_build(
    content: Path, site_dir: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``cluster-kb build --content CONTENT --site-dir SITE_DIR``, as a user runs it."""
    command = [sys.executable, "-m", "cluster_kb", "build", "--content", str(content), "--site-dir", str(site_dir), *extra]
    return run(*command, env=env)


def mkdocs_build(content: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Plain ``mkdocs build --strict`` of ``content`` (the plugin reads CLUSTER_KB_CONTENT)."""
    mkdocs = str(Path(sys.executable).with_name("mkdocs"))
    return run(mkdocs, "build", "--strict", "--site-dir", str(site_dir), env={"CLUSTER_KB_CONTENT": str(content)})


def write_config(folder: Path, *changes: tuple[str, str], docs: Path = ROOT / "docs") -> Path:
    """The project's mkdocs.yml with its docs_dir at ``docs`` and each ``(old, new)`` change made,
    written as ``folder/mkdocs.yml``; fails when a change no longer finds its text."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for old, new in (("docs_dir: docs", f"docs_dir: {docs}"), *changes):
        assert old in config, f"mkdocs.yml no longer holds {old!r}"
        config = config.replace(old, new)
    path = folder / "mkdocs.yml"
    path.write_text(config, encoding="utf-8")
    return path


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(page: Any, tags: list[str] = WCAG_TAGS) -> list[str]:
    """axe-core's serious and critical violations on the page in a real browser, one line each.

    Only violations are gathered (``resultTypes``, axe's own option for speed): the passing checks
    of a page with a thousand nodes would otherwise be serialised and sent back for nothing.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def search_parts(site: Path, lang: str) -> list[Path]:
    """The folders of one language's search index: its bundle, then the parts its kb-parts.json lists."""
    bundle = site / "pagefind" / lang
    merge = json.loads((bundle / "kb-parts.json").read_text(encoding="utf-8"))["merge"]
    return [bundle, *(bundle / part for part in merge)]


def indexed_pages(part: Path, lang: str) -> int:
    """How many pages one part of a language's search index holds (its pagefind-entry.json)."""
    entry = json.loads((part / "pagefind-entry.json").read_text(encoding="utf-8"))
    return int(entry["languages"][lang]["page_count"])


def copy_kb(tmp_path: Path, name: str = "kb") -> Path:
    """A writable copy of the fixture knowledge base."""
    target = tmp_path / name
    shutil.copytree(FIXTURE_KB, target)
    return target


def add_clusters(kb: Path, count: int, territory: str = "bogota", sector: str = "agri-food") -> None:
    """Add ``count`` synthetic clusters (for pagination), all in one territory and sector."""
    for n in range(count):
        (kb / "clusters" / f"synthetic-cluster-{n:04d}.yaml").write_text(
            f"name: Synthetic Cluster {n:04d}\nsynthetic: true\nterritory: {territory}\nsectors: [{sector}]\n"
            "practices:\n  - title: Shared vision workshop\n    summary: Members write the vision together.\n"
            "    principles: [shared-vision]\nsources:\n  - title: Synthetic source\n",
            encoding="utf-8",
        )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            value = values.get(name)
            if value and tag in ("a", "link", "script", "img"):
                self.links.append(value)


def parse_links(html: str) -> tuple[list[str], set[str]]:
    """The href/src values of a page, and the ids it defines."""
    parser = _Links()
    parser.feed(html)
    return parser.links, parser.ids


def broken_links(site: Path) -> list[str]:
    """Every internal link of every HTML page in ``site`` that does not reach a file (or anchor)."""
    pages: dict[Path, tuple[list[str], set[str]]] = {}
    for path in sorted(site.rglob("*.html")):
        pages[path] = parse_links(path.read_text(encoding="utf-8"))
    broken: list[str] = []
    for path, (links, _) in pages.items():
        for link in links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:")):
                continue
            if parts.path.startswith("/"):
                if not parts.path.startswith(SITE_PATH):
                    broken.append(f"{path.relative_to(site)}: {link}")
                    continue
                target = site / unquote(parts.path[len(SITE_PATH) :])
            else:
                target = (path.parent / unquote(parts.path)) if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path.relative_to(site)}: {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target.resolve()][1] if target.resolve() in pages else set()
                if parts.fragment not in ids and parts.fragment != "__skip":
                    broken.append(f"{path.relative_to(site)}: {link} (no #{parts.fragment})")
    return broken


def article(html: str) -> str:
    """The page's main content (material's article element)."""
    start = html.index('<article class="md-content__inner md-typeset">')
    return html[start : html.index("</article>", start)]
