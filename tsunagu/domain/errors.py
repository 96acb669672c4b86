"""The exceptions a person can cause; each prints a clean message, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the data, located at a file and line."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def annotation(self) -> str:
        """The same problem as a GitHub Actions workflow command."""
        msg = f"{self.field}: {self.message}" if self.field else self.message
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        line = f",line={self.line}" if self.line else ""
        return f"::error file={self.file}{line}::{msg}"


class TsunaguError(Exception):
    """Base of every error a user can cause; the CLI prints it without a traceback."""


class DataError(TsunaguError):
    """The data directory has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} error(s) in the data")

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Problem]]]:
        # Pickled whole (a large build validates in a child process): the problems, not the summary line.
        return (DataError, (self.problems,))

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        n = len(self.problems)
        lines.append(f"{n} error{'s' if n != 1 else ''} found; nothing was written.")
        return "\n".join(lines)


class PasswordError(TsunaguError):
    """Passwords are missing, malformed or too weak for a production build."""


class BuildError(TsunaguError):
    """A build step outside the data failed (templates, search index, output folder)."""
