"""A demonstration value case: a community domestic-abuse service of the kind the Keep it Local research describes,
for Calderdale. The case (costs, cohort, rates) is made up; its unit costs are the domestic violence lines of the
GMCA (New Economy) Unit Cost Database v1.4 (CC BY 4.0, © GMCA), and its uprating uses the HM Treasury GDP deflator
that workbook carries. When the library has been imported (`kil value import-unit-costs`), those lines are used; on
a machine without it, the few lines the case needs are written here with their citation."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from keepitlocal.network.models import Council, Organisation
from keepitlocal.value import services
from keepitlocal.value.engine.calculator import OPTIMISM_BIAS_BY_GRADE, Range
from keepitlocal.value.models import DeflatorSeries, UnitCost, ValueCase

WALBY = "Sylvia Walby - The Cost of Domestic violence, update (2009), p.8"
GMCA_LICENCE = "CC BY 4.0, © GMCA (New Economy)"
# Domestic violence, cost per incident (GMCA Unit Cost Database v1.4, 2008/09 prices): CR2.0's economic and social
# values, and its fiscal value split by agency in CR2.0.1 to CR2.0.5.
LINES = {
    "CR2.0": ("Domestic violence - average cost per incident (fiscal, economic and social values)", "other",
              {"fiscal": 2470.0, "economic": 1473.0, "social": 6795.0}, "Multiple", ""),
    "CR2.0.1": ("Domestic violence - fiscal cost per incident: health", "nhs", {"fiscal": 1171.0}, "NHS", "Acute Trust / Hospital"),
    "CR2.0.2": ("Domestic violence - fiscal cost per incident: criminal justice system (excluding police)", "police",
                {"fiscal": 581.0}, "Criminal Justice System", ""),
    "CR2.0.3": ("Domestic violence - fiscal cost per incident: police", "police", {"fiscal": 415.0}, "Police", ""),
    "CR2.0.4": ("Domestic violence - fiscal cost per incident: local authority, social services (children)", "children",
                {"fiscal": 193.0}, "Local Authority", "Children's Services"),
    "CR2.0.5": ("Domestic violence - fiscal cost per incident: local authority, housing services", "housing",
                {"fiscal": 110.0}, "Local Authority", "Housing Services"),
}  # fmt: skip
DEFLATOR_CITATION = (
    "HM Treasury, GDP deflators at market prices, and money GDP: March 2015 (Budget 2015) (released 19 March 2015), "
    "as carried in the GMCA Unit Cost Database"
)
DEFLATOR = {2008: 170.6499, 2009: 175.0612, 2010: 179.9069, 2011: 183.1272, 2012: 186.0829, 2013: 190.0334,
            2014: 193.264, 2015: 195.9697, 2016: 198.3213, 2017: 201.4945, 2018: 205.7259, 2019: 211.0747}  # fmt: skip


def _ensure_library() -> None:
    for code, (description, agency, values, level1, level2) in LINES.items():
        if UnitCost.objects.filter(code=code, is_current=True).exists():
            continue
        UnitCost.objects.create(
            code=code,
            description=description,
            unit="Per incident",
            agency=agency,
            agency_level1=level1,
            agency_level2=level2,
            theme="Crime",
            values={kind: {"value": value, "price_year": 2008} for kind, value in values.items()},
            source=WALBY,
            confidence="A",
            licence=GMCA_LICENCE,
        )
    if not DeflatorSeries.objects.exists():
        DeflatorSeries.objects.create(citation=DEFLATOR_CITATION, index={str(y): v for y, v in DEFLATOR.items()})


DEMO_FUNDERS = ("National Lottery Community Fund (demo)", "Community Foundation for Calderdale (demo)", "Local Trust (demo)")
DEMO_RECIPIENTS = (
    ("Calder Valley Community Hub (demo)", "GB-CHC-1000002"),
    ("Todmorden Food Bank (demo)", ""),
    ("Park Ward Neighbourhood Partnership (demo)", ""),
    ("Calderdale Domestic Abuse Service (demo)", ""),
)


def demo_grants() -> bytes:
    """A made-up 360Giving data package of grants to Calderdale's demonstration organisations, over three years."""
    import json
    import random

    rnd = random.Random(5)
    grants: list[dict[str, object]] = []
    for year in (2023, 2024, 2025):
        for name, org_id in DEMO_RECIPIENTS:
            for funder in rnd.sample(DEMO_FUNDERS, 2):
                recipient = {"id": org_id or f"360G-demo:{name}", "name": name, "location": [{"geoCode": "E08000033"}]}
                grants.append(
                    {
                        "id": f"360G-demo-{len(grants) + 1:04d}",
                        "title": f"Grant to {name}",
                        "currency": "GBP",
                        "amountAwarded": rnd.choice((5000, 10000, 25000, 40000, 60000)),
                        "awardDate": f"{year}-{rnd.randint(4, 12):02d}-{rnd.randint(1, 28):02d}",
                        "fundingOrganization": [{"id": f"360G-demo-funder-{DEMO_FUNDERS.index(funder)}", "name": funder}],
                        "recipientOrganization": [recipient],
                    }
                )
    return json.dumps({"grants": grants}).encode()


