"""Uprating a cost from its price year to another with a deflator series (year -> index) and its citation."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from keepitlocal.value.engine.money import PriceYear


class DeflatorError(ValueError):
    """A series that cannot be used as it stands; the message says why, for the person who loaded it."""


@dataclass(frozen=True)
class Deflator:
    """Index levels by financial year, with where they come from. Uprating multiplies by index(to) / index(from)."""

    index: dict[PriceYear, float]
    citation: str

    def __post_init__(self) -> None:
        if not self.index:
            raise DeflatorError("The series has no years.")
        years = sorted(self.index)
        missing = [str(PriceYear(y)) for y in range(years[0].start, years[-1].start + 1) if PriceYear(y) not in self.index]
        if missing:
            raise DeflatorError(f"The series has gaps: no index for {', '.join(missing[:5])}.")
        if any(value <= 0 for value in self.index.values()):
            raise DeflatorError("Every index must be above zero.")

    @property
    def first(self) -> PriceYear:
        return min(self.index)

    @property
    def last(self) -> PriceYear:
        return max(self.index)

    def factor(self, from_year: PriceYear, to_year: PriceYear) -> float:
        """index(to) / index(from); a year outside the series is refused rather than guessed."""
        for year in (from_year, to_year):
            if year not in self.index:
                raise DeflatorError(f"The deflator series runs {self.first} to {self.last}: it has no index for {year}.")
        return self.index[to_year] / self.index[from_year]

    def uprate(self, value: float, from_year: PriceYear, to_year: PriceYear) -> float:
        return value * self.factor(from_year, to_year)


def read_series(text: str, citation: str) -> Deflator:
    """A series in the documented CSV layout: a header row with `year` and `index` columns (any case), one row per
    financial year ('2015/16' or 2015)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {name.strip().casefold(): name for name in reader.fieldnames or []}
    if "year" not in fields or "index" not in fields:
        raise DeflatorError("The file needs a 'year' column and an 'index' column.")
    index: dict[PriceYear, float] = {}
    for number, row in enumerate(reader, start=2):
        try:
            year = PriceYear.parse(row[fields["year"]])
            value = float(str(row[fields["index"]]).replace(",", ""))
        except (ValueError, TypeError):
            raise DeflatorError(
                f"Row {number}: {row[fields['year']]!r}, {row[fields['index']]!r} is not a year and an index."
            ) from None
        if year in index:
            raise DeflatorError(f"Row {number}: {year} appears twice.")
        index[year] = value
    return Deflator(index, citation)
