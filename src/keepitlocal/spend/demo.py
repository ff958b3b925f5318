"""Demonstration spend for Calderdale, Bristol and Leeds: a made-up year of payments each, generated (never
the real files), analysed and published, so that the demo shows the spend pages working without ../shared."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.network.models import Council
from keepitlocal.spend.models import AnalysisRun, SpendFile, SpendPublication, SupplierCorrection
from keepitlocal.spend.services import run_analysis, store_upload

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


def demo_file(places: dict[str, str] | None = None, seed: int = 3, community_weight: float = 1.0, year: int = 2025) -> bytes:
    """One financial year of payments, as a council would publish it."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Body Name", "Date", "Transaction Number", "Net Amount", "Supplier Name", "Expense Area", "Expense Type"])
    start = date(year, 4, 1)
    number = 100000
    for name, payments, typical in SUPPLIERS:
        for old, new in (places or {}).items():
            name = name.replace(old, new)
        commercial = "Ltd" in name or "PLC" in name
        count = payments if commercial else max(1, round(payments * community_weight))
        for _ in range(count):
            number += 1
            paid = start + timedelta(days=rng.randrange(365))
            amount = round(max(500.0, rng.gauss(typical, typical / 3)), 2)
            kind = "Grants to voluntary organisations" if not commercial and rng.random() < 0.6 else "Contracted services"
            writer.writerow(
                ["Demo council", paid.strftime("%d/%m/%Y"), f"DEMO{number}", f"{amount:,.2f}", name, rng.choice(AREAS), kind]
            )
    return out.getvalue().encode()


def load_demo_spend() -> bool:
    """Upload, analyse and publish demo spend for three councils, once; True when anything was loaded now."""
    loaded = False
    for gss_code, (places, seed, weight) in DEMO_COUNCILS.items():
        council = Council.objects.get(gss_code=gss_code)
        if SpendFile.objects.filter(council=council).exists():
            continue
        name = f"{council.name.split(',')[0].lower().replace(' ', '-')}-spend-2025-26-demo.csv"
        store_upload(council, SimpleUploadedFile(name, demo_file(places, seed, weight)), None)
        for key, kind, org_id, reason in DEMO_CORRECTIONS.get(gss_code, []):
            SupplierCorrection.objects.get_or_create(
                council=council, supplier_key=key, defaults={"supplier_type": kind, "org_id": org_id, "reason": reason}
            )
        run = AnalysisRun.objects.create(council=council, files_total=1)
        run_analysis(run)
        run.refresh_from_db()
        if run.status == AnalysisRun.Status.SUCCEEDED:
            SpendPublication.objects.update_or_create(council=council, defaults={"run": run})
        loaded = True
    return loaded
