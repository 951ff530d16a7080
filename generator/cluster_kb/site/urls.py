"""The site's addresses: one scheme, used by every page and every link.

A page's *path* is its address below the site root, in directory style and without a language:
``""`` (home), ``clusters/``, ``clusters/<id>/``, ``clusters/page/2/``. Each language has the same
paths under its prefix: English at the root, Spanish under ``es/``, Catalan under ``ca/``.
Links between pages are written relative to the page that holds them, so a site works wherever
it is published (GitHub Pages puts it under ``/<repository>/``).

URLs are part of the contract: ``/``, ``/<kind>/`` and ``/<kind>/<id>/`` for every kind;
listings continue at ``<listing>/page/<n>/``.
"""

from __future__ import annotations

from functools import lru_cache

from ..records.text import DEFAULT_LANGUAGE

__all__ = ["in_language", "listing_page", "record_path", "relative", "section_path", "src_uri"]


def record_path(folder: str, record_id: str) -> str:
    """``clusters/<id>/``."""
    return f"{folder}/{record_id}/"


def section_path(folder: str) -> str:
    """``clusters/``."""
    return f"{folder}/"


def listing_page(base: str, number: int) -> str:
    """Page ``number`` of a listing that starts on the page at ``base``: ``clusters/page/2/``."""
    return base if number == 1 else f"{base}page/{number}/"


def in_language(path: str, lang: str) -> str:
    """``clusters/x/`` in ``es`` -> ``es/clusters/x/``; English stays at the root."""
    return path if lang == DEFAULT_LANGUAGE else f"{lang}/{path}"


def src_uri(path: str) -> str:
    """The MkDocs source name of a page at ``path`` (with directory URLs): ``clusters/x.md``, ``clusters/index.md``."""
    if not path:
        return "index.md"
    stem = path.rstrip("/")
    return f"{stem}/index.md" if _is_index(stem) else f"{stem}.md"


def _is_index(stem: str) -> bool:
    """Section pages and language homes are folder indexes; record and listing pages are not."""
    parts = stem.split("/")
    if parts[0] in ("es", "ca"):
        parts = parts[1:]
    return len(parts) <= 1


def relative(target: str, page: str) -> str:
    """A link from the page at ``page`` to ``target`` (both paths, ``target`` may end in ``#anchor``)."""
    path, hash_, anchor = target.partition("#")
    link = _prefix(page) + path
    link = link or "./"
    return f"{link}#{anchor}" if hash_ else link


@lru_cache(maxsize=256)  # a site has few folder depths; every link on a page uses the same prefix
def _prefix(page: str) -> str:
    """From the folder of the page at ``page`` back to the site root: ``clusters/x/`` -> ``../../``."""
    return "../" * page.count("/")
