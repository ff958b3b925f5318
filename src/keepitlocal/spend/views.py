"""A council's spend: upload files, follow the analysis, see the results and the suppliers behind them."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST
from markupsafe import Markup

from keepitlocal.accounts import access
from keepitlocal.network.models import Council
from keepitlocal.reports.downloads import download
from keepitlocal.reports.engine.tables import Column, Table
from keepitlocal.spend import analysis, queries, services
from keepitlocal.spend import suppliers as supplier_work
from keepitlocal.spend.engine.classify import MANY_PAYEES, SupplierType
from keepitlocal.spend.engine.figures import IndicatorId
from keepitlocal.spend.engine.headings import FIELD_LABELS, REQUIRED, How, column_labels
from keepitlocal.spend.engine.read import FileStatus
from keepitlocal.spend.figures import (
    TYPE_LABELS,
    TYPE_PLURALS,
    Figures,
    choices,
    figures,
    month_label,
    trend,
    type_label,
)
from keepitlocal.spend.forms import BulkCorrectionForm, CorrectionForm, ReadingForm, UploadForm
from keepitlocal.spend.models import (
    AnalysisRun,
    Payment,
    RejectedRow,
    SpendFile,
    SpendPublication,
    Supplier,
)
from keepitlocal.web.forms import render_form
from keepitlocal.web.paging import page_of


def year_rows(run: AnalysisRun) -> list[dict[str, Any]]:
    """Each financial year's spend, VCSE share and months with payments, from the run's own per-year figures."""
    rows = []
    for year in run.analysis_figures.years:
        vcse = year.figures.get(IndicatorId.SHARE_VCSE)
        rows.append(
            {
                "year": year.year,
                "months": len(year.period.months),
                "missing": year.period.missing_label,
                "unread": year.period.unread_label,
                "amount": year.figures.value(IndicatorId.TOTAL_SPEND),
                "vcse_amount": vcse.numerator if vcse else None,
                "share_vcse": vcse.value if vcse else None,
            }
        )
    return rows


def rejection_reasons(council: Council) -> list[dict[str, Any]]:
    """Why rows were rejected, most common first, each with one example row as published. The counts are those of
    every rejected row (kept on the analysis); the database keeps only the first rows of each file."""
    from django.db.models import Count, Min

    found = list(
        RejectedRow.objects.filter(spend_file__council=council)
        .values("reason")
        .annotate(rows=Count("id"), first=Min("id"))
        .order_by("-rows")[:20]
    )
    latest = AnalysisRun.objects.finished().filter(council=council).only("files_report").first()
    counted: Counter[str] = Counter()
    present = set(SpendFile.objects.filter(council=council).values_list("pk", flat=True))
    for entry in latest.files_report if latest else []:
        if entry.get("file_id") in present:  # a file removed since takes its rows with it
            counted.update(entry.get("reasons") or {})
    if counted:
        firsts = {r["reason"]: r["first"] for r in found}
        found = [{"reason": reason, "rows": rows, "first": firsts.get(reason)} for reason, rows in counted.most_common(20)]
    examples = dict(RejectedRow.objects.filter(pk__in=[r["first"] for r in found if r["first"]]).values_list("pk", "raw_line"))
    return [{"reason": r["reason"], "rows": r["rows"], "example": examples.get(r["first"], "")} for r in found]


def _latest(council: Council, light: bool = False) -> AnalysisRun | None:
    """The council's latest finished analysis; `light` leaves its results (indicators, years, charts: hundreds of
    kilobytes of JSON) to be read only when a page renders them."""
    runs = AnalysisRun.objects.finished().filter(council=council)
    if light:
        runs = runs.defer("figures", "charts", "files_report", "period", "traceback")
    return runs.first()


DASHBOARD_TABLES: dict[str, list[Column]] = {
    "indicators": [
        Column("name", "Indicator"),
        Column("value", "Value"),
        Column("unit", "Unit"),
        Column("numerator", "Numerator"),
        Column("denominator", "Denominator"),
        Column("definition", "Definition"),
    ],
    "months": [
        Column("month", "Month"),
        Column("amount", "Spend (£)"),
        Column("vcse_amount", "To VCSE (£)"),
        Column("local_amount", "To local suppliers (£)"),
        Column("payments", "Payments"),
    ],
    "years": [
        Column("year", "Financial year"),
        Column("months", "Months with payments"),
        Column("missing", "Months with no payments"),
        Column("unread", "Months not known (files not read)"),
        Column("amount", "Spend (£)"),
        Column("vcse_amount", "To VCSE (£)"),
        Column("share_vcse", "VCSE share (%)"),
    ],
    "areas": [
        Column("service_area", "Service area"),
        Column("amount", "Spend (£)"),
        Column("vcse_amount", "To VCSE (£)"),
        Column("payments", "Payments"),
    ],
}


def _dashboard_table(council: Council, latest: AnalysisRun, shown: Figures, name: str, fmt: str) -> HttpResponseBase:
    rows: list[dict[str, Any]]
    if name == "indicators":
        rows = [
            {"name": i.name, "value": i.value, "unit": i.unit.value, "numerator": i.numerator,
             "denominator": i.denominator, "definition": i.definition}
            for i in shown.set
        ]  # fmt: skip
    elif name == "months":
        rows = [
            {
                "month": m.label,
                "amount": m.amount,
                "vcse_amount": m.vcse_amount,
                "local_amount": m.local_amount,
                "payments": m.payments,
            }
            for m in shown.months
        ]
    elif name == "years":
        rows = year_rows(latest)
    else:
        rows = [asdict(row) for row in shown.set.service_areas]
    period = "" if name == "years" else f" {shown.title}"
    return download(
        Table(f"{council.name} {name}{period}", DASHBOARD_TABLES[name], rows), fmt, f"{council.name} spend {name}{period}"
    )


@access.council_view
def dashboard(request: HttpRequest, gss_code: str) -> HttpResponseBase:
    council = access.council_or_404(gss_code)
    if request.GET.get("table") in DASHBOARD_TABLES and request.GET.get("format"):
        full = _latest(council)
        if full is not None:
            return _dashboard_table(
                council, full, figures(full, request.GET.get("year")), request.GET["table"], request.GET["format"]
            )
    analysis.recover_stuck_runs(council)
    latest = _latest(council, light=True)
    # Only the fields these two need: the results' JSON (indicators, charts) is read once, from `latest`.
    runs = AnalysisRun.objects.filter(council=council).only(
        "id", "council_id", "status", "stage", "message", "traceback", "created_at"
    )
    newest = runs.first()
    failed = newest if newest is not None and newest.status == AnalysisRun.Status.FAILED else None
    files = list(SpendFile.objects.filter(council=council).select_related("uploaded_by"))
    can_edit = access.can_edit_council(request.user, council)
    results, read = _dashboard_results(request, council, latest, files, can_edit) if latest else ("", "")
    return render(
        request,
        "spend/dashboard.html",
        {
            "council": council,
            "latest": latest,
            "running": runs.exclude(status__in=[AnalysisRun.Status.SUCCEEDED, AnalysisRun.Status.FAILED]).first(),
            "failed": failed,
            # The files the analysis shown (or the one that failed) did not read: the page leads with them.
            "unread": shown.unread_files() if (shown := failed or latest) is not None else [],
            "files": files,
            "figures": results,
            "read": read,
            "is_network_admin": access.is_network_admin(request.user),
            "can_edit": can_edit,
            "publication": SpendPublication.objects.filter(council=council)
            .select_related("run")
            .defer("run__figures", "run__charts", "run__files_report", "run__period", "run__traceback")
            .first(),
        },
    )


def _dashboard_results(
    request: HttpRequest, council: Council, latest: AnalysisRun, files: list[SpendFile], can_edit: bool
) -> tuple[Markup, Markup]:
    """The figures and the row accounting of the latest analysis, rendered once and kept (in each process's
    cache) until something they show can change: a new analysis, a file added or removed (its rejected rows go
    with it), or a reader with other rights. Rendering them was most of what the page cost under load."""
    year = request.GET.get("year", "")
    facts = [council.pk, latest.pk, latest.finished_at.isoformat() if latest.finished_at else "", int(can_edit), year]
    key = "spend-dashboard:" + hashlib.sha256(repr([*facts, [f.pk for f in files]]).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        latest = AnalysisRun.objects.get(pk=latest.pk)  # the results, read only now that they are rendered
        shown = figures(latest, year or None)
        context = {
            "council": council,
            "latest": latest,
            "can_edit": can_edit,
            "shown": shown,
            "choices": choices(latest),
            "ind": shown.set,
            "types": [(t, TYPE_LABELS[t], shown.get(IndicatorId.share_of(SupplierType(t)))) for t in TYPE_LABELS],
            # The shares' base: every supplier's net spend, a supplier refunded more than it was paid counted as nil.
            "types_base": vcse.denominator if (vcse := shown.get(IndicatorId.SHARE_VCSE)) else None,
            "months": shown.months,
            "areas": shown.set.service_areas,
            "trend": trend(latest.analysis_figures),
            "trend_chart": (latest.charts or {}).get("trend", ""),
            "reasons": rejection_reasons(council),
            "type_chart": shown.charts.get("types", ""),
            "month_chart": shown.charts.get("months", ""),
            "top": Supplier.objects.filter(council=council)[:10],
            "labels": TYPE_LABELS,
        }
        found = tuple(render_to_string(f"spend/_dashboard_{part}.html", context, request) for part in ("figures", "read"))
        cache.set(key, found, timeout=24 * 3600)
    return Markup(found[0]), Markup(found[1])  # noqa: S704 - rendered by our own autoescaping templates


@access.council_edit
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        refused: list[str] = []
        stored: list[SpendFile] = []
        again: list[SpendFile] = []
        for upload_file in form.cleaned_data["spend_file"]:
            try:
                spend_file, created = services.store_upload(council, upload_file, request.user)
            except services.UploadError as error:
                refused.append(f"{upload_file.name}: {error}")
            else:
                (stored if created else again).append(spend_file)
        for spend_file in again:
            messages.success(
                request,
                f"{spend_file.original_name} was already uploaded on {spend_file.uploaded_at:%-d %B %Y}: nothing has changed",
            )
        run = services.start_analysis(council) if stored else None
        if not refused:
            if run is None:
                return redirect("spend:dashboard", gss_code=council.gss_code)
            return redirect("spend:run", gss_code=council.gss_code, run_id=run.pk)
        for reason in refused:
            form.add_error("spend_file", reason)
        if stored:
            names = ", ".join(f.original_name for f in stored)
            messages.success(
                request, f"Uploaded {names}; the analysis is running. Correct the files below and upload them again."
            )
    return render_form(request, "spend/upload.html", {"council": council, "form": form})


@access.council_view
def run_progress(request: HttpRequest, gss_code: str, run_id: int) -> HttpResponse:
    council = access.council_or_404(gss_code)
    analysis.recover_stuck_runs(council)
    run = get_object_or_404(AnalysisRun, pk=run_id, council=council)
    template = "spend/_progress.html" if request.headers.get("HX-Request") else "spend/progress.html"
    return render(request, template, {"council": council, "run": run})


@access.council_edit
@require_POST
def analyse_again(request: HttpRequest, gss_code: str) -> HttpResponse:
    """Starts a new analysis of the council's files (after one failed or its worker stopped), unless one is under way."""
    council = access.council_or_404(gss_code)
    analysis.recover_stuck_runs(council)
    running = AnalysisRun.objects.filter(council=council, status=AnalysisRun.Status.RUNNING).first()
    run = running or services.start_analysis(council)
    return redirect("spend:run", gss_code=council.gss_code, run_id=run.pk)


