"""What an import found wrong, row by row, and the refusal that carries it: nothing is half-imported."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (sheet, row as the spreadsheet numbers it, column) and what, in plain English."""

    sheet: str
    row: int
    column: str
    value: str
    message: str


class ImportRejected(ValueError):
    """The file cannot be imported as it stands; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        where = f" (first: {first.sheet} row {first.row}, {first.column}: {first.message})" if first else ""
        super().__init__(f"{len(problems)} problem(s) in the file{where}")
