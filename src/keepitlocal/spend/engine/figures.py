"""The spend figures as one type, from the engine to every page, the API and the PDFs: an indicator is an
`Indicator` (its id an `IndicatorId`), the tables beside them typed rows, and a period's figures a `FigureSet`;
an analysis's figures (`AnalysisFigures`) are its whole period and each financial year. Serialised with a schema
version: what is stored is read back only in this schema (older analyses were migrated once, spend migration 0016).

Shares are kept to four decimal places and rounded once, where shown (one place on pages): kept to two, 4.5531% was
kept as 4.55 and shown as 4.5%, a second rounding that moved the figure shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from keepitlocal.spend.engine.classify import SupplierType
from keepitlocal.spend.engine.periods import Period

SCHEMA = 2  # 1: lists of indicator dicts, the period and years beside them (before the figures had a type)
SHARE_PLACES = 4
# Below this coverage (% of spend for which what a share depends on is known) a share is published as its range.
POINT_COVERAGE = 80.0


class IndicatorId(StrEnum):
    """Every indicator the analysis computes; each has its row in docs/INDICATORS.md (a test holds them together)."""

    TOTAL_SPEND = "total_spend"
    PAYMENTS = "payments"
    SUPPLIERS = "suppliers"
    SHARE_VCSE = "share_vcse"
    SHARE_PUBLIC = "share_public"
    SHARE_PRIVATE = "share_private"
    SHARE_INDIVIDUAL = "share_individual"
    SHARE_UNKNOWN = "share_unknown"
    SHARE_WITHHELD = "share_withheld"
    SHARE_LOCAL = "share_local"
    SHARE_LOCAL_VCSE = "share_local_vcse"
    SHARE_REGION = "share_region"
    LOCALITY_KNOWN = "locality_known"
    TOP10_SHARE = "top10_share"
    HHI = "hhi"

    @classmethod
    def share_of(cls, kind: SupplierType) -> IndicatorId:
        """The share of spend to suppliers of one type."""
        return cls(f"share_{kind.value}")


class TableId(StrEnum):
    """The tables computed beside the indicators (documented in docs/INDICATORS.md as indicators are)."""

    PAYMENT_BANDS = "payment_bands"
    BY_SERVICE_AREA = "by_service_area"
    BY_MONTH = "by_month"
    GRANTS_VS_CONTRACTS = "grants_vs_contracts"


class Unit(StrEnum):
    GBP = "GBP"
    COUNT = "count"
    PERCENT = "%"
    INDEX = "index"


class DependsOn(StrEnum):
    """What a bounded share depends on that is not known for every supplier."""

    CLASSIFICATION = "classification"
    LOCALITY = "locality"
    BOTH = "locality and classification"

    @property
    def unknown(self) -> str:
        """The suppliers the share's high bound counts, in words."""
        return {
            DependsOn.CLASSIFICATION: "of unknown type",
            DependsOn.LOCALITY: "of unknown locality",
            DependsOn.BOTH: "of unknown type or locality",
        }[self]


@dataclass(frozen=True)
class Bounds:
    """Where a share depends on something not known for every supplier: coverage = % of spend for which it is known;
    low = the share; high = the share if every supplier for which it is not known met the condition."""

    low: float | None
    high: float | None
    coverage: float | None
    depends_on: DependsOn


@dataclass(frozen=True)
class Indicator:
    """One figure of one period, with what it is made of and what it means."""

    id: IndicatorId
    name: str
    value: float | None
    unit: Unit
    numerator: float | None
    denominator: float | None
    definition: str
    bounds: Bounds | None = None

    @property
    def coverage(self) -> float | None:
        return self.bounds.coverage if self.bounds else None

    @property
    def low(self) -> float | None:
        return self.bounds.low if self.bounds else None

    @property
    def high(self) -> float | None:
        return self.bounds.high if self.bounds else None

    @property
    def as_range(self) -> bool:
        """Whether the share is given as its range (low to high) rather than one figure: when what it depends on (a
        supplier's type, its locality) is known for less than POINT_COVERAGE % of spend, one figure would mostly say
        how little is known ('local share 0.3%' with locality known for 3.9% of spend, where the honest answer is
        0.3% to 96.5%). Shares without bounds are always one figure."""
        b, low = self.bounds, self.value
        return (
            b is not None
            and b.coverage is not None
            and b.high is not None
            and low is not None
            and b.coverage < POINT_COVERAGE
            and b.high > low
        )

    @property
    def published_value(self) -> float | None:
        """The one figure a page or the API may give: none for a share given as its range."""
        return None if self.as_range else self.value

    @property
    def published_range(self) -> tuple[float, float] | None:
        """(low, high) for a share given as its range, else None."""
        if not self.as_range or self.value is None or self.high is None:
            return None
        return self.value, self.high

    def sentence(self, would: str = "met it") -> str:
        """The share in words with its bounds and coverage: '3.1%; between 3.1% and 20.9% if every supplier of unknown
        type were VCSE (classification known for 82.0% of spend)'; below POINT_COVERAGE only the range: 'between 0.3%
        and 96.5% (locality known for only 3.9% of spend, too little for one figure)'."""
        value, b = self.value, self.bounds
        if value is None:
            return "not known (no spend)"
        if self.as_range and b is not None:
            return (
                f"between {value:.1f}% and {b.high:.1f}% ({b.depends_on} known for only "
                f"{b.coverage:.1f}% of spend, too little for one figure)"
            )
        text = f"{value:.1f}%"
        if b is not None and b.high is not None and b.high > value:
            text += f"; between {value:.1f}% and {b.high:.1f}% if every supplier {b.depends_on.unknown} {would}"
        if b is not None and b.coverage is not None:
            text += f" ({b.depends_on} known for {b.coverage:.1f}% of spend)"
        return text

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["bounds"] = asdict(self.bounds) if self.bounds else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Indicator:
        b = data.get("bounds")
        return cls(
            IndicatorId(data["id"]),
            data["name"],
            data["value"],
            Unit(data["unit"]),
            data["numerator"],
            data["denominator"],
            data["definition"],
            Bounds(b["low"], b["high"], b["coverage"], DependsOn(b["depends_on"])) if b else None,
        )


