"""Unit costs: what one avoided event or achieved outcome is worth, to whom, in which price year, from which source."""

from __future__ import annotations

from dataclasses import dataclass, field

from keepitlocal.value.engine.money import Agency, Confidence, PriceYear, ValueKind


@dataclass(frozen=True)
class Amount:
    """A value in the prices of one financial year."""

    value: float
    price_year: PriceYear


@dataclass(frozen=True)
class UnitCost:
    """One line of a unit-cost library, or a cost a user wrote themselves. `values` holds the fiscal, economic and
    social values the source gives (any may be missing)."""

    code: str
    description: str
    unit: str
    agency: Agency
    values: dict[ValueKind, Amount]
    source: str
    confidence: Confidence = Confidence.UNGRADED
    agency_level1: str = ""
    agency_level2: str = ""
    theme: str = ""
    comment: str = ""
    licence: str = ""
    cashable: bool | None = None
    geography: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def price_year(self) -> PriceYear | None:
        """The price year of its fiscal value, else of the first value it has."""
        amount = self.values.get(ValueKind.FISCAL) or next(iter(self.values.values()), None)
        return amount.price_year if amount else None

    def older_than(self, years: int, base: PriceYear) -> bool:
        year = self.price_year
        return year is not None and base.start - year.start > years
