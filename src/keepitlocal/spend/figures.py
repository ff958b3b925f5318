"""Which period a page's spend figures cover: one financial year (the latest with payments, unless a person chooses
another) or every year together, always said in words, with the months that have no payments shown as gaps. The
figures themselves are the engine's type (engine.figures), read as they are by every page, the API and the PDFs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from keepitlocal.reports.engine.tables import Column, Table
from keepitlocal.spend.engine.classify import SupplierType
from keepitlocal.spend.engine.figures import AnalysisFigures, FigureSet, Indicator, IndicatorId
from keepitlocal.spend.engine.periods import Period

ALL_YEARS = "all"
# Every supplier type with its words for a page, in the engine's order (payees not published included).
TYPE_LABELS = {kind.value: kind.label for kind in SupplierType}
TYPE_PLURALS = {kind.value: kind.plural for kind in SupplierType}


def type_label(code: str) -> str:
    """A supplier type's words; a code the engine no longer knows is shown as unknown rather than raw."""
    try:
        return SupplierType(code).label
    except ValueError:
        return SupplierType.UNKNOWN.label


def month_label(month: str) -> str:
    """'2025-04' → 'April 2025'."""
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")


@dataclass(frozen=True)
class Month:
    """One month of the period; `amount` is None when no payment was published for it (a gap, not a zero), or when a
    file that seems to cover it was not read (`unread`: never a month without payments)."""

    month: str
    label: str
    amount: float | None
    vcse_amount: float | None
    local_amount: float | None
    payments: int | None
    unread: bool = False
    uncovered: bool = False  # beyond every file analysed: not uploaded, not a month without payments

    @property
    def gap(self) -> bool:
        return self.amount is None


@dataclass(frozen=True)
class Figures:
    """The figures of one analysis for one financial year, or for all its years together."""

    key: str  # '2025/26', or ALL_YEARS
    title: str  # 'Financial year 2025/26'
    set: FigureSet
    years: int  # how many financial years the figures hold
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        return self.set.period

    def __getitem__(self, key: IndicatorId | str) -> Indicator:
        return self.set[key]

    def get(self, key: IndicatorId | str) -> Indicator | None:
        return self.set.get(key)

    def value(self, key: IndicatorId) -> float | None:
        return self.set.value(key)

    @property
    def months(self) -> list[Month]:
        """Every month of the period in order, those with no payments included as gaps."""
        paid = {row.month: row for row in self.set.months}
        unread, uncovered = set(self.period.unread), set(self.period.uncovered)
        every = sorted({*self.period.months, *self.period.missing, *unread, *uncovered, *paid})
        return [
            Month(
                m,
                month_label(m),
                paid[m].amount if m in paid else None,
                paid[m].vcse_amount if m in paid else None,
                paid[m].local_amount if m in paid else None,
                paid[m].payments if m in paid else None,
                m in unread and m not in paid,
                m in uncovered and m not in paid,
            )
            for m in every
        ]

    @property
    def missing(self) -> list[str]:
        return list(self.period.missing)

    @property
    def unread(self) -> list[str]:
        """Months with no payments read because a file that seems to cover them was not read."""
        return list(self.period.unread)

    @property
    def uncovered(self) -> list[str]:
        """Months of the year beyond every file analysed (files not yet uploaded)."""
        return list(self.period.uncovered)

    @property
    def sentence(self) -> str:
        """The period in one sentence: first and last payment, and the months without any."""
        if self.period.first is None:
            return f"{self.title}: no payments."
        text = f"{self.title}: payments from {self.period.label}"
        if self.missing:
            text += f"; no payments in the files for {self.period.missing_label}"
        if self.unread:
            text += f"; not known for {self.period.unread_label}, as files covering it were not read"
        if self.uncovered:
            text += f"; not known for {self.period.uncovered_label}, which the files analysed do not reach"
        if self.key == ALL_YEARS and self.years > 1:
            text += f". These figures put {self.years} financial years together"
        return text + "."


