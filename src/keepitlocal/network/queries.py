"""Read-only views of the registry for pages and downloads."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet

from keepitlocal.network.engine.journey import JOURNEY, STAGE_LABELS, Stage
from keepitlocal.network.models import Cohort, Council, Membership, NetworkMember, PrincipleSet
from keepitlocal.reports.engine.tables import Column, Table

PUBLIC_STAGES = [s for s in Stage]


def current_principles() -> PrincipleSet | None:
    return PrincipleSet.objects.filter(is_current=True).prefetch_related("principles").first()


def members(region: str = "", cohort: str = "", stage: str = "") -> QuerySet[Membership]:
    qs = Membership.objects.select_related("council", "cohort", "endorsement").prefetch_related("champions")
    if region:
        qs = qs.filter(council__region_name=region)
    if cohort:
        qs = qs.filter(cohort__slug=cohort)
    if stage:
        qs = qs.filter(stage=stage)
    return qs.order_by("council__region_name", "council__name")


def not_members(region: str = "") -> QuerySet[Council]:
    """The councils in the register that are not in the network (current ones: not abolished), by name."""
    found = Council.objects.filter(membership__isnull=True, successor_code="")
    return (found.filter(region_name=region) if region else found).order_by("name")


def filter_options() -> dict[str, Any]:
    return {
        "regions": sorted(set(Membership.objects.values_list("council__region_name", flat=True)) - {""}),
        "cohorts": list(Cohort.objects.all()),
        "stages": [(s.value, STAGE_LABELS[s]) for s in Stage],
    }


def members_table(memberships: QuerySet[Membership]) -> Table:
    columns = [
        Column("gss_code", "GSS code"),
        Column("council", "Council"),
        Column("council_type", "Council type"),
        Column("region", "Region or nation"),
        Column("cohort", "Cohort"),
        Column("stage", "Stage"),
        Column("joined_on", "Date joined"),
        Column("endorsement_url", "Link to the endorsement"),
        Column("demo", "Demonstration data"),
    ]

    def rows() -> Any:
        for m in memberships:
            endorsement = getattr(m, "endorsement", None)
            public_endorsement = endorsement if endorsement is not None and not endorsement.is_draft else None
            yield {
                "gss_code": m.council.gss_code,
                "council": m.council.name,
                "council_type": m.council.council_type,
                "region": m.council.region_name,
                "cohort": m.cohort.name if m.cohort else "",
                "stage": m.stage_label,
                "joined_on": m.joined_on,
                "endorsement_url": public_endorsement.decision_url if public_endorsement else "",
                "demo": m.is_demo,
            }

    return Table("Member councils", columns, rows())


def counts_by_stage_and_cohort() -> dict[str, Any]:
    """A cross-table of memberships: rows are stages, columns cohorts (plus those in no cohort)."""
    cohorts = list(Cohort.objects.all())
    counts: Counter[tuple[str, str | None]] = Counter(Membership.objects.values_list("stage", "cohort__slug"))
    columns: list[tuple[str | None, str]] = [*((c.slug, c.name) for c in cohorts), (None, "No cohort")]
    rows: list[dict[str, Any]] = []
    for stage in [*JOURNEY, Stage.PAUSED, Stage.LEFT]:
        cells = [counts.get((stage.value, slug), 0) for slug, _ in columns]
        rows.append({"stage": STAGE_LABELS[stage], "cells": cells, "total": sum(cells)})
    totals = [sum(r["cells"][i] for r in rows) for i in range(len(columns))]
    return {"columns": [name for _, name in columns], "rows": rows, "totals": totals, "total": sum(totals)}


def current_council(gss_code: str) -> Council | None:
    """The council of that GSS code, unless it was abolished (a successor took it over)."""
    return Council.objects.filter(gss_code=gss_code.strip().upper(), successor_code="").first()


def join_requests_waiting() -> int:
    """How many requests to join the network wait for the network team's decision."""
    return NetworkMember.objects.filter(state=NetworkMember.State.PENDING).count()
