"""The principles assessment: the public framework, a council's rounds, results, action plan and benchmark (the pages
respondents reach through their invitation link are respond_views)."""

from __future__ import annotations

import textwrap
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.accounts.email import site_url
from keepitlocal.assessment import services
from keepitlocal.assessment.engine.framework import CURRENT, FRAMEWORKS, LEVELS, Framework
from keepitlocal.assessment.engine.scoring import PARTNERS, RoundResults
from keepitlocal.assessment.forms import (
    ActionForm,
    ActionUpdateForm,
    InvitationForm,
    RoundForm,
    SharingForm,
)
from keepitlocal.assessment.models import Action, Invitation, Response, Round
from keepitlocal.common.refused import Refused
from keepitlocal.network.models import Council
from keepitlocal.reports.downloads import download
from keepitlocal.reports.engine.tables import Column, Table
from keepitlocal.value.models import ValueCase
from keepitlocal.web.forms import render_form, render_refused


@access.public
def framework(request: HttpRequest) -> HttpResponse:
    version = request.GET.get("version", CURRENT.version)
    if version not in FRAMEWORKS:
        raise Http404("No framework has that version")
    return render(
        request, "assessment/framework.html", {"framework": FRAMEWORKS[version], "levels": LEVELS, "versions": sorted(FRAMEWORKS)}
    )


def _round(council: Council, round_id: int) -> Round:
    return get_object_or_404(Round, pk=round_id, council=council)


def _refused(request: HttpRequest, error: Refused, status: int = 400, **context: Any) -> HttpResponse:
    return render_refused(request, error, status, "assessment/refused.html", **context)


# A council's rounds --------------------------------------------------------------------------------


@access.council_view
def rounds(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    all_rounds = list(
        Round.objects.filter(council=council).annotate(
            submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False)),
            # An open round's partners are counted when it closes (see _invitation_state).
            officers_submitted=Count(
                "responses", filter=Q(responses__submitted_at__isnull=False) & ~Q(responses__group=PARTNERS)
            ),
        )
    )
    closed = sorted((r for r in all_rounds if not r.is_open), key=lambda r: (r.opened_on, r.pk))
    return render(
        request,
        "assessment/rounds.html",
        {
            "council": council,
            "rounds": all_rounds,
            "can_edit": access.can_edit_council(request.user, council),
            "sharing": services.sharing_of(council),
            "open_round": next((r for r in all_rounds if r.is_open), None),
            # Progress over time: each closed round's overall scores, oldest first.
            "progress": [(r, services.results(r).overall) for r in closed],
            "framework": CURRENT,
        },
    )


@access.council_edit
@require_http_methods(["GET", "POST"])
def round_add(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    form = RoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.open_round(council, form.cleaned_data["title"], form.cleaned_data["closes_on"], request.user)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Round opened. Now invite council officers and community partners")
            return redirect("assessment:round", gss_code=council.gss_code, round_id=opened.pk)
    return render_form(
        request, "assessment/round_form.html", {"form": form, "council": council, "framework_version": CURRENT.version}
    )


def _invitation_state(invitation: Invitation) -> str:
    """An officer's progress; a community partner's link only, never whether they answered: partners may answer
    anonymously, and a list that said who had would undo it (by their row, or by the count going up by one)."""
    response = getattr(invitation, "response", None)
    if invitation.group == PARTNERS:
        return "Link expired" if invitation.is_expired else "Invited"
    if response is not None and response.submitted_at:
        return "Submitted"
    if invitation.is_expired:
        return "Link expired"
    return "In progress" if response is not None else "Not started"


@access.council_view
def round_detail(request: HttpRequest, gss_code: str, round_id: int) -> HttpResponse:
    council = access.council_or_404(gss_code)
    assessment = _round(council, round_id)
    can_edit = access.can_edit_council(request.user, council)
    invitations = list(assessment.invitations.select_related("response", "organisation"))
    states = [(i, _invitation_state(i)) for i in invitations]
    return render(
        request,
        "assessment/round.html",
        {
            "council": council,
            "round": assessment,
            "can_edit": can_edit,
            # Who was invited is personal data: editors manage it, viewers see the counts.
            "invitations": states if can_edit else [],
            "counts": {
                "officer": sum(1 for i, s in states if i.group == "officer" and s == "Submitted"),
                # How many partners answered is told once the round is closed, with their answers.
                PARTNERS: None if assessment.is_open else services.results(assessment).partner_count,
            },
            "invited": len(invitations),
            "today": timezone.localdate(),
        },
    )


@access.council_edit
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, gss_code: str, round_id: int) -> HttpResponse:
    council = access.council_or_404(gss_code)
    assessment = _round(council, round_id)
    if not assessment.is_open:
        return _refused(
            request,
            Refused("This round is closed", "You cannot invite anyone to a closed round."),
            status=409,
            council=council,
        )
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invite(
                assessment,
                group=data["group"],
                email=data["email"],
                name=data["name"],
                organisation=data["organisation"],
                actor=request.user,
                base_url=site_url(),
            )
        except Refused as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"Invitation sent to {data['email']}")
            return redirect("assessment:round", gss_code=council.gss_code, round_id=assessment.pk)
    return render_form(request, "assessment/invite.html", {"form": form, "council": council, "round": assessment})


