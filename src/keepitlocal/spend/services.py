"""Spend files in the platform, as people act on them: checking and storing uploads, asking for an analysis, correcting
suppliers (applied to the figures in seconds), choosing columns, publishing and withdrawing. The analysis itself runs
in the worker (analysis.py)."""

from __future__ import annotations

import gzip
import hashlib
import logging
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from keepitlocal import logs
from keepitlocal.jobs import Job, enqueue
from keepitlocal.network.models import Council
from keepitlocal.spend.analysis import (
    BATCH,
    corrections_of,
    draw_charts,
    payment_rows,
    payments_file,
)
from keepitlocal.spend.engine.sources import EXPANSION_FLOOR, MAX_EXPANSION, UTF16_BOMS
from keepitlocal.spend.figures import type_label
from keepitlocal.spend.models import (
    AnalysisRun,
    ColumnChoice,
    Payment,
    PublishedSupplier,
    SpendFile,
    SpendPublication,
    Supplier,
    SupplierCorrection,
)

ALLOWED = (".csv", ".txt", ".tsv", ".xlsx", ".zip", ".gz")
ARCHIVES = (".zip", ".gz", ".7z", ".rar", ".tar", ".tgz", ".bz2", ".xz")
logger = logging.getLogger(__name__)


class UploadError(ValueError):
    """The upload cannot be used; the message is shown to the person who uploaded it."""


_TOO_COMPRESSED = (
    f"The file expands more than {MAX_EXPANSION} times its size, which no spend file does; "
    "upload the CSV or XLSX files themselves"
)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def check_upload(upload: UploadedFile) -> None:
    """Refuse what cannot be spend data before it is stored, with a message saying why."""
    name = (upload.name or "").lower()
    if not name.endswith(ALLOWED):
        raise UploadError("The selected file must be a CSV, an XLSX spreadsheet, or a ZIP or GZIP of them")
    if not upload.size:
        raise UploadError("The selected file is empty")
    if upload.size > settings.KIL_SPEND_MAX_UPLOAD:
        raise UploadError(f"The selected file must be smaller than {_mb(settings.KIL_SPEND_MAX_UPLOAD)}")
    upload.seek(0)
    if name.endswith((".zip", ".xlsx")):
        if not zipfile.is_zipfile(upload):
            raise UploadError("The selected file is damaged or is not really a ZIP or XLSX file")
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            expanded = sum(m.file_size for m in members)
            if expanded > settings.KIL_SPEND_MAX_EXPANDED:
                raise UploadError(
                    f"The file expands to more than {_mb(settings.KIL_SPEND_MAX_EXPANDED)}; upload the files one by one"
                )
            if expanded > EXPANSION_FLOOR and expanded > MAX_EXPANSION * sum(m.compress_size for m in members):
                raise UploadError(_TOO_COMPRESSED)
            if name.endswith(".zip"):
                if any(m.filename.lower().endswith(ARCHIVES) for m in members):
                    raise UploadError("The ZIP file holds another archive; upload a ZIP of CSV or XLSX files only")
                if not any(m.filename.lower().endswith((".csv", ".txt", ".tsv", ".xlsx")) for m in members):
                    raise UploadError("The ZIP file holds no CSV or XLSX file")
                for member in members:
                    if member.filename.lower().endswith(".xlsx"):
                        _check_spreadsheet(archive.open(member))
            else:
                upload.seek(0)
                _check_spreadsheet(upload)
    elif name.endswith(".gz"):
        try:
            with gzip.open(upload, "rb") as stream:
                total = 0
                while chunk := stream.read(1 << 20):
                    total += len(chunk)
                    if total > settings.KIL_SPEND_MAX_EXPANDED:
                        raise UploadError(f"The file expands to more than {_mb(settings.KIL_SPEND_MAX_EXPANDED)}")
                    if total > EXPANSION_FLOOR and total > MAX_EXPANSION * upload.size:
                        raise UploadError(_TOO_COMPRESSED)
        except (OSError, EOFError):
            raise UploadError("The GZIP file is damaged or cut short; upload it again") from None
    else:
        head = upload.read(64 * 1024)
        # UTF-16 text (Excel's "Unicode text") has a zero byte in every ASCII character; its byte-order mark says so.
        if b"\x00" in head and not head.startswith(UTF16_BOMS):
            raise UploadError("The selected file is not a text CSV file")
    upload.seek(0)


