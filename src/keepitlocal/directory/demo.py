"""A made-up directory for Calderdale, written as an Open Referral UK feed and read in through the importer, so that
the demo shows the directory, its categories and community assets (and exercises the same path a real feed takes)."""

from __future__ import annotations

import uuid

from keepitlocal.directory import services
from keepitlocal.directory.engine import oruk
from keepitlocal.directory.models import DirectoryOrganisation
from keepitlocal.network.models import Council

NAMESPACE = uuid.UUID("5d1f6a0e-3c1b-4b8e-9a57-6b1f0c7e2d41")
CALDERDALE = "E08000033"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


TAXONOMY = "Keep it Local categories (demo)"
CATEGORIES = {
    "food": "Food and essentials",
    "advice": "Advice and information",
    "youth": "Children and young people",
    "carers": "Carers",
    "safety": "Domestic abuse support",
    "arts": "Arts, culture and heritage",
    "groups": "Community groups and meeting places",
}
# name, charity number or "", description, email domain, postcode, street, town, services: (name, categories, about)
ORGANISATIONS = [
    ("Calder Valley Community Hub (demo)", "1000002", "A made-up community anchor: advice, a café, a food pantry and groups for all ages.",
     "HX7 9ZA", "1 Market Street (demo)", "Hebden Bridge",
     [("Advice drop-in", ["advice"], "Benefits, debt and housing advice, Tuesdays and Thursdays, no appointment needed."),
      ("Food pantry", ["food"], "A low-cost pantry for members: a weekly shop for a small fee."),
      ("Community café and groups", ["groups"], "A café with groups for parents, older people and people learning English.")]),
    ("Todmorden Food Bank (demo)", "1100002", "A made-up food bank with referral partners across the town.",
     "OL14 9ZA", "2 Rochdale Road (demo)", "Todmorden",
     [("Emergency food parcels", ["food"], "Three days of food for people referred by a partner agency.")]),
    ("Halifax Youth Association (demo)", "1100003", "A made-up youth charity running clubs and mentoring.",
     "HX1 9ZA", "3 Union Street (demo)", "Halifax",
     [("Youth clubs", ["youth", "groups"], "Open-access clubs for 11 to 19 year olds, four evenings a week."),
      ("Mentoring", ["youth"], "One-to-one mentoring for young people referred by schools.")]),
    ("Brighouse Carers Trust (demo)", "1100004", "A made-up carers' charity.",
     "HD6 9ZA", "4 Bethel Street (demo)", "Brighouse",
     [("Carers' support groups", ["carers"], "Monthly peer-support groups and a phone line for unpaid carers.")]),
    ("Calderdale Domestic Abuse Service (demo)", "", "A made-up specialist service working with the NHS, the police and children's social care.",
     "HX1 9ZA", "5 Wade Street (demo)", "Halifax",
     [("Independent domestic violence advocacy", ["safety"], "Support for people at high risk, through the courts and services.")]),
    ("Hebden Arts Festival (demo)", "1100005", "A made-up arts festival and year-round workshops.",
     "HX7 9ZB", "6 Bridge Gate (demo)", "Hebden Bridge",
     [("Community arts workshops", ["arts", "groups"], "Free workshops for residents, run with local artists.")]),
]  # fmt: skip
# name, type, holder, location of which organisation, owner, tenure, capacity, ACV (listed on, expires), transfer (start, end, terms)
ASSETS = [
    ("Hebden Bridge Community Hall (demo)", "building", "Calder Valley Community Hub (demo)", "Calderdale Council (demo)", "leasehold", "120",
     ("2024-03-01", "2029-02-28"), ("2023-04-01", "2048-03-31", "Community asset transfer: a 25-year lease at a peppercorn rent; the hub maintains the building.")),
    ("Todmorden Community Garden (demo)", "land", "Todmorden Food Bank (demo)", "Calderdale Council (demo)", "licence", "",
     None, None),
    ("Union Street Youth Centre (demo)", "building", "Halifax Youth Association (demo)", "Halifax Youth Association (demo)", "freehold", "80",
     ("2022-06-15", "2027-06-14"), None),
]  # fmt: skip


def demo_package() -> oruk.Package:
    package = oruk.Package()
    t = package.tables
    taxonomy_id = _id("taxonomy")
    t["taxonomy"] = [
        {"id": taxonomy_id, "name": TAXONOMY, "description": "Made-up categories for the demonstration directory", "version": "1"}
    ]
    t["taxonomy_term"] = [
        {"id": _id("term", k), "name": v, "description": v, "taxonomy": TAXONOMY, "taxonomy_id": taxonomy_id, "term": k}
        for k, v in CATEGORIES.items()
    ]
    for key in (
        "organization",
        "organization_identifier",
        "service",
        "location",
        "address",
        "service_at_location",
        "attribute",
        "community_asset",
    ):
        t[key] = []
    for name, number, about, postcode, street, town, offered in ORGANISATIONS:
        org = _id("org", name)
        domain = name.split(" (")[0].lower().replace(" ", "") + ".example"
        t["organization"].append(
            {"id": org, "name": name, "description": about, "email": f"hello@{domain}", "website": f"https://{domain}"}
        )
        if number:
            t["organization_identifier"].append(
                {"id": _id("identifier", name), "organization_id": org, "identifier_scheme": "GB-CHC",
                 "identifier_type": "Charity number", "identifier": number}
            )  # fmt: skip
        location = _id("location", name)
        t["location"].append({"id": location, "location_type": "physical", "name": f"{name.split(' (')[0]}, {town}"})
        t["address"].append(
            {"id": _id("address", name), "location_id": location, "address_1": street, "city": town, "region": "West Yorkshire",
             "state_province": "West Yorkshire", "postal_code": postcode, "country": "GB", "address_type": "physical"}
        )  # fmt: skip
        for service_name, categories, description in offered:
            service = _id("service", name, service_name)
            t["service"].append(
                {"id": service, "organization_id": org, "name": service_name, "description": description, "status": "active",
                 "fees": "Free" if "pantry" not in service_name else "A small weekly fee"}
            )  # fmt: skip
            t["service_at_location"].append({"id": _id("at", service), "service_id": service, "location_id": location})
            for category in categories:
                t["attribute"].append(
                    {"id": _id("attribute", service, category), "link_id": service, "taxonomy_term_id": _id("term", category), "link_type": "service"}
                )  # fmt: skip
    for name, kind, holder, owner, tenure, capacity, acv, transfer in ASSETS:
        row = {"id": _id("asset", name), "name": name, "asset_type": kind, "organization_id": _id("org", holder),
               "location_id": _id("location", holder), "owner": owner, "tenure": tenure, "capacity": capacity,
               "acv_listed": "true" if acv else "false", "transferred": "true" if transfer else "false"}  # fmt: skip
        if acv:
            row |= {"acv_listed_on": acv[0], "acv_expires_on": acv[1], "acv_listing_authority": "Calderdale Council (demo)"}
        if transfer:
            row |= {"lease_start": transfer[0], "lease_end": transfer[1], "lease_terms": transfer[2]}
        t["community_asset"].append(row)
    return package


def load_demo_directory() -> bool:
    """Calderdale's demo directory, once; False when it is there already."""
    council = Council.objects.get(gss_code=CALDERDALE)
    if DirectoryOrganisation.objects.filter(council=council, is_demo=True).exists():
        return False
    services.import_package(
        council, "calderdale-directory-demo.zip", services.zipped(oruk.write(demo_package(), "Calderdale demo directory"))
    )
    DirectoryOrganisation.objects.filter(council=council).update(is_demo=True)
    return True