def choices(run: Any) -> list[tuple[str, str]]:
    """The periods a person can choose for a run: each financial year, newest first, then all years together."""
    years = [(y, f"Financial year {y}") for y in reversed(run.year_labels or [])]
    return [*years, (ALL_YEARS, "All years together")] if len(years) != 1 else years


def default_key(run: Any) -> str:
    """The latest financial year with payments (every year together for an analysis with none)."""
    return run.year_labels[-1] if run.year_labels else ALL_YEARS


def figures(run: Any, key: str | None = None, charts: bool = True) -> Figures:
    """The run's figures for the financial year `key` (default: the latest with payments) or ALL_YEARS. A key the run
    does not hold falls back to the default. `charts=False` leaves the run's drawn charts unread (they are large)."""
    made = run.analysis_figures
    wanted = key if key in {y.year for y in made.years} | {ALL_YEARS} else default_key(run)
    drawn = (run.charts or {}) if charts else {}
    year = made.year(wanted)
    if year is not None:
        return Figures(wanted, f"Financial year {wanted}", year.figures, 1, drawn.get("years", {}).get(wanted, {}))
    return Figures(
        ALL_YEARS,
        "All years together" if len(made.years) > 1 else "All payments",
        made.whole,
        len(made.years),
        {k: v for k, v in drawn.items() if k != "years"},
    )


@dataclass(frozen=True)
class PublishedFigures:
    """What the public sees of one council's published figures for one period: each figure read from the engine's
    type, a share known for too little of the spend published as its range alone (Indicator.as_range)."""

    council: Any
    is_demo: bool
    shown: Figures
    years: list[str]
    files: list[str]
    registers: list[str]
    analysed_on: datetime | None
    trend: list[TrendRow] = field(default_factory=list)  # every financial year of the published analysis
    trend_chart: str = ""

    def point(self, key: IndicatorId) -> float | None:
        found = self.shown.get(key)
        return found.published_value if found else None

    def spread(self, key: IndicatorId) -> tuple[float, float] | None:
        found = self.shown.get(key)
        return found.published_range if found else None

    def indicator(self, key: IndicatorId) -> Indicator | None:
        return self.shown.get(key)

    # The figures the public pages, the comparison and the API name, each one indicator's published value.
    total_spend = property(lambda self: self.point(IndicatorId.TOTAL_SPEND))
    payments = property(lambda self: self.point(IndicatorId.PAYMENTS))
    suppliers = property(lambda self: self.point(IndicatorId.SUPPLIERS))
    share_vcse = property(lambda self: self.point(IndicatorId.SHARE_VCSE))
    share_local = property(lambda self: self.point(IndicatorId.SHARE_LOCAL))
    share_local_vcse = property(lambda self: self.point(IndicatorId.SHARE_LOCAL_VCSE))
    share_vcse_range = property(lambda self: self.spread(IndicatorId.SHARE_VCSE))
    share_local_range = property(lambda self: self.spread(IndicatorId.SHARE_LOCAL))
    share_local_vcse_range = property(lambda self: self.spread(IndicatorId.SHARE_LOCAL_VCSE))
    locality_known = property(lambda self: self.point(IndicatorId.LOCALITY_KNOWN))
    share_unknown = property(lambda self: self.point(IndicatorId.SHARE_UNKNOWN))
    share_withheld = property(lambda self: self.point(IndicatorId.SHARE_WITHHELD))
    top10_share = property(lambda self: self.point(IndicatorId.TOP10_SHARE))
    hhi = property(lambda self: self.point(IndicatorId.HHI))

    @property
    def year(self) -> str:
        return self.shown.key

    @property
    def title(self) -> str:
        return self.shown.title

    @property
    def sentence(self) -> str:
        return self.shown.sentence

    @property
    def period(self) -> str:
        return self.shown.period.label

    @property
    def months(self) -> int:
        return len(self.shown.period.months)

    @property
    def missing(self) -> str:
        return self.shown.period.missing_label

    @property
    def unread(self) -> str:
        return self.shown.period.unread_label

    @property
    def uncovered(self) -> str:
        return self.shown.period.uncovered_label


