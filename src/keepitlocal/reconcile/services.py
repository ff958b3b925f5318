"""The catalogue reconciliation searches, from what the platform holds: the registers the network loaded, the council
register, the network's organisations with an org-id, and the names councils published that their spend analyses
resolved to an org-id (kept with the council that resolved them, as evidence)."""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass

from django.db.models import Count, Max

from keepitlocal.common.kept import Kept
from keepitlocal.network.models import Council, Organisation
from keepitlocal.reconcile.engine.matching import Catalogue, Entity, EntityType, Query
from keepitlocal.reports.engine.tables import neutralise
from keepitlocal.spend.analysis import council_register, platform_registers
from keepitlocal.spend.models import PublishedSupplier, SpendPublication

MOST_ROWS = 5000  # names in one uploaded file


# Each process keeps the catalogue's own part (the platform's organisations and the names councils resolved) for a
# minute: building it reads every resolved supplier, and a tool sends batch after batch. It is kept under what it was
# built from, too (the publications there are and when each was last published), so that a council withdrawing or
# publishing its figures changes what every process serves at its next request, not a minute later. The registers'
# connection is opened for each request (DuckDB connections are not shared between threads).
_KEPT: Kept[Catalogue] = Kept(size=2)


def catalogue() -> Catalogue:
    published = SpendPublication.objects.aggregate(count=Count("id"), last=Max("published_at"), newest=Max("id"))
    key = (int(time.time() // 60), published["count"], published["last"], published["newest"])
    return _KEPT.get(key, _platform_part).using(platform_registers())


def forget() -> None:
    """Drop the kept catalogue (tests, whose rolled-back rows may reappear under the same minute)."""
    _KEPT.clear()


def _platform_part() -> Catalogue:
    extra: list[Entity] = []
    for name, org_id in Organisation.objects.exclude(org_id__isnull=True).exclude(org_id="").values_list("name", "org_id"):
        kind_of = EntityType.of_id(org_id or "")
        if org_id and kind_of is not None:
            extra.append(Entity(org_id.upper(), name, kind_of, evidence="a member of the Keep it Local Network"))
    # Only councils' published supplier records: an unpublished analysis is the council's own.
    resolved = (
        PublishedSupplier.objects.exclude(org_id="")
        .values_list("name", "org_id", "supplier_type", "postcode", "publication__council__name")
        .order_by("org_id", "-total_amount")
    )
    for name, org_id, kind, postcode, council in resolved:
        kind_of = EntityType.of_id(org_id)
        if kind_of is not None:
            extra.append(Entity(org_id.upper(), name, kind_of, postcode, kind, evidence=f"{council} paid it under this name"))
    return Catalogue(None, extra, council_register())


def council_names() -> dict[str, str]:
    return dict(Council.objects.values_list("gss_code", "name"))


@dataclass(frozen=True)
class Reconciled:
    rows: int
    matched: int
    text: str  # the CSV written


COLUMNS = ["org_id", "matched_name", "type", "score", "certain", "evidence", "other_candidates"]


def reconcile_csv(text: str, column: str, found: Catalogue | None = None, most_rows: int | None = MOST_ROWS) -> Reconciled:
    """The file with the best candidate for each row's name added beside it (and the next two, with scores). A row is
    `certain` only when its name is an organisation's exactly and no other organisation's. Cells that a spreadsheet
    would run as a formula are written as text."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        headings = reader.fieldnames or []
    except csv.Error as error:
        raise ValueError(f"The file's heading row cannot be read as CSV ({error}).") from None
    chosen = next((h for h in headings if h.strip().casefold() == column.strip().casefold()), None)
    if chosen is None:
        raise ValueError(f"The file has no column called '{column}'. Its columns are: {', '.join(headings) or 'none'}.")
    found = found or catalogue()
    out = io.StringIO()
    writer = csv.DictWriter(out, [*headings, *[c for c in COLUMNS if c not in headings]], extrasaction="ignore")
    writer.writeheader()
    rows = matched = 0
    try:
        for row in reader:
            rows += 1
            if most_rows is not None and rows > most_rows:
                raise ValueError(f"The file has more than {most_rows:,} rows: split it, or use `kil reconcile`.")
            name = (row.get(chosen) or "")[:300]  # as a query batch's names are cut
            candidates = found.search(Query(name, limit=3)) if name.strip() else []
            best = candidates[0] if candidates else None
            matched += bool(best and best.match)
            added = {
                "org_id": best.entity.id if best else "",
                "matched_name": best.entity.name if best else "",
                "type": best.entity.type.label if best else "",
                "score": f"{best.score:.0f}" if best else "",
                "certain": ("Yes" if best.match else "No") if best else "",
                "evidence": best.why if best else "No candidate found",
                "other_candidates": "; ".join(f"{c.entity.id} {c.entity.name} ({c.score:.0f})" for c in candidates[1:]),
            }
            writer.writerow({k: neutralise(v) for k, v in {**row, **added}.items() if k is not None})
    except csv.Error as error:
        raise ValueError(f"Row {rows + 1} of the file cannot be read as CSV ({error}).") from None
    return Reconciled(rows, matched, out.getvalue())
