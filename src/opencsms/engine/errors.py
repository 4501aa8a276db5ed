"""One error vocabulary for the engine: every refusal names the problem, and where it is."""

from __future__ import annotations

from dataclasses import dataclass


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


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class ParseError(EngineError):
    """The input cannot be read as what it claims to be; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, file: str, rule: str, message: str) -> ParseError:
        """An error with one problem, at file level."""
        return cls([Problem(rule, message, file)])


class CatalogueError(EngineError):
    """A method profile or catalogue file is invalid."""


class RuleViolation(EngineError):
    """A request breaks a rule of the method."""
