"""Endpoints that need a token: a council's own records, to those its owner's roles let see them on the site
(`council_view`: the council's editors and viewers, and the network team)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from keepitlocal.accounts import access
from keepitlocal.api import schemas
from keepitlocal.api.auth import TokenAuth, user_of
from keepitlocal.api.lookup import found
from keepitlocal.api.paging import DEFAULT_LIMIT, keyset, page_size, positions
from keepitlocal.api.public import INDICATOR_COLUMNS, indicator_rows
from keepitlocal.assessment import services as assessment
from keepitlocal.assessment.models import Action, Round
from keepitlocal.network.models import Council
from keepitlocal.reports.downloads import download
from keepitlocal.reports.engine.tables import Column, Table
from keepitlocal.spend import queries as spend
from keepitlocal.spend import suppliers as supplier_work
from keepitlocal.spend.figures import figures, type_label
from keepitlocal.spend.models import AnalysisRun, SpendPublication

router = Router(auth=TokenAuth(), tags=["With a token"])
VIEW = {"x-access": "council_view"}
VIEW_CSV = {"x-access": "council_view", "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


def _council(request: HttpRequest, gss_code: str) -> Council:
    """The council, if the token's owner may see its records (404 when there is no such council)."""
    council = found(Council.objects.all(), "No council has this GSS code.", gss_code=gss_code.upper())
    if not access.can_view_council(user_of(request), council):
        raise HttpError(403, "Your token's roles do not include this council.")
    return council


@router.get("/councils/{gss_code}/analyses", response=list[schemas.Analysis], openapi_extra=VIEW, summary="Spend analyses")
def analyses(request: HttpRequest, gss_code: str) -> Any:
    """The council's spend analyses, newest first, with the financial years each holds."""
    council = _council(request, gss_code)
    published = SpendPublication.objects.filter(council=council).values_list("run_id", flat=True).first()
    runs = AnalysisRun.objects.filter(council=council).defer("figures", "charts", "files_report", "traceback")
    return [
        {
            "id": r.pk,
            "status": r.status,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
            "files": r.files_total,
            "years": list(r.year_labels or []),
            "published": r.pk == published,
        }
        for r in runs.order_by("-created_at", "-id")
    ]


@router.get(
    "/councils/{gss_code}/analyses/{run_id}/indicators",
    response=list[schemas.Indicator],
    openapi_extra=VIEW_CSV,
    summary="An analysis's indicators",
)
def analysis_indicators(request: HttpRequest, gss_code: str, run_id: int, year: str = "", format: str = "json") -> Any:
    """Every indicator of one finished analysis, for one financial year ('2025/26'; the latest unless asked)."""
    council = _council(request, gss_code)
    run = found(
        AnalysisRun.objects.finished(), "This council has no finished analysis with this number.", pk=run_id, council=council
    )
    shown = figures(run, year or None, charts=False)
    rows = indicator_rows(shown)
    if format == "csv":
        scalar = [r for r in rows if r.get("rows") is None]
        return download(Table(f"{council.name}: {shown.title}", INDICATOR_COLUMNS, scalar), "csv", f"{council.name} indicators")
    return rows


SUPPLIER_COLUMNS = [
    Column("key", "Key"),
    Column("name", "Supplier"),
    Column("type_label", "Type"),
    Column("org_id", "Org-id"),
    Column("postcode", "Postcode"),
    Column("is_local", "Local"),
    Column("total_amount", "Total paid (£)"),
    Column("transactions", "Payments"),
    Column("evidence", "Evidence"),
    Column("evidence_kind", "Evidence kind"),
    Column("how_sure", "How sure"),
]


def _supplier(s: Any) -> dict[str, Any]:
    return {
        "key": s.key,
        "name": s.name,
        "supplier_type": s.supplier_type,
        "type_label": type_label(s.supplier_type),
        "org_id": s.org_id or None,
        "postcode": s.postcode or None,
        "is_local": s.is_local,
        "total_amount": float(s.total_amount),
        "transactions": s.transactions,
        "evidence": s.evidence,
        "evidence_kind": supplier_work.evidence_label(s.evidence_kind),
        "how_sure": supplier_work.confidence_label(s.confidence),
    }