@access.council_edit
@require_POST
def remove(request: HttpRequest, gss_code: str, file_id: int) -> HttpResponse:
    council = access.council_or_404(gss_code)
    spend_file = get_object_or_404(SpendFile, pk=file_id, council=council)
    name = spend_file.original_name
    run = services.remove_file(spend_file)
    messages.success(request, f"{name} removed; the analysis is running again without it")
    return redirect("spend:run", gss_code=council.gss_code, run_id=run.pk)


SUPPLIERS_PER_PAGE = 50
SUPPLIER_COLUMNS = [
    Column("name", "Supplier"),
    Column("type", "Type"),
    Column("evidence", "Evidence"),
    Column("evidence_kind", "What decided the type"),
    Column("how_sure", "How sure"),
    Column("confidence", "Confidence score (0 to 1)"),
    Column("org_id", "Org-id"),
    Column("postcode", "Postcode"),
    Column("is_local", "Local"),
    Column("total_amount", "Net spend (£)"),
    Column("transactions", "Payments"),
    Column("names", "Names as published"),
    Column("candidates", "Possible matches"),
]


def _supplier_rows(rows: Any) -> Any:
    """Suppliers as a download gives them: types, evidence and confidence in words, the score beside them."""
    for s in rows.values(
        "name",
        "supplier_type",
        "evidence",
        "evidence_kind",
        "confidence",
        "org_id",
        "postcode",
        "is_local",
        "total_amount",
        "transactions",
        "names",
        "candidates",
    ).iterator():
        yield {
            **s,
            "type": type_label(s["supplier_type"]),
            "evidence_kind": supplier_work.evidence_label(s["evidence_kind"]),
            "how_sure": supplier_work.confidence_label(s["confidence"]),
        }