def _check_spreadsheet(stream: Any) -> None:
    """Counted by the cells the workbook holds (keepitlocal.common.sheets), so that no declared size or table of text
    holds the request; refused with formulae, whose values a person should see before they are published."""
    from keepitlocal.common.sheets import SheetRefused, Workbook

    try:
        with Workbook(stream) as workbook:
            for name in workbook.sheet_names:
                if workbook.formulas(name):
                    raise UploadError(
                        f"The spreadsheet has formulae (sheet '{name}'); save it with values only, or as CSV, and upload it again"
                    )
    except SheetRefused as error:
        raise UploadError(f"The spreadsheet cannot be used: {error}") from None


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def store_upload(council: Council, upload: UploadedFile, user: Any) -> tuple[SpendFile, bool]:
    """Check and store an upload; the same file uploaded again is recognised and changes nothing."""
    check_upload(upload)
    sha = _sha256(upload)
    existing = SpendFile.objects.filter(council=council, sha256=sha).first()
    if existing:
        return existing, False
    spend_file = SpendFile(
        council=council,
        original_name=Path(upload.name or "spend.csv").name[:255],
        sha256=sha,
        size=upload.size or 0,
        uploaded_by=user,
    )
    spend_file.stored.save(f"{council.gss_code}-{sha[:16]}-{spend_file.original_name}", upload, save=False)
    spend_file.save()
    return spend_file, True


def start_analysis(council: Council) -> AnalysisRun:
    """Queues an analysis of all the council's files, or returns the one already waiting to start (it reads the files
    as they are when it starts, so it covers this change too): six uploads in a row make one analysis, not six. The
    council's row is locked for the check, so that two requests at once cannot both queue one."""

    with transaction.atomic():
        Council.objects.select_for_update().filter(pk=council.pk).first()
        waiting = AnalysisRun.objects.filter(council=council, status=AnalysisRun.Status.QUEUED).order_by("pk").first()
        if waiting is not None:
            return waiting
        run = AnalysisRun.objects.create(council=council, files_total=SpendFile.objects.filter(council=council).count())
    enqueue(Job.ANALYSE_COUNCIL, run.pk)
    return run


@transaction.atomic
def correct_supplier(supplier: Supplier, supplier_type: str, org_id: str, reason: str, user: Any) -> SupplierCorrection:
    """Record a correction (audited in the council's history); the caller starts a re-analysis. An empty org-id
    leaves the organisation the analysis found as it is."""
    from keepitlocal.network.services import audit

    correction, _ = SupplierCorrection.objects.update_or_create(
        council=supplier.council,
        supplier_key=supplier.key,
        defaults={
            "supplier_type": supplier_type,
            "org_id": org_id,
            "reason": reason,
            "corrected_by": user,
            "corrected_at": timezone.now(),
        },
    )

    changes = [{"field": "Supplier type", "from": type_label(supplier.supplier_type), "to": type_label(supplier_type)}]
    if org_id and org_id != supplier.org_id:
        changes.append({"field": "Org-id", "from": supplier.org_id, "to": org_id})
    changes.append({"field": "Reason", "from": "", "to": reason})
    audit(supplier.council, user, "corrected", f"Supplier {supplier.name}", supplier.key, changes)
    return correction


