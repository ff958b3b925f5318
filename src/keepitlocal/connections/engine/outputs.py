"""The measures as files: measures.csv (one row per element) and summary.json (the map as a whole)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from keepitlocal.connections.engine.measures import Measures
from keepitlocal.reports.engine.tables import neutralise

MEASURE_COLUMNS = (
    "label", "sector", "degree", "in_degree", "out_degree", "betweenness", "constraint", "effective_size",
    "coordinator", "consultant", "gatekeeper", "representative", "liaison", "ei_index", "removal_pairs",
    "removal_residents", "removal_public", "cut_point", "local_bridges", "introduced", "introduced_persisting",
)  # fmt: skip


def _number(value: float | None) -> str:
    return "" if value is None else f"{round(value, 6):g}"


def measure_rows(measures: Measures) -> list[dict[str, Any]]:
    """One row per element; figures rounded to six places; a measure with no value (an isolated element's constraint)
    is blank."""
    rows = []
    for m in measures.elements:
        b = m.brokerage
        rows.append(
            {
                "label": m.label,
                "sector": m.group,
                "degree": m.degree,
                "in_degree": m.in_degree,
                "out_degree": m.out_degree,
                "betweenness": _number(m.betweenness),
                "constraint": _number(m.constraint),
                "effective_size": _number(m.effective_size),
                "coordinator": b.coordinator,
                "consultant": b.consultant,
                "gatekeeper": b.gatekeeper,
                "representative": b.representative,
                "liaison": b.liaison,
                "ei_index": _number(m.ei_index),
                "removal_pairs": m.removal.pairs,
                "removal_residents": m.removal.residents,
                "removal_public": m.removal.public,
                "cut_point": "yes" if m.cut_point else "no",
                "local_bridges": m.local_bridges,
                "introduced": m.introductions.introduced,
                "introduced_persisting": m.introductions.persisting,
            }
        )
    return rows


def summary_data(measures: Measures) -> dict[str, Any]:
    s = measures.summary
    return {
        "on": s.on.isoformat(),
        "elements": s.elements,
        "connections": s.connections,
        "confirmed_connections": s.confirmed,
        "ties": s.ties,
        "density": round(s.density, 6),
        "components": s.components,
        "cut_points": list(s.cut_points),
        "local_bridges": s.local_bridges,
        "ei_index": None if s.ei_index is None else round(s.ei_index, 6),
        "betweenness": (
            {"method": "exact"}
            if s.betweenness_sampled_from is None
            else {"method": "sampled", "sources": s.betweenness_sampled_from, "seed": 0}
        ),
    }


def write(measures: Measures, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    table = out / "measures.csv"
    with open(table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MEASURE_COLUMNS)
        writer.writeheader()
        for row in measure_rows(measures):
            # Text that starts like a formula is not run by a spreadsheet opening the file; the figures (a negative
            # E-I index is "-0.5") are numbers and stay as they are.
            writer.writerow({**row, "label": neutralise(row["label"]), "sector": neutralise(row["sector"])})
    summary = out / "summary.json"
    summary.write_text(json.dumps(summary_data(measures), indent=2) + "\n", encoding="utf-8")
    return [table, summary]
