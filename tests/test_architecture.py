"""The core is plain Python: only the MkDocs adapter knows MkDocs, only the commands know argparse."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "generator" / "cluster_kb"
ADAPTERS = {PACKAGE / "site" / "mkdocs_plugin.py", PACKAGE / "__main__.py"}


def core_modules() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py") if path not in ADAPTERS and "commands" not in path.relative_to(PACKAGE).parts
    )


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_core_module_imports_mkdocs_or_the_cli_framework() -> None:
    modules = core_modules()
    assert len(modules) > 10  # the walk finds the core
    offending = {str(path.relative_to(PACKAGE)): sorted(imported(path) & {"mkdocs", "material", "argparse"}) for path in modules}
    assert not {name: found for name, found in offending.items() if found}


BLOCKED_RUN = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("mkdocs", "material"):
            raise ImportError("the core imported " + name)
sys.meta_path.insert(0, Block())
import cluster_kb
skip = ("cluster_kb.commands", "cluster_kb.site.mkdocs_plugin", "cluster_kb.__main__")
for info in pkgutil.walk_packages(cluster_kb.__path__, "cluster_kb."):
    if not info.name.startswith(skip):
        importlib.import_module(info.name)
from pathlib import Path
from cluster_kb.knowledge import load_knowledge_base
from cluster_kb.site.content import SiteContent
site = SiteContent(load_knowledge_base(Path(sys.argv[1])))
pages = [site.render(spec, lang) for spec, lang in site.pages()]
assert pages and all(page.content for page in pages)
assert site.data_files() and site.navigation("es")
print(len(pages), "pages without mkdocs")
"""


def test_the_whole_site_renders_with_mkdocs_unimportable() -> None:
    fixture = Path(__file__).parent / "fixtures" / "kb"
    run = subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN, str(fixture)], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "pages without mkdocs" in run.stdout
