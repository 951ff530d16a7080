"""The site in English, Spanish and Catalan: catalogues, languages of pages, alternates, and facts kept.

Real builds of the fixture knowledge base (the ``built_site`` fixture) and renders of the shipped
content: every page exists in the three languages with its ``<html lang>``, ``hreflang`` links,
a switcher to the same page and no English words of the site's own on a Spanish or Catalan page;
the catalogues translate every message the templates and the code use; and a translated record
carries every number of its English page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from cluster_kb.knowledge import load_knowledge_base
from cluster_kb.site.content import SiteContent
from cluster_kb.site.l10n import po_path
from helpers import ROOT, article, cluster_kb_build, copy_kb, write_config

LANGS = ("en", "es", "ca")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def _extracted() -> dict[str, str | tuple[str, str]]:
    """Every message the code and the templates use, as make i18n extracts it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, str | tuple[str, str]] = {}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            found[key] = message
    return found


MESSAGES = _extracted()


@pytest.mark.parametrize("lang", ["es", "ca"])
def test_every_message_has_its_translation(lang: str) -> None:
    with po_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    missing, broken = [], []
    for key in MESSAGES:
        entry = catalog.get(key)
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(key)
            continue
        wanted = set(PLACEHOLDER.findall(key))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                broken.append(f"{key!r} -> {text!r}")
    assert not missing, f"untranslated in {po_path(lang)} (run make i18n, then translate): {missing}"
    assert not broken, f"translations that lose or add a placeholder: {broken}"


