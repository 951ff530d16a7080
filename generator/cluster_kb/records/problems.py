"""Located problems: what every stage reports instead of raising.

A :class:`Problem` names a file, a 1-based line and column, and a message a contributor can act
on without reading Python. Stages collect problems and carry on, so one run reports every
problem; callers print them with :func:`format_problem` and decide whether to stop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Problem", "ValidationFailed", "format_problem", "summary_line"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, at a place in a file."""

    path: Path
    line: int
    col: int
    message: str
    severity: str = "error"
    """``error`` (the input is refused) or ``warning`` (reported, not fatal: a dead link)."""

    def format(self, cwd: Path | None = None) -> str:
        return format_problem(self, cwd)


def _display_path(path: Path, cwd: Path | None) -> str:
    base = cwd if cwd is not None else Path.cwd()
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return str(path)


def format_problem(problem: Problem, cwd: Path | None = None) -> str:
    """``path:line:col: error: message``, the path relative to the current directory."""
    return f"{_display_path(problem.path, cwd)}:{problem.line}:{problem.col}: {problem.severity}: {problem.message}"


def summary_line(problems: list[Problem]) -> str:
    files = len({p.path for p in problems})
    errors = "error" if len(problems) == 1 else "errors"
    in_files = "file" if files == 1 else "files"
    return f"{len(problems)} {errors} in {files} {in_files}"


class ValidationFailed(Exception):
    """The knowledge base has problems; nothing should be published from it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(summary_line(self.problems))

    def report(self, cwd: Path | None = None) -> str:
        lines = [format_problem(p, cwd) for p in self.problems]
        lines.append(summary_line(self.problems))
        return "\n".join(lines)
