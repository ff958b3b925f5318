"""The whole network at a glance, for the network team: for each member council, its stage, the financial years of
spend it has analysed and published, its open assessment round's answers, and its overdue actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery

from keepitlocal.assessment.engine.scoring import OFFICERS
from keepitlocal.assessment.models import Action, Invitation, Round
from keepitlocal.network.models import Council, Membership
from keepitlocal.reports.engine.tables import Column, Table
from keepitlocal.spend.models import AnalysisRun, SpendPublication


@dataclass(frozen=True)
class Glance:
    council: Council
    stage: str
    spend_years: list[str]  # of the council's latest finished analysis
    published: bool  # the council publishes spend figures (those of `published_years`, for `published_period`)
    round_title: str  # the open round, if any
    answered: int
    invited: int
    overdue: int
    is_demo: bool
    published_years: list[str] = field(default_factory=list)  # the financial years of the figures it published
    published_period: str = ""  # their period in words
    newer_ready: bool = False  # a later analysis than the published one is finished, waiting to be published


def network_glance() -> list[Glance]:
    memberships = list(Membership.objects.select_related("council").order_by("council__name"))
    councils = [m.council_id for m in memberships]
    # Each council's latest finished analysis alone: reading every analysis a council ever ran (and its figures by
    # year) made this page slower with every analysis.
    newest = (
        AnalysisRun.objects.finished().filter(council_id=OuterRef("council_id")).order_by("-created_at", "-id").values("pk")[:1]
    )
    ids = [pk for pk in Membership.objects.annotate(newest=Subquery(newest)).values_list("newest", flat=True) if pk]
    latest = {
        run.council_id: run
        for run in AnalysisRun.objects.filter(pk__in=ids).only("pk", "council_id", "year_labels", "created_at")
    }
    published = {
        p.council_id: p.run
        for p in SpendPublication.objects.select_related("run").only(
            "council_id", "run__year_labels", "run__period", "run__created_at"
        )
    }
    open_rounds = {r.council_id: r for r in Round.objects.open().filter(council_id__in=councils)}
    invited: dict[int, int] = {}
    answered: dict[int, int] = {}
    # Council officers only: while a round is open, how many partners answered is not told (assessment's rule).
    officers = Invitation.objects.filter(round__in=open_rounds.values(), group=OFFICERS).select_related("response")
    for invitation in officers:
        invited[invitation.round_id] = invited.get(invitation.round_id, 0) + 1
        response = getattr(invitation, "response", None)
        answered[invitation.round_id] = answered.get(invitation.round_id, 0) + bool(response and response.submitted_at)
    overdue: dict[int, int] = {}
    for action in Action.objects.filter(council_id__in=councils):
        if action.is_overdue:
            overdue[action.council_id] = overdue.get(action.council_id, 0) + 1
    found = []
    for m in memberships:
        run = latest.get(m.council_id)
        shown = published.get(m.council_id)
        current = open_rounds.get(m.council_id)
        found.append(
            Glance(
                m.council,
                m.stage_label,
                list(run.year_labels or []) if run else [],
                shown is not None,
                current.title if current else "",
                answered.get(current.pk, 0) if current else 0,
                invited.get(current.pk, 0) if current else 0,
                overdue.get(m.council_id, 0),
                m.is_demo,
                list(shown.year_labels or []) if shown else [],
                (shown.period or {}).get("label", "") if shown else "",
                bool(run and shown and run.pk != shown.pk and run.created_at >= shown.created_at),
            )
        )
    return found


@dataclass(frozen=True)
class SpendYear:
    year: str
    analysed: int  # member councils whose latest analysis has payments in the year
    published: int  # of those, the councils that published that analysis


def spend_years(rows: list[Glance]) -> list[SpendYear]:
    """For each financial year any member council has analysed, how many councils analysed and published it."""
    years = sorted({y for g in rows for y in [*g.spend_years, *g.published_years]})
    return [
        SpendYear(year, sum(year in g.spend_years for g in rows), sum(year in g.published_years for g in rows)) for year in years
    ]


def response_rate(glance: Glance) -> float | None:
    """Share of an open round's council officers' invitations answered (%), None when no officer has been invited."""
    return 100 * glance.answered / glance.invited if glance.invited else None


def glance_table(rows: list[Glance]) -> Table:
    columns = [
        Column("gss_code", "GSS code"),
        Column("council", "Council"),
        Column("stage", "Stage"),
        Column("spend_years", "Financial years of spend analysed"),
        Column("published", "Published"),
        Column("published_period", "Period of the published figures"),
        Column("newer_ready", "Newer figures waiting to be published"),
        Column("round", "Open assessment round"),
        Column("answered", "Officers answered"),
        Column("invited", "Officers invited"),
        Column("overdue", "Overdue actions"),
        Column("demo", "Demonstration data"),
    ]

    def data() -> Any:
        for g in rows:
            yield {
                "gss_code": g.council.gss_code,
                "council": g.council.name,
                "stage": g.stage,
                "spend_years": ", ".join(g.spend_years),
                "published": g.published,
                "published_period": g.published_period,
                "newer_ready": g.newer_ready,
                "round": g.round_title,
                "answered": g.answered if g.round_title else "",
                "invited": g.invited if g.round_title else "",
                "overdue": g.overdue,
                "demo": g.is_demo,
            }

    return Table("The network at a glance", columns, data())
