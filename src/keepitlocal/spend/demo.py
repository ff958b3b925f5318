"""Demonstration spend for Calderdale: a made-up year of payments, generated (never the real files), analysed
so that the demo shows the spend pages working without ../shared."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.network.models import Council
from keepitlocal.spend.models import AnalysisRun, SpendFile
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


def demo_file(year: int = 2025, seed: int = 3) -> bytes:
    """One financial year of payments, as a council would publish it."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Body Name", "Date", "Transaction Number", "Net Amount", "Supplier Name", "Expense Area", "Expense Type"])
    start = date(year, 4, 1)
    number = 100000
    for name, payments, typical in SUPPLIERS:
        for _ in range(payments):
            number += 1
            paid = start + timedelta(days=rng.randrange(365))
            amount = round(max(500.0, rng.gauss(typical, typical / 3)), 2)
            kind = (
                "Grants to voluntary organisations"
                if "Ltd" not in name and "PLC" not in name and rng.random() < 0.6
                else "Contracted services"
            )
            writer.writerow(
                [
                    "Calderdale Council (demo)",
                    paid.strftime("%d/%m/%Y"),
                    f"DEMO{number}",
                    f"{amount:,.2f}",
                    name,
                    rng.choice(AREAS),
                    kind,
                ]
            )
    return out.getvalue().encode()


def load_demo_spend() -> bool:
    """Upload and analyse the demo file for Calderdale once; True when it was loaded now."""
    council = Council.objects.get(gss_code="E08000033")
    if SpendFile.objects.filter(council=council).exists():
        return False
    store_upload(council, SimpleUploadedFile("calderdale-spend-2025-26-demo.csv", demo_file()), None)
    run = AnalysisRun.objects.create(council=council, files_total=1)
    run_analysis(run)
    return True