def _suppliers_page(request: HttpRequest, council: Council, form: BulkCorrectionForm | None = None) -> HttpResponseBase:
    query = supplier_work.SupplierQuery.from_params(request.GET)
    found = supplier_work.search(council, query)
    fmt = request.GET.get("format")
    if fmt and form is None:
        return download(
            Table(f"Suppliers of {council.name}", SUPPLIER_COLUMNS, _supplier_rows(found.queryset(query))),
            fmt,
            f"{council.name} suppliers",
        )
    page, pages = page_of(request, found.count, SUPPLIERS_PER_PAGE)
    params = query.params()
    return render(
        request,
        "spend/suppliers.html",
        {
            "council": council,
            "suppliers": found.page(page, SUPPLIERS_PER_PAGE),
            "suggested": found.suggested,
            "count": found.count,
            "facets": found.facets,
            "search": query,
            "sorts": list(supplier_work.Sort),
            "page": page,
            "pages": pages,
            "query": urlencode(params),
            "query_without_sort": urlencode(query.params(sort=False)),
            "form": form or BulkCorrectionForm([]),
            "ticked": set(request.POST.getlist("key")) if form is not None else set(),
            "can_edit": access.can_edit_council(request.user, council),
            "type_label": type_label,
            "confidence_label": supplier_work.confidence_label,
            "place_label": lambda s: supplier_work.Place.of(s.is_local, s.in_region).label,
        },
        status=400 if form is not None else 200,
    )


