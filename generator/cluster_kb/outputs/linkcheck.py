"""The site's external links, checked with linkcheckmd.

Links come from two places: the hand-written pages (``docs/**.md``: inline links, autolinks,
reference definitions and HTML ``href``/``src``, outside code) and the records (every source's
``url``, a cluster's ``website`` and any Markdown link written in a record's text), each with the
file, line and column where it is written, so a dead link is reported where a contributor fixes
it::

    content/clusters/railgrup.yaml:24:10: warning: https://example.org/gone: 404 Not Found

linkcheckmd checks the links of Markdown files. It reports a dead link by file *name* and url,
without a line, and reads only the links its pattern matches, so each distinct address is written
to a temporary Markdown file of its own and checked once, however many records cite it; the
answers are mapped back to every place the address is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ..records.load import read_records
from ..records.loader import Document, Loc, load_file
from ..records.problems import Problem, ValidationFailed

__all__ = ["CONCURRENCY", "Link", "LinkCheckUnavailable", "check_links", "docs_links", "record_links"]

CONCURRENCY = 16
"""Addresses checked at once."""

_ALIVE = frozenset({429})
"""Statuses that are not dead links: 'Too Many Requests' means the page is there (as the weekly workflow accepted)."""


@dataclass(frozen=True)
class Link:
    """An external address and where it is written (1-based line and column)."""

    url: str
    path: Path
    line: int
    col: int


class LinkCheckUnavailable(RuntimeError):
    """linkcheckmd is not installed."""


# -- finding links ----------------------------------------------------------------------------------

_URL = r"https?://[^\s()<>\"']+(?:\([^\s()<>]*\)[^\s()<>\"']*)*"
_MARKDOWN_LINKS = [
    # [text](url "title") and ![alt](url)
    re.compile(rf"\]\(\s*<?(?P<url>{_URL})>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"),
    # <https://...>
    re.compile(r"<(?P<url>https?://[^\s<>]+)>"),
    # [label]: url
    re.compile(rf"^ {{0,3}}\[[^\]\n]+\]:[ \t]*<?(?P<url>{_URL})>?", re.MULTILINE),
    # raw HTML
    re.compile(r"""\b(?:href|src)\s*=\s*["'](?P<url>https?://[^"'\s]+)["']"""),
]
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def markdown_links(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, url)`` of every external link in Markdown ``text``, outside code, in order."""
    masked = _CODE_SPAN.sub(_blank, _FENCE.sub(_blank, text))
    found: dict[int, str] = {}
    for pattern in _MARKDOWN_LINKS:
        for match in pattern.finditer(masked):
            found.setdefault(match.start("url"), match.group("url"))
    yield from sorted(found.items())


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def docs_links(docs: Path) -> list[Link]:
    """Every external link of the hand-written pages under ``docs`` (``**/*.md``)."""
    links = []
    for page in sorted(docs.rglob("*.md")):
        if page.is_symlink() or not page.is_file():
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        for offset, url in markdown_links(text):
            links.append(Link(url, page, *_line_col(text, offset)))
    return links


def _strings(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*loc, index))


def _is_address(loc: Loc) -> bool:
    """A field that holds an address: a source's ``url``, a cluster's ``website``."""
    return loc == ("website",) or (len(loc) == 3 and loc[0] == "sources" and loc[2] == "url")


def _record_links(doc: Document) -> Iterator[Link]:
    starts = [0]
    for index, char in enumerate(doc.text):
        if char == "\n":
            starts.append(index + 1)
    for loc, value in _strings(doc.data):
        if _is_address(loc):
            line, col = doc.position(loc)
            yield Link(value.strip(), doc.path, line, col)
            continue
        if "http" not in value:
            continue
        line, col = doc.position(loc)
        begin = starts[min(line, len(starts)) - 1] + col - 1
        for _, url in markdown_links(value):
            at = doc.text.find(url, begin)
            if at < 0:  # written with escapes or folded over lines: point at the value
                yield Link(url, doc.path, line, col)
                continue
            yield Link(url, doc.path, *_line_col(doc.text, at))
            begin = at + len(url)