def _lang_of(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "no <html lang>"
    return match.group(1)


def _neutral(path: Path, site: Path) -> tuple[str, str]:
    rel = path.relative_to(site).as_posix()
    first, _, rest = rel.partition("/")
    return (first, rest) if first in ("es", "ca") else ("en", rel)


def test_every_page_has_its_language_and_its_alternates(built_site: Path) -> None:
    pages = sorted(p for p in built_site.rglob("index.html") if "pagefind" not in p.parts)
    assert pages
    neutral = {_neutral(p, built_site) for p in pages}
    for path in pages:
        lang, rest = _neutral(path, built_site)
        html = path.read_text(encoding="utf-8")
        assert _lang_of(html) == lang, path
        links = dict(re.findall(r'<link rel="alternate" href="([^"]+)" hreflang="([^"]+)">', html)[i][::-1] for i in range(4))
        assert set(links) == {"en", "es", "ca", "x-default"}, path
        for other in LANGS:
            assert (other, rest) in neutral, f"{path}: no {other} page"
            prefix = "" if other == "en" else f"{other}/"
            assert links[other].endswith("/" + prefix + rest.removesuffix("index.html")), (path, links[other])
        assert links["x-default"] == links["en"]


def test_the_switcher_leads_to_the_same_page_in_the_other_languages(built_site: Path) -> None:
    page = built_site / "es" / "clusters" / "example-wine-cluster" / "index.html"
    html = page.read_text(encoding="utf-8")
    switcher = dict(re.findall(r'<a href="([^"]+)" hreflang="(\w\w)" lang="\w\w" class="md-select__link"', html))
    assert set(switcher.values()) == {"en", "es", "ca"}
    for href, lang in switcher.items():
        target = (page.parent / href / "index.html").resolve()
        assert target.is_file(), href
        assert _lang_of(target.read_text(encoding="utf-8")) == lang
        assert target.parent.name == "example-wine-cluster"
    assert 'hreflang="es" lang="es" class="md-select__link" aria-current="true"' in html


def test_the_sitemap_lists_every_language_with_its_alternates(built_site: Path) -> None:
    root = ET.parse(built_site / "sitemap.xml").getroot()  # noqa: S314 (the site this test just built)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = root.findall("s:url", ns)
    locs = {u.find("s:loc", ns).text for u in urls}  # type: ignore[union-attr]
    assert any("/es/clusters/example-wine-cluster/" in loc for loc in locs)
    assert any("/ca/clusters/example-wine-cluster/" in loc for loc in locs)
    for url in urls:
        alternates = {a.get("hreflang"): a.get("href") for a in url.findall("x:link", ns)}
        assert set(alternates) == {"en", "es", "ca", "x-default"}
        assert url.find("s:loc", ns).text in alternates.values()  # type: ignore[union-attr]


def test_the_theme_speaks_the_page_language(built_site: Path) -> None:
    es = (built_site / "es" / "index.html").read_text(encoding="utf-8")
    ca = (built_site / "ca" / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="Cabecera"' in es and 'aria-label="Capçalera"' in ca  # material's own words
    assert "Buenas prácticas de clústeres" in es and "Bones pràctiques de clústers" in ca  # the site's name
    # The footer too: material writes "Made with" in English whatever the language.
    footers = [" ".join(re.sub(r"<[^>]+>", " ", html[html.index('<div class="md-copyright">') :]).split()) for html in (es, ca)]
    assert footers[0].startswith("Hecho con Material for MkDocs"), footers
    assert footers[1].startswith("Fet amb Material for MkDocs"), footers
    assert ">Clústeres<" in re.sub(r"\s+", "", es.replace("\n", "")).replace("Clústeres", ">Clústeres<") or "Clústeres" in es


def _ui_text(html: str) -> str:
    """A page's words outside record text: elements carrying a lang of their own are record text."""
    body = article(html) + html[html.index("<header") : html.index("</header>")]
    body = re.sub(r"<script.*?</script>|<svg.*?</svg>", " ", body, flags=re.S)
    for _ in range(3):  # nested elements with a lang of their own
        body = re.sub(r'<(span|div|cite|small|p)[^>]*\slang="\w\w"[^>]*>(?:(?!<\1\b).)*?</\1>', " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _english_fragments(lang: str) -> list[str]:
    """Pieces of English messages long enough to be unmistakable that the language's translation does not hold."""
    with po_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    fragments = []
    for key in MESSAGES:
        entry = catalog.get(key)
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        for piece in PLACEHOLDER.split(key):
            piece = piece.strip(" .:;,()—")
            if len(piece) >= 14 and " " in piece and not any(piece in text for text in strings):
                fragments.append(piece)
    return fragments


@pytest.mark.parametrize("lang", ["es", "ca"])
def test_no_english_word_of_the_site_shows_on_a_spanish_or_catalan_page(built_site: Path, lang: str) -> None:
    fragments = _english_fragments(lang)
    assert len(fragments) > 100
    shown = []
    for path in sorted((built_site / lang).rglob("index.html")):
        text = _ui_text(path.read_text(encoding="utf-8"))
        shown += [f"{path.relative_to(built_site)}: {f!r}" for f in fragments if f in text]
    assert not shown, shown


def test_a_hand_written_page_without_its_translation_is_shown_marked(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    import shutil

    shutil.copytree(ROOT / "docs", docs)
    (docs / "guide.md").write_text("# Guide\n\nHow to read the site.\n", encoding="utf-8")
    config = write_config(tmp_path, ("nav:\n  - about.md", "nav:\n  - about.md\n  - guide.md"), docs=docs)
    site = tmp_path / "site"
    result = cluster_kb_build(copy_kb(tmp_path), site, "--config-file", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (site / "ca" / "guide" / "index.html").read_text(encoding="utf-8")
    assert _lang_of(page) == "ca"
    assert re.search(r'<p class="kb-lang-note">[^<]*en anglès:</p>', page), "the untranslated page does not say so"
    assert '<div lang="en">' in page and "How to read the site." in page


# -- the shipped content: a translation keeps every fact ---------------------------------------

_GROUPED = {
    "en": re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"),
    "es": re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"),
}


def numbers(text: str, lang: str) -> Counter[str]:
    """The numbers a text shows, written the same way whatever the language: 21.000 (es) = 21,000 (en)."""
    pattern = _GROUPED["en" if lang == "en" else "es"]
    found: Counter[str] = Counter()
    for raw in pattern.findall(text):
        value = raw.replace(",", "") if lang == "en" else raw.replace(".", "").replace(",", ".")
        found[value.rstrip("0").rstrip(".") if "." in value else value] += 1
    return found


_FOREIGN = re.compile(r'<(span|div|cite)\b[^>]*\slang="(\w\w)"[^>]*>(.*?)</\1>', re.S)


def page_numbers(html: str, lang: str) -> Counter[str]:
    """The numbers of a page's record text, each piece read in its own language (a text not yet
    translated keeps its own way of writing numbers, inside an element with its ``lang``)."""
    html = re.sub(r"<svg.*?</svg>|<ol class=\"kb-sources-list\">.*?</ol>|<p class=\"kb-sources\">.*?</p>", " ", html, flags=re.S)
    html = re.sub(r'<a [^>]*class="kb-source"[^>]*>.*?</a>|<cite\b.*?</cite>', " ", html, flags=re.S)
    html = re.sub(r'\s(href|id|title)="[^"]*"', " ", html)
    found: Counter[str] = Counter()

    def foreign(match: re.Match[str]) -> str:
        found.update(numbers(unescape(re.sub(r"<[^>]+>", " ", match.group(3))), match.group(2)))
        return " "

    rest = _FOREIGN.sub(foreign, html)
    found.update(numbers(unescape(re.sub(r"<[^>]+>", " ", rest)), lang))
    return found


@pytest.fixture(scope="module")
def shipped() -> SiteContent:
    return SiteContent(load_knowledge_base(ROOT / "content"))


def test_a_translated_record_page_shows_the_same_numbers_in_every_language(shipped: SiteContent) -> None:
    differ = []
    for spec in shipped.specs:
        if spec.path.count("/") != 2 or "meetings" in spec.path:
            continue  # record pages only
        counts = {lang: page_numbers(shipped.render(spec, lang).content, lang) for lang in LANGS}
        for lang in ("es", "ca"):
            if counts[lang] != counts["en"]:
                only_en = counts["en"] - counts[lang]
                only_other = counts[lang] - counts["en"]
                differ.append(f"{spec.path} ({lang}): English only {dict(only_en)}, {lang} only {dict(only_other)}")
    assert not differ, "\n".join(differ)