@transaction.atomic
def load_demo_value() -> bool:
    """Create the demonstration value case once; False when it is there already."""
    if ValueCase.objects.filter(is_demo=True).exists():
        return False
    _ensure_library()
    services.import_grants("calderdale-grants-demo.json", demo_grants())
    hub = Organisation.objects.filter(name="Calder Valley Community Hub (demo)").first()
    if hub is not None and not hub.lm3_surveys.exists():
        services.save_lm3_survey(
            hub,
            {
                "period": "2025/26 (demo)", "income": 250_000, "local_staff_pay": 120_000, "local_suppliers": 45_000,
                "staff_respend_share": 0.42, "supplier_respend_share": 0.3, "round3_basis": "survey", "round3_source": "",
                "local": "living or trading in Calderdale (demo survey of 28 staff and 12 suppliers)",
            },
        )  # fmt: skip
    council = Council.objects.get(gss_code="E08000033")
    services.save_lm3_estimate(
        council,
        {
            "respend_share": Range.exactly(0.3),
            "source": "Demonstration assumption, made up: a council would cite a survey of its own suppliers' spending",
            "local": "suppliers registered in Calderdale",
        },
    )
    own = services.save_own_cost(
        council,
        {
            "code": "LAC-DEMO",
            "description": "Child taken into care, annual cost (demonstration figure)",
            "value": 40000,
            "price_year": 2019,
            "agency": "children",
            "kind": "fiscal",
            "source": "Demonstration figure, made up: a council would give its own finance team's cost and table",
            "confidence": "R",
        },
        "Demo loader",
    )
    case = services.create_case(
        council,
        {
            "title": "Community domestic abuse service (demo)",
            "price_year": 2019,
            "cost_per_year": Range(180_000, 200_000, 230_000),
            "years": 3,
            "cohort_per_year": Range(100, 120, 140),
        },
        "Demo loader",
    )
    case.is_demo = True
    case.save(update_fields=["is_demo"])
    # One avoided incident, counted as two outcomes: its fiscal cost split by agency, and its economic and social value.
    incidents = {
        "events_per_person": Range.exactly(1.5),
        "success": Range(0.3, 0.4, 0.5),
        "deadweight": Range(0.1, 0.2, 0.3),
        "displacement": Range.exactly(0.0),
        "attribution": Range.exactly(0.1),
        "optimism_bias": Range.exactly(OPTIMISM_BIAS_BY_GRADE[3]),
        "drop_off": Range.exactly(0.5),
        "persistence": 2,
    }
    by_agency = ["CR2.0.1", "CR2.0.2", "CR2.0.3", "CR2.0.4", "CR2.0.5"]
    for name, event, kinds, codes in (
        ("fiscal savings by agency", "domestic abuse incident (fiscal)", ["fiscal"], by_agency),
        ("economic and social value", "domestic abuse incident (economic and social)", ["economic", "social"], ["CR2.0"]),
    ):
        services.add_outcome(
            case,
            {"name": f"Repeat incidents of domestic abuse avoided: {name}", "event": event, "kinds": kinds, **incidents},
            list(UnitCost.objects.filter(code__in=codes, is_current=True)),
        )
    services.add_outcome(
        case,
        {
            "name": "Children kept out of care",
            "event": "child taken into care",
            "kinds": ["fiscal"],
            "events_per_person": Range.exactly(0.05),
            "success": Range(0.1, 0.2, 0.3),
            "deadweight": Range.exactly(0.3),
            "displacement": Range.exactly(0.0),
            "attribution": Range.exactly(0.0),
            "optimism_bias": Range.exactly(OPTIMISM_BIAS_BY_GRADE[4]),
            "drop_off": Range.exactly(0.0),
            "persistence": 1,
            "cashable": False,
        },
        [own],
    )
    for what, when, whom, confirm in (
        ("Convened a monthly stakeholder group of survivors, GPs, police and housing officers", date(2025, 9, 1),
         "Calderdale's community safety partnership", "The partnership's chair"),
        ("Informed the council's domestic abuse strategy 2025 to 2028 with survivors' accounts", date(2025, 3, 14),
         "Calderdale Council", "The council's head of community safety"),
        ("Mapped the support available to survivors in each ward", date(2024, 11, 20), "Residents and referring agencies", ""),
    ):  # fmt: skip
        services.add_claim(case, {"what": what, "when": when, "for_whom": whom, "who_can_confirm": confirm})
    services.publish(case, True)
    if hub is not None:
        # The hub runs the service's community side: its map shows the resident groups it links to the council.
        services.attach_connections(case, hub, timezone.localdate(), "Demo loader")
    return True
