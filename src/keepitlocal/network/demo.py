"""The demonstration network: the 17 real member councils with made-up journey records, demo accounts,
a demo community organisation and events. Every record is marked as demonstration data, and loading
twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from keepitlocal.accounts.models import Role, User
from keepitlocal.network import services
from keepitlocal.network.engine.journey import Stage, Status
from keepitlocal.network.models import (
    Champion,
    Cohort,
    CommunityConversation,
    Council,
    Endorsement,
    Event,
    Membership,
    Organisation,
)
from keepitlocal.network.queries import current_principles
from keepitlocal.network.reference import load_reference_data

DEMO_PASSWORD = "keepitlocal-demo"  # noqa: S105 - published in the README for the demo only
ACTOR = "Demo loader (made-up records)"

DEMO_ACCOUNTS = [
    ("admin@example.org", "Network admin (demo)", Role.Kind.NETWORK_ADMIN, None),
    ("editor@calderdale.example", "Calderdale editor (demo)", Role.Kind.COUNCIL_EDITOR, "E08000033"),
    ("viewer@bristol.example", "Bristol viewer (demo)", Role.Kind.COUNCIL_VIEWER, "E06000023"),
    ("org@example.org", "Community organisation editor (demo)", Role.Kind.ORGANISATION_EDITOR, "organisation"),
]


@dataclass(frozen=True)
class DemoJourney:
    gss_code: str
    cohort: str
    target: Stage
    joined_on: date | None
    stage_since: date


TRAILBLAZERS = date(2020, 3, 3)
DEMO_JOURNEYS = [
    DemoJourney("E08000032", "trailblazers-2020", Stage.ACTIVE, TRAILBLAZERS, date(2021, 2, 10)),
    DemoJourney("E06000023", "trailblazers-2020", Stage.ACTIVE, TRAILBLAZERS, date(2021, 5, 18)),
    DemoJourney("E08000033", "trailblazers-2020", Stage.ACTIVE, TRAILBLAZERS, date(2020, 11, 24)),
    DemoJourney("E09000012", "trailblazers-2020", Stage.CONVERSATION_HELD, TRAILBLAZERS, date(2026, 9, 30)),
    DemoJourney("E08000034", "trailblazers-2020", Stage.ACTIVE, TRAILBLAZERS, date(2021, 3, 2)),
    DemoJourney("E09000023", "trailblazers-2020", Stage.CHAMPIONS_APPOINTED, TRAILBLAZERS, date(2025, 10, 6)),
    DemoJourney("E08000021", "trailblazers-2020", Stage.ACTIVE, TRAILBLAZERS, date(2021, 7, 1)),
    DemoJourney("E08000004", "trailblazers-2020", Stage.PAUSED, TRAILBLAZERS, date(2024, 6, 12)),
    DemoJourney("E08000018", "trailblazers-2020", Stage.ACTIVE, TRAILBLAZERS, date(2021, 9, 15)),
    DemoJourney("E06000025", "trailblazers-2020", Stage.ENDORSED, TRAILBLAZERS, date(2025, 4, 22)),
    DemoJourney("E08000015", "trailblazers-2020", Stage.ACTIVE, TRAILBLAZERS, date(2021, 1, 19)),
    DemoJourney("E08000035", "later-joiners", Stage.CONVERSATION_HELD, date(2021, 6, 1), date(2026, 10, 14)),
    DemoJourney("E08000036", "later-joiners", Stage.CHAMPIONS_APPOINTED, date(2021, 9, 1), date(2026, 8, 3)),
    DemoJourney("E06000050", "cohort-2022", Stage.ENDORSED, date(2022, 3, 1), date(2026, 6, 9)),
    DemoJourney("E06000014", "cohort-2022", Stage.CONVERSATION_HELD, date(2022, 3, 1), date(2026, 11, 2)),
    DemoJourney("E10000011", "cohort-2022", Stage.PROSPECT, None, date(2026, 10, 1)),
    DemoJourney("E07000235", "cohort-2022", Stage.ENDORSED, date(2022, 3, 1), date(2026, 3, 17)),
]

_ORDER = [Stage.PROSPECT, Stage.ENDORSED, Stage.CHAMPIONS_APPOINTED, Stage.CONVERSATION_HELD, Stage.ACTIVE]


def _reached(target: Stage, step: Stage) -> bool:
    # A paused council had got as far as champions before it paused.
    effective = Stage.CHAMPIONS_APPOINTED if target is Stage.PAUSED else target
    return _ORDER.index(effective) >= _ORDER.index(step)


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower().split(",")[0] if ch.isalnum())


def _build_journey(journey: DemoJourney) -> Membership | None:
    council = Council.objects.get(gss_code=journey.gss_code)
    if Membership.objects.filter(council=council).exists():
        return None
    start = journey.joined_on or date(2026, 9, 1)
    membership = Membership(
        council=council,
        cohort=Cohort.objects.get(slug=journey.cohort),
        joined_on=journey.joined_on,
        is_demo=True,
        internal_notes=f"Demo internal note for {council.name}: next step agreed with the network team.",
    )
    services.save_membership_record(membership, council, ACTOR)
    principle_set = current_principles()
    assert principle_set is not None
    endorsed = _reached(journey.target, Stage.ENDORSED)
    services.save_membership_record(
        Endorsement(
            membership=membership,
            is_draft=not endorsed,
            mechanism=Endorsement.Mechanism.CABINET_DECISION,
            endorsed_on=start + timedelta(days=30) if endorsed else None,
            signatories="Leader of the council (demo)\nChief executive (demo)",
            decision_url=f"https://democracy.{_slug(council.name)}.example/decisions/keep-it-local",
            wording=f"{council.name} endorses the six Keep it Local principles (demonstration wording).",
            principle_set=principle_set,
        ),
        council,
        ACTOR,
    )
    if _reached(journey.target, Stage.CHAMPIONS_APPOINTED):
        for role, title, who in (
            (Champion.Role.CABINET, "Cabinet member for communities", "Cllr Demo Cabinet"),
            (Champion.Role.SENIOR_MANAGEMENT, "Director of public health and communities", "Demo Director"),
        ):
            services.save_membership_record(
                Champion(
                    membership=membership,
                    role=role,
                    name=f"{who} ({council.name})",
                    role_title=title,
                    email=f"{role.value.replace('_', '.')}.champion@{_slug(council.name)}.example",
                    phone="01632 960000",
                    started_on=start + timedelta(days=60),
                ),
                council,
                ACTOR,
            )
    if _reached(journey.target, Stage.CONVERSATION_HELD):
        services.save_membership_record(
            CommunityConversation(
                membership=membership,
                held_on=start + timedelta(days=120),
                organisations="Local community anchor organisation (demo)\nVoluntary sector infrastructure body (demo)",
                residents=40,
                agreed="Co-design a local-by-default commissioning approach with community organisations (demo).",
            ),
            council,
            ACTOR,
        )
    if journey.target in (Stage.ACTIVE, Stage.PAUSED):
        membership.status = Status.ACTIVE if journey.target is Stage.ACTIVE else Status.PAUSED
        membership.save(update_fields=["status"])
        services.refresh_stage(membership, ACTOR)
    # The demo's dates are the journey's own, not the day it was loaded.
    Membership.objects.filter(pk=membership.pk).update(stage_since=journey.stage_since)
    return membership


@transaction.atomic
def load_demo() -> list[str]:
    """Load reference data and the demo network; return a line for each demo account."""
    load_reference_data()
    created = [m for m in (_build_journey(j) for j in DEMO_JOURNEYS) if m is not None]
    organisation, _ = Organisation.objects.get_or_create(
        name="Calder Valley Community Hub (demo)",
        defaults={
            "home_council": Council.objects.get(gss_code="E08000033"),
            "description": "A made-up community anchor organisation for the demonstration.",
            "website": "https://calder-valley-hub.example",
            "is_demo": True,
        },
    )
    lines = []
    for email, name, kind, target in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
        council = Council.objects.get(gss_code=target) if target and target != "organisation" else None
        Role.objects.get_or_create(
            user=user, kind=kind, council=council, organisation=organisation if target == "organisation" else None
        )
        lines.append(f"{email:<28} {name}")
    if created or not Event.objects.filter(is_demo=True).exists():
        _load_events()
    return lines


# Events dated from the day the demo is loaded (days from then), so that the demo always has one held and two to come.
DEMO_EVENTS: list[tuple[str, int, str, str, dict[str, Any]]] = [
    (
        "Trailblazer peer exchange: commissioning local by default (demo)",
        -70,
        "Commissioning",
        "Demo notes for participants: each council shared one grant process it simplified.",
        {"membership__cohort__slug": "trailblazers-2020"},
    ),
    (
        "West Yorkshire neighbourhood working session (demo)",
        21,
        "Neighbourhood coordination",
        "Demo notes: Calderdale, Kirklees, Leeds and Wakefield will compare neighbourhood hubs.",
        {"gss_code__in": ["E08000033", "E08000034", "E08000035", "E08000036", "E08000032"]},
    ),
    (
        "Early intervention value cases: a workshop for councils and community partners (demo)",
        63,
        "Early intervention",
        "Demo notes: bring one service whose savings fall to the NHS or social care.",
        {"membership__cohort__slug": "trailblazers-2020"},
    ),
]


def _load_events() -> None:
    today = timezone.localdate()
    for title, days, topic, notes, councils in DEMO_EVENTS:
        event, made = Event.objects.get_or_create(
            title=title,
            defaults={"held_on": today + timedelta(days=days), "topic": topic, "notes": notes, "is_demo": True},
        )
        if made:
            event.councils.set(Council.objects.filter(**councils))
