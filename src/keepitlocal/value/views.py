"""A council's value cases: list, create, add outcomes, the result page with ranges and the agency split, and the
report as a PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from keepitlocal.accounts import access
from keepitlocal.common.refused import Refused
from keepitlocal.network.models import Organisation
from keepitlocal.value import forms, services
from keepitlocal.value.engine.calculator import NONE, OPTIMISM_BIAS_BY_GRADE, Range
from keepitlocal.value.engine.money import Agency
from keepitlocal.value.engine.outputs import by_agency, units_used
from keepitlocal.value.models import CaseOutcome, ConnectionsContext, DeflatorSeries, UnitCost, ValueCase
from keepitlocal.web.forms import render_form


def _case(gss_code: str, case_id: int) -> ValueCase:
    council = access.council_or_404(gss_code)
    return get_object_or_404(ValueCase, pk=case_id, council=council)


@access.council_view
def cases(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    return render(
        request,
        "value/cases.html",
        {
            "council": council,
            "cases": ValueCase.objects.filter(council=council),
            "can_edit": access.can_edit_council(request.user, council),
            "library": UnitCost.objects.filter(is_current=True).count(),
            "levered": services.levered_in(council),
            "lm3": services.council_lm3(council),
        },
    )


@access.council_edit
@require_http_methods(["GET", "POST"])
def case_add(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    form = forms.CaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        case = services.create_case(council, form.cleaned_data, request.user)
        messages.success(request, "Value case created: now add its outcomes")
        return redirect("value:outcome-add", gss_code=council.gss_code, case_id=case.pk)
    return render_form(request, "value/form_page.html", {"form": form, "council": council, "heading": "Start a value case"})


def _context(case: ValueCase) -> dict[str, Any]:
    calculated = services.calculate(case)
    result = calculated.result
    agencies = []
    if result is not None:
        for key, row in by_agency(result.central).items():
            agencies.append({"label": Agency(key).label, **row})
    return {
        "case": case,
        "council": case.council,
        "outcomes": list(case.outcomes.prefetch_related("unit_costs")),
        "claims": list(case.claims.all()),
        "contexts": list(case.contexts.select_related("organisation")),
        "result": result,
        "problem": calculated.problem,
        "agencies": agencies,
        "sources": units_used(result) if result else [],
        "ends": ("low", "central", "high"),
    }


@access.council_view
def case(request: HttpRequest, gss_code: str, case_id: int) -> HttpResponse:
    found = _case(gss_code, case_id)
    context = _context(found)
    context["can_edit"] = access.can_edit_council(request.user, found.council)
    return render(request, "value/case.html", context)


@access.council_view
def report(request: HttpRequest, gss_code: str, case_id: int) -> HttpResponse:
    from weasyprint import HTML

    found = _case(gss_code, case_id)
    html = render_to_string("value/report_pdf.html", _context(found), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="value-case-{found.pk}.pdf"'
    return response


@access.council_edit
@require_http_methods(["GET", "POST"])
def outcome_add(request: HttpRequest, gss_code: str, case_id: int) -> HttpResponse:
    found = _case(gss_code, case_id)
    form = forms.OutcomeForm(
        request.POST if request.method == "POST" else None, initial={"confidence_grade": "3", "persistence": 1}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for name in ("deadweight", "displacement", "attribution", "drop_off"):
            data[name] = data.get(name) or NONE
        data["optimism_bias"] = Range.exactly(OPTIMISM_BIAS_BY_GRADE[data["confidence_grade"]])
        services.add_outcome(found, data, data["unit_costs"])
        messages.success(request, f"Outcome added: {data['name']}")
        return redirect("value:case", gss_code=found.council.gss_code, case_id=found.pk)
    return render_form(
        request,
        "value/form_page.html",
        {"form": form, "council": found.council, "case": found, "heading": "Add an outcome", "button": "Add the outcome"},
    )


@access.council_edit
@require_POST
def outcome_remove(request: HttpRequest, gss_code: str, case_id: int, outcome_id: int) -> HttpResponse:
    found = _case(gss_code, case_id)
    services.remove_outcome(get_object_or_404(CaseOutcome, pk=outcome_id, case=found))
    messages.success(request, "Outcome removed")
    return redirect("value:case", gss_code=found.council.gss_code, case_id=found.pk)


@access.signed_in
def library(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    costs = UnitCost.objects.filter(is_current=True)
    if query:
        costs = costs.filter(description__icontains=query) | costs.filter(code__iexact=query)
    return render(
        request,
        "value/library.html",
        {"costs": costs[:100], "query": query, "total": costs.count(), "deflator": DeflatorSeries.objects.first()},
    )


@access.organisation_edit
@require_http_methods(["GET", "POST"])
def lm3_surveys(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = forms.SurveyForm(request.POST if request.method == "POST" else None, initial={"round3_basis": "survey"})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_lm3_survey(organisation, form.cleaned_data)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Survey saved: your local multiplier is below")
            return redirect("value:lm3", pk=organisation.pk)
    surveys = [(s, services.lm3_of(s)) for s in organisation.lm3_surveys.all()]
    return render_form(request, "value/lm3.html", {"form": form, "organisation": organisation, "surveys": surveys})


@access.council_edit
@require_POST
def context_remove(request: HttpRequest, gss_code: str, case_id: int, context_id: int) -> HttpResponse:
    """The council takes an organisation's connections off its case: the case is the council's to present."""
    found = _case(gss_code, case_id)
    context = get_object_or_404(ConnectionsContext.objects.select_related("organisation"), pk=context_id, case=found)
    services.detach_connections(found, context.organisation)
    messages.success(request, f"{context.organisation.name}'s connections are no longer shown with this case")
    return redirect("value:case", gss_code=found.council.gss_code, case_id=found.pk)


@access.network_admin
@require_http_methods(["GET", "POST"])
def deflator(request: HttpRequest) -> HttpResponse:
    """The network team loads a newer deflator series; cases already made keep theirs."""
    form = forms.DeflatorForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.load_deflator(form.cleaned_data["file"], form.cleaned_data["source"])
        except Refused as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, "Deflator series loaded: new value cases will uprate with it")
            return redirect("value:deflator")
    series = [(row, services.engine_deflator(row)) for row in DeflatorSeries.objects.all()[:10]]
    return render_form(request, "value/deflator.html", {"form": form, "series": series})


@access.organisation_edit
@require_http_methods(["GET", "POST"])
def contexts(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation attaches its connections measures, as they stand today, to councils' published value cases."""
    organisation = get_object_or_404(Organisation, pk=pk)
    published = ValueCase.objects.published().select_related("council")
    if request.method == "POST":
        chosen = request.POST.get("case", "")
        found = get_object_or_404(published, pk=int(chosen) if chosen.isdigit() else 0)
        if request.POST.get("action") == "remove":
            services.detach_connections(found, organisation)
            messages.success(request, f"Your connections are no longer attached to {found.title}")
        else:
            try:
                services.attach_connections(found, organisation, timezone.localdate(), str(request.user))
            except Refused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"Your connections as they stand today are attached to {found.title}")
        return redirect("value:contexts", pk=organisation.pk)
    attached = {c.case_id: c for c in organisation.value_contexts.all()}
    return render(
        request,
        "value/contexts.html",
        {"organisation": organisation, "cases": [(case, attached.get(case.pk)) for case in published.order_by("council__name")]},
    )


