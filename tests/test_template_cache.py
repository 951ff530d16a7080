"""Compiled templates kept between builds: reused only when nothing that shapes them changed, never
changing a byte of the site, and never in the way when the cache folder cannot be used."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jinja2
import pytest
from cluster_kb.site.template_cache import template_cache
from helpers import FIXTURE_KB, cluster_kb_build


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_a_build_with_compiled_templates_kept_is_the_same_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # jinja2's default folder is in the temporary folder: TMPDIR gives each build here a fresh one.
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    cold = cluster_kb_build(FIXTURE_KB, tmp_path / "cold")
    assert cold.returncode == 0, cold.stdout + cold.stderr
    (cache,) = (tmp_path / "tmp").iterdir()
    assert cache.name == f"_jinja2-cache-{os.getuid()}"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700  # no one else can put code there
    kept = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert kept, "the first build keeps its compiled templates"
    warm = cluster_kb_build(FIXTURE_KB, tmp_path / "warm")
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == kept  # nothing compiled anew
    assert _tree(tmp_path / "warm") == _tree(tmp_path / "cold")


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
