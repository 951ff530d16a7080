"""The search index: slim copies of the indexed pages, and Pagefind run once per language."""

from __future__ import annotations

import gzip
import itertools
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_kb.site import search_index
from cluster_kb.site.search_index import (
    BODY_END,
    BODY_START,
    SWITCH_INTERVAL,
    TAIL_RUNS,
    SearchCopies,
    SearchError,
    part_sizes,
    search_copy,
)
from helpers import indexed_pages, search_parts
from hypothesis import given
from hypothesis import strategies as st
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


def _urls(part: Path) -> list[str]:
    """The pages one part of an index holds, by URL (its fragments are gzipped JSON)."""
    found = []
    for fragment in (part / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        found.append(json.loads(data)["url"])
    return sorted(found)


def _clusters(copies: SearchCopies, count: int, lang: str = "en") -> None:
    for n in range(count):
        copies.add(f"clusters/c{n}/index.html", lang, _page(lang, f"C{n}", f"<h1>Cluster {n}</h1>"))


def test_settling_drops_deleted_pages_and_copies_the_ones_this_build_did_not_write(
    tmp_path: Path, copies: SearchCopies
) -> None:
    site = tmp_path / "site"
    (site / "clusters" / "kept").mkdir(parents=True)
    (site / "clusters" / "kept" / "index.html").write_text(_page("en", "Kept", "<h1>Kept</h1>"), encoding="utf-8")
    copies.add("clusters/gone/index.html", "en", _page("en", "Gone", "<h1>Gone</h1>"))
    copies.add("clusters/new/index.html", "en", _page("en", "New", "<h1>New</h1>"))
    copies.settle(site, {"clusters/kept/index.html": "en", "clusters/new/index.html": "en"})
    copies.index(site, str(get_executable()))
    assert _urls(site / "pagefind" / "en") == ["/clusters/kept/", "/clusters/new/"]


def test_settling_reads_back_no_page_this_build_wrote_with_nothing_to_index(tmp_path: Path, copies: SearchCopies) -> None:
    # The site's file would give a copy; the build wrote a listing there, so it is not read again.
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "index.html").write_text(_page("en", "Old", "<h1>Old</h1>"), encoding="utf-8")
    copies.add("clusters/index.html", "en", "<html><body>a listing</body></html>")
    copies.settle(tmp_path, {"clusters/index.html": "en"})
    assert copies.languages() == []


def test_a_page_that_changes_language_loses_its_old_copy(tmp_path: Path, copies: SearchCopies) -> None:
    copies.add("about/index.html", "es", _page("es", "A", "<h1>A</h1>"))
    copies.add("about/index.html", "en", _page("en", "A", "<h1>A</h1>"))
    assert copies.languages() == ["en"]
    copies.index(tmp_path, str(get_executable()))
    assert sorted(p.name for p in (tmp_path / "pagefind").iterdir()) == ["en"]


def test_pagefind_failing_is_an_error_naming_the_language(tmp_path: Path, copies: SearchCopies) -> None:
    copies.add("es/a/index.html", "es", _page("es", "A", "<h1>A</h1>"))
    with pytest.raises(SearchError, match="the es pages"):
        copies.index(tmp_path, "false")


def test_a_missing_pagefind_is_an_error_naming_the_language(tmp_path: Path, copies: SearchCopies) -> None:
    copies.add("es/a/index.html", "es", _page("es", "A", "<h1>A</h1>"))
    with pytest.raises(SearchError, match="the es pages"):
        copies.index(tmp_path, str(tmp_path / "no-pagefind"))


def test_a_language_with_more_pages_than_a_part_is_cut_into_parts_in_the_order_they_came(
    tmp_path: Path, copies: SearchCopies
) -> None:
    _clusters(copies, 7)
    copies.add("es/clusters/c0/index.html", "es", _page("es", "C0", "<h1>Clúster 0</h1>"))
    copies.index(tmp_path, str(get_executable()), part_pages=3)
    parts = search_parts(tmp_path, "en")
    assert [p.relative_to(tmp_path).as_posix() for p in parts] == ["pagefind/en", "pagefind/en/part-2", "pagefind/en/part-3"]
    assert [_urls(part) for part in parts] == [
        ["/clusters/c0/", "/clusters/c1/", "/clusters/c2/"],
        ["/clusters/c3/", "/clusters/c4/", "/clusters/c5/"],
        ["/clusters/c6/"],
    ]
    assert search_parts(tmp_path, "es") == [tmp_path / "pagefind" / "es"]  # within a part: no merge