def apply_corrections(council: Council) -> AnalysisRun:
    """The council's figures with every correction applied, in seconds: its latest analysis's payments and suppliers
    are read from the database (not from the files), the corrected suppliers' type and org-id changed, the
    indicators calculated again and saved as a new analysis based on it. Where that cannot be done (an analysis is
    waiting or running, and will read the corrections itself; or the latest was saved before its supplier records held
    all that the figures need), the council's files are analysed again instead."""
    import duckdb

    from keepitlocal.spend.engine.bulk import bulk_insert, sql_string
    from keepitlocal.spend.engine.periods import unread_months
    from keepitlocal.spend.engine.pipeline import FIGURE_COLUMNS, correct, figures_of

    base = AnalysisRun.objects.latest_finished(council)
    waiting = AnalysisRun.objects.filter(council=council, status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING])
    if base is None or waiting.exists() or not base.reclassifiable:
        return start_analysis(council)
    root = base.based_on or base  # the analysis of the files this one's payments came from
    corrections = corrections_of(council)
    changed: dict[str, tuple[str, str, str, str, float]] = {}
    rows = []
    fields = (
        "key",
        "supplier_type",
        "org_id",
        "found_org_id",
        "evidence",
        "evidence_kind",
        "confidence",
        "is_local",
        "in_region",
    )
    for key, kind, org_id, found, evidence, basis, confidence, is_local, in_region in Supplier.objects.filter(
        council=council
    ).values_list(*fields):
        if key in corrections:
            # The analysis's own decision is not kept beside a correction: a supplier corrected before keeps its
            # found org-id, and its type stays the corrected one until a full analysis decides it again.
            now = correct(corrections[key], kind, found, evidence, basis, confidence)
            if now != (kind, org_id, evidence, basis, confidence):
                changed[key] = now
                kind = now[0]
        rows.append((key, kind, is_local, in_region))
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE suppliers (supplier_key VARCHAR, supplier_type VARCHAR, is_local BOOLEAN, in_region BOOLEAN)")
        bulk_insert(con, "suppliers", rows)
        con.execute(
            "CREATE TABLE payments (date DATE, amount DECIMAL(18,2), supplier_key VARCHAR, service_area VARCHAR, expense_type VARCHAR)"
        )
        kept = payments_file(council, root.pk)
        if kept.exists():
            con.execute(f"INSERT INTO payments SELECT {FIGURE_COLUMNS} FROM read_parquet({sql_string(kept)})")  # noqa: S608 - a quoted path
        else:
            bulk_insert(con, "payments", payment_rows(council))
        # Stored blank where the engine has none (NULL): the indicators tell "no service area" by NULL.
        con.execute(
            """CREATE TEMP TABLE tx AS SELECT p.date, p.amount, p.supplier_key, s.supplier_type, s.is_local, s.in_region,
                      nullif(p.service_area, '') AS service_area, nullif(p.expense_type, '') AS expense_type
               FROM payments p JOIN suppliers s USING (supplier_key)"""
        )
        unread = unread_months([(f.get("first_date", ""), f.get("last_date", "")) for f in base.unread_files()])
        computed = figures_of(con, unread)
    finally:
        con.close()
    charts = draw_charts(computed, reuse=base.charts)
    with transaction.atomic():
        # Checked again with the council's row locked (as start_analysis locks it): an analysis queued or finished
        # since this one read its rows would be overtaken by figures made from older rows.
        Council.objects.select_for_update().filter(pk=council.pk).first()
        latest = AnalysisRun.objects.finished().filter(council=council).values_list("pk", flat=True).first()
        current = not waiting.exists() and latest == base.pk
        if current:
            for key, (kind, org_id, evidence, basis, confidence) in changed.items():
                Supplier.objects.filter(council=council, key=key).update(
                    supplier_type=kind, org_id=org_id, evidence=evidence, evidence_kind=basis, confidence=confidence
                )
                Payment.objects.filter(council=council, supplier_key=key).update(supplier_type=kind, org_id=org_id)
            run = AnalysisRun(
                council=council,
                status=AnalysisRun.Status.SUCCEEDED,
                stage="done",
                based_on=root,
                reclassifiable=True,
                files_done=base.files_done,
                files_total=base.files_total,
                files_refused=base.files_refused,
                rows_processed=base.rows_processed,
                files_report=base.files_report,
                layouts=base.layouts,
                registers_used=base.registers_used,
                charts=charts,
                started_at=timezone.now(),
                finished_at=timezone.now(),
            )
            run.set_figures(computed)
            run.save()
    return run if current else start_analysis(council)


