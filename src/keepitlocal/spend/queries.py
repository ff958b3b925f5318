"""Read-only queries the pages and the API share: the payments behind a figure, and the published comparison."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from keepitlocal.common.kept import Kept
from keepitlocal.network.models import Council
from keepitlocal.spend.engine.figures import Indicator, IndicatorId
from keepitlocal.spend.engine.periods import financial_year_bounds
from keepitlocal.spend.figures import TYPE_LABELS, PublishedFigures
from keepitlocal.spend.models import AnalysisRun, Payment, SpendPublication, Supplier

NOT_GIVEN = "Not given"  # how a payment with no service area is asked for


def payments(council: Council, params: Mapping[str, str]) -> tuple[QuerySet[Payment], dict[str, str]]:
    """The council's payments in date order, narrowed by what `params` asks (supplier type, month 'YYYY-MM',
    financial year 'YYYY/YY', supplier key, service area); a value that means nothing is ignored, never an error.
    Returns the payments and the filters applied."""
    rows = Payment.objects.filter(council=council).select_related("spend_file").order_by("date", "id")
    applied: dict[str, str] = {}
    if (kind := params.get("type", "")) in TYPE_LABELS:
        rows, applied["type"] = rows.filter(supplier_type=kind), kind
    if month := params.get("month", ""):
        try:
            calendar_year, number = (int(part) for part in month.split("-"))
            date(calendar_year, number, 1)  # a month that does not exist is ignored like any other bad value
            rows, applied["month"] = rows.filter(date__year=calendar_year, date__month=number), month
        except ValueError:
            pass
    if re.fullmatch(r"\d{4}/\d{2}", year := params.get("year", "")):
        start, end = financial_year_bounds(int(year[:4]))
        rows, applied["year"] = rows.filter(date__gte=start, date__lt=end), year
    if supplier := params.get("supplier", ""):
        rows, applied["supplier"] = rows.filter(supplier_key=supplier), supplier
    if "area" in params:
        area = params["area"]
        rows, applied["area"] = rows.filter(service_area="" if area == NOT_GIVEN else area), area
    return rows, applied


@dataclass(frozen=True)
class Comparison:
    """Published councils side by side for one financial year; those that have not published it are listed apart,
    never compared on another year's figures."""

    year: str
    years: list[str]
    rows: list[PublishedFigures]
    without: list[Council]
    latest: dict[str, str] = field(default_factory=dict)  # each council without this year: the latest year it published


# The comparison is worked out from every publication's kept figures, each read from its analysis's figures by year:
# each process keeps the last ones worked out, by what they were worked out from (the publications' count, newest
# row, latest publishing and the analyses they show), so a page view reads one aggregate and draws nothing.
_COMPARED: Kept[Comparison] = Kept(size=16)


def comparison(asked: str = "") -> Comparison:
    """Read-only: a caller that sorts or filters the rows makes its own list."""
    asked = asked if re.fullmatch(r"\d{4}/\d{2}", asked) else ""  # any other text asks for the latest year
    state = SpendPublication.objects.aggregate(
        n=Count("id"),
        newest=Max("id"),
        last=Max("published_at"),
        runs=Sum("run_id"),
        # a published council renamed, or its demonstration flag changed, shows at once too
        councils=Max("council__updated_at"),
        members=Max("council__membership__updated_at"),
    )
    return _COMPARED.get((tuple(sorted(state.items())), asked), lambda: _comparison(asked))


def forget_comparisons() -> None:
    """Drop the kept comparisons (tests, whose rolled-back rows may repeat a state)."""
    _COMPARED.clear()


def _comparison(asked: str) -> Comparison:
    # The drawn charts are the largest part of an analysis and the comparison reads none of them.
    publications = list(SpendPublication.objects.select_related("council", "council__membership", "run").defer("run__charts"))
    years = sorted({y for p in publications for y in p.years()}, reverse=True)
    year = asked if asked in years else (years[0] if years else "")
    rows = [p.figures(year or None) for p in publications if not years or year in p.years()]
    apart = [p for p in publications if years and year not in p.years()]
    without = sorted((p.council for p in apart), key=lambda c: c.name)
    return Comparison(year, years, rows, without, {p.council.gss_code: max(p.years()) for p in apart if p.years()})


@dataclass(frozen=True)
class Limit:
    """What limits one headline share before it is published, and what would improve it."""

    name: str  # the share in words
    would: str  # what a supplier of unknown type or place would have to be for the high end ('were VCSE')
    indicator: Indicator
    as_range: bool  # published as its range (too little known)
    depends_on: str  # what must be known: classification, locality
    unknown_share: float | None  # % of spend for which it is not known


@dataclass(frozen=True)
class PublishLimits:
    """Before publishing: each headline share with what limits it, the registers not loaded, and the largest
    suppliers whose type or place is not known (each a step from being corrected)."""

    title: str
    limits: list[Limit]
    unread: list[dict[str, Any]]  # files the analysis did not read: their payments are not in the figures
    registers_missing: list[Any]  # publishers.Publisher of each register kind not loaded
    unknown_type: list[Supplier]
    unknown_place: list[Supplier]


def publish_limits(council: Council, run: AnalysisRun, year: str | None = None) -> PublishLimits:
    from keepitlocal.spend.engine.classify import SupplierType
    from keepitlocal.spend.engine.publishers import PUBLISHERS
    from keepitlocal.spend.figures import figures
    from keepitlocal.spend.models import RegisterFile

    shown = figures(run, year, charts=False)
    limits = []
    shares = (
        (IndicatorId.SHARE_VCSE, "Share to VCSE organisations", "were VCSE"),
        (IndicatorId.SHARE_LOCAL, "Share to local suppliers", "were local"),
        (IndicatorId.SHARE_LOCAL_VCSE, "Share to local VCSE organisations", "were local VCSE organisations"),
    )
    for key, name, would in shares:
        indicator = shown.get(key)
        if indicator is None:
            continue
        coverage = indicator.coverage
        unknown = None if coverage is None else round(100 - coverage, 1)
        depends = indicator.bounds.depends_on.value if indicator.bounds else ""
        limits.append(Limit(name, would, indicator, indicator.as_range, depends, unknown))
    loaded = set(RegisterFile.objects.values_list("kind_code", flat=True))
    suppliers = Supplier.objects.filter(council=council).order_by("-total_amount")
    not_people = [SupplierType.INDIVIDUAL.value, SupplierType.WITHHELD.value]
    return PublishLimits(
        shown.title,
        limits,
        run.unread_files(),
        [p for p in PUBLISHERS if p.kind.value not in loaded],
        list(suppliers.filter(supplier_type=SupplierType.UNKNOWN.value)[:10]),
        list(suppliers.filter(is_local__isnull=True).exclude(supplier_type__in=not_people)[:10]),
    )


def publication_of(council: Council) -> SpendPublication | None:
    """The council's published spend figures, if it has published any (a council has at most one publication)."""
    return SpendPublication.objects.filter(council=council).select_related("run").first()
