"""The self-contained, accessible HTML report of one spend analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, select_autoescape

from keepitlocal.reports.engine.charts import bar_chart, column_chart
from keepitlocal.spend.engine.classify import SupplierType
from keepitlocal.spend.engine.figures import FigureSet, IndicatorId

TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spend analysis{% if council %}: {{ council }}{% endif %}</title>
<style>
body { font-family: arial, sans-serif; margin: 0 auto; max-width: 960px; padding: 0 16px 40px; color: #0b0c0c; line-height: 1.4; }
h1 { font-size: 2rem; } h2 { margin-top: 2rem; border-top: 1px solid #b1b4b6; padding-top: 1rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.5rem; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #b1b4b6; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.headlines { display: flex; flex-wrap: wrap; gap: 16px; padding: 0; list-style: none; }
.headlines li { border-left: 5px solid #1d70b8; padding: 8px 12px; min-width: 180px; }
.headlines strong { display: block; font-size: 1.6rem; }
.figure { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
.figure svg { max-width: 100%; height: auto; }
.warning { border-left: 5px solid #d4351c; padding: 8px 12px; }
@media (max-width: 700px) { .figure { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<main>
<h1>Spend analysis{% if council %}: {{ council }}{% endif %}</h1>
<p>{{ result.kept | number }} payments from {{ files_read }} file{{ "" if files_read == 1 else "s" }}, paid from {{ period }}. Shares are of positive spend net of credit notes for each supplier.</p>
{% if gaps %}<p class="warning">No payments in {{ gaps }}: figures for the whole period leave those months out, and no year below is complete without them.</p>{% endif %}
<ul class="headlines">
{% for item in headlines %}<li>{{ item.name }}<strong>{{ item.shown }}</strong></li>
{% endfor %}</ul>

<p>{% for line in bounds %}{{ line }}<br>{% endfor %}</p>

{% if years %}
<h2 id="years">By financial year</h2>
<table>
<caption>Headline figures for each financial year (April to March)</caption>
<thead><tr><th scope="col">Year</th><th scope="col">Payments from</th><th scope="col" class="n">Months with payments</th><th scope="col" class="n">Total spend</th><th scope="col">To VCSE organisations</th><th scope="col">To local suppliers</th></tr></thead>
<tbody>{% for y in years %}<tr><th scope="row">{{ y.year }}</th><td>{{ y.period }}</td><td class="n">{{ y.months }} of 12</td><td class="n">{{ y.total | money }}</td><td>{{ y.vcse }}</td><td>{{ y.local }}</td></tr>{% endfor %}</tbody>
</table>
{% endif %}

<h2 id="types">Who the money goes to</h2>
<div class="figure">
{{ type_chart | safe }}
<table>
<caption>Share of spend by type of supplier</caption>
<thead><tr><th scope="col">Supplier type</th><th scope="col" class="n">Share</th><th scope="col" class="n">Spend</th></tr></thead>
<tbody>{% for row in type_rows %}<tr><th scope="row">{{ row.label }}</th><td class="n">{{ row.share }}</td><td class="n">{{ row.amount | money }}</td></tr>{% endfor %}</tbody>
</table>
</div>
{% if locality_note %}<p class="warning">{{ locality_note }}</p>{% endif %}

<h2 id="months">Spend by month</h2>
<div class="figure">
{{ month_chart | safe }}
<table>
<caption>Spend by month of payment</caption>
<thead><tr><th scope="col">Month</th><th scope="col" class="n">Spend</th><th scope="col" class="n">To VCSE</th><th scope="col" class="n">Payments</th></tr></thead>
<tbody>{% for row in months %}<tr><th scope="row">{{ row.month }}</th><td class="n">{{ row.amount | money }}</td><td class="n">{{ row.vcse_amount | money }}</td><td class="n">{{ row.payments | number }}</td></tr>{% endfor %}</tbody>
</table>
</div>

<h2 id="suppliers">Largest suppliers</h2>
<table>
<caption>The 20 suppliers with the most net spend</caption>
<thead><tr><th scope="col">Supplier</th><th scope="col">Type</th><th scope="col">Evidence</th><th scope="col" class="n">Net spend</th><th scope="col" class="n">Payments</th></tr></thead>
<tbody>{% for s in top %}<tr><th scope="row">{{ s.names[0] }}</th><td>{{ s.type_label }}</td><td>{{ s.evidence }}</td><td class="n">{{ s.total_amount | money }}</td><td class="n">{{ s.transactions | number }}</td></tr>{% endfor %}</tbody>
</table>

<h2 id="bands">Payments by size</h2>
<table>
<caption>Number and value of payments in each size band</caption>
<thead><tr><th scope="col">Band</th><th scope="col" class="n">Payments</th><th scope="col" class="n">Amount</th></tr></thead>
<tbody>{% for row in bands %}<tr><th scope="row">{{ row.band }}</th><td class="n">{{ row.payments | number }}</td><td class="n">{{ row.amount | money }}</td></tr>{% endfor %}</tbody>
</table>

<h2 id="grants">Grants and contracts</h2>
<table>
<caption>Spend by kind, from the published expense type</caption>
<thead><tr><th scope="col">Kind</th><th scope="col" class="n">Spend</th><th scope="col" class="n">To VCSE</th><th scope="col" class="n">Payments</th></tr></thead>
<tbody>{% for row in grants %}<tr><th scope="row">{{ row.kind }}</th><td class="n">{{ row.amount | money }}</td><td class="n">{{ row.vcse_amount | money }}</td><td class="n">{{ row.payments | number }}</td></tr>{% endfor %}</tbody>
</table>

<h2 id="validation">What was read</h2>
<p>Every row is accounted for: rows read = rows kept + rows rejected, for each file. Rejected rows, with the reason, are in rejected.csv.</p>
<table>
<caption>Row accounting by file</caption>
<thead><tr><th scope="col">File</th><th scope="col">Outcome</th><th scope="col" class="n">Rows read</th><th scope="col" class="n">Kept</th><th scope="col" class="n">Rejected</th><th scope="col" class="n">Of which duplicates</th></tr></thead>
<tbody>{% for f in result.files %}<tr><th scope="row">{{ f.name.split("/")[-1] }}</th><td>{% if f.status == "read" %}Read{% else %}Not read: {{ f.reason }}{% endif %}</td><td class="n">{{ f.rows_read | number }}</td><td class="n">{{ f.kept | number }}</td><td class="n">{{ f.rejected | number }}</td><td class="n">{{ f.duplicates | number }}</td></tr>{% endfor %}
<tr><th scope="row">All files</th><td></td><td class="n">{{ result.rows_read | number }}</td><td class="n">{{ result.kept | number }}</td><td class="n">{{ result.rejected | number }}</td><td class="n">{{ result.duplicates | number }}</td></tr></tbody>
</table>
{% if reasons %}
<table>
<caption>Why rows were rejected</caption>
<thead><tr><th scope="col">Reason</th><th scope="col" class="n">Rows</th></tr></thead>
<tbody>{% for reason, n in reasons %}<tr><th scope="row">{{ reason }}</th><td class="n">{{ n | number }}</td></tr>{% endfor %}</tbody>
</table>
{% endif %}
<h3>How the columns were read</h3>
<ul>{% for f in result.files if f.mapping %}<li>{{ f.name.split("/")[-1] }}: {{ f.mapping }}</li>{% endfor %}</ul>
{% if result.skipped %}<h3>Files passed over</h3><ul>{% for s in result.skipped %}<li>{{ s }}</li>{% endfor %}</ul>{% endif %}
<h3>Registers used</h3>
{% if result.registers_used %}<ul>{% for r in result.registers_used %}<li>{{ r }}</li>{% endfor %}</ul>{% else %}<p>None: suppliers were classified from the published data alone (publisher flags, identifiers and names).</p>{% endif %}
</main>
</body>
</html>
"""


