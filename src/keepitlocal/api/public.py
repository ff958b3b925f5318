"""Public endpoints: what the site shows anyone, from the same queries the pages use."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from ninja import Router

from keepitlocal.api import schemas
from keepitlocal.api.auth import OptionalTokenAuth
from keepitlocal.api.lookup import found
from keepitlocal.api.paging import DEFAULT_LIMIT, keyset, page_size
from keepitlocal.connections import services as connections
from keepitlocal.connections.models import ConnectionMap
from keepitlocal.network import queries as network
from keepitlocal.network.models import Council, Membership
from keepitlocal.reports.downloads import download
from keepitlocal.reports.engine.tables import Column, Table
from keepitlocal.spend import queries as spend
from keepitlocal.spend.engine.indicators import TABLES
from keepitlocal.spend.figures import Figures, comparison_row, comparison_table, figures
from keepitlocal.spend.models import SpendPublication
from keepitlocal.value import services as value
from keepitlocal.value.engine.outputs import result_data
from keepitlocal.value.models import ValueCase

router = Router(auth=OptionalTokenAuth(), tags=["Public"])
PUBLIC = {"x-access": "public"}
CSV = {"x-access": "public", "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


def _council(m: Membership) -> dict[str, Any]:
    endorsement = getattr(m, "endorsement", None)
    return {
        "gss_code": m.council.gss_code,
        "name": m.council.name,
        "council_type": m.council.council_type,
        "region": m.council.region_name,
        "cohort": m.cohort.name if m.cohort else None,
        "stage": m.stage,
        "stage_label": m.stage_label,
        "joined_on": m.joined_on,
        "endorsement_url": endorsement.decision_url or None if endorsement is not None and not endorsement.is_draft else None,
        "is_demo": m.is_demo,
        "profile_url": reverse("network:council", kwargs={"gss_code": m.council.gss_code}),
    }


@router.get("/councils", response=schemas.CouncilPage, openapi_extra=CSV, summary="Member councils")
def councils(
    request: HttpRequest,
    region: str = "",
    cohort: str = "",
    stage: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
) -> Any:
    """The network's member councils, by name: filter by region (its name), cohort (its slug) or stage."""
    rows = network.members(region, cohort, stage)
    if format == "csv":
        return download(network.members_table(rows.order_by("council__name")), "csv", "member councils")
    page, after = keyset(rows, ["council__name", "id"], cursor, page_size(limit))
    return {"items": [_council(m) for m in page], "next_cursor": after}


@router.get("/councils/{gss_code}", response=schemas.Council, openapi_extra=PUBLIC, summary="One member council")
def council(request: HttpRequest, gss_code: str) -> Any:
    membership = network.members().filter(council__gss_code=gss_code.upper()).first()
    if membership is None:
        raise Http404("No member council has this GSS code.")
    return _council(membership)


@router.get("/principles", response=schemas.Principles, openapi_extra=PUBLIC, summary="The six principles")
def principles(request: HttpRequest) -> Any:
    found = network.current_principles()
    if found is None:
        raise Http404("The principles have not been loaded.")
    return {
        "version": found.version,
        "published_on": found.published_on,
        "principles": [{"number": p.number, "title": p.title, "description": p.description} for p in found.principles.all()],
    }


def indicator_rows(shown: Figures) -> list[dict[str, Any]]:
    """The figures as the API gives them, each read from the engine's type: every indicator with its definition and
    period (a share known for too little of the spend, Indicator.as_range, has no point value, only its low and high),
    then each table with its rows."""
    period = shown.period.label
    rows: list[dict[str, Any]] = [
        {
            "id": i.id.value,
            "name": i.name,
            "unit": i.unit.value,
            "value": i.published_value,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "coverage": i.coverage,
            "low": i.low,
            "high": i.high,
            "depends_on": i.bounds.depends_on.value if i.bounds else None,
            "as_range": i.as_range,
            "definition": i.definition,
            "period": period,
        }
        for i in shown.set
    ]
    tables: dict[str, tuple[Any, ...]] = {
        "payment_bands": shown.set.bands,
        "by_service_area": shown.set.service_areas,
        "by_month": shown.set.months,
        "grants_vs_contracts": shown.set.kinds,
    }
    for table, (name, unit, compute) in TABLES.items():
        rows.append(
            {
                "id": table.value,
                "name": name,
                "unit": unit.value,
                "value": None,
                "definition": compute.__doc__ or "",
                "period": period,
                "rows": [asdict(row) for row in tables[table.value]],
            }
        )
    return rows