@access.council_view
@require_http_methods(["GET", "POST"])
def suppliers(request: HttpRequest, gss_code: str) -> HttpResponseBase:
    """Every supplier of the council: search, filter (with counts), sort, download; editors tick several and set
    their type with one reason, each audited as its own correction."""
    council = access.council_or_404(gss_code)
    if request.method != "POST":
        return _suppliers_page(request, council)
    if not access.can_edit_council(request.user, council):
        raise PermissionDenied
    chosen = supplier_work.keys_of(council, request.POST.getlist("key"))
    form = BulkCorrectionForm([s.key for s in chosen], request.POST)
    if not form.is_valid():
        return _suppliers_page(request, council, form)
    done = supplier_work.correct_suppliers(chosen, form.cleaned_data["supplier_type"], form.cleaned_data["reason"], request.user)
    run = services.apply_corrections(council)
    kind = type_label(form.cleaned_data["supplier_type"])
    corrected = f"{done:,} {'supplier' if done == 1 else 'suppliers'} corrected to {kind}"
    if run.status == AnalysisRun.Status.SUCCEEDED:
        messages.success(request, f"{corrected}; the figures are updated")
        return redirect(request.get_full_path())
    messages.success(request, f"{corrected}; the figures are being recalculated")
    return redirect("spend:run", gss_code=council.gss_code, run_id=run.pk)


