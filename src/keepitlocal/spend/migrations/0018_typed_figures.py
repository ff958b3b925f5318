"""Every analysis's figures into the engine's typed schema (engine.figures, schema 2), once.

Before, an analysis kept its indicators as a list of dicts (tables among them, each with its rows), its period beside
them and each financial year as a dict of the same; analyses from before periods were kept (migration 0007) had only
the indicators. This rewrites each into `figures` as AnalysisFigures.as_json writes it, so that the code reads one
schema and nothing else. Self-contained: a migration must convert as it did when written, whatever the engine becomes.

For an analysis from before 0007 the period is worked out here as the analysis did later: from its payments where it
holds the council's rows (the first and last payment dates), otherwise from the months of its monthly table (first
day of the first month to the last day of the last), and it has no financial years (it is shown on all its payments).
"""

from __future__ import annotations

import calendar
from datetime import date
from collections.abc import Callable
from typing import Any

from django.db import migrations, models

SCHEMA = 2
SCALAR_UNITS = {"GBP", "count", "%", "index"}
TABLES = {
    "by_month": ("months", ("month", "amount", "vcse_amount", "local_amount", "payments")),
    "by_service_area": ("service_areas", ("service_area", "amount", "vcse_amount", "payments")),
    "payment_bands": ("bands", ("band", "payments", "amount")),
    "grants_vs_contracts": ("kinds", ("kind", "amount", "vcse_amount", "payments")),
}


def _months_words(months: list[str]) -> str:
    def name(month: str) -> str:
        return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")

    runs: list[list[str]] = []
    for month in months:
        number = int(month[:4]) * 12 + int(month[5:7])
        if runs and int(runs[-1][-1][:4]) * 12 + int(runs[-1][-1][5:7]) == number - 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(name(r[0]) if len(r) == 1 else f"{name(r[0])} to {name(r[-1])}" for r in runs)


def _period(first: date | None, last: date | None, months: list[str], missing: list[str], unread: list[str]) -> dict[str, Any]:
    return {
        "first": first.isoformat() if first else None,
        "last": last.isoformat() if last else None,
        "months": months,
        "missing": missing,
        "unread": unread,
        "label": f"{first:%-d %B %Y} to {last:%-d %B %Y}" if first and last else "no payments",
        "missing_label": _months_words(missing),
        "unread_label": _months_words(unread),
    }


def _stored_period(data: dict[str, Any]) -> dict[str, Any]:
    first, last = data.get("first"), data.get("last")
    return _period(
        date.fromisoformat(first) if first else None,
        date.fromisoformat(last) if last else None,
        list(data.get("months", [])),
        list(data.get("missing", [])),
        list(data.get("unread", [])),
    )


def _figure_set(indicators: list[dict[str, Any]], period: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"period": period, "indicators": [], "months": [], "service_areas": [], "bands": [], "kinds": []}
    for i in indicators:
        if i["id"] in TABLES:
            key, columns = TABLES[i["id"]]
            data[key] = [{c: row.get(c) for c in columns} for row in i.get("rows", [])]
            continue
        bounds = None
        if i.get("depends_on") and i.get("coverage") is not None:
            bounds = {"low": i.get("low"), "high": i.get("high"), "coverage": i["coverage"], "depends_on": i["depends_on"]}
        data["indicators"].append(
            {
                "id": i["id"],
                "name": i["name"],
                "value": i["value"],
                "unit": i["unit"] if i.get("unit") in SCALAR_UNITS else "count",
                "numerator": i.get("numerator"),
                "denominator": i.get("denominator"),
                "definition": i.get("definition", ""),
                "bounds": bounds,
            }
        )
    return data


def _period_before_0007(indicators: list[dict[str, Any]], span: tuple[date | None, date | None]) -> dict[str, Any]:
    months = sorted(row["month"] for i in indicators if i.get("id") == "by_month" for row in i.get("rows", []))
    if not months:
        return _period(None, None, [], [], [])
    first, last = span
    if first is None or last is None:
        first = date(int(months[0][:4]), int(months[0][5:7]), 1)
        year, month = int(months[-1][:4]), int(months[-1][5:7])
        last = date(year, month, calendar.monthrange(year, month)[1])
    return _period(first, last, months, [], [])


def convert(
    indicators: list[dict[str, Any]],
    period: dict[str, Any],
    years: list[dict[str, Any]],
    span: Callable[[], tuple[date | None, date | None]],
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """One analysis's (figures, period, year labels) in schema 2 from what it stored; `span` gives the first and last
    payment of its rows, asked only for an analysis from before periods were kept."""
    if not indicators:
        return {}, period or {}, []
    whole_period = _stored_period(period) if period else _period_before_0007(indicators, span())
    converted = [
        {"year": y["year"], "start": int(y["start"]), "figures": _figure_set(y["indicators"], _stored_period(y["period"]))}
        for y in years or []
    ]
    figures = {"schema": SCHEMA, "whole": _figure_set(indicators, whole_period), "years": converted}
    return figures, whole_period, [y["year"] for y in converted]


def to_schema_2(apps: Any, schema_editor: Any) -> None:
    AnalysisRun = apps.get_model("spend", "AnalysisRun")
    Payment = apps.get_model("spend", "Payment")

    def span_of(run: Any) -> Callable[[], tuple[date | None, date | None]]:
        def span() -> tuple[date | None, date | None]:
            if not run.holds_rows:
                return None, None
            found = Payment.objects.filter(council_id=run.council_id, run_id=run.pk)
            dates = found.aggregate(first=models.Min("date"), last=models.Max("date"))
            return dates["first"], dates["last"]

        return span

    for run in AnalysisRun.objects.all().iterator(chunk_size=50):
        run.figures, run.period, run.year_labels = convert(run.indicators, run.period, run.years, span_of(run))
        run.save(update_fields=["figures", "period", "year_labels"])


def _indicator_list(figure_set: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for i in figure_set["indicators"]:
        row = {k: i[k] for k in ("id", "name", "value", "numerator", "denominator", "unit", "definition")}
        if i.get("bounds"):
            row |= {k: i["bounds"][k] for k in ("low", "high", "coverage", "depends_on")}
        found.append(row)
    for table, (key, _) in TABLES.items():
        found.append({"id": table, "name": table, "value": None, "numerator": None, "denominator": None, "unit": "GBP",
                      "definition": "", "rows": figure_set[key]})  # fmt: skip
    return found


def back(figures: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(indicators, years) as the code before this migration read them (tables named by their ids)."""
    if not figures:
        return [], []
    years = [
        {"year": y["year"], "start": y["start"], "period": y["figures"]["period"], "indicators": _indicator_list(y["figures"])}
        for y in figures["years"]
    ]
    return _indicator_list(figures["whole"]), years


def to_schema_1(apps: Any, schema_editor: Any) -> None:
    AnalysisRun = apps.get_model("spend", "AnalysisRun")
    for run in AnalysisRun.objects.all().iterator(chunk_size=50):
        run.indicators, run.years = back(run.figures)
        run.save(update_fields=["indicators", "years"])


class Migration(migrations.Migration):
    dependencies = [
        ("spend", "0017_current_rows_managers"),
    ]

    operations = [
        migrations.AddField(model_name="analysisrun", name="figures", field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="analysisrun", name="year_labels", field=models.JSONField(blank=True, default=list)),
        migrations.RunPython(to_schema_2, to_schema_1),
        migrations.RemoveField(model_name="analysisrun", name="indicators"),
        migrations.RemoveField(model_name="analysisrun", name="years"),
    ]