@access.council_edit
@require_http_methods(["GET", "POST"])
def lm3_estimate(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    current = services.council_lm3(council)
    initial = (
        {"respend_share": f"{current.stated.respend_share:.0%}", "source": current.stated.source, "local": current.stated.local}
        if current.stated
        else {"local": f"In {council.name}"}
    )
    form = forms.EstimateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_lm3_estimate(council, form.cleaned_data)
        messages.success(request, "Re-spend share saved")
        return redirect("value:cases", gss_code=council.gss_code)
    return render_form(
        request,
        "value/form_page.html",
        {"form": form, "council": council, "heading": "Estimate the local multiplier from your spend", "button": "Save"},
    )


@access.council_edit
@require_http_methods(["GET", "POST"])
def claim_add(request: HttpRequest, gss_code: str, case_id: int) -> HttpResponse:
    found = _case(gss_code, case_id)
    form = forms.ClaimForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.add_claim(found, form.cleaned_data)
        messages.success(request, "Added to the value without a price")
        return redirect("value:case", gss_code=found.council.gss_code, case_id=found.pk)
    return render_form(
        request,
        "value/form_page.html",
        {"form": form, "council": found.council, "case": found, "heading": "Add value without a price", "button": "Add it"},
    )


@access.council_edit
@require_http_methods(["GET", "POST"])
def own_cost(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    form = forms.OwnCostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_own_cost(council, form.cleaned_data, request.user)
        except Refused as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, f"Unit cost {saved.code} saved (version {saved.version})")
            return redirect("value:cases", gss_code=council.gss_code)
    return render_form(
        request,
        "value/form_page.html",
        {"form": form, "council": council, "heading": "Add your own unit cost", "button": "Save the unit cost"},
    )


@access.council_edit
@require_POST
def case_publish(request: HttpRequest, gss_code: str, case_id: int) -> HttpResponse:
    found = _case(gss_code, case_id)
    publish = request.POST.get("publish") == "yes"
    services.publish(found, publish)
    messages.success(request, "Published on the council's public profile" if publish else "No longer published")
    return redirect("value:case", gss_code=found.council.gss_code, case_id=found.pk)


@access.public
def public_case(request: HttpRequest, gss_code: str, case_id: int) -> HttpResponse:
    found = _case(gss_code, case_id)
    if not found.is_published:
        raise Http404("This value case is not published")
    return render(request, "value/public_case.html", _context(found))


def _range_text(value: dict[str, float]) -> str:
    low, central, high = value["low"], value["central"], value["high"]
    return f"{central:g}" if low == central == high else f"{low:g}, {central:g}, {high:g}"


@access.council_edit
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, gss_code: str, case_id: int) -> HttpResponse:
    found = _case(gss_code, case_id)
    initial = {
        "title": found.title,
        "price_year": f"{found.price_year}/{(found.price_year + 1) % 100:02d}",
        "cost_per_year": _range_text(found.cost_per_year),
        "years": found.years,
        "cohort_per_year": _range_text(found.cohort_per_year),
    }
    form = forms.CaseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_case(found, form.cleaned_data)
        messages.success(request, "Value case changed")
        return redirect("value:case", gss_code=found.council.gss_code, case_id=found.pk)
    return render_form(
        request,
        "value/form_page.html",
        {"form": form, "council": found.council, "case": found, "heading": "Change the intervention", "button": "Save"},
    )