@access.council_view
def supplier(request: HttpRequest, gss_code: str, key: str) -> HttpResponse:
    """One supplier: every spelling seen, its identifiers and registers, the evidence, payments and corrections."""
    council = access.council_or_404(gss_code)
    found = get_object_or_404(Supplier, council=council, key=key)
    # Newest first, from the index on (council, supplier, date); the count is the supplier's own.
    payments = Payment.objects.filter(council=council, supplier_key=key).order_by("-date", "-id")
    return render(
        request,
        "spend/supplier.html",
        {
            "council": council,
            "supplier": found,
            "names": [n for n in found.names.split(" | ") if n],
            "identifiers": supplier_work.identifiers([found.org_id]),
            "suggestions": supplier_work.suggestions(found),
            "history": supplier_work.history(found),
            "payments": payments[:20],
            "payment_count": found.transactions,
            "type_label": type_label(found.supplier_type),
            "evidence_label": supplier_work.evidence_label(found.evidence_kind),
            "confidence_label": supplier_work.confidence_label(found.confidence),
            # Names redacted as personal data, or payees not published: many payees under one heading, not a supplier.
            "many_payees": found.key in MANY_PAYEES,
            "can_edit": access.can_edit_council(request.user, council),
        },
    )


@access.council_view
def rejected(request: HttpRequest, gss_code: str) -> HttpResponseBase:
    council = access.council_or_404(gss_code)
    columns = [
        Column("spend_file__original_name", "File"),
        Column("source_row", "Row"),
        Column("reason", "Reason"),
        Column("raw_line", "Row as published"),
    ]
    return download(
        Table(f"Rejected rows of {council.name}", columns, analysis.rejected_rows(council)),
        request.GET.get("format", "csv"),
        f"{council.name} rejected rows",
    )


PAYMENT_COLUMNS = [
    Column("date", "Date"),
    Column("supplier_name", "Supplier as published"),
    Column("supplier_type", "Supplier type"),
    Column("amount", "Amount (£)"),
    Column("service_area", "Service area"),
    Column("expense_type", "Expense type"),
    Column("spend_file__original_name", "File"),
    Column("source_row", "Row in the file"),
]
PER_PAGE = 50


@access.council_view
def payments(request: HttpRequest, gss_code: str) -> HttpResponseBase:
    """The payments behind any figure: filter by supplier type, month or supplier."""
    council = access.council_or_404(gss_code)
    rows, filters = queries.payments(council, request.GET)
    fmt = request.GET.get("format")
    if fmt:
        values: Any = rows.values(*[c.key for c in PAYMENT_COLUMNS])
        # The type in words, as on the pages and the suppliers' download (never its code).
        labelled = ({**v, "supplier_type": type_label(v["supplier_type"])} for v in values.iterator())
        return download(Table(f"Payments of {council.name}", PAYMENT_COLUMNS, labelled), fmt, f"{council.name} payments")
    count = rows.count()
    page, pages = page_of(request, count, PER_PAGE)
    query = urlencode(filters)
    return render(
        request,
        "spend/payments.html",
        {
            "council": council,
            "rows": rows[(page - 1) * PER_PAGE : page * PER_PAGE],
            "count": count,
            "page": page,
            "pages": pages,
            "query": query,
            "filters": filters,
            "labels": TYPE_LABELS,
            "plurals": TYPE_PLURALS,
            "supplier": Supplier.objects.filter(council=council, key=filters.get("supplier", "")).first(),
            "month_label": month_label(filters["month"]) if "month" in filters else "",
        },
    )


@access.council_edit
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, gss_code: str, key: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    supplier = get_object_or_404(Supplier, council=council, key=key)
    initial = {"supplier_type": supplier.supplier_type, "org_id": supplier.org_id}
    # Another council's correction, offered on the supplier's page: it fills the form, and the editor saves it or not.
    suggestion = next((s for s in supplier_work.suggestions(supplier) if str(s.id) == request.GET.get("suggestion", "")), None)
    if suggestion is not None:
        initial = {
            "supplier_type": suggestion.supplier_type,
            "org_id": suggestion.org_id or supplier.org_id,
            "reason": f"As {suggestion.council}'s editor found: {suggestion.reason}",
        }
    form = CorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.correct_supplier(
            supplier, form.cleaned_data["supplier_type"], form.cleaned_data["org_id"], form.cleaned_data["reason"], request.user
        )
        run = services.apply_corrections(council)
        if run.status == AnalysisRun.Status.SUCCEEDED:
            messages.success(request, f"Correction saved for {supplier.name}; the figures are updated")
            return redirect("spend:supplier", gss_code=council.gss_code, key=supplier.key)
        messages.success(request, f"Correction saved for {supplier.name}; the figures are being recalculated")
        return redirect("spend:run", gss_code=council.gss_code, run_id=run.pk)
    return render_form(
        request,
        "spend/correct.html",
        {
            "council": council,
            "supplier": supplier,
            "form": form,
            "suggestion": suggestion,
            "type_label": type_label(supplier.supplier_type),
        },
    )