@access.council_edit
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, gss_code: str, round_id: int) -> HttpResponse:
    """Asks first, saying who has not answered and whether the closing date has passed: closing cannot be undone."""
    council = access.council_or_404(gss_code)
    assessment = _round(council, round_id)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        if not assessment.is_open:
            return redirect("assessment:round", gss_code=council.gss_code, round_id=assessment.pk)
        officers = [_invitation_state(i) for i in assessment.invitations.select_related("response") if i.group != PARTNERS]
        return render(
            request,
            "assessment/close_confirm.html",
            {
                "council": council,
                "round": assessment,
                "invited": len(officers),
                "answered": officers.count("Submitted"),
                "today": timezone.localdate(),
                "error": request.method == "POST",
            },
            status=400 if request.method == "POST" else 200,
        )
    try:
        services.close_round(assessment, request.user)
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Round closed. Its results are now final")
    return redirect("assessment:round", gss_code=council.gss_code, round_id=assessment.pk)


# Results ---------------------------------------------------------------------------------------------


def _results_context(assessment: Round, individual: bool) -> dict[str, Any]:
    from keepitlocal.reports.engine.charts import grouped_bar_chart  # matplotlib only where a chart is drawn

    fw = assessment.framework
    found = services.results(assessment)
    series: dict[str, list[float | None]] = {"Council officers": [found.officers[p.number] for p in fw.principles]}
    if found.partners is not None:
        series["Community partners"] = [found.partners[p.number] for p in fw.principles]
    chart = grouped_bar_chart(
        [f"{p.number}. {_short(p.title)}" for p in fw.principles],
        series,
        "Scores per principle, out of 100",
        "Bar chart of each group's score for each of the six principles; the table beside it has the same figures.",
        f"round-{assessment.pk}",
    )
    largest = found.largest_gap
    return {
        "round": assessment,
        "council": assessment.council,
        "framework": fw,
        "results": found,
        "chart": chart,
        "largest_gap": (fw.principles[largest[0] - 1], largest[1]) if largest else None,
        "movement": services.movement(assessment, found),
        "measured": services.measured(assessment, found),
        "evidence": services.evidence(assessment, individual=individual),
        "actions": services.actions_by_principle(assessment.council, fw),
        "individual": individual,
    }


def _short(title: str) -> str:
    """A principle's title for a chart's axis: whole, over lines of about 30 characters (never cut short)."""
    return textwrap.fill(title, 30)


@access.council_view
def results(request: HttpRequest, gss_code: str, round_id: int) -> HttpResponseBase:
    council = access.council_or_404(gss_code)
    assessment = _round(council, round_id)
    can_edit = access.can_edit_council(request.user, council)
    if fmt := request.GET.get("format"):
        return download(
            results_table(assessment.framework, services.results(assessment)), fmt, f"{council.name} {assessment.title} scores"
        )
    # Principle 4 (early intervention to save costs later) is evidenced by the council's value cases.
    value_cases = list(ValueCase.objects.filter(council=council))
    return render(
        request,
        "assessment/results.html",
        {**_results_context(assessment, can_edit), "can_edit": can_edit, "value_cases": value_cases},
    )


@access.council_edit
def answers(request: HttpRequest, gss_code: str, round_id: int) -> HttpResponse:
    """Individual officers' answers, for the council's editors and the network team only. Partners' answers are
    never shown one by one to the council; network admins see them here, never with an anonymous partner's name."""
    council = access.council_or_404(gss_code)
    assessment = _round(council, round_id)
    responses = list(services.officer_responses(assessment))
    if access.is_network_admin(request.user):
        responses += list(
            Response.objects.filter(round=assessment, group=PARTNERS, submitted_at__isnull=False)
            .select_related("invitation")
            .prefetch_related("answers")
        )
    return render(
        request,
        "assessment/answers.html",
        {"council": council, "round": assessment, "responses": responses, "framework": assessment.framework, "levels": LEVELS},
    )


@access.council_view
def report(request: HttpRequest, gss_code: str, round_id: int) -> HttpResponseBase:
    council = access.council_or_404(gss_code)
    assessment = _round(council, round_id)
    context = {**_results_context(assessment, individual=False), "produced": timezone.now()}
    if request.GET.get("format") == "pdf":
        return _pdf(request, context, f"{council.name} {assessment.title}")
    return render(request, "assessment/report.html", context)