def test_the_same_pages_give_the_same_bundle_byte_for_byte(tmp_path: Path) -> None:
    bundles = []
    for run in ("one", "two"):
        copies = SearchCopies()
        _clusters(copies, 5)
        copies.index(tmp_path / run, str(get_executable()), part_pages=2)
        bundles.append({p.relative_to(tmp_path / run): p.read_bytes() for p in (tmp_path / run).rglob("*") if p.is_file()})
    assert bundles[0] == bundles[1]


def test_every_file_of_a_bundle_is_written_whole(tmp_path: Path, copies: SearchCopies) -> None:
    # Pagefind's own WriteFiles could leave a file empty when its process ended right after.
    _clusters(copies, 30)
    for run in range(3):
        copies.index(tmp_path / str(run), str(get_executable()), part_pages=7)
        for part in search_parts(tmp_path / str(run), "en"):
            assert indexed_pages(part, "en") > 0
            for fragment in (part / "fragment").iterdir():
                assert json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))["url"]
            assert all(chunk.stat().st_size > 0 for chunk in (part / "index").iterdir())


def test_a_build_indexes_each_part_while_it_writes_the_next_pages(tmp_path: Path, copies: SearchCopies) -> None:
    copies.stream(tmp_path, str(get_executable()), part_pages=2)
    _clusters(copies, 2)  # the first part is full: it is indexed in the background
    first = tmp_path / "pagefind" / ".en.partial" / "pagefind-entry.json"
    deadline = time.monotonic() + 60
    while not first.is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.is_file()  # before index() is called
    copies.add("clusters/c2/index.html", "en", _page("en", "C2", "<h1>Cluster 2</h1>"))
    copies.index(tmp_path, str(get_executable()), part_pages=2)
    assert [_urls(part) for part in search_parts(tmp_path, "en")] == [["/clusters/c0/", "/clusters/c1/"], ["/clusters/c2/"]]
    assert sorted(p.name for p in (tmp_path / "pagefind").iterdir()) == ["en"]


@given(
    pages=st.integers(0, 40_000),
    most=st.integers(1, 5_000),
    last=st.integers(1, 2_000),
    growth=st.floats(1.1, 4.0, allow_nan=False),
)
def test_a_build_plans_parts_that_shrink_towards_its_end(pages: int, most: int, last: int, growth: float) -> None:
    sizes = part_sizes(pages, most, last, growth)
    assert sum(sizes) == pages and all(1 <= size <= most for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if pages:
        assert sizes[-1] <= min(last, most)  # what is left to index after the build's last page
        # each part at most `growth` times the next, give or take the page that evens the largest out
        assert all(size <= growth * after + 1 for size, after in itertools.pairwise(sizes))
        # the fewest such parts: one part fewer, each as large as it may be, could not hold the pages
        fewer, size = 0, min(last, most)
        for _ in range(len(sizes) - 1):
            fewer, size = fewer + size, min(most, max(size, int(size * growth)))
        assert fewer < pages


def test_a_build_cuts_each_language_as_planned_from_the_pages_it_will_hand_over(
    tmp_path: Path, copies: SearchCopies
) -> None:
    copies.stream(tmp_path, str(get_executable()), part_pages=3, expected={"en": 7})
    _clusters(copies, 7)
    _clusters(copies, 4, "es")  # a language with no plan: full parts, then the rest
    copies.index(tmp_path, str(get_executable()), part_pages=3)
    assert [len(_urls(part)) for part in search_parts(tmp_path, "en")] == part_sizes(7, 3) == [3, 2, 2]
    assert [len(_urls(part)) for part in search_parts(tmp_path, "es")] == [3, 1]


def test_every_page_is_indexed_whatever_write_to_pagefind_carries_it(tmp_path: Path, copies: SearchCopies) -> None:
    _clusters(copies, 250)  # pages are written to Pagefind a hundred at a time
    copies.index(tmp_path, str(get_executable()))
    assert _urls(tmp_path / "pagefind" / "en") == sorted(f"/clusters/c{n}/" for n in range(250))


def test_a_build_indexing_in_the_background_lends_its_threads_the_gil_sooner_and_gives_the_interval_back(
    tmp_path: Path, copies: SearchCopies
) -> None:
    before = sys.getswitchinterval()
    copies.stream(tmp_path, str(get_executable()))
    assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL) < 0.005  # Python's default is 5 ms
    _clusters(copies, 3)
    copies.index(tmp_path, str(get_executable()))
    assert sys.getswitchinterval() == before
    copies.stream(tmp_path, str(get_executable()))
    copies.close()  # a failed build gives it back too
    assert sys.getswitchinterval() == before