@router.get("/councils/{gss_code}/suppliers", response=schemas.SupplierPage, openapi_extra=VIEW_CSV, summary="Suppliers")
def suppliers(
    request: HttpRequest,
    gss_code: str,
    q: str = "",
    type: str = "",
    confidence: str = "",
    evidence: str = "",
    sort: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
) -> Any:
    """Every supplier of the council's latest analysis with its type and the evidence for it, filtered and sorted as on
    the suppliers page (`q` words in the name; `type`, `confidence`, `evidence` as there; `sort`)."""
    council = _council(request, gss_code)
    latest = AnalysisRun.objects.finished().filter(council=council).values_list("pk", flat=True).first()
    query = supplier_work.SupplierQuery.from_params(request.GET)
    found = supplier_work.search(council, query)
    if format == "csv":
        return download(
            Table(f"Suppliers of {council.name}", SUPPLIER_COLUMNS, (_supplier(s) for s in found.queryset(query).iterator())),
            "csv",
            f"{council.name} suppliers",
        )
    size = page_size(limit)
    start, end, after = positions(found.count, f"suppliers-{latest}-{query.params()}", cursor, size)
    chosen = found.page(start // size + 1, size) if start % size == 0 else found.queryset(query)[start:end]
    return {"items": [_supplier(s) for s in chosen], "next_cursor": after, "total": found.count}


PAYMENT_COLUMNS = [
    Column("id", "Id"),
    Column("date", "Date"),
    Column("supplier_name", "Supplier as published"),
    Column("supplier_key", "Supplier key"),
    Column("supplier_type", "Supplier type"),
    Column("amount", "Amount (£)"),
    Column("service_area", "Service area"),
    Column("expense_type", "Expense type"),
    Column("file", "File"),
    Column("source_row", "Row in the file"),
]


def _payment(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "date": p.date,
        "supplier_name": p.supplier_name,
        "supplier_key": p.supplier_key,
        "supplier_type": p.supplier_type,
        "amount": float(p.amount),
        "service_area": p.service_area,
        "expense_type": p.expense_type,
        "file": p.spend_file.original_name,
        "source_row": p.source_row,
    }


@router.get("/councils/{gss_code}/payments", response=schemas.PaymentPage, openapi_extra=VIEW_CSV, summary="Payments")
def payments(
    request: HttpRequest,
    gss_code: str,
    type: str = "",
    year: str = "",
    month: str = "",
    supplier: str = "",
    area: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
) -> Any:
    """The payments behind every figure, in date order, filtered as on the payments page: supplier `type`, financial
    `year` ('2025/26'), `month` ('2025-04'), `supplier` (its key) or service `area` ('Not given' for none)."""
    council = _council(request, gss_code)
    rows, _ = spend.payments(council, request.GET)
    if format == "csv":
        return download(
            Table(f"Payments of {council.name}", PAYMENT_COLUMNS, (_payment(p) for p in rows.iterator())),
            "csv",
            f"{council.name} payments",
        )
    page, after = keyset(rows, ["date", "id"], cursor, page_size(limit))
    return {"items": [_payment(p) for p in page], "next_cursor": after}


def _round(assessment_round: Round) -> dict[str, Any]:
    found = assessment.results(assessment_round)
    return {
        "id": assessment_round.pk,
        "title": assessment_round.title,
        "opened_on": assessment_round.opened_on,
        "closed_at": assessment_round.closed_at,
        "officers_answered": found.officer_count,
        "partners_answered": found.partner_count if found.final else None,
        "partners_hidden": found.partners_hidden,
        "principles": [
            {
                "number": p.number,
                "title": p.title,
                "officers": found.officers.get(p.number),
                "partners": (found.partners or {}).get(p.number),
                "overall": found.overall.get(p.number),
                "gap": found.gaps.get(p.number) if found.partners is not None else None,
            }
            for p in assessment_round.framework.principles
        ],
    }


@router.get(
    "/councils/{gss_code}/assessments", response=list[schemas.AssessmentRound], openapi_extra=VIEW, summary="Assessment results"
)
def assessments(request: HttpRequest, gss_code: str) -> Any:
    """Each closed round's scores in aggregate, with the pages' anonymity rules: community partners' scores only when
    at least three answered; never an individual answer."""
    council = _council(request, gss_code)
    return [_round(r) for r in Round.objects.closed().filter(council=council)]


@router.get("/councils/{gss_code}/actions", response=list[schemas.Action], openapi_extra=VIEW, summary="Action plan")
def actions(request: HttpRequest, gss_code: str) -> Any:
    council = _council(request, gss_code)
    return [
        {
            "id": a.pk,
            "principle": a.principle,
            "what": a.what,
            "owner": a.owner,
            "due_on": a.due_on,
            "status": a.status,
            "status_label": a.get_status_display(),
            "is_demo": a.is_demo,
        }
        for a in Action.objects.filter(council=council).order_by("principle", "due_on", "id")
    ]
