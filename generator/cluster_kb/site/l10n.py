"""The site's own words in English, Spanish and Catalan: message catalogues, numbers and dates.

UI strings are gettext messages: English source strings in the templates (``{% trans %}``,
``_()``) and in the code (marked with :func:`cluster_kb.kinds.N_`), translated in
``site/locale/<lang>/LC_MESSAGES/messages.po`` (Babel's catalogues; ``make i18n`` extracts,
updates and compiles them). The catalogues are read from their ``.po`` files when the site is
built, so a fresh checkout needs no compiled files.

Numbers and dates follow each language's conventions, from the Unicode CLDR data Babel ships:
``21,000`` / ``21.000``; "30 May – 1 June 2018" / "30 de mayo – 1 de junio de 2018" /
"30 de maig – 1 de juny de 2018".
"""

from __future__ import annotations

import gettext
import hashlib
import io
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from ..records.text import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["LOCALE_DIR", "Catalogue", "catalogue", "format_dates", "format_number", "format_partial_date"]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


class Catalogue:
    """One language's translations of the site's own words."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.translations, self.digest = _load(lang)
        """A digest of the catalogue's file: what templates compiled with its messages depend on."""
        self._numbers: dict[int | float, str] = {}

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def number(self, value: int | float) -> str:
        found = self._numbers.get(value)
        if found is None:
            found = self._numbers[value] = format_number(value, self.lang)
        return found


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _load(lang: str) -> tuple[gettext.NullTranslations, str]:
    """The language's translations and a digest of its catalogue's file, read once."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations(), ""
    source = po_path(lang).read_bytes()
    catalog = read_po(io.BytesIO(source), locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer), hashlib.sha256(source).hexdigest()


@cache
def catalogue(lang: str) -> Catalogue:
    """The catalogue of ``lang`` (one of :data:`~cluster_kb.records.text.LANGUAGES`)."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language '{lang}'")
    return Catalogue(lang)


def format_number(value: int | float, lang: str) -> str:
    """``21000`` -> ``21,000`` (en), ``21.000`` (es, ca), as CLDR writes them (Spanish leaves ``1000``
    ungrouped); decimals keep what the source gave: ``2.5`` / ``2,5``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, locale=lang, decimal_quantization=False)


def _month(day: date, lang: str) -> str:
    """The month's name as it follows a day: 'June', 'junio', 'de juny' / 'd’abril' (CLDR's formatting form)."""
    return format_date(day, "MMMM", locale=lang)


def _day_month(day: date, lang: str) -> str:
    if lang == "es":
        return f"{day.day} de {_month(day, lang)}"
    if lang == "ca":
        return f"{day.day} {_month(day, lang)}"  # CLDR's Catalan month names carry their 'de' / 'd’'
    return f"{day.day} {_month(day, lang)}"


def _year(year: int, lang: str) -> str:
    return f"de {year}" if lang in ("es", "ca") else str(year)


def format_dates(start: date | None, end: date | None, lang: str) -> str | None:
    """A day or a span of days: '30 May – 1 June 2018', '19–20 de abril de 2018'."""
    if start and end and start != end:
        if start.year != end.year:
            return f"{_day_month(start, lang)} {_year(start.year, lang)} – {_day_month(end, lang)} {_year(end.year, lang)}"
        if start.month == end.month:
            return f"{start.day}–{_day_month(end, lang)} {_year(end.year, lang)}"
        return f"{_day_month(start, lang)} – {_day_month(end, lang)} {_year(end.year, lang)}"
    day = start or end
    return f"{_day_month(day, lang)} {_year(day.year, lang)}" if day else None


def format_partial_date(value: str, lang: str) -> str:
    """``2019`` -> 2019; ``2019-05`` -> 'May 2019' / 'mayo de 2019' / 'maig de 2019'; a full date as a day."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        month = format_date(date(parts[0], parts[1], 1), "LLLL", locale=lang)
        return f"{month} de {parts[0]}" if lang in ("es", "ca") else f"{month} {parts[0]}"
    return format_dates(date(*parts), None, lang) or value