@dataclass(frozen=True)
class MonthRow:
    """Σ amount per calendar month of payment; to VCSE and to local suppliers (GBP)."""

    month: str  # 'YYYY-MM'
    amount: float
    vcse_amount: float
    local_amount: float
    payments: int


@dataclass(frozen=True)
class AreaRow:
    """Σ amount, and to VCSE suppliers, per published service area (GBP)."""

    service_area: str
    amount: float
    vcse_amount: float
    payments: int


@dataclass(frozen=True)
class BandRow:
    """Count and Σ amount of payments in one band of amount."""

    band: str
    payments: int
    amount: float


@dataclass(frozen=True)
class KindRow:
    """Σ amount, and to VCSE suppliers, of grants, of contracts and purchases, or of payments of no expense type."""

    kind: str
    amount: float
    vcse_amount: float
    payments: int


@dataclass(frozen=True)
class FigureSet:
    """Every indicator and table over the payments of one period."""

    period: Period
    indicators: tuple[Indicator, ...]
    months: tuple[MonthRow, ...] = ()
    service_areas: tuple[AreaRow, ...] = ()
    bands: tuple[BandRow, ...] = ()
    kinds: tuple[KindRow, ...] = ()
    _by_id: dict[IndicatorId, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {i.id: i for i in self.indicators})

    def __getitem__(self, key: IndicatorId | str) -> Indicator:
        """An indicator by its id (a string naming one, from a template, is taken too; an unknown name is a KeyError)."""
        try:
            return self._by_id[IndicatorId(key)]
        except ValueError:
            raise KeyError(key) from None

    def get(self, key: IndicatorId | str) -> Indicator | None:
        try:
            return self[key]
        except KeyError:
            return None

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def value(self, key: IndicatorId) -> float | None:
        """An indicator's value, None where there is no such figure."""
        found = self.get(key)
        return found.value if found else None

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.as_json(),
            "indicators": [i.as_json() for i in self.indicators],
            "months": [asdict(r) for r in self.months],
            "service_areas": [asdict(r) for r in self.service_areas],
            "bands": [asdict(r) for r in self.bands],
            "kinds": [asdict(r) for r in self.kinds],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FigureSet:
        return cls(
            period_from_json(data["period"]),
            tuple(Indicator.from_json(i) for i in data["indicators"]),
            tuple(MonthRow(**r) for r in data["months"]),
            tuple(AreaRow(**r) for r in data["service_areas"]),
            tuple(BandRow(**r) for r in data["bands"]),
            tuple(KindRow(**r) for r in data["kinds"]),
        )


@dataclass(frozen=True)
class YearFigures:
    """The figures of one financial year (April to March)."""

    year: str  # '2024/25'
    start: int  # 2024
    figures: FigureSet

    @property
    def period(self) -> Period:
        return self.figures.period


@dataclass(frozen=True)
class AnalysisFigures:
    """An analysis's figures: its whole period and each financial year with payments, oldest first."""

    whole: FigureSet
    years: tuple[YearFigures, ...] = ()

    @property
    def period(self) -> Period:
        return self.whole.period

    def year(self, label: str) -> YearFigures | None:
        return next((y for y in self.years if y.year == label), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "whole": self.whole.as_json(),
            "years": [{"year": y.year, "start": y.start, "figures": y.figures.as_json()} for y in self.years],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnalysisFigures:
        """Figures stored in this schema; anything else is refused (stored figures are migrated, never guessed at)."""
        if data.get("schema") != SCHEMA:
            raise FiguresSchemaError(f"figures in schema {data.get('schema')!r}, not {SCHEMA}: migrate them first")
        return cls(
            FigureSet.from_json(data["whole"]),
            tuple(YearFigures(y["year"], int(y["start"]), FigureSet.from_json(y["figures"])) for y in data["years"]),
        )


class FiguresSchemaError(ValueError):
    """Stored figures in a schema this code does not read."""


def period_from_json(data: Mapping[str, Any]) -> Period:
    """A period as `Period.as_json` wrote it (its labels are worked out again, not read)."""
    return Period(
        date.fromisoformat(data["first"]) if data.get("first") else None,
        date.fromisoformat(data["last"]) if data.get("last") else None,
        list(data.get("months", [])),
        list(data.get("missing", [])),
        list(data.get("unread", [])),
        list(data.get("uncovered", [])),
    )
