"""One error vocabulary for the engine: every refusal names the problem, and where it is.

`EngineError.describe` is the one way a refusal is put in words for a person: the server's pages and API
(`core.errors.from_engine`) show at most `SHOWN_PROBLEMS` problems on one line and count the rest; the
command line (`cli.output.refusals`) shows every problem, one a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SHOWN_PROBLEMS = 10  # problems a one-line refusal names; the others are counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with its place in the file when known."""

    rule: str
    message: str
    file: str = ""
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.rule}: {self.message}"


def summary(problems: Sequence[Problem], *, limit: int | None = SHOWN_PROBLEMS, separator: str = "; ") -> str:
    """The problems, each located (`Problem.__str__`), joined by `separator`; past `limit` (None: no
    limit), how many more there are."""
    shown = [str(p) for p in problems[:limit]]
    more = len(problems) - len(shown)
    return separator.join([*shown, f"and {more} more"] if more > 0 else shown)


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    def describe(self, *, limit: int | None = SHOWN_PROBLEMS, separator: str = "; ") -> str:
        """The refusal in words for a person (`ParseError`: its problems, `summary`)."""
        return str(self)


class ParseError(EngineError):
    """The input cannot be read as what it claims to be; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(summary(problems, limit=None, separator="\n"))

    def describe(self, *, limit: int | None = SHOWN_PROBLEMS, separator: str = "; ") -> str:
        return summary(self.problems, limit=limit, separator=separator)

    @classmethod
    def single(cls, file: str, rule: str, message: str) -> ParseError:
        """An error with one problem, at file level."""
        return cls([Problem(rule, message, file)])


class CatalogueError(EngineError):
    """A method profile or catalogue file is invalid."""


class RuleViolation(EngineError):
    """A request breaks a rule of the method."""
