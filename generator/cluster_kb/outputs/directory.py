"""The cluster directory's data: one compact JSON file the /clusters/ page filters in the browser.

:func:`directory_json` turns a knowledge base into ``data/directory.json``, the same file for the
three languages (every name carries its texts per language). ``site/assets/directory.js`` loads it
once and filters clusters by territory, sector, decalogue principle and edition, and by name.

The file is built for size (10,000 clusters must stay well under 300 KB gzipped): no key is repeated
per record. Each table is *columnar*, an object of equally long arrays, and records point at each
other by their index in a table::

    {
      "format": "cluster-kb-directory/1",
      "territories": {"id": [...], "name": [...], "parent": [index or null, ...]},
      "sectors":     {"id": [...], "name": [...]},
      "principles":  {"id": [...], "name": [...], "number": [1, ...]},
      "editions":    {"id": [...], "name": [...], "year": [2018 or null, ...]},
      "clusters":    {"id": [...], "name": [...], "territory": [index, ...],
                      "sectors": [[index, ...], ...], "principles": [[index, ...], ...],
                      "editions": [[index, ...], ...]}
    }

* A *name* is a string when the record's name is written in English only (the common case);
  otherwise an object ``{language: text}`` whose keys come in fallback order: the record's own
  language first when it is written, then ``en``, ``es``, ``ca``. So a reader picks the page's
  language if written, else the first key: exactly :meth:`Local.pick
  <cluster_kb.records.text.Local.pick>` (page language, record's language, English...).
* A cluster's ``territory`` is the most precise territory it names; ``parent`` links make the tree
  (country > region > city), so a filter on a country also finds clusters in its regions and cities.
* A cluster's ``principles`` are the decalogue principles its practices illustrate.
* Every table is sorted by id and index lists are sorted and unique, so the bytes depend only on
  the records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..knowledge import KnowledgeBase
from ..records.models import Record
from ..records.text import LANGUAGES

__all__ = ["DIRECTORY_FORMAT", "DIRECTORY_PATH", "directory_data", "directory_json", "local_name"]

DIRECTORY_PATH = "data/directory.json"
"""Where the site publishes the file, under the site root (once, for every language)."""

DIRECTORY_FORMAT = "cluster-kb-directory/1"


def local_name(record: Record) -> str | dict[str, str]:
    """A record's name as the directory stores it: English-only text as a string, else by language."""
    written = record.name.written(record.language)
    order = [record.language, *(lang for lang in LANGUAGES if lang != record.language)]
    texts = {lang: " ".join(written[lang].split()) for lang in order if lang in written}
    # Languages outside LANGUAGES cannot be written (validation refuses them), but keep any anyway.
    texts.update({lang: " ".join(text.split()) for lang, text in written.items() if lang not in texts})
    if list(texts) == ["en"]:
        return texts["en"]
    return texts


def _indexes(values: Iterable[str], index: dict[str, int]) -> list[int]:
    return sorted({index[value] for value in values if value in index})


def directory_data(kb: KnowledgeBase) -> dict[str, Any]:
    """The directory as JSON-ready data (see the module's docstring for its shape)."""
    territory_ids = sorted(kb.territories)
    sector_ids = sorted(kb.sectors)
    principle_ids = sorted(kb.decalogue)
    edition_ids = sorted(kb.editions)
    cluster_ids = sorted(kb.clusters)
    t_index = {tid: i for i, tid in enumerate(territory_ids)}
    s_index = {sid: i for i, sid in enumerate(sector_ids)}
    p_index = {pid: i for i, pid in enumerate(principle_ids)}
    e_index = {eid: i for i, eid in enumerate(edition_ids)}

    territories = [kb.territories[tid].record for tid in territory_ids]
    principles = [kb.decalogue[pid].record for pid in principle_ids]
    editions = [kb.editions[eid].record for eid in edition_ids]
    clusters = [kb.clusters[cid].record for cid in cluster_ids]
    return {
        "format": DIRECTORY_FORMAT,
        "territories": {
            "id": territory_ids,
            "name": [local_name(t) for t in territories],
            "parent": [t_index.get(t.parent) if t.parent else None for t in territories],
        },
        "sectors": {
            "id": sector_ids,
            "name": [local_name(kb.sectors[sid].record) for sid in sector_ids],
        },
        "principles": {
            "id": principle_ids,
            "name": [local_name(p) for p in principles],
            "number": [p.number for p in principles],
        },
        "editions": {
            "id": edition_ids,
            "name": [local_name(e) for e in editions],
            "year": [e.year for e in editions],
        },
        "clusters": {
            "id": cluster_ids,
            "name": [local_name(c) for c in clusters],
            "territory": [t_index[c.territory] for c in clusters],
            "sectors": [_indexes(c.sectors, s_index) for c in clusters],
            "principles": [
                _indexes((p for practice in c.practices for p in practice.principles), p_index) for c in clusters
            ],
            "editions": [_indexes(c.editions, e_index) for c in clusters],
        },
    }


def directory_json(kb: KnowledgeBase) -> bytes:
    """``data/directory.json``: deterministic, compact UTF-8 JSON (no spaces, no escaped accents)."""
    text = json.dumps(directory_data(kb), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8")