@access.council_edit
@require_POST
def publish(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    if request.POST.get("decision") == "withdraw":
        services.withdraw(council, request.user)
        messages.success(request, "The spend figures are no longer published")
    else:
        latest = _latest(council)
        checked = request.POST.get("run", "")
        if latest is None:
            messages.error(request, "There are no finished figures to publish yet")
        elif checked and checked != str(latest.pk):
            # Newer figures finished while the editor read the check: they publish what they checked, or nothing.
            messages.error(request, "Newer figures have finished since you checked them: check them before publishing")
            return redirect("spend:publish-check", gss_code=council.gss_code)
        else:
            services.publish(council, latest, request.user)
            messages.success(request, "The spend figures are published on the council's public profile and the comparison page")
    return redirect("spend:dashboard", gss_code=council.gss_code)


@access.council_view
def publish_check(request: HttpRequest, gss_code: str) -> HttpResponse:
    """Before publishing: what limits each headline share and what would improve it (registers not loaded, the
    largest suppliers of unknown type or place, each a step from its correction), then the decision."""
    council = access.council_or_404(gss_code)
    latest = _latest(council)
    if latest is None:
        messages.error(request, "There are no finished figures to publish yet")
        return redirect("spend:dashboard", gss_code=council.gss_code)
    publication = SpendPublication.objects.filter(council=council).select_related("run").first()
    return render(
        request,
        "spend/publish.html",
        {
            "council": council,
            "latest": latest,
            "publication": publication,
            "found": queries.publish_limits(council, latest, request.GET.get("year")),
            "can_edit": access.can_edit_council(request.user, council),
            "is_network_admin": access.is_network_admin(request.user),
        },
    )


@access.council_view
@require_http_methods(["GET", "POST"])
def columns(request: HttpRequest, gss_code: str, file_id: int) -> HttpResponse:
    """How a file was read, field by field (which heading, a few values, what decided it), and for an editor a form to
    change it: the choice applies to every file of that layout (the same heading row), is audited, and analyses again."""
    council = access.council_or_404(gss_code)
    spend_file = get_object_or_404(SpendFile, pk=file_id, council=council)
    can_edit = access.can_edit_council(request.user, council)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    run = AnalysisRun.objects.filter(council=council).exclude(layouts=[]).first()
    layouts = [layout for layout in (run.layouts if run else []) if any(f["file_id"] == spend_file.pk for f in layout["files"])]
    if not layouts:
        messages.success(request, f"{spend_file.original_name} has not been read yet: it is read when the analysis runs")
        return redirect("spend:dashboard", gss_code=council.gss_code)
    layout = next((x for x in layouts if x["key"] == request.GET.get("layout")), layouts[0])
    headings = column_labels(layout["headings"])
    usable = [h for h in headings if h]
    current = {f["field"]: f["heading"] for f in layout["fields"]}
    samples = services.column_samples(spend_file, usable)
    form = ReadingForm(usable, current, REQUIRED, FIELD_LABELS, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = {name: str(form.cleaned_data.get(name) or "") for name in FIELD_LABELS}
        started = services.choose_columns(council, layout["key"], chosen, current, request.user)
        if started is None:
            messages.success(request, "Nothing was changed")
            return redirect(f"{request.path}?layout={layout['key']}")
        files = len(layout["files"])
        messages.success(
            request, f"Saved for {files} {'file' if files == 1 else 'files'} with this heading row; the analysis is running again"
        )
        return redirect("spend:run", gss_code=council.gss_code, run_id=started.pk)
    readings = {f["field"]: f for f in layout["fields"]}
    return render_form(
        request,
        "spend/columns.html",
        {
            "council": council,
            "spend_file": spend_file,
            "form": form,
            "layout": layout,
            "layouts": layouts,
            "rows": [
                {
                    "field": name,
                    "label": label,
                    "reading": readings.get(name),
                    "how": How(readings[name]["how"]).label if name in readings else "",
                }
                for name, label in FIELD_LABELS.items()
            ],
            "samples": samples,
            "status": FileStatus(layout["status"]),
            "can_edit": can_edit,
        },
    )
