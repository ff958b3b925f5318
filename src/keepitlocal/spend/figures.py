"""Which period a page's spend figures cover: one financial year (the latest with payments, unless a person chooses
another) or every year together, always said in words, with the months that have no payments shown as gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

ALL_YEARS = "all"


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

    @property
    def gap(self) -> bool:
        return self.amount is None


@dataclass(frozen=True)
class Figures:
    """The figures of one analysis for one financial year, or for all its years together."""

    key: str  # '2025/26', or ALL_YEARS
    title: str  # 'Financial year 2025/26'
    period: dict[str, Any]  # periods.Period.as_json()
    indicators: list[dict[str, Any]]
    years: int  # how many financial years the figures hold
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {i["id"]: i for i in self.indicators}

    @property
    def months(self) -> list[Month]:
        """Every month of the period in order, those with no payments included as gaps."""
        paid = {row["month"]: row for row in self.by_id.get("by_month", {}).get("rows", [])}
        unread = set(self.period.get("unread", []))
        every = sorted({*self.period.get("months", []), *self.period.get("missing", []), *unread, *paid})
        return [
            Month(
                m,
                month_label(m),
                paid[m]["amount"] if m in paid else None,
                paid[m]["vcse_amount"] if m in paid else None,
                paid[m].get("local_amount") if m in paid else None,
                paid[m]["payments"] if m in paid else None,
                m in unread and m not in paid,
            )
            for m in every
        ]

    @property
    def missing(self) -> list[str]:
        return list(self.period.get("missing", []))

    @property
    def unread(self) -> list[str]:
        """Months with no payments read because a file that seems to cover them was not read."""
        return list(self.period.get("unread", []))

    @property
    def sentence(self) -> str:
        """The period in one sentence: first and last payment, and the months without any."""
        if not self.period:
            return f"{self.title}: this analysis did not record its period; analyse the files again to see it."
        if not self.period.get("first"):
            return f"{self.title}: no payments."
        text = f"{self.title}: payments from {self.period['label']}"
        if self.missing:
            text += f"; no payments were published for {self.period.get('missing_label') or ', '.join(self.missing)}"
        if self.unread:
            text += (
                f"; not known for {self.period.get('unread_label') or ', '.join(self.unread)}, as files covering it were not read"
            )
        if self.key == ALL_YEARS and self.years > 1:
            text += f". These figures put {self.years} financial years together"
        return text + "."


def choices(run: Any) -> list[tuple[str, str]]:
    """The periods a person can choose for a run: each financial year, newest first, then all years together."""
    years = [(y["year"], f"Financial year {y['year']}") for y in reversed(run.years or [])]
    return [*years, (ALL_YEARS, "All years together")] if len(years) != 1 else years


def default_key(run: Any) -> str:
    """The latest financial year with payments; every year together only for a run analysed before years were kept."""
    return run.years[-1]["year"] if run.years else ALL_YEARS


def figures(run: Any, key: str | None = None, charts: bool = True) -> Figures:
    """The run's figures for the financial year `key` (default: the latest with payments) or ALL_YEARS. A key the run
    does not hold falls back to the default. `charts=False` leaves the run's drawn charts unread (they are large)."""
    years = run.years or []
    wanted = key if key in {y["year"] for y in years} | {ALL_YEARS} else default_key(run)
    drawn = (run.charts or {}) if charts else {}
    if wanted != ALL_YEARS:
        year = next(y for y in years if y["year"] == wanted)
        return Figures(
            wanted,
            f"Financial year {wanted}",
            year["period"],
            year["indicators"],
            1,
            drawn.get("years", {}).get(wanted, {}),
        )
    return Figures(
        ALL_YEARS,
        "All years together" if len(years) > 1 else "All payments",
        run.period or _period_from_months(run.indicators),
        run.indicators,
        len(years),
        {k: v for k, v in drawn.items() if k != "years"},
    )


def _period_from_months(indicators: list[dict[str, Any]]) -> dict[str, Any]:
    """For runs analysed before periods were kept: the months with payments, from the monthly figures."""
    months = [r["month"] for i in indicators if i.get("id") == "by_month" for r in i.get("rows", [])]
    if not months:
        return {}
    return {
        "first": months[0],
        "months": months,
        "missing": [],
        "label": f"{month_label(months[0])} to {month_label(months[-1])}",
        "missing_label": "",
    }