def _money(value: float | None) -> str:
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def render(con: duckdb.DuckDBPyConnection, result: Any, suppliers: list[dict[str, Any]], rejected: Path) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["money"] = _money
    env.filters["number"] = lambda v: f"{v:,}"
    whole: FigureSet = result.figures.whole
    type_rows: list[dict[str, Any]] = [
        {
            "label": kind.label,
            "share": f"{whole.value(IndicatorId.share_of(kind)) or 0:.1f}%",
            "value": whole.value(IndicatorId.share_of(kind)) or 0,
            "amount": whole[IndicatorId.share_of(kind)].numerator,
        }
        for kind in SupplierType
    ]
    months = whole.months
    period = result.period.label
    vcse = whole[IndicatorId.SHARE_VCSE]
    known = whole.value(IndicatorId.LOCALITY_KNOWN) or 0
    headlines = [
        {"name": "Total spend", "shown": _money(whole.value(IndicatorId.TOTAL_SPEND))},
        {"name": "To VCSE organisations", "shown": f"{vcse.value or 0:.1f}%"},
        {"name": "If every supplier of unknown type were VCSE", "shown": f"up to {vcse.high or 0:.1f}%"},
        {
            "name": "To local suppliers",
            "shown": "Unknown" if not known else f"{whole.value(IndicatorId.SHARE_LOCAL) or 0:.1f}%",
        },
        {"name": "To the 10 largest suppliers", "shown": f"{whole.value(IndicatorId.TOP10_SHARE) or 0:.1f}%"},
        {"name": "Suppliers", "shown": f"{whole.value(IndicatorId.SUPPLIERS) or 0:,}"},
    ]
    locality_note = (
        "Locality is unknown for every supplier: give the council's GSS code and a folder of registers with postcodes to measure local spend."
        if not known
        else f"Locality is known for {known:.1f}% of spend; the local shares count the rest as not local."
        if known < 99.5
        else ""
    )
    reasons = con.execute(
        # The dialect is stated: a sniffer can take a rejected raw line full of semicolons for the delimiter.
        "SELECT reason, count(*) FROM read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', new_line = '\\r\\n', "
        "auto_detect = false, columns = {'source_file': 'VARCHAR', 'source_row': 'VARCHAR', 'reason': 'VARCHAR', 'raw_line': 'VARCHAR'}) "
        "GROUP BY 1 ORDER BY 2 DESC",
        [str(rejected)],
    ).fetchall()
    top = [
        {**s, "type_label": SupplierType(s["supplier_type"]).label}
        for s in sorted(suppliers, key=lambda s: -s["total_amount"])[:20]
    ]
    years = [
        {
            "year": year.year,
            "period": year.period.label,
            "months": len(year.period.months),
            "total": year.figures.value(IndicatorId.TOTAL_SPEND),
            "vcse": _share_text(year.figures, IndicatorId.SHARE_VCSE, "were VCSE"),
            "local": _share_text(year.figures, IndicatorId.SHARE_LOCAL, "were local"),
        }
        for year in result.years
    ]
    bounds = [
        f"VCSE share {_share_text(whole, IndicatorId.SHARE_VCSE, 'were VCSE')}.",
        f"Local share {_share_text(whole, IndicatorId.SHARE_LOCAL, 'were local')}.",
    ]
    return env.from_string(TEMPLATE).render(
        # The council by name, with its code ("Calderdale (E08000033)"); the code alone when the name is not known.
        council=(
            f"{result.council_name} ({result.council})" if getattr(result, "council_name", "") else getattr(result, "council", "")
        ),
        result=result,
        files_read=sum(1 for f in result.files if f.status == "read"),
        period=period,
        headlines=headlines,
        type_rows=type_rows,
        type_chart=bar_chart(
            [r["label"] for r in type_rows],
            [r["value"] for r in type_rows],
            "Share of spend by supplier type",
            "Horizontal bars; the same figures are in the table beside the chart.",
            "chart-types",
            axis="Share of spend (%)",
        ),
        month_chart=column_chart(
            [m.month for m in months],
            [m.amount for m in months],
            "Spend by month",
            "Columns of total spend per month; the same figures are in the table beside the chart.",
            "chart-months",
        ),
        months=months,
        top=top,
        bands=whole.bands,
        grants=whole.kinds,
        reasons=reasons,
        locality_note=locality_note,
        gaps=result.period.missing_label,
        years=years,
        bounds=bounds,
    )


def _share_text(figures: FigureSet, id_: IndicatorId, would: str) -> str:
    local = (IndicatorId.SHARE_LOCAL, IndicatorId.SHARE_LOCAL_VCSE, IndicatorId.SHARE_REGION)
    if id_ in local and not figures.value(IndicatorId.LOCALITY_KNOWN):
        return "not known (no supplier's locality is known)"
    return figures[id_].sentence(would)
