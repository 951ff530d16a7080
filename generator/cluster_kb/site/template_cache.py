"""Compiled templates kept between runs, as Python keeps compiled modules in ``__pycache__``.

Compiling templates is about half of a small site's build: 0.7 s of the 1.5 s that the test
knowledge base's 13 records take, for the page templates of three languages and the theme's. The
compiled code is kept by jinja2's own :class:`~jinja2.FileSystemBytecodeCache` in its default
folder, a folder of the user's own in the temporary folder that jinja2 refuses unless only that user
can write it (nothing else could put code there).

A compiled template is reused only when its source is unchanged (jinja2 compares a checksum of it)
and its key matches: the template's name and file plus a salt naming everything else that shapes the
compiled code (jinja2's version, the environment's options, the source of each extension from
outside jinja2, and what the caller adds, such as the language whose messages the page templates
bake in). The output is the same byte for byte with or
without the cache; a cache that cannot be used (no safe folder, a full disk) is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

__all__ = ["TemplateCache", "template_cache"]


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """jinja2's file cache, its keys salted, reading and writing failures ignored (it is only a cache)."""

    def __init__(self, salt: str, directory: str | None = None) -> None:
        super().__init__(directory)
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self.salt}\0{name}\0{filename}".encode()).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _options(env: jinja2.Environment) -> list[str]:
    """The environment's settings that change what a template compiles to."""
    autoescape = env.autoescape
    return [
        jinja2.__version__,
        *(str(getattr(env, name)) for name in (
            "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
            "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
            "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
        )),
        *sorted(env.extensions),
        *(_source_digest(type(extension).__module__) for _, extension in sorted(env.extensions.items())),
        getattr(autoescape, "__qualname__", None) or repr(autoescape),
    ]


@cache
def _source_digest(module: str) -> str:
    """A digest of the file of an extension's module: an extension rewrites templates as they compile
    (jinja2's own change only with its version)."""
    path = getattr(sys.modules.get(module), "__file__", None)
    if module.split(".")[0] == "jinja2" or path is None:
        return module
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def template_cache(env: jinja2.Environment, salt: Iterable[str] = (), directory: str | None = None) -> TemplateCache | None:
    """A cache for ``env``'s compiled templates, or None when no safe folder can hold it."""
    digest = hashlib.sha256("\0".join([*_options(env), *salt]).encode()).hexdigest()
    try:
        return TemplateCache(digest, directory)
    except (OSError, RuntimeError):  # jinja2 raises RuntimeError for a folder others could write
        return None