@transaction.atomic
def publish(council: Council, run: AnalysisRun, user: Any) -> SpendPublication:
    """Publish the figures of one analysis (on the council's public profile, the comparison and the API) with its
    suppliers as they are now, so that what others read stays as published until the council publishes again;
    audited in the council's history."""
    from keepitlocal.network.services import audit

    before = SpendPublication.objects.filter(council=council).select_related("run").first()
    person = user if getattr(user, "is_authenticated", False) else None  # a script or the demo loader is not a person
    publication, _ = SpendPublication.objects.update_or_create(
        council=council, defaults={"run": run, "published_by": person, "published_at": timezone.now()}
    )
    publication.suppliers.all().delete()
    PublishedSupplier.objects.bulk_create(
        (
            PublishedSupplier(
                publication=publication,
                key=s.key,
                name=s.name,
                names=s.names,
                org_id=s.org_id,
                supplier_type=s.supplier_type,
                postcode=s.postcode,
                total_amount=s.total_amount,
                transactions=s.transactions,
            )
            for s in Supplier.objects.filter(council=council).iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )
    period = run.analysis_figures.period.label
    was = f"analysis of {before.run.finished_at:%-d %B %Y at %H:%M}" if before and before.run.finished_at else ""
    audit(
        council,
        user,
        "published",
        "Spend figures",
        str(run.pk),
        [{"field": "Figures", "from": was, "to": f"analysis of {run.finished_at:%-d %B %Y at %H:%M} ({period})"}],
    )
    logs.event(
        "spend-published",
        "Spend figures of %s published (analysis %s) by user %s",
        council.gss_code,
        run.pk,
        getattr(person, "pk", None),
    )
    return publication


@transaction.atomic
def withdraw(council: Council, user: Any) -> None:
    from keepitlocal.network.services import audit

    if SpendPublication.objects.filter(council=council).delete()[0]:
        audit(council, user, "withdrew", "Spend figures", "", [{"field": "Figures", "from": "published", "to": "not published"}])
        logs.event("spend-withdrawn", "Spend figures of %s withdrawn by user %s", council.gss_code, getattr(user, "pk", None))


def choose_columns(
    council: Council, layout: str, chosen: dict[str, str], current: dict[str, str], user: Any
) -> AnalysisRun | None:
    """Save a person's reading of one layout (field → heading, '' for an optional field not in the files) for every file
    with that heading row, audited in the council's history, and analyse again; None when nothing changed."""
    from keepitlocal.network.services import audit
    from keepitlocal.spend.engine.headings import FIELD_LABELS

    changes = []
    with transaction.atomic():
        for field_name, column in chosen.items():
            if column == current.get(field_name, ""):
                continue
            ColumnChoice.objects.update_or_create(
                council=council,
                layout=layout,
                field=field_name,
                defaults={"column": column, "chosen_by": user, "chosen_at": timezone.now()},
            )
            changes.append(
                {
                    "field": FIELD_LABELS[field_name],
                    "from": current.get(field_name) or "not read",
                    "to": column or "not read",
                }
            )
        if not changes:
            return None
        audit(council, user, "changed", "How spend files are read", layout, changes)
    return start_analysis(council)


def column_samples(spend_file: SpendFile, columns: list[str], limit: int = 5) -> dict[str, list[str]]:
    """A few values from each named column, so an editor can see which one is which."""
    from keepitlocal.spend.engine.sources import discover, rows
    from keepitlocal.spend.engine.survey import find_header

    samples: dict[str, list[str]] = {c: [] for c in columns}
    sources, _ = discover([Path(spend_file.stored.path)])
    for source in sources:
        iterator = rows(source)
        try:
            head = [row for _, row in zip(range(200), iterator, strict=False)]
        finally:
            iterator.close()
        index = find_header(head)
        if index is None:
            continue
        header = [h.strip() for h in head[index][1]]
        for _, cells in head[index + 1 :]:
            for column in columns:
                if column in header and len(samples[column]) < limit:
                    position = header.index(column)
                    value = cells[position].strip() if position < len(cells) else ""
                    if value:
                        samples[column].append(value)
    return samples


def remove_file(spend_file: SpendFile) -> AnalysisRun:
    """Remove a file and its rows, and analyse the rest again. The council's row is locked as an analysis making its
    rows current locks it, so that one reading the file either finishes first or sees it gone (`_make_current`)."""
    council = spend_file.council
    stored = spend_file.stored
    with transaction.atomic():
        Council.objects.select_for_update().filter(pk=council.pk).first()
        spend_file.delete()
        transaction.on_commit(lambda: stored.delete(save=False))
    return start_analysis(council)