def _pdf(request: HttpRequest, context: dict[str, Any], title: str) -> HttpResponse:
    from django.utils.text import slugify
    from weasyprint import HTML  # loaded only when a PDF is asked for

    html = render_to_string("assessment/report_pdf.html", context, request=request)
    # PDF/UA: tagged, with its title and language, for screen readers.
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(title)}.pdf"'
    return response


# Action plan -----------------------------------------------------------------------------------------


@access.council_view
def actions(request: HttpRequest, gss_code: str) -> HttpResponseBase:
    council = access.council_or_404(gss_code)
    fmt = request.GET.get("format")
    if fmt:
        return download(_actions_table(council), fmt, f"{council.name} action plan")
    return render(
        request,
        "assessment/actions.html",
        {
            "council": council,
            "by_principle": services.actions_by_principle(council, CURRENT),
            "can_edit": access.can_edit_council(request.user, council),
        },
    )


def _actions_table(council: Council) -> Table:
    rows = [
        {
            "principle": a.get_principle_display(),
            "what": a.what,
            "owner": a.owner,
            "due_on": a.due_on,
            "status": a.get_status_display(),
            "overdue": "Yes" if a.is_overdue else "No",
        }
        for a in Action.objects.filter(council=council)
    ]
    columns = [
        Column("principle", "Principle"),
        Column("what", "Action"),
        Column("owner", "Owner"),
        Column("due_on", "Due date"),
        Column("status", "Status"),
        Column("overdue", "Overdue"),
    ]
    return Table(f"Action plan of {council.name}", columns, rows)


@access.council_edit
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    initial = {"principle": request.GET.get("principle")} if request.GET.get("principle") else None
    form = ActionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.council = council
        action.round = Round.objects.filter(council=council).first()
        services.add_action(action, request.user)
        messages.success(request, "Action added to the plan")
        return redirect(reverse("assessment:actions", kwargs={"gss_code": council.gss_code}) + f"#principle-{action.principle}")
    return render_form(request, "assessment/action_form.html", {"form": form, "council": council})


@access.council_edit
@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, gss_code: str, action_id: int) -> HttpResponse:
    council = access.council_or_404(gss_code)
    action = get_object_or_404(Action, pk=action_id, council=council)
    form = ActionUpdateForm(request.POST if request.method == "POST" else None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        services.update_action(action, form.cleaned_data["status"], form.cleaned_data["note"], request.user)
        messages.success(request, "Action updated")
        return redirect(reverse("assessment:actions", kwargs={"gss_code": council.gss_code}) + f"#principle-{action.principle}")
    return render_form(
        request,
        "assessment/action_update.html",
        {"form": form, "council": council, "action": action, "updates": action.updates.all()},
    )


# Sharing and benchmarking ---------------------------------------------------------------------------


@access.council_edit
@require_http_methods(["GET", "POST"])
def sharing(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    current = services.sharing_of(council)
    initial = {"share_results": "yes" if current.share_results else "no", "may_be_named": "yes" if current.may_be_named else "no"}
    form = SharingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_sharing(
            council, form.cleaned_data["share_results"] == "yes", form.cleaned_data["may_be_named"] == "yes", request.user
        )
        messages.success(request, "Sharing choice saved")
        return redirect("assessment:rounds", gss_code=council.gss_code)
    return render_form(request, "assessment/sharing.html", {"form": form, "council": council})


@access.council_view
def benchmark(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    found = services.benchmark(council, CURRENT)
    return render(
        request,
        "assessment/benchmark.html",
        {
            "council": council,
            "benchmark": found,
            "chart": _benchmark_chart(found, council),
            "sharing": services.sharing_of(council),
        },
    )


def _benchmark_chart(found: services.Benchmark, council: Council) -> str:
    from keepitlocal.reports.engine.charts import spread_chart

    principles = [p for p in found.framework.principles if found.distributions.get(p.number)]
    if not principles:
        return ""
    return spread_chart(
        [f"{p.number}. {_short(p.title)}" for p in principles],
        [found.distributions[p.number] for p in principles],
        [found.own.get(p.number) for p in principles],
        "Where the council stands among its peers",
        f"For each principle, the range of sharing councils' scores (line), the middle half (box) and {council.name}'s "
        "score (diamond); the table beside it has the same figures.",
        "benchmark",
        own_label=council.name,
    )


def results_table(fw: Framework, found: RoundResults) -> Table:
    """The principle scores as a downloadable table."""
    rows = [
        {
            "principle": f"{p.number}. {p.title}",
            "officers": found.officers[p.number],
            "partners": found.partners[p.number] if found.partners else None,
            "gap": found.gaps[p.number],
            "overall": found.overall[p.number],
        }
        for p in fw.principles
    ]
    columns = [
        Column("principle", "Principle"),
        Column("officers", "Council officers"),
        Column("partners", "Community partners"),
        Column("gap", "Gap (officers − partners)"),
        Column("overall", "Overall"),
    ]
    return Table("Scores per principle", columns, rows)
