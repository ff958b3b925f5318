"""Reference data every installation needs: the principles, the cohorts and the bundled list of councils."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from keepitlocal.common.councils_file import BUNDLED_COUNCILS, read_council_files
from keepitlocal.network.models import Cohort, ImportRun, Principle, PrincipleSet
from keepitlocal.network.services import apply_council_import

PRINCIPLES_VERSION = "1.0"
PRINCIPLES_PUBLISHED = date(2020, 3, 3)
PRINCIPLES = [
    (
        "Think whole-system not silos",
        "See the council, health partners, community organisations and residents as one system. Plan and fund "
        "services around people and places rather than around separate departments and contracts.",
    ),
    (
        "Coordinate services at neighbourhood level",
        "Bring services together where people live, with local organisations that know the neighbourhood, so "
        "that help joins up and reaches people furthest from services.",
    ),
    (
        "Increase local spend to invest in the local economy",
        "Spend public money with local organisations and businesses so that it circulates in the area, creating "
        "jobs and multiplying its value for local people.",
    ),
    (
        "Focus on early intervention to save costs later",
        "Invest in prevention and early help through community organisations, which stop problems growing and "
        "reduce demand on the NHS, social care and other acute services.",
    ),
    (
        "Commit to your community and support local organisations",
        "Value the relationships, trust and reach of community organisations. Support them to grow and to bring "
        "external funding into the area, rather than competing them against national providers.",
    ),
    (
        "Commission simply and collaboratively, local by default",
        "Make local the default choice. Use proportionate, simple processes, grants and partnership working, and "
        "design services with local organisations instead of letting large contracts to outside providers.",
    ),
]

COHORTS = [
    (
        "trailblazers-2020",
        "2020 trailblazers",
        date(2020, 3, 3),
        "The first councils to join the network, announced on 3 March 2020.",
    ),
    ("later-joiners", "Later joiners", None, "Councils that joined after the trailblazers and before the 2022 cohort."),
    ("cohort-2022", "2022 cohort", date(2022, 1, 1), "Councils that joined the network in 2022."),
]


@transaction.atomic
def load_principles() -> PrincipleSet:
    principle_set, _ = PrincipleSet.objects.get_or_create(
        version=PRINCIPLES_VERSION, defaults={"published_on": PRINCIPLES_PUBLISHED}
    )
    if not principle_set.is_current:
        PrincipleSet.objects.filter(is_current=True).update(is_current=False)
        principle_set.is_current = True
        principle_set.save(update_fields=["is_current"])
    for number, (title, description) in enumerate(PRINCIPLES, start=1):
        Principle.objects.update_or_create(
            principle_set=principle_set, number=number, defaults={"title": title, "description": description}
        )
    return principle_set


def load_cohorts() -> None:
    for slug, name, announced, description in COHORTS:
        Cohort.objects.update_or_create(slug=slug, defaults={"name": name, "announced_on": announced, "description": description})


def load_reference_data() -> ImportRun:
    load_principles()
    load_cohorts()
    return apply_council_import(read_council_files([BUNDLED_COUNCILS]), source=f"bundled list ({BUNDLED_COUNCILS.name})")
