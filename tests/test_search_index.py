"""The search index: slim copies of the indexed pages, and Pagefind run once per language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_kb.site.search_index import BODY_END, BODY_START, SearchCopies, SearchError, search_copy
from helpers import indexed_pages, search_parts
from pagefind_bin import get_executable


def _page(lang: str, title: str, body: str) -> str:
    nav = "<nav>" + "<a href='x'>navigation</a>" * 50 + "</nav>"
    return (
        f'<!doctype html><html lang="{lang}" class="no-js"><head><title>{title}</title></head>'
        f"<body>{nav}<article>{BODY_START}{body}</div>{BODY_END}<footer>footer</footer></article></body></html>"
    )


def test_a_copy_keeps_the_language_the_title_and_the_body_only() -> None:
    copy = search_copy(_page("es", "Clúster - Buenas prácticas", "<h1>Clúster</h1><p>Texto</p>"), "es")
    assert copy is not None
    assert '<html lang="es">' in copy and "<title>Clúster - Buenas prácticas</title>" in copy
    assert f"{BODY_START}<h1>Clúster</h1><p>Texto</p></div></body>" in copy
    assert "navigation" not in copy and "footer" not in copy


def test_a_page_without_the_indexed_element_has_no_copy() -> None:
    assert search_copy("<html><body><p>A listing</p></body></html>", "en") is None
    assert search_copy(f"<html><body>{BODY_START}<p>no end marker</p></div></body></html>", "en") is None


def _entry(site: Path, lang: str) -> dict[str, object]:
    return json.loads((site / "pagefind" / lang / "pagefind-entry.json").read_text(encoding="utf-8"))


@pytest.fixture
def copies() -> Iterator[SearchCopies]:
    found = SearchCopies()
    yield found
    found.close()


def test_each_language_gets_its_own_bundle(tmp_path: Path, copies: SearchCopies) -> None:
    copies.add("clusters/a/index.html", "en", _page("en", "A", "<h1>Wine cluster</h1>"))
    copies.add("es/clusters/a/index.html", "es", _page("es", "A", "<h1>Clúster del vino</h1>"))
    copies.add("ca/clusters/a/index.html", "ca", _page("ca", "A", "<h1>Clúster del vi</h1>"))
    copies.add("clusters/index.html", "en", "<html><body>a listing</body></html>")  # not indexed
    copies.index(tmp_path, str(get_executable()))
    for lang in ("en", "es", "ca"):
        languages = _entry(tmp_path, lang)["languages"]
        assert list(languages) == [lang] and languages[lang]["page_count"] == 1  # type: ignore[index]


def test_closing_removes_the_scratch_folder() -> None:
    copies = SearchCopies()
    copies.add("a/index.html", "en", _page("en", "A", "<h1>A</h1>"))
    scratch = copies.root
    assert scratch.is_dir()
    copies.close()
    assert not scratch.exists()


def test_settling_drops_deleted_pages_and_copies_the_ones_this_build_did_not_write(
    tmp_path: Path, copies: SearchCopies
) -> None:
    site = tmp_path / "site"
    (site / "clusters" / "kept").mkdir(parents=True)
    (site / "clusters" / "kept" / "index.html").write_text(_page("en", "Kept", "<h1>Kept</h1>"), encoding="utf-8")
    copies.add("clusters/gone/index.html", "en", _page("en", "Gone", "<h1>Gone</h1>"))
    copies.add("clusters/new/index.html", "en", _page("en", "New", "<h1>New</h1>"))
    gone = copies.root / "en" / "clusters" / "gone" / "index.html"
    assert gone.is_file()
    copies.settle(site, {"clusters/kept/index.html": "en", "clusters/new/index.html": "en"})
    assert not gone.exists()
    assert (copies.root / "en" / "clusters" / "kept" / "index.html").is_file()
    copies.index(site, str(get_executable()))
    assert indexed_pages(site / "pagefind" / "en", "en") == 2


def test_settling_reads_back_no_page_this_build_wrote_with_nothing_to_index(tmp_path: Path, copies: SearchCopies) -> None:
    # The site's file would give a copy; the build wrote a listing there, so it is not read again.
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "index.html").write_text(_page("en", "Old", "<h1>Old</h1>"), encoding="utf-8")
    copies.add("clusters/index.html", "en", "<html><body>a listing</body></html>")
    copies.settle(tmp_path, {"clusters/index.html": "en"})
    assert copies.languages() == []
    assert not (copies.root / "en" / "clusters" / "index.html").exists()


def test_a_page_that_changes_language_loses_its_old_copy(copies: SearchCopies) -> None:
    copies.add("about/index.html", "es", _page("es", "A", "<h1>A</h1>"))
    copies.add("about/index.html", "en", _page("en", "A", "<h1>A</h1>"))
    assert copies.languages() == ["en"]
    assert not (copies.root / "es" / "about" / "index.html").exists()


def test_pagefind_failing_is_an_error_naming_the_language(tmp_path: Path, copies: SearchCopies) -> None:
    copies.add("es/a/index.html", "es", _page("es", "A", "<h1>A</h1>"))
    with pytest.raises(SearchError, match="the es pages"):
        copies.index(tmp_path, "false")


def test_a_language_with_more_pages_than_a_part_is_indexed_in_parts_that_share_them(
    tmp_path: Path, copies: SearchCopies
) -> None:
    for n in range(7):
        copies.add(f"clusters/c{n}/index.html", "en", _page("en", f"C{n}", f"<h1>Cluster {n}</h1>"))
    copies.add("es/clusters/c0/index.html", "es", _page("es", "C0", "<h1>Clúster 0</h1>"))
    copies.index(tmp_path, str(get_executable()), part_pages=3)
    parts = search_parts(tmp_path, "en")
    assert [p.relative_to(tmp_path).as_posix() for p in parts] == ["pagefind/en", "pagefind/en/part-2", "pagefind/en/part-3"]
    assert sorted(indexed_pages(part, "en") for part in parts) == [2, 2, 3]  # every page once, parts even
    assert search_parts(tmp_path, "es") == [tmp_path / "pagefind" / "es"]  # within a part: no merge
    assert not list(copies.root.glob(".part/**/*.html"))  # the parts' links are gone


def test_reindexing_replaces_the_whole_bundle_so_no_old_part_or_chunk_stays(tmp_path: Path, copies: SearchCopies) -> None:
    for n in range(4):
        copies.add(f"clusters/c{n}/index.html", "en", _page("en", f"C{n}", f"<h1>Cluster {n}</h1>"))
    copies.index(tmp_path, str(get_executable()), part_pages=2)
    assert (tmp_path / "pagefind" / "en" / "part-2").is_dir()
    copies.settle(tmp_path, {f"clusters/c{n}/index.html": "en" for n in range(3)})  # c3 was deleted
    copies.index(tmp_path, str(get_executable()))
    bundle = tmp_path / "pagefind" / "en"
    assert search_parts(tmp_path, "en") == [bundle] and not (bundle / "part-2").exists()
    assert len(list((bundle / "fragment").iterdir())) == 3  # Pagefind alone keeps the old fragments
    assert sorted(p.name for p in (tmp_path / "pagefind").iterdir()) == ["en"]  # no partial or old folder


def test_a_failed_index_leaves_the_previous_bundle_in_place(tmp_path: Path, copies: SearchCopies) -> None:
    copies.add("clusters/a/index.html", "en", _page("en", "A", "<h1>A</h1>"))
    copies.index(tmp_path, str(get_executable()))
    with pytest.raises(SearchError, match="the en pages"):
        copies.index(tmp_path, "false")
    assert indexed_pages(tmp_path / "pagefind" / "en", "en") == 1
    assert sorted(p.name for p in (tmp_path / "pagefind").iterdir()) == ["en"]


def test_parts_are_even_and_the_same_for_the_same_pages() -> None:
    from cluster_kb.site.search_index import _parts

    pages = [f"clusters/c{n}/index.html" for n in range(10)]
    parts = _parts(pages, 3)
    assert sorted(len(part) for part in parts) == [3, 3, 4]
    assert sorted(page for part in parts for page in part) == sorted(pages)
    assert _parts(list(reversed(pages)), 3) == parts


def test_parts_are_copied_where_the_file_system_has_no_hard_links(
    tmp_path: Path, copies: SearchCopies, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object) -> None:
        raise OSError("hard links not supported")

    monkeypatch.setattr("cluster_kb.site.search_index.os.link", no_links)
    for n in range(4):
        copies.add(f"clusters/c{n}/index.html", "en", _page("en", f"C{n}", f"<h1>Cluster {n}</h1>"))
    copies.index(tmp_path, str(get_executable()), part_pages=2)
    assert sum(indexed_pages(part, "en") for part in search_parts(tmp_path, "en")) == 4


def test_a_copy_gone_since_the_pages_were_listed_is_left_out_of_its_part(tmp_path: Path, copies: SearchCopies) -> None:
    # A preview's next build may drop a copy while the previous build's index is being written.
    for n in range(4):
        copies.add(f"clusters/c{n}/index.html", "en", _page("en", f"C{n}", f"<h1>Cluster {n}</h1>"))
    (copies.root / "en" / "clusters" / "c3" / "index.html").unlink()
    copies.index(tmp_path, str(get_executable()), part_pages=2)
    assert sum(indexed_pages(part, "en") for part in search_parts(tmp_path, "en")) == 3