@router.get("/councils/{gss_code}/spend", response=schemas.Spend, openapi_extra=CSV, summary="Published spend indicators")
def published_spend(request: HttpRequest, gss_code: str, year: str = "", format: str = "json") -> Any:
    """The indicators a council published, for one financial year ('2025/26'; the latest unless another is asked)."""
    publication = found(
        SpendPublication.objects.select_related("council", "run"),
        "This council has not published its spend figures.",
        council__gss_code=gss_code.upper(),
    )
    shown = figures(publication.run, year or None, charts=False)
    rows = indicator_rows(shown)
    if format == "csv":
        return _indicator_csv(publication.council, shown.title, rows)
    figures_public = publication.figures(shown.key)
    return {
        "gss_code": publication.council.gss_code,
        "council": publication.council.name,
        "year": shown.key,
        "years": publication.years(),
        "title": shown.title,
        "sentence": shown.sentence,
        "indicators": rows,
        "files": figures_public.files,
        "registers": figures_public.registers,
        "analysed_on": publication.run.finished_at,
    }


INDICATOR_COLUMNS = [
    Column("id", "Indicator id"),
    Column("name", "Indicator"),
    Column("value", "Value"),
    Column("unit", "Unit"),
    Column("numerator", "Numerator"),
    Column("denominator", "Denominator"),
    Column("coverage", "Coverage (%)"),
    Column("low", "Low"),
    Column("high", "High"),
]


def _indicator_csv(council: Council, title: str, rows: list[dict[str, Any]]) -> HttpResponseBase:
    scalar = [r for r in rows if r.get("rows") is None]
    return download(Table(f"{council.name}: {title}", INDICATOR_COLUMNS, scalar), "csv", f"{council.name} {title} indicators")


@router.get("/comparison", response=schemas.Comparison, openapi_extra=CSV, summary="Published councils compared")
def comparison(request: HttpRequest, year: str = "", format: str = "json") -> Any:
    """Every council that published its spend, on one financial year (the latest any published unless asked)."""
    found = spend.comparison(year)
    rows = sorted(found.rows, key=lambda r: r.council.name)
    if format == "csv":
        return download(comparison_table(found.year, rows), "csv", f"comparison {found.year}")
    return {
        "year": found.year,
        "years": found.years,
        "rows": [comparison_row(r) for r in rows],
        "not_published_for_year": [c.gss_code for c in found.without],
    }


def _case(case: ValueCase, full: bool) -> dict[str, Any]:
    calculated = value.calculate(case)
    data = result_data(calculated.result) if calculated.result is not None else None
    return {
        "id": case.pk,
        "gss_code": case.council.gss_code,
        "title": case.title,
        "price_year": f"{case.price_year}/{(case.price_year + 1) % 100:02d}",
        "published_at": case.published_at,
        "is_demo": case.is_demo,
        "npv": data["npv"] if data else None,
        "bcr_fiscal": data["bcr_fiscal"] if data else None,
        "problem": calculated.problem or None,
        "page_url": reverse("value:public-case", kwargs={"gss_code": case.council.gss_code, "case_id": case.pk}),
        **({"result": data} if full else {}),
    }


@router.get(
    "/councils/{gss_code}/value-cases",
    response=list[schemas.ValueCaseSummary],
    openapi_extra=PUBLIC,
    summary="Published value cases",
)
def value_cases(request: HttpRequest, gss_code: str) -> Any:
    council = found(Council.objects.all(), "No council has this GSS code.", gss_code=gss_code.upper())
    return [_case(c, False) for c in ValueCase.objects.published().filter(council=council).select_related("council")]


@router.get(
    "/councils/{gss_code}/value-cases/{case_id}",
    response=schemas.ValueCase,
    openapi_extra=PUBLIC,
    summary="One published value case",
)
def value_case(request: HttpRequest, gss_code: str, case_id: int) -> Any:
    """Its figures at the low, central and high ends, the agency split, sensitivity and every unit cost's source."""
    case = found(
        ValueCase.objects.published().select_related("council"),
        "This council has published no value case with this number.",
        pk=case_id,
        council__gss_code=gss_code.upper(),
    )
    return _case(case, True)


@router.get(
    "/connection-maps", response=list[schemas.ConnectionMap], openapi_extra=PUBLIC, summary="Published maps of connections"
)
def connection_maps(request: HttpRequest) -> Any:
    """The summaries organisations chose to publish: elements counted by sector and connections by sector and kind;
    no one on a map is named."""
    today = timezone.localdate()
    found = []
    for cmap in ConnectionMap.objects.filter(publish_summary=True).select_related("organisation").order_by("organisation__name"):
        elements, rows = connections.aggregate(cmap, today)
        found.append(
            {
                "organisation": cmap.organisation.name,
                "org_id": cmap.organisation.org_id or None,
                "on": today,
                "elements_by_sector": [{"sector": s, "elements": n} for s, n in elements.items()],
                "connections": [{"sector": r.sector, "kind": r.kind, "connections": r.connections} for r in rows],
                "page_url": reverse("connections:published", kwargs={"pk": cmap.organisation.pk}),
            }
        )
    return found
