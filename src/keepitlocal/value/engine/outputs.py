"""A calculated value case as files: result.json (every figure at low, central and high, the agency split, the
sensitivity table, the unit costs used with their citations) and an accessible report.html."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from keepitlocal.common.money import whole_pounds
from keepitlocal.value.engine.calculator import End, Figures, Result, uprated_value
from keepitlocal.value.engine.money import Agency, ValueKind


def _money(value: float) -> float:
    return round(value, 2)


def _ends(result: Result, pick: Any) -> dict[str, Any]:
    return {end.value: pick(getattr(result, end.value)) for end in End}


def _cashable(flag: bool | None) -> str:
    return "cashable" if flag else "not cashable" if flag is False else "not stated"


def by_agency(figures: Figures) -> dict[str, dict[str, float]]:
    """PV fiscal savings per agency, split by whether they are cashable (as the unit cost or the case says)."""
    table: dict[str, dict[str, float]] = {}
    for (agency, cashable), value in sorted(figures.by_agency.items(), key=lambda item: list(Agency).index(item[0][0])):
        row = table.setdefault(agency.value, {"total": 0.0})
        row["total"] = _money(row["total"] + value)
        row[_cashable(cashable)] = _money(row.get(_cashable(cashable), 0.0) + value)
    return table


def units_used(result: Result) -> list[dict[str, Any]]:
    case = result.case
    seen: dict[str, dict[str, Any]] = {}
    for outcome in case.outcomes:
        for use in outcome.costs:
            cost = use.unit_cost
            entry = seen.setdefault(
                cost.code,
                {
                    "code": cost.code,
                    "description": cost.description,
                    "unit": cost.unit,
                    "agency": cost.agency.label,
                    "source": cost.source,
                    "licence": cost.licence,
                    "confidence": cost.confidence.label,
                    "values": {},
                    "outcomes": [],
                },
            )
            entry["outcomes"].append(outcome.name)
            for kind, amount in cost.values.items():
                if kind in use.kinds:
                    entry["values"][kind.value] = {
                        "original": _money(amount.value),
                        "price_year": str(amount.price_year),
                        "uprated": _money(uprated_value(use, kind, case.price_year, case.deflator)),
                        "uprated_to": str(case.price_year),
                    }
    return list(seen.values())


def result_data(result: Result) -> dict[str, Any]:
    case = result.case
    return {
        "title": case.title,
        "price_year": str(case.price_year),
        "deflator": case.deflator.citation if case.deflator else None,
        "npv": _ends(result, lambda f: _money(f.npv)),
        "pv_costs": _ends(result, lambda f: _money(f.pv_costs)),
        "pv_fiscal": _ends(result, lambda f: _money(f.pv_fiscal)),
        "pv_fiscal_by_agency": by_agency(result.central),
        "pv_economic": _ends(result, lambda f: _money(f.pv_economic)),
        "pv_social": _ends(result, lambda f: _money(f.pv_social)),
        "bcr_fiscal": _ends(result, lambda f: None if f.bcr_fiscal is None else round(f.bcr_fiscal, 3)),
        "payback_year": _ends(result, lambda f: f.payback_year),
        "sensitivity": [
            {"input": s.input, "npv_at_low": _money(s.npv_low), "npv_at_high": _money(s.npv_high), "swing": _money(s.size)}
            for s in result.sensitivity
        ],
        "unit_costs_used": units_used(result),
        "warnings": [{"kind": w.kind, "message": w.message} for w in result.warnings],
    }


def _source_row(used: dict[str, Any]) -> str:
    values = "; ".join(
        f"{ValueKind(kind).label} £{v['original']:,.2f} ({v['price_year']}) → £{v['uprated']:,.2f} ({v['uprated_to']})"
        for kind, v in used["values"].items()
    )
    licence = f". Licence: {escape(used['licence'])}" if used["licence"] else ""
    return (
        f"<tr><th scope='row'>{escape(used['code'])}</th><td>{escape(used['description'])}</td><td>{escape(used['agency'])}</td>"
        f"<td>{escape(values)}</td><td>{escape(used['confidence'])}</td><td>{escape(used['source'])}{licence}</td></tr>"
    )


def report_html(result: Result) -> str:
    """The case as one accessible page: headline with its range, figures at three ends, the agency split, the
    sensitivity table, warnings and every source with its price year and licence."""
    data = result_data(result)
    c, low, high = result.central, result.low, result.high
    ratio = (
        f"£{c.bcr_fiscal:,.2f} of fiscal savings for every £1 spent (range £{low.bcr_fiscal or 0:,.2f} to £{high.bcr_fiscal or 0:,.2f})"
        if c.bcr_fiscal is not None
        else "No benefit–cost ratio: the case has no costs"
    )

    def row(label: str, pick: Any) -> str:
        return (
            f"<tr><th scope='row'>{escape(label)}</th>"
            + "".join(f"<td class='n'>{pick(getattr(result, end.value))}</td>" for end in End)
            + "</tr>"
        )

    figures = "".join(
        [
            row("Present value of costs", lambda f: whole_pounds(f.pv_costs)),
            row("Present value of fiscal savings", lambda f: whole_pounds(f.pv_fiscal)),
            row("Net present value (fiscal)", lambda f: whole_pounds(f.npv)),
            row("Benefit–cost ratio (fiscal)", lambda f: "–" if f.bcr_fiscal is None else f"{f.bcr_fiscal:,.2f}"),
            row(
                "Pays back",
                lambda f: "Not within the case" if f.payback_year is None else f"Within year {f.payback_year + 1}",
            ),
            row("Economic value (not fiscal)", lambda f: whole_pounds(f.pv_economic)),
            row("Social value (not fiscal)", lambda f: whole_pounds(f.pv_social)),
        ]
    )
    agencies = "".join(
        f"<tr><th scope='row'>{escape(Agency(key).label)}</th><td class='n'>{whole_pounds(v['total'])}</td>"
        f"<td class='n'>{whole_pounds(v.get('cashable', 0))}</td><td class='n'>{whole_pounds(v.get('not cashable', 0) + v.get('not stated', 0))}</td></tr>"
        for key, v in data["pv_fiscal_by_agency"].items()
    )
    swings = (
        "".join(
            f"<tr><th scope='row'>{escape(s['input'])}</th><td class='n'>{whole_pounds(s['npv_at_low'])}</td><td class='n'>{whole_pounds(s['npv_at_high'])}</td>"
            f"<td class='n'>{whole_pounds(s['swing'])}</td></tr>"
            for s in data["sensitivity"]
        )
        or "<tr><td colspan='4'>No input has a range.</td></tr>"
    )
    cautions = "".join(f"<li>{escape(w['message'])}</li>" for w in data["warnings"])
    sources = "".join(_source_row(u) for u in data["unit_costs_used"])
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{escape(result.case.title)}: value case</title>
<style>body{{font-family:Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c}}
table{{border-collapse:collapse;width:100%;margin:1rem 0 2rem}}th,td{{border-bottom:1px solid #b1b4b6;padding:.4rem;text-align:left;vertical-align:top}}
.n{{text-align:right}}caption{{text-align:left;font-weight:bold;font-size:1.2rem;padding:.5rem 0}}
.headline{{border-left:10px solid #1d70b8;background:#f3f2f1;padding:1rem}}</style></head>
<body><main>
<h1>{escape(result.case.title)}</h1>
<p>Priced in {escape(data["price_year"])} prices{f", uprated with {escape(data['deflator'])}" if data["deflator"] else ""}. Discounted with the HM Treasury Green Book schedule (3.5% a year for the first 30 years).</p>
<div class="headline"><p><strong>{ratio}.</strong></p>
<p>Net present value of fiscal savings after costs: {whole_pounds(c.npv)} (range {whole_pounds(low.npv)} to {whole_pounds(high.npv)}). The low end takes every input at its least favourable value, the high end at its most.</p></div>
{"<h2>Read these first</h2><ul>" + cautions + "</ul>" if cautions else ""}
<table><caption>Results at each end of the range</caption>
<thead><tr><th scope="col">Figure</th><th scope="col" class="n">Low</th><th scope="col" class="n">Central</th><th scope="col" class="n">High</th></tr></thead>
<tbody>{figures}</tbody></table>
<table><caption>Who saves: present value of fiscal savings by agency (central)</caption>
<thead><tr><th scope="col">Agency</th><th scope="col" class="n">Total</th><th scope="col" class="n">Cashable</th><th scope="col" class="n">Not cashable or not stated</th></tr></thead>
<tbody>{agencies}</tbody></table>
<table><caption>Which inputs move the result most (fiscal net present value)</caption>
<thead><tr><th scope="col">Input</th><th scope="col" class="n">At its low value</th><th scope="col" class="n">At its high value</th><th scope="col" class="n">Swing</th></tr></thead>
<tbody>{swings}</tbody></table>
<table><caption>Unit costs used and their sources</caption>
<thead><tr><th scope="col">Code</th><th scope="col">What it costs</th><th scope="col">Who bears it</th><th scope="col">Value, original and uprated</th><th scope="col">Source's confidence</th><th scope="col">Source</th></tr></thead>
<tbody>{sources}</tbody></table>
</main></body></html>
"""


def write(result: Result, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    data_path, report_path = out / "result.json", out / "report.html"
    data_path.write_text(json.dumps(result_data(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report_path.write_text(report_html(result), encoding="utf-8")
    return [data_path, report_path]
