"""Prose in the site's languages: a record's text fields, written once or per language.

A text field of a record (a name, a summary, a practice) is written either as plain text, in the
record's own ``language`` (English unless the record says otherwise), or as a mapping from a
language code to the text in that language::

    summary: Clúster de l'aigua de Catalunya.          # in the record's language
    summary:
      en: The Catalan water cluster.
      ca: El clúster català de l'aigua.

:class:`Local` holds either form. It never translates: :meth:`Local.pick` returns the text in the
language asked for when it is written, or else the text in the nearest language there is, *with
that language*, so a page can mark text that is not in its own language instead of passing it off
as a translation. Facts (numbers, dates, ids, addresses) are never written per language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_NAMES", "Local"]

LANGUAGES: tuple[str, ...] = ("en", "es", "ca")
"""The site's languages, the default first: English at ``/``, Spanish at ``/es/``, Catalan at ``/ca/``."""

DEFAULT_LANGUAGE = LANGUAGES[0]

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "ca": "Català"}
"""Each language's name in itself (the language switcher)."""

_OWN = ""
"""The key of text written plainly, in the record's own language."""


class Local:
    """Text in one or more languages. Immutable; compares and hashes by its texts."""

    __slots__ = ("_texts",)

    def __init__(self, texts: Mapping[str, str] | str) -> None:
        items = {_OWN: texts} if isinstance(texts, str) else dict(texts)
        self._texts: tuple[tuple[str, str], ...] = tuple(items.items())

    # -- reading -----------------------------------------------------------------------------

    def written(self, own: str) -> dict[str, str]:
        """The texts by language, plain text counted as ``own`` (the record's language)."""
        result: dict[str, str] = {}
        for lang, text in self._texts:
            result.setdefault(lang or own, text)
        return result

    def pick(self, lang: str, own: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
        """``(text, its language)``: in ``lang`` if written, else the record's own, English, Spanish, Catalan."""
        if len(self._texts) == 1:  # most text is written once: no need to look further
            key, text = self._texts[0]
            return text, key or own
        texts = self.written(own)
        for candidate in (lang, own, *LANGUAGES):
            if candidate in texts:
                return texts[candidate], candidate
        first = next(iter(texts.items()))
        return first[1], first[0]

    def text(self, lang: str = DEFAULT_LANGUAGE, own: str = DEFAULT_LANGUAGE) -> str:
        """Just the text :meth:`pick` chooses."""
        return self.pick(lang, own)[0]

    def languages(self, own: str) -> list[str]:
        return list(self.written(own))

    def __iter__(self) -> Iterator[str]:
        """Every text written, in every language (for search, suggestions and checks)."""
        return (text for _, text in self._texts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self._texts == ((_OWN, other),)
        return isinstance(other, Local) and self._texts == other._texts

    def __hash__(self) -> int:
        return hash(self._texts)

    def __repr__(self) -> str:
        if len(self._texts) == 1 and self._texts[0][0] == _OWN:
            return f"Local({self._texts[0][1]!r})"
        return f"Local({dict(self._texts)!r})"

    def __str__(self) -> str:
        return self.text()

    # -- pydantic ----------------------------------------------------------------------------

    def dump(self) -> str | dict[str, str]:
        """As written: plain text stays plain, a mapping stays a mapping."""
        if len(self._texts) == 1 and self._texts[0][0] == _OWN:
            return self._texts[0][1]
        return dict(self._texts)

    @classmethod
    def validate(cls, value: Any) -> Local:
        if isinstance(value, Local):
            return value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                raise PydanticCustomError("string_too_short", "must not be empty")
            return cls(text)
        if isinstance(value, dict):
            if not value:
                raise PydanticCustomError("local_empty", "give the text, or at least one of en, es, ca")
            texts: dict[str, str] = {}
            for key, text in value.items():
                if key not in LANGUAGES:
                    raise PydanticCustomError("unknown_language", "unknown language '{key}'", {"key": key})
                if not isinstance(text, str) or not text.strip():
                    raise PydanticCustomError("local_not_text", "no text in '{key}'", {"key": key, "got": text})
                texts[key] = text.strip()
            return cls(texts)
        raise PydanticCustomError("local_type", "expected text")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda value: value.dump()),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        text = {"type": "string", "minLength": 1}
        return {
            "anyOf": [
                {**text, "description": "The text, in the record's `language`."},
                {
                    "type": "object",
                    "description": "The text per language: en, es and/or ca.",
                    "properties": {lang: text for lang in LANGUAGES},
                    "additionalProperties": False,
                    "minProperties": 1,
                },
            ]
        }