def record_links(content: Path) -> list[Link]:
    """Every external link of the records under ``content``; raises :class:`ValidationFailed` on problems."""
    records, problems, _ = read_records(content)
    if problems:
        raise ValidationFailed(problems)
    links: list[Link] = []
    paths = sorted(entry.path for table in records.values() for entry in table.values())
    for path in paths:
        links.extend(_record_links(load_file(path)))
    return links


# -- checking them -------------------------------------------------------------------------------------


def _as_uri(url: str) -> str:
    """An address linkcheckmd can read back from a file: ASCII, non-ASCII host in IDNA, the rest %-encoded."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    with contextlib.suppress(UnicodeError):
        netloc = netloc.encode("idna").decode("ascii")
    printable = "".join(chr(code) for code in range(33, 127))
    return urlunsplit((parts.scheme, netloc, *(quote(part, safe=printable) for part in parts[2:])))


def _status(found: Any) -> str | None:
    """What linkcheckmd reported, in words; None when the link is alive after all."""
    if isinstance(found, int):
        if 200 <= found < 300 or found in _ALIVE:
            return None
        try:
            return f"{found} {HTTPStatus(found).phrase}"
        except ValueError:
            return f"status {found}"
    if isinstance(found, BaseException):
        detail = str(found) or type(found).__name__
        return f"cannot connect ({detail})"
    return str(found)


async def _check_all(files: list[Path], timeout: float, concurrency: int) -> list[str | None]:
    from linkcheckmd import base, coro

    pattern = re.compile(r"\(https?://\S+\)")
    headers = {"User-Agent": base.USER_AGENT}
    limit = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()

    async def one(path: Path) -> str | None:
        async with limit:
            started = loop.time()
            try:
                bad = await coro.check_url(path, pattern, ".md", headers, method="get")
            except TimeoutError:
                return f"no answer within {timeout:g} s"
            except Exception as exc:  # linkcheckmd lets some aiohttp errors through: a bad address, too many redirects
                return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if bad:
                return _status(bad[0][2])
            if loop.time() - started >= timeout:  # linkcheckmd counts a timeout as alive; it is not
                return f"no answer within {timeout:g} s"
            return None

    results = await asyncio.gather(*(one(path) for path in files))
    await asyncio.sleep(0.25)  # aiohttp's advice: let TLS connections close before the loop does
    return results


def check_links(links: Iterable[Link], *, timeout: float = 10.0, concurrency: int = CONCURRENCY) -> list[Problem]:
    """A warning for every place a dead link is written. Each distinct address is requested once."""
    try:
        from linkcheckmd import coro
    except ImportError as exc:
        raise LinkCheckUnavailable("linkcheckmd is not installed: pip install linkcheckmd") from exc
    links = list(links)
    addresses = list(dict.fromkeys(link.url for link in links))
    if not addresses:
        return []
    saved = coro.TIMEOUT
    coro.TIMEOUT = timeout  # linkcheckmd's one knob for it: a module setting read on each request
    try:
        with tempfile.TemporaryDirectory(prefix="cluster-kb-links-") as folder:
            files = []
            for number, url in enumerate(addresses):
                path = Path(folder) / f"link-{number:06d}.md"
                path.write_text(f"({_as_uri(url)})\n", encoding="utf-8")
                files.append(path)
            with contextlib.redirect_stdout(io.StringIO()):  # linkcheckmd prints each dead link itself
                results = asyncio.run(_check_all(files, timeout, concurrency))
    finally:
        coro.TIMEOUT = saved
    dead = {url: status for url, status in zip(addresses, results, strict=True) if status}
    return [
        Problem(link.path, link.line, link.col, f"{link.url}: {dead[link.url]}", severity="warning")
        for link in links
        if link.url in dead
    ]