def test_after_the_last_page_the_parts_left_are_indexed_two_at_a_time_within_one_parts_pages(
    tmp_path: Path, copies: SearchCopies, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock, running, most = threading.Lock(), [0], [0]

    def index_part(executable: str, lang: str, pages: object, output: Path) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        output.mkdir(parents=True)
        with lock:
            running[0] -= 1

    monkeypatch.setattr(search_index, "_index_part", index_part)
    copies.stream(tmp_path, "pagefind", part_pages=3, expected={"en": 5, "es": 5, "ca": 5})
    for lang in ("en", "es", "ca"):  # no part is full: all three are left for the end
        copies.add(f"{lang}/a/index.html", lang, _page(lang, "A", "<h1>A</h1>"))
    copies.index(tmp_path, "pagefind", part_pages=3)
    assert most[0] == TAIL_RUNS == 2
    assert sorted(p.name for p in (tmp_path / "pagefind").iterdir()) == ["ca", "en", "es"]

    # Runs at once hold no more pages than one part: Pagefind's memory grows with them.
    most[0] = 0
    copies.stream(tmp_path / "two", "pagefind", part_pages=3, expected={"en": 5, "es": 5})
    for lang in ("en", "es"):  # two parts of 2 pages: 4 is more than a part's 3
        for name in ("a", "b"):
            copies.add(f"{lang}/{name}/index.html", lang, _page(lang, name, f"<h1>{name}</h1>"))
    copies.index(tmp_path / "two", "pagefind", part_pages=3)
    assert most[0] == 1


def test_a_build_whose_indexer_fails_publishes_no_bundle_and_says_why(tmp_path: Path, copies: SearchCopies) -> None:
    copies.stream(tmp_path, "false", part_pages=1)
    _clusters(copies, 3)
    with pytest.raises(SearchError, match="the en pages"):
        copies.index(tmp_path, "false", part_pages=1)
    assert not (tmp_path / "pagefind").exists() or not list((tmp_path / "pagefind").iterdir())


def test_an_interrupted_build_leaves_no_unfinished_bundle(tmp_path: Path) -> None:
    copies = SearchCopies()
    copies.stream(tmp_path, str(get_executable()), part_pages=1)
    _clusters(copies, 3)
    copies.close()  # what a failed build does (on_build_error)
    assert not (tmp_path / "pagefind").exists() or not list((tmp_path / "pagefind").iterdir())


def test_reindexing_replaces_the_whole_bundle_so_no_old_part_or_chunk_stays(tmp_path: Path, copies: SearchCopies) -> None:
    _clusters(copies, 4)
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


def test_a_copy_forgotten_since_the_pages_were_listed_is_left_out(tmp_path: Path, copies: SearchCopies) -> None:
    # A preview's next build may drop a copy while the previous build's index is being written.
    _clusters(copies, 4)
    copies._copies.pop("clusters/c3/index.html")  # the moment between listing and reading
    copies.index(tmp_path, str(get_executable()), part_pages=2)
    assert sum(indexed_pages(part, "en") for part in search_parts(tmp_path, "en")) == 3