# The comparison as a table: one row per published council, the share reaching local VCSE organisations first. A share
# given as its range has no point figure, only its range; one given as one figure has its upper bound and coverage.
# Who each headline share is of, in words (the trend chart's legend), and each as the table's columns name it.
SHARE_WORDS = {
    IndicatorId.SHARE_LOCAL_VCSE: "Local VCSE organisations",
    IndicatorId.SHARE_VCSE: "VCSE organisations",
    IndicatorId.SHARE_LOCAL: "Local suppliers",
}
SHARES = tuple(SHARE_WORDS)
_SHARE_LABELS = {
    IndicatorId.SHARE_LOCAL_VCSE: "Share to local VCSE organisations",
    IndicatorId.SHARE_VCSE: "Share to VCSE organisations",
    IndicatorId.SHARE_LOCAL: "Share to local suppliers",
}
COMPARISON_COLUMNS = [
    Column("gss_code", "GSS code"),
    Column("council", "Council"),
    *(Column(key.value, f"{_SHARE_LABELS[key]} (%)") for key in SHARES),
    Column("locality_known", "Share whose locality is known (%)"),
    Column("top10_share", "Share to the 10 largest suppliers (%)"),
    Column("hhi", "Supplier concentration (HHI)"),
    Column("total_spend", "Total spend (£)"),
    Column("payments", "Payments"),
    Column("period", "Period"),
    Column("is_demo", "Demonstration data"),
    *(Column(f"{key.value}_range", f"{_SHARE_LABELS[key]}, as a range where too little is known (%)") for key in SHARES),
    *(
        Column(f"{key.value}_{end}", f"{_SHARE_LABELS[key]}: {words}")
        for key in SHARES
        for end, words in (
            ("high", "the most it could be, if every supplier of unknown type or locality met it (%)"),
            ("coverage", "share of spend its type or locality is known for (%)"),
        )
    ),
]


def comparison_row(r: PublishedFigures) -> dict[str, Any]:
    """One published council's row of the comparison (ranges as [low, high], None where not given)."""
    row: dict[str, Any] = {"gss_code": r.council.gss_code, "council": r.council.name, "period": r.period, "is_demo": r.is_demo}
    for key in (
        *SHARES,
        IndicatorId.LOCALITY_KNOWN,
        IndicatorId.TOP10_SHARE,
        IndicatorId.HHI,
        IndicatorId.TOTAL_SPEND,
        IndicatorId.PAYMENTS,
    ):
        row[key.value] = r.point(key)
    for key in SHARES:
        spread = r.spread(key)
        found = r.indicator(key)
        row[f"{key.value}_range"] = list(spread) if spread else None
        row[f"{key.value}_high"] = found.high if found else None
        row[f"{key.value}_coverage"] = found.coverage if found else None
    return row


def comparison_table(year: str, rows: list[PublishedFigures]) -> Table:
    """The comparison of one financial year as a table to download (a range written '1.0 to 91.0')."""
    written = []
    for r in rows:
        row = comparison_row(r)
        for key in SHARES:
            spread = row[f"{key.value}_range"]
            row[f"{key.value}_range"] = f"{spread[0]:.1f} to {spread[1]:.1f}" if spread else ""
        written.append(row)
    return Table(f"Spend compared, financial year {year}", COMPARISON_COLUMNS, written)


# The trend: the headline shares in every financial year analysed, each with the pounds behind it.


@dataclass(frozen=True)
class TrendRow:
    """One financial year of the trend: its months with payments, its spend and each headline share (None where the year
    has no such figure)."""

    year: str
    months: int
    total: float | None
    shares: dict[IndicatorId, Indicator | None]

    def share(self, key: IndicatorId | str) -> Indicator | None:
        return self.shares.get(IndicatorId(key))


def trend(analysed: AnalysisFigures) -> list[TrendRow]:
    """The headline shares of each financial year of an analysis, oldest first."""
    return [
        TrendRow(
            y.year,
            len(y.period.months),
            y.figures.value(IndicatorId.TOTAL_SPEND),
            {key: y.figures.get(key) for key in SHARES},
        )
        for y in analysed.years
    ]
