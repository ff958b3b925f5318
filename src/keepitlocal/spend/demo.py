"""Demonstration spend for Calderdale, Bristol and Leeds: three made-up financial years of payments each, generated
(never the real files) by `keepitlocal.spend.engine.demo`, analysed and published, so that the demo shows the spend
pages working, with the shape of a real council's spend, without ../shared.

The generated suppliers are joined by a few fixed ones (SUPPLIERS below) that the rest of the demo refers to: the
community hub with its own organisation record, the charitable company an editor matched by hand, and so on."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.network.demo import ACTOR as DEMO_ACTOR
from keepitlocal.network.models import Council
from keepitlocal.spend.analysis import run_analysis
from keepitlocal.spend.engine import demo as generator
from keepitlocal.spend.models import AnalysisRun, RegisterFile, SpendFile, SupplierCorrection
from keepitlocal.spend.registers import load_register
from keepitlocal.spend.services import publish, store_upload

# Made-up suppliers (all marked "demo") with the kind of names councils publish.
SUPPLIERS = [
    ("Calder Valley Community Hub CIC (demo)", 40, 2500),
    ("Todmorden Food Bank (demo)", 12, 900),
    ("Halifax Youth Association (demo)", 20, 3200),
    ("Pennine Care Services Ltd (demo)", 60, 9000),
    ("Northern Roads Ltd (demo)", 30, 25000),
    ("Brighouse Carers Trust (demo)", 15, 1800),
    ("West Yorkshire Fire and Rescue Authority (demo)", 4, 12000),
    ("Hebden Arts Festival (demo)", 3, 4000),
    ("National Facilities Management PLC (demo)", 24, 40000),
    ("Sowerby Bridge Scouts (demo)", 4, 600),
    ("REDACTED UNDER DP ACT", 40, 700),
    ("Mr A Demo", 6, 550),
]
AREAS = ["Adult Services and Wellbeing", "Children and Young People", "Public Services", "Regeneration and Strategy"]


# Each demo council gets the same kinds of supplier under its own place names, and its own mix.
DEMO_COUNCILS = {
    "E08000033": ({}, 3, 1.0),
    "E06000023": (
        {
            "Calder Valley": "Avon Valley",
            "Todmorden": "Bedminster",
            "Halifax": "Easton",
            "Brighouse": "Clifton",
            "Hebden": "Harbourside",
            "Sowerby Bridge": "Southville",
            "West Yorkshire": "Avon",
            "Pennine": "Severn",
        },
        5,
        1.6,
    ),
    "E08000035": (
        {
            "Calder Valley": "Aire Valley",
            "Todmorden": "Headingley",
            "Halifax": "Chapeltown",
            "Brighouse": "Armley",
            "Hebden": "Kirkstall",
            "Sowerby Bridge": "Horsforth",
        },
        7,
        0.6,
    ),
}


# A correction Leeds's editor made, which Calderdale (paying the same supplier) sees as a suggestion; and Calderdale's
# editor giving the community hub its charity number, which joins it to the hub's own organisation record.
DEMO_CORRECTIONS = {
    "E08000033": [
        (
            "calder-valley-community-hub-cic-demo",
            "vcse",
            "GB-CHC-1000002",
            "The hub's charity number, from its own records (demo)",
        )
    ],
    "E08000035": [
        (
            "pennine-care-services-ltd-demo",
            "vcse",
            "GB-CHC-1000001",
            "A charitable company: the charity register lists it (demo)",
        )
    ],
}


# Where each demo council's organisations are registered: a made-up postcode per place (real outward codes of the area,
# inward codes "9Z?" that Royal Mail does not use), so that the demo shows locality without the real registers.
DEMO_PLACES = {
    "E08000033": ("E12000003", {"Calder Valley": "HX7 9ZA", "Todmorden": "OL14 9ZA", "Halifax": "HX1 9ZA",
                                "Brighouse": "HD6 9ZA", "Hebden": "HX7 9ZB", "Sowerby Bridge": "HX6 9ZA"}),
    "E06000023": ("E12000009", {"Avon Valley": "BS1 9ZA", "Bedminster": "BS3 9ZA", "Easton": "BS5 9ZA",
                                "Clifton": "BS8 9ZA", "Harbourside": "BS1 9ZB", "Southville": "BS3 9ZB"}),
    "E08000035": ("E12000003", {"Aire Valley": "LS13 9ZA", "Headingley": "LS6 9ZA", "Chapeltown": "LS7 9ZA",
                                "Armley": "LS12 9ZA", "Kirkstall": "LS5 9ZA", "Horsforth": "LS18 9ZA"}),
}  # fmt: skip
# The demo's companies: one based in Leeds (local there, in the region for Calderdale), one in Oldham, one in London.
DEMO_COMPANIES = [
    ("NORTHERN ROADS LTD (DEMO)", "09000001", "LS12 9ZB", "42110 - Construction of roads and motorways"),
    ("PENNINE CARE SERVICES LTD (DEMO)", "09000002", "OL1 9ZA", "87300 - Residential care activities for the elderly"),
    ("NATIONAL FACILITIES MANAGEMENT PLC (DEMO)", "09000003", "EC1A 9ZZ", "81100 - Combined facilities support activities"),
]
DEMO_ELSEWHERE = {"LS12 9ZB": ("E08000035", "E12000003"), "OL1 9ZA": ("E08000004", "E12000002"),
                  "EC1A 9ZZ": ("E09000001", "E12000007")}  # fmt: skip
DEMO_AREAS = [
    ("E08000033", "Calderdale", "E12000003", "Yorkshire and The Humber"),
    ("E08000035", "Leeds", "E12000003", "Yorkshire and The Humber"),
    ("E06000023", "Bristol, City of", "E12000009", "South West"),
    ("E08000004", "Oldham", "E12000002", "North West"),
    ("E09000001", "City of London", "E12000007", "London"),
]
# Community organisations' names as the charity register spells them (it drops "CIC" and "(demo)" the same way).
DEMO_CHARITIES = ["Calder Valley Community Hub", "Todmorden Food Bank", "Halifax Youth Association", "Brighouse Carers Trust",
                  "Hebden Arts Festival", "Sowerby Bridge Scouts"]  # fmt: skip


CHARITY_COLUMNS = ["registered_charity_number", "charity_name", "charity_contact_postcode", "charity_registration_status",
                   "linked_charity_number"]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def demo_registers() -> dict[str, bytes]:
    """Made-up registers in the layouts the real ones use: a charity register (Charity Commission extract columns),
    company data (Companies House columns) and a postcode lookup (ONS postcode directory columns)."""
    charities: list[list[str]] = []
    postcodes: list[list[str]] = []
    number = 1100000
    for gss_code, (region, places) in DEMO_PLACES.items():
        renames = DEMO_COUNCILS[gss_code][0]
        for name in DEMO_CHARITIES:
            # Each charity is named after a Calderdale place, which the other councils' demos rename.
            place = next(p for p in DEMO_PLACES["E08000033"][1] if name.startswith(p))
            number += 1
            local = renames.get(place, place)
            # Calderdale's hub keeps the number its editor gave it (DEMO_CORRECTIONS) and its organisation record has.
            registered = "1000002" if gss_code == "E08000033" and place == "Calder Valley" else str(number)
            charities.append([registered, name.replace(place, local) + " (demo)", places[local], "Registered", "0"])
        postcodes += [[postcode, gss_code, region] for postcode in places.values()]
    # The charitable company Leeds's editor matched by hand (DEMO_CORRECTIONS).
    charities.append(["1000001", "Pennine Care Services (demo)", "OL1 9ZA", "Registered", "0"])
    postcodes += [[postcode, lad, region] for postcode, (lad, region) in DEMO_ELSEWHERE.items()]
    generated = generator.register_rows(world())
    areas = {lad: [lad, name, lad, name, region, region_name] for lad, name, region, region_name in DEMO_AREAS}
    for area in generator.AREAS.values():
        areas[area.gss_code] = [area.gss_code, area.name, area.gss_code, area.name, area.region_code, area.region_name]
    return {
        "demo-charity-register.csv": _csv(CHARITY_COLUMNS, charities + generated["charities"]),
        "demo-company-data.csv": _csv(
            ["CompanyName", "CompanyNumber", "RegAddress.PostCode", "CompanyCategory", "CompanyStatus", "SICCode.SicText_1"],
            [[name, number, postcode, "Private Limited Company", "Active", sic] for name, number, postcode, sic in DEMO_COMPANIES]
            + generated["companies"],
        ),
        "demo-postcode-lookup.csv": _csv(["pcds", "oslaua", "rgn"], postcodes + generated["postcodes"]),
        # Which region each district is in (ONS LAD to UTLA to region layout), for "spend in the council's region".
        "demo-areas.csv": _csv(["LAD24CD", "LAD24NM", "UTLA24CD", "UTLA24NM", "RGN24CD", "RGN24NM"], list(areas.values())),
    }


def load_demo_registers() -> None:
    """The demo registers, marked as made up: the demo councils' analyses read them, no other council's."""
    if RegisterFile.objects.filter(is_demo=True).exists():
        return
    for name, content in demo_registers().items():
        load_register(name, io.BytesIO(content), demo=True)


YEARS = (2023, 2024, 2025)  # financial years 2023-24 to 2025-26


def world() -> generator.World:
    """The generated suppliers of every demo council. KIL_DEMO_SCALE (1 by default) makes the population smaller for
    tests that only need some published spend; the shape stays the same."""
    return generator.generate(DEMO_COUNCILS, YEARS, scale=settings.KIL_DEMO_SCALE)


def demo_file(gss_code: str, year: int, generated: generator.World | None = None) -> bytes:
    """One financial year of a demo council's payments, as it would publish them: the generated suppliers' payments
    and the fixed suppliers' (SUPPLIERS), in date order."""
    places, seed, community_weight = DEMO_COUNCILS[gss_code]
    generated = generated or world()
    shape = generated.councils[gss_code]
    rng = random.Random(seed * 10_000 + year)
    start = date(year, 4, 1)
    fixed: list[tuple[date, list[str]]] = []
    for name, payments, typical in SUPPLIERS:
        for old, new in places.items():
            name = name.replace(old, new)
        commercial = "Ltd" in name or "PLC" in name
        count = payments if commercial else max(1, round(payments * community_weight))
        for _ in range(count):
            paid = start + timedelta(days=rng.randrange(365))
            amount = round(max(500.0, rng.gauss(typical, typical / 3)), 2)
            kind = "Grants to voluntary organisations" if not commercial and rng.random() < 0.6 else "Contracted services"
            row = [generator.body_name(shape), paid.strftime("%d/%m/%Y"), "", f"{amount:.2f}", name, rng.choice(AREAS), kind, ""]
            if shape.publishes_vcse_flag:
                row.append("" if commercial or "REDACTED" in name or name.startswith("Mr ") else "Y")
            fixed.append((paid, row))
    return generator.spend_file(generated, gss_code, year, fixed)


def load_demo_spend() -> bool:
    """Upload, analyse and publish three years of demo spend for three councils, once; True when anything was loaded
    now."""
    loaded = False
    load_demo_registers()
    generated = world()
    for gss_code in DEMO_COUNCILS:
        council = Council.objects.get(gss_code=gss_code)
        if SpendFile.objects.filter(council=council).exists():
            continue
        stem = council.name.split(",")[0].lower().replace(" ", "-")
        for year in YEARS:
            name = f"{stem}-spend-{year}-{(year + 1) % 100:02d}-demo.csv"
            store_upload(council, SimpleUploadedFile(name, demo_file(gss_code, year, generated)), None)
        for key, kind, org_id, reason in DEMO_CORRECTIONS.get(gss_code, []):
            SupplierCorrection.objects.get_or_create(
                council=council, supplier_key=key, defaults={"supplier_type": kind, "org_id": org_id, "reason": reason}
            )
        run = AnalysisRun.objects.create(council=council, files_total=len(YEARS))
        run_analysis(run)
        run.refresh_from_db()
        if run.status == AnalysisRun.Status.SUCCEEDED:
            publish(council, run, DEMO_ACTOR)
        loaded = True
    return loaded
