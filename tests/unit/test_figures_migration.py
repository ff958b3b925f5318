"""Stored figures from before they had a type are migrated once into the engine's schema, and read back whole."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest

from keepitlocal.spend.engine.figures import SCHEMA, AnalysisFigures, DependsOn, FiguresSchemaError, IndicatorId, Unit

SHARE = {
    "id": "share_vcse",
    "name": "Share of spend to VCSE organisations",
    "value": 12.3456,
    "numerator": 1234.56,
    "denominator": 10000.0,
    "unit": "%",
    "definition": "VCSE ÷ all",
    "depends_on": "classification",
    "coverage": 91.5,
    "low": 12.3456,
    "high": 20.5,
}
TOTAL = {"id": "total_spend", "name": "Total spend", "value": 10000.0, "numerator": 10000.0, "denominator": None,
         "unit": "GBP", "definition": "Σ amount"}  # fmt: skip
MONTHS = {"id": "by_month", "name": "Spend by month", "value": None, "numerator": None, "denominator": None,
          "unit": "GBP", "definition": "", "rows": [
              {"month": "2024-04", "amount": 6000.0, "vcse_amount": 1000.0, "local_amount": 500.0, "payments": 3},
              {"month": "2024-06", "amount": 4000.0, "vcse_amount": 234.56, "payments": 2}]}  # fmt: skip
PERIOD = {"first": "2024-04-02", "last": "2024-06-28", "months": ["2024-04", "2024-06"], "missing": ["2024-05"],
          "unread": [], "label": "2 April 2024 to 28 June 2024", "missing_label": "May 2024", "unread_label": ""}  # fmt: skip


def _migration() -> Any:
    return importlib.import_module("keepitlocal.spend.migrations.0018_typed_figures")


def _no_rows() -> tuple[date | None, date | None]:
    return None, None


def test_stored_figures_are_migrated_into_the_typed_schema_and_back() -> None:
    migration = _migration()
    year = {"year": "2024/25", "start": 2024, "period": PERIOD, "indicators": [SHARE, TOTAL, MONTHS]}
    stored, period, labels = migration.convert([SHARE, TOTAL, MONTHS], PERIOD, [year], _no_rows)
    assert stored["schema"] == SCHEMA and labels == ["2024/25"] and period["label"] == PERIOD["label"]
    figures = AnalysisFigures.from_json(stored)
    share = figures.whole[IndicatorId.SHARE_VCSE]
    assert (share.value, share.numerator, share.denominator, share.unit) == (12.3456, 1234.56, 10000.0, Unit.PERCENT)
    assert share.bounds is not None and (share.low, share.high, share.coverage) == (12.3456, 20.5, 91.5)
    assert share.bounds.depends_on == DependsOn.CLASSIFICATION and share.definition == "VCSE ÷ all"
    assert figures.whole[IndicatorId.TOTAL_SPEND].bounds is None
    assert [(m.month, m.amount, m.local_amount) for m in figures.whole.months] == [
        ("2024-04", 6000.0, 500.0),
        ("2024-06", 4000.0, None),  # a month table saved before local spend was kept
    ]
    assert figures.period.first == date(2024, 4, 2) and figures.period.missing == ["2024-05"]
    assert figures.years[0].year == "2024/25" and figures.years[0].figures.value(IndicatorId.TOTAL_SPEND) == 10000.0

    indicators, years = migration.back(stored)
    vcse = next(i for i in indicators if i["id"] == "share_vcse")
    assert (vcse["value"], vcse["high"], vcse["coverage"], vcse["depends_on"]) == (12.3456, 20.5, 91.5, "classification")
    assert [r["month"] for r in next(i for i in indicators if i["id"] == "by_month")["rows"]] == ["2024-04", "2024-06"]
    assert migration.convert(indicators, PERIOD, years, _no_rows)[0] == stored  # there and back is the same


def test_an_analysis_from_before_periods_were_kept_gets_its_period_from_its_payments_or_its_months() -> None:
    migration = _migration()
    stored, period, labels = migration.convert([TOTAL, MONTHS], {}, [], lambda: (date(2024, 4, 3), date(2024, 6, 27)))
    figures = AnalysisFigures.from_json(stored)
    assert labels == [] and figures.years == () and figures.period.months == ["2024-04", "2024-06"]
    assert (figures.period.first, figures.period.last) == (date(2024, 4, 3), date(2024, 6, 27))
    assert period["label"] == "3 April 2024 to 27 June 2024"
    # Its rows long gone: from the first day of its first month to the last day of its last.
    figures = AnalysisFigures.from_json(migration.convert([TOTAL, MONTHS], {}, [], _no_rows)[0])
    assert (figures.period.first, figures.period.last) == (date(2024, 4, 1), date(2024, 6, 30))
    assert migration.convert([], {}, [], _no_rows) == ({}, {}, [])  # a failed analysis has no figures


def test_figures_in_another_schema_are_refused_not_guessed_at() -> None:
    stored, _, _ = _migration().convert([SHARE, TOTAL, MONTHS], PERIOD, [], _no_rows)
    with pytest.raises(FiguresSchemaError):
        AnalysisFigures.from_json({**stored, "schema": 1})


def test_the_migration_converts_stored_analyses() -> None:
    """The migration's own step over rows shaped as before it (a stand-in for the historical model)."""
    from types import SimpleNamespace

    saved: list[Any] = []

    class Runs:
        def all(self) -> Any:
            return self

        def iterator(self, chunk_size: int) -> Any:
            return iter(rows)

    def save(run: Any, update_fields: list[str]) -> None:
        saved.append((run.pk, update_fields))

    rows = [
        SimpleNamespace(
            pk=1,
            council_id=1,
            holds_rows=False,
            indicators=[SHARE, TOTAL, MONTHS],
            period=PERIOD,
            years=[],
            figures=None,
            year_labels=None,
        ),
    ]
    for row in rows:
        row.save = lambda update_fields, row=row: save(row, update_fields)
    apps = SimpleNamespace(get_model=lambda app, name: SimpleNamespace(objects=Runs()) if name == "AnalysisRun" else None)
    _migration().to_schema_2(apps, None)
    assert saved == [(1, ["figures", "period", "year_labels"])] and rows[0].figures["schema"] == SCHEMA
