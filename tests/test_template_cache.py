"""Compiled templates kept between builds: reused only when nothing that shapes them changed, never
changing a byte of the site, and never in the way when the cache folder cannot be used."""

from __future__ import annotations

import importlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from cluster_kb.kinds import N_
from cluster_kb.site import l10n
from cluster_kb.site.html import Renderer
from cluster_kb.site.mkdocs_plugin import ClusterKbPlugin
from cluster_kb.site.template_cache import _source_digest, template_cache
from cluster_kb.site.views import PageSpec, SearchView, Title
from helpers import FIXTURE_KB, cluster_kb_build
from mkdocs.structure.files import Files


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_a_build_with_compiled_templates_kept_is_the_same_byte_for_byte(built_site: Path, tmp_path: Path) -> None:
    # The session's build started with an empty temporary folder of its own (conftest.py): jinja2's
    # default cache folder is there, holding what that first build compiled.
    temporary = built_site.parent / "tmp"
    (cache,) = temporary.iterdir()
    assert cache.name == f"_jinja2-cache-{os.getuid()}"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700  # no one else can put code there
    kept = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert kept, "the first build keeps its compiled templates"
    warm = cluster_kb_build(FIXTURE_KB, tmp_path / "warm", env={"TMPDIR": str(temporary)})
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == kept  # nothing compiled anew
    assert _tree(tmp_path / "warm") == _tree(built_site)


def _env(folder: Path, source: str, salt: tuple[str, ...]) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}), autoescape=True)
    env.bytecode_cache = template_cache(env, salt, str(folder))
    return env


def test_a_template_compiled_for_one_language_is_not_reused_for_another(tmp_path: Path) -> None:
    # The page templates bake their language's messages into the compiled code.
    spanish = _env(tmp_path, "{{ 1 }}", ("es",))
    spanish.get_template("page.html")
    catalan = _env(tmp_path, "{{ 1 }}", ("ca",))
    catalan.get_template("page.html")
    assert len(list(tmp_path.iterdir())) == 2
    _env(tmp_path, "{{ 1 }}", ("es",)).get_template("page.html")
    assert len(list(tmp_path.iterdir())) == 2  # the same language and source: reused


def test_an_edited_template_or_other_options_compile_anew(tmp_path: Path) -> None:
    assert _env(tmp_path, "<p>{{ x }}</p>", ()).get_template("page.html").render(x="<b>") == "<p>&lt;b&gt;</p>"
    assert _env(tmp_path, "<i>{{ x }}</i>", ()).get_template("page.html").render(x="<b>") == "<i>&lt;b&gt;</i>"
    source = "{% if x %}\nyes{% endif %}"
    assert _env(tmp_path, source, ()).get_template("page.html").render(x=1) == "\nyes"
    trimmed = jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}), autoescape=True, trim_blocks=True)
    trimmed.bytecode_cache = template_cache(trimmed, (), str(tmp_path))
    assert trimmed.get_template("page.html").render(x=1) == "yes"  # not the code kept for the same source above


def test_an_unusable_cache_folder_is_skipped(tmp_path: Path) -> None:
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("a file where the cache folder would be\n", encoding="utf-8")
    assert _env(in_the_way, "{{ 6 * 7 }}", ()).get_template("page.html").render() == "42"
    (tmp_path / "broken").mkdir()
    env = _env(tmp_path / "broken", "{{ 6 * 7 }}", ())
    env.get_template("page.html")
    for kept in (tmp_path / "broken").iterdir():
        kept.write_bytes(b"not compiled code")
    assert _env(tmp_path / "broken", "{{ 6 * 7 }}", ()).get_template("page.html").render() == "42"


def test_without_a_safe_default_folder_templates_compile_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # jinja2 refuses its default folder when it is not a folder of this user's alone.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / f"_jinja2-cache-{os.getuid()}").write_text("not a folder\n", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": "{{ 6 * 7 }}"}), autoescape=True)
    assert template_cache(env) is None
    assert env.get_template("page.html").render() == "42"


def test_an_edited_extension_compiles_anew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An extension rewrites a template before it compiles: the source jinja2 checks is unchanged.
    module = tmp_path / "kb_test_shout.py"
    monkeypatch.syspath_prepend(str(tmp_path))

    def render(word: str) -> str:
        module.write_text(
            "from jinja2.ext import Extension\n\nclass Shout(Extension):\n"
            f"    def preprocess(self, source, name, filename=None):\n        return source.replace('hello', {word!r})\n",
            encoding="utf-8",
        )
        importlib.invalidate_caches()
        known = sys.modules.get("kb_test_shout")
        loaded = importlib.reload(known) if known else importlib.import_module("kb_test_shout")
        _source_digest.cache_clear()  # each build is a new process
        env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": "hello"}), extensions=[loaded.Shout], autoescape=True)
        env.bytecode_cache = template_cache(env, (), str(tmp_path / "cache"))
        return env.get_template("page.html").render()

    (tmp_path / "cache").mkdir()
    try:
        assert render("HELLO") == "HELLO"
        assert render("hola") == "hola"
    finally:
        sys.modules.pop("kb_test_shout", None)


def test_a_build_keeps_the_themes_compiled_templates_on_disk_and_a_preview_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cache = tmp_path / f"_jinja2-cache-{os.getuid()}"
    plugin = ClusterKbPlugin()
    plugin.load_config({"content_dir": str(tmp_path / "content")})
    for command, kept in (("serve", False), ("build", True)):
        plugin.on_startup(command=command, dirty=False)
        theme = jinja2.Environment(loader=jinja2.DictLoader({"main.html": f"{command} {{{{ 6 * 7 }}}}"}), autoescape=True)
        env = plugin.on_env(theme, config=SimpleNamespace(site_url="https://example.org/"), files=Files([]))
        assert env.get_template("main.html").render() == f"{command} 42"
        assert (cache.is_dir() and any(cache.iterdir())) is kept, command


def test_an_edited_translation_shows_although_the_page_template_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page templates bake their messages in when they compile: a new translation must compile them anew.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    catalogue = tmp_path / "messages.po"
    monkeypatch.setattr(l10n, "po_path", lambda lang: catalogue)
    spec = PageSpec("search/", "search.html", Title(N_("Search")), SearchView, search=False)
    shipped = (l10n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    try:
        for word in ("Buscar", "Búsqueda"):
            translated = shipped.replace('msgid "Search"\nmsgstr "Buscar"', f'msgid "Search"\nmsgstr "{word}"')
            catalogue.write_text(translated, encoding="utf-8")
            l10n._load.cache_clear()  # each build is a new process, which reads the catalogue anew
            l10n.catalogue.cache_clear()
            assert f"<h1>{word}</h1>" in Renderer().render(spec, SearchView(), "es").content
    finally:
        l10n._load.cache_clear()
        l10n.catalogue.cache_clear()
