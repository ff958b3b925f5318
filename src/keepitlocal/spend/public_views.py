"""Spend pages anyone may read: published councils compared."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from keepitlocal.accounts import access
from keepitlocal.reports.downloads import download
from keepitlocal.spend import queries
from keepitlocal.spend.engine.figures import IndicatorId
from keepitlocal.spend.figures import PublishedFigures, comparison_table

# How the comparison's order reads in its caption ("sorted by VCSE share").
SORT_PHRASES = {
    "council": "council name",
    "share_local_vcse": "local VCSE share",
    "share_vcse": "VCSE share",
    "share_local": "local share",
    "top10_share": "top-10 share",
    "total_spend": "total spend",
}


COMPARE_SORTS = {
    "council": "Council",
    "share_local_vcse": "Local VCSE share",
    "share_vcse": "VCSE share",
    "share_local": "Local share",
    "top10_share": "Top-10 share",
    "total_spend": "Total spend",
}


@access.public
def compare(request: HttpRequest) -> HttpResponseBase:
    """Published councils side by side, the share of spend reaching local VCSE organisations first, with what each figure
    covers; downloadable as CSV, XLSX or JSON."""
    from keepitlocal.reports.engine.charts import bar_chart  # matplotlib is loaded only where a chart is drawn

    found = queries.comparison(request.GET.get("year", ""))
    rows, years, year, without = found.rows, found.years, found.year, found.without
    if fmt := request.GET.get("format"):
        return download(comparison_table(year, sorted(rows, key=lambda r: r.council.name)), fmt, f"spend compared {year}")
    sort = request.GET.get("sort", "share_local_vcse")
    sort = sort if sort in COMPARE_SORTS else "share_local_vcse"

    def sort_value(r: PublishedFigures) -> tuple[Any, ...]:
        # A share published as its range sorts by its low end, after the councils with one figure as high.
        spread = r.spread(IndicatorId(sort))
        value = spread[0] if spread else r.point(IndicatorId(sort))
        return (value is None, -(value or 0), r.council.name)

    rows = sorted(rows, key=lambda r: (r.council.name,) if sort == "council" else sort_value(r))  # kept rows stay as kept
    # The chart shows one figure per council: a council whose local VCSE share is published as its range (or not known)
    # is left out of it (never drawn as 0%) and named below it, its range in the table.
    charted: list[PublishedFigures] = []
    not_charted: list[PublishedFigures] = []
    for r in rows:
        (charted if r.share_local_vcse is not None and r.locality_known else not_charted).append(r)
    chart = (
        bar_chart(
            [r.council.name for r in charted],
            [r.share_local_vcse for r in charted],
            f"Share of spend to local VCSE organisations by council, financial year {year}",
            "Horizontal bars, one per published council whose share is one figure; the same figures are in the table.",
            "compare-local-vcse",
            axis="Share of the council's spend to local VCSE organisations (%)",
        )
        if charted
        else ""
    )
    return render(
        request,
        "spend/compare.html",
        {
            "rows": rows,
            "sort": sort,
            "sorts": COMPARE_SORTS,
            "sort_phrases": SORT_PHRASES,
            "chart": chart,
            "not_charted": [r.council for r in not_charted],
            "years": years,
            "year": year,
            "without": without,
            "latest": found.latest,
        },
    )
