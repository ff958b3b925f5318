"""The pages that compose capabilities: a council's public profile, its home and the network team's overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from keepitlocal.accounts import access
from keepitlocal.network import queries, services
from keepitlocal.network.engine.journey import JOURNEY
from keepitlocal.network.models import Membership, NetworkMember
from keepitlocal.pages.glance import glance_table, network_glance, response_rate, spend_years
from keepitlocal.pages.next_steps import next_steps
from keepitlocal.reports.downloads import download
from keepitlocal.spend import queries as spend_queries
from keepitlocal.value import services as value_services
from keepitlocal.web.paging import page_of


@access.public
def council_profile(request: HttpRequest, gss_code: str) -> HttpResponse:
    """A council's public profile: its place in the network, and the spend figures and value cases it has published."""
    council = access.council_or_404(gss_code)
    membership = Membership.objects.filter(council=council).select_related("cohort").first()
    publication = spend_queries.publication_of(council)
    context: dict[str, Any] = {
        "council": council,
        "membership": membership,
        "can_view_private": access.can_view_council(request.user, council),
        "spend": publication.figures(with_trend=True) if publication else None,
        "value_cases": value_services.published_cases(council),
    }
    if membership is not None:
        endorsement = getattr(membership, "endorsement", None)
        context.update(
            endorsement=endorsement if endorsement is not None and not endorsement.is_draft else None,
            champions=services.current_champions(membership),
            journey=services.journey(membership),
            steps=JOURNEY,
        )
    return render(request, "network/council_profile.html", context)


@access.council_view
def council_dashboard(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    membership = Membership.objects.filter(council=council).select_related("cohort").first()
    context: dict[str, Any] = {
        "council": council,
        "membership": membership,
        "can_edit": access.can_edit_council(request.user, council),
        "history": council.audit_entries.select_related("actor")[:200],
        "next_steps": next_steps(council, membership),
    }
    if membership is not None:
        context.update(
            journey=services.journey(membership),
            steps=JOURNEY,
            endorsement=getattr(membership, "endorsement", None),
            champions=membership.champions.all(),
            current_champions=set(services.current_champions(membership).values_list("pk", flat=True)),
            conversations=membership.conversations.all(),
            events=council.events.all()[:10],
        )
    return render(request, "network/dashboard.html", context)


JOIN_REQUESTS_PER_PAGE = 25


@access.network_admin
def network_overview(request: HttpRequest) -> HttpResponseBase:
    from keepitlocal.reports.engine.charts import bar_chart  # matplotlib only where a chart is drawn

    glance = network_glance()
    if fmt := request.GET.get("format"):
        return download(glance_table(glance), fmt, "keep-it-local-network-at-a-glance")
    counts = queries.counts_by_stage_and_cohort()
    pending = NetworkMember.objects.filter(state=NetworkMember.State.PENDING).select_related("home_council").order_by("pk")
    page, pages = page_of(request, pending.count(), JOIN_REQUESTS_PER_PAGE)
    years = spend_years(glance)
    rounds = [(g, rate) for g in glance if g.round_title and (rate := response_rate(g)) is not None]
    return render(
        request,
        "network/overview.html",
        {
            "glance": glance,
            "years": years,
            "years_chart": bar_chart(
                [y.year for y in years],
                [y.analysed for y in years],
                "Member councils with spend analysed, by financial year",
                "Horizontal bars, one per financial year, of the councils whose latest analysis has payments in it; "
                "the table beside it also counts those published.",
                "network-spend-years",
                unit="councils",
                axis="Councils",
            )
            if years
            else "",
            "rounds": rounds,
            "rounds_chart": bar_chart(
                [g.council.name for g, _rate in rounds],
                [rate for _g, rate in rounds],
                "Open assessment rounds: share of council officers' invitations answered",
                "Horizontal bars, one per council with an open round, of the share of its council officers' invitations "
                "answered (partners are counted when a round closes); the table beside it has the numbers.",
                "network-response-rates",
                axis="Officers' invitations answered (%)",
                top=100,
            )
            if rounds
            else "",
            "stage_chart": bar_chart(
                [row["stage"] for row in counts["rows"]],
                [row["total"] for row in counts["rows"]],
                "Member councils by stage",
                "Horizontal bars, one per stage of the journey; the table beside it has the same counts by cohort.",
                "network-stages",
                unit="councils",
                axis="Councils",
            ),
            "counts": counts,
            "stalled": services.stalled(),
            "stalled_days": services.STALLED_AFTER_DAYS,
            "pending": pending[(page - 1) * JOIN_REQUESTS_PER_PAGE : page * JOIN_REQUESTS_PER_PAGE],
            "pending_count": pending.count(),
            "page": page,
            "pages": pages,
        },
    )
