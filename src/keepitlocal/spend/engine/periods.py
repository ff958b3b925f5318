"""The period spend data covers: each file's first and last payment, the whole period in months, the months with no
payments inside it, and the UK financial years (April to March) it touches."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import duckdb


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year holding `day` starts (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start: int) -> str:
    """'2024/25' for the year from April 2024 to March 2025."""
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_bounds(start: int) -> tuple[date, date]:
    """The first day of the financial year and the first day of the next."""
    return date(start, 4, 1), date(start + 1, 4, 1)


def financial_year_months(start: int) -> tuple[date, date]:
    """The first and last months of the financial year (April and March), as their first days."""
    return date(start, 4, 1), date(start + 1, 3, 1)


def months_between(first: date, last: date) -> list[str]:
    """Every month from first to last inclusive, as YYYY-MM."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_name(month: str) -> str:
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")


def month_ranges(months: list[str]) -> str:
    """Months (YYYY-MM, in order) in words, runs joined: 'January 2022 to March 2024, June 2024'."""
    runs: list[list[str]] = []
    for month in months:
        number = int(month[:4]) * 12 + int(month[5:7])
        if runs and int(runs[-1][-1][:4]) * 12 + int(runs[-1][-1][5:7]) == number - 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(_month_name(run[0]) if len(run) == 1 else f"{_month_name(run[0])} to {_month_name(run[-1])}" for run in runs)


@dataclass(frozen=True)
class Period:
    """The payments' span: first and last payment dates, the months between them with payments, those without, those
    with none read because a file that seems to cover them was not read (never shown as months without payments), and,
    for a financial year, its months beyond every file analysed (before the first payment of all, or after the last:
    files not yet uploaded, never months without payments)."""

    first: date | None
    last: date | None
    months: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.first is None or self.last is None:
            return "no payments"
        return f"{self.first:%-d %B %Y} to {self.last:%-d %B %Y}"

    @property
    def missing_label(self) -> str:
        return month_ranges(self.missing)

    @property
    def unread_label(self) -> str:
        return month_ranges(self.unread)

    @property
    def uncovered_label(self) -> str:
        return month_ranges(self.uncovered)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["first"] = self.first.isoformat() if self.first else None
        data["last"] = self.last.isoformat() if self.last else None
        data["label"] = self.label
        data["missing_label"] = self.missing_label
        data["unread_label"] = self.unread_label
        data["uncovered_label"] = self.uncovered_label
        return data


def period_of(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    where: str = "true",
    span: tuple[date, date] | None = None,
    unread: frozenset[str] = frozenset(),
    covered: tuple[str, str] | None = None,
) -> Period:
    """The period of the payments in `relation` (a table or view with a `date` column) meeting `where`. Months with no
    payments are those between the first and last payment, or every month of `span` (a financial year) when given;
    those among them in `unread` (months files not read seem to cover) are unread, and those outside `covered` (the
    first and last month, YYYY-MM, of every payment analysed) are uncovered: not months without payments."""
    first, last = con.execute(f"SELECT min(date), max(date) FROM {relation} WHERE {where}").fetchone()  # type: ignore[misc]
    paid: set[str] = set()
    if first is not None:
        paid = {
            row[0] for row in con.execute(f"SELECT DISTINCT strftime(date, '%Y-%m') FROM {relation} WHERE {where}").fetchall()
        }
    # The whole period takes in the months files not read seem to cover, so that they are said, even beyond the
    # payments read (a last month whose file was not read).
    every = months_between(*span) if span else sorted({*months_between(first, last), *unread} if first else unread)
    without = [m for m in every if m not in paid and m not in unread]
    outside = [m for m in without if covered is not None and not covered[0] <= m <= covered[1]]
    return Period(
        first,
        last,
        [m for m in every if m in paid],
        [m for m in without if m not in outside],
        [m for m in every if m in unread and m not in paid],
        outside,
    )


def unread_months(spans: list[tuple[str, str]]) -> frozenset[str]:
    """The months (YYYY-MM) that files not read seem to cover, from their first and last dates (ISO)."""
    months: set[str] = set()
    for first, last in spans:
        if first and last:
            months.update(months_between(date.fromisoformat(first), date.fromisoformat(last)))
    return frozenset(months)


def financial_years(period: Period) -> list[int]:
    """The financial years (by starting calendar year) the period touches, oldest first."""
    if period.first is None or period.last is None:
        return []
    return list(range(financial_year_start(period.first), financial_year_start(period.last) + 1))


def file_periods(con: duckdb.DuckDBPyConnection, relation: str) -> dict[int, tuple[date, date]]:
    """Each file's first and last payment date, by file index."""
    return {
        index: (first, last)
        for index, first, last in con.execute(f"SELECT file_index, min(date), max(date) FROM {relation} GROUP BY ALL").fetchall()
    }
