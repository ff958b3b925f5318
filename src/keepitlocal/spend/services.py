"""Spend files in the platform: checking and storing uploads, and running the engine over a council's files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import logging
import threading
import traceback
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from keepitlocal import logs
from keepitlocal.common.publicbodies import CouncilRef
from keepitlocal.network.models import Council
from keepitlocal.spend.engine.classify import SupplierType
from keepitlocal.spend.engine.columns import How
from keepitlocal.spend.engine.figures import AnalysisFigures, FigureSet, IndicatorId
from keepitlocal.spend.engine.read import FileStatus
from keepitlocal.spend.engine.sources import EXPANSION_FLOOR, MAX_EXPANSION, UTF16_BOMS
from keepitlocal.spend.models import (
    AnalysisRun,
    ColumnChoice,
    Payment,
    PublishedSupplier,
    RejectedRow,
    SpendFile,
    SpendPublication,
    Supplier,
    SupplierCorrection,
)

ALLOWED = (".csv", ".txt", ".tsv", ".xlsx", ".zip", ".gz")
ARCHIVES = (".zip", ".gz", ".7z", ".rar", ".tar", ".tgz", ".bz2", ".xz")
BATCH = 5000
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
    from keepitlocal.spend.tasks import analyse_council

    with transaction.atomic():
        Council.objects.select_for_update().filter(pk=council.pk).first()
        waiting = AnalysisRun.objects.filter(council=council, status=AnalysisRun.Status.QUEUED).order_by("pk").first()
        if waiting is not None:
            return waiting
        run = AnalysisRun.objects.create(council=council, files_total=SpendFile.objects.filter(council=council).count())
    analyse_council.enqueue(run.pk)
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
    from keepitlocal.spend.suppliers import type_label

    changes = [{"field": "Supplier type", "from": type_label(supplier.supplier_type), "to": type_label(supplier_type)}]
    if org_id and org_id != supplier.org_id:
        changes.append({"field": "Org-id", "from": supplier.org_id, "to": org_id})
    changes.append({"field": "Reason", "from": "", "to": reason})
    audit(supplier.council, user, "corrected", f"Supplier {supplier.name}", supplier.key, changes)
    return correction


def _corrections(council: Council) -> dict[str, tuple[str, str, str]]:
    return {
        c.supplier_key: (c.supplier_type, c.org_id, c.evidence())
        for c in SupplierCorrection.objects.filter(council=council).select_related("corrected_by")
    }


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
    corrections = _corrections(council)
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
        kept = _payments_file(council, root.pk)
        if kept.exists():
            con.execute(f"INSERT INTO payments SELECT {FIGURE_COLUMNS} FROM read_parquet({sql_string(kept)})")  # noqa: S608 - a quoted path
        else:
            bulk_insert(con, "payments", _payment_rows(council))
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


def _payments_file(council: Council, run_id: int) -> Path:
    return Path(settings.KIL_FIGURES_DIR) / f"{council.gss_code}-{run_id}.parquet"


def _keep_payments(council: Council, run: AnalysisRun, made: Any) -> None:
    """The analysis's payments, as the figures need them, kept beside the database (a few hundred kilobytes for
    100,000 payments) for corrections to be applied in a second; the council's older ones are removed. A file
    missing (a restored backup, another machine) only means the payments are read from the database instead."""
    import duckdb

    folder = Path(settings.KIL_FIGURES_DIR)
    target = _payments_file(council, run.pk)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        made.keep_figure_payments(target)
        for old in folder.glob(f"{council.gss_code}-*.parquet"):
            if old != target:
                old.unlink(missing_ok=True)
    except (OSError, duckdb.Error):
        logger.warning("Could not keep the analysed payments of %s for corrections", council.gss_code, exc_info=True)
        target.unlink(missing_ok=True)


def _payment_rows(council: Council) -> Iterator[tuple[Any, ...]]:
    """The council's payments as the figures need them (date, amount, supplier key, service area, expense type),
    straight from the database cursor: the ORM's conversions of 100,000 dates and decimals took a second."""
    meta = Payment._meta
    quote = connection.ops.quote_name
    column = {f.name: str(f.column) for f in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in ("date", "amount", "supplier_key", "service_area", "expense_type"))
    where = quote(column["council"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where} = %s", [council.pk])  # noqa: S608 - names from the model
        while batch := cursor.fetchmany(20_000):
            yield from batch


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
    from keepitlocal.spend.engine.columns import FIELD_LABELS

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
    from keepitlocal.spend.engine.read import find_header
    from keepitlocal.spend.engine.sources import discover, rows

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


def platform_registers() -> Any:
    """The registers the network team loaded (charities, companies, postcodes), or None: for other capabilities
    that place organisations as the spend analysis does."""
    return _registers()


def _registers() -> Any:
    """The platform's registers, loaded from the files the network team recorded (none: None)."""
    from keepitlocal.spend.models import RegisterFile

    records = list(RegisterFile.objects.all())
    if not records:
        return None
    from keepitlocal.spend.engine.registers import Registers

    folder = Path(settings.KIL_REGISTERS_DIR)
    key = hashlib.sha256("".join(sorted(record.sha256 for record in records)).encode()).hexdigest()[:16]
    registers = Registers.cached([record.path for record in records], folder / "cache", key)
    # Results name each register with the date it was loaded, not only the engine's line about it.
    registers.used = [record.describe() for record in records]
    return registers


HEARTBEAT = 30  # seconds between a running analysis's signs of life
STOPPED_WORKER = (
    "The analysis stopped without finishing: the worker running it stopped (restarted, or ran out of memory). "
    "Start it again with the button below; if it stops again, tell the network team."
)


class AnalysisTimeLimitError(Exception):
    pass


class _Heartbeat(threading.Thread):
    """Marks the run alive every HEARTBEAT seconds, in its own thread (and database connection), so that a long stage
    that reports no progress is not taken for a dead worker."""

    def __init__(self, run_id: int) -> None:
        super().__init__(name=f"analysis-{run_id}-heartbeat", daemon=True)
        self.run_id, self.stopped = run_id, threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT):
                try:
                    AnalysisRun.objects.filter(pk=self.run_id).update(heartbeat_at=timezone.now())
                except Exception:  # a busy database may refuse one beat; the next will do
                    logger.info("heartbeat of analysis %s missed", self.run_id, exc_info=True)
        finally:
            connection.close()


def stuck_runs(council: Council | None = None) -> list[AnalysisRun]:
    """Running analyses (of one council, or of all) whose worker has given no sign of life for
    KIL_ANALYSIS_STALE_MINUTES."""
    since = timezone.now() - timedelta(minutes=settings.KIL_ANALYSIS_STALE_MINUTES)
    running = AnalysisRun.objects.filter(status=AnalysisRun.Status.RUNNING).select_related("council")
    if council is not None:
        running = running.filter(council=council)
    return [r for r in running if (r.heartbeat_at or r.started_at or r.created_at) < since]


def recover_stuck_runs(council: Council | None = None) -> list[AnalysisRun]:
    """Marks each stuck analysis failed with a plain reason, so the dashboard stops saying one is running and the
    editor can start it again, and its task failed in the task queue. Called when a council's spend pages are opened
    (the progress page's polls included, so only that council's runs are read), by every analysis as it starts (a
    worker restarted after a crash finds its predecessor's run) and by `kil manage spend_stuck`. A run is failed only if
    it is still silent as it is marked: one that beat in between is left running."""
    from django.db import OperationalError

    since = timezone.now() - timedelta(minutes=settings.KIL_ANALYSIS_STALE_MINUTES)
    found = []
    for run in stuck_runs(council):
        silent = Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True)
        try:
            with transaction.atomic():  # the run and its task row fail together, or neither does
                marked = AnalysisRun.objects.filter(silent, pk=run.pk, status=AnalysisRun.Status.RUNNING).update(
                    status=AnalysisRun.Status.FAILED, message=STOPPED_WORKER, finished_at=timezone.now()
                )
                if marked:
                    _fail_task(run)
        except OperationalError:  # the database busy: something is alive and writing; the next look will do
            logger.info("could not mark analysis %s stopped now", run.pk, exc_info=True)
            continue
        if marked:
            logger.warning("Analysis %s of %s lost its worker; marked failed", run.pk, run.council.gss_code)
            found.append(run)
    return found


class WorkerLost(Exception):
    """What the task queue records of an analysis whose worker died (named in its failed task row)."""


def _fail_task(run: AnalysisRun) -> None:
    """The task queue's row for the run's analysis, left running by the worker that died, marked failed too (the
    database backend of django-tasks keeps no heartbeat of its own)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from keepitlocal.spend.tasks import analyse_council

    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=analyse_council.module_path, args_kwargs__args__0=run.pk
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=STOPPED_WORKER,
    )


def run_analysis(run: AnalysisRun) -> None:
    """Run the engine over every file of the council and replace its results in one transaction. A heartbeat marks
    it alive while it runs; it stops with a message once it has run for KIL_ANALYSIS_TIME_LIMIT_MINUTES."""
    heartbeat = _Heartbeat(run.pk)
    heartbeat.start()
    try:
        _run_analysis(run)
    finally:
        heartbeat.stopped.set()


def _run_analysis(run: AnalysisRun) -> None:
    from keepitlocal.spend.engine.pipeline import NothingUsableError, Options, open_analysis

    council = run.council
    started = timezone.now()
    # Running first, then the files: an upload that found this run still queued (start_analysis) is in the list.
    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.RUNNING, started_at=started, heartbeat_at=started)
    # Kept on the object as well: the run is saved whole at the end, and the API reports when it started.
    run.status, run.started_at, run.heartbeat_at = AnalysisRun.Status.RUNNING, started, started
    files = list(SpendFile.objects.filter(council=council))
    AnalysisRun.objects.filter(pk=run.pk).update(files_total=len(files))
    by_path = {str(Path(f.stored.path)): f for f in files}
    limit = timedelta(minutes=settings.KIL_ANALYSIS_TIME_LIMIT_MINUTES)

    def progress(stage: str, detail: Any) -> None:
        now = timezone.now()
        if now - started > limit:
            raise AnalysisTimeLimitError(
                f"The analysis took longer than {settings.KIL_ANALYSIS_TIME_LIMIT_MINUTES} minutes and was stopped. "
                "Remove files you do not need, or upload fewer years at a time, and start it again."
            )
        # Each step is one update, which also says the run is alive.
        if stage == "file":
            run.files_done += 1
            run.files_refused += detail.status != FileStatus.READ
            run.rows_processed += detail.rows_read
            changes = {"stage": "read", "files_done": run.files_done, "files_refused": run.files_refused,
                       "rows_processed": run.rows_processed}  # fmt: skip
        elif stage == "read":
            # The files the engine will read: a zip counts each file inside it, so the uploads' count is not it.
            run.files_total = int(detail)
            changes = {"stage": "read", "files_total": run.files_total}
        else:
            changes = {"stage": stage}
        AnalysisRun.objects.filter(pk=run.pk).update(heartbeat_at=now, **changes)

    try:
        if files:
            corrections = _corrections(council)
            overrides, layout_overrides = column_choices(council)
            options = Options(
                council=council.gss_code,
                registers=_registers(),
                corrections=corrections,
                overrides=overrides,
                strict_mapping=False,
                councils=council_register(),
                layout_overrides=layout_overrides,
                chosen=How.CHOICE,
            )
            with open_analysis([Path(p) for p in by_path], options, progress) as made, ThreadPoolExecutor(1) as drawing:
                AnalysisRun.objects.filter(pk=run.pk).update(stage="saving", heartbeat_at=timezone.now())
                # The charts are drawn while the rows are saved: writing to the database leaves the interpreter free.
                charts = drawing.submit(draw_charts, made.result.figures)
                # Saved beside the current rows in batches, each its own short transaction, then made current at
                # once: people using the platform meanwhile see the previous figures whole, and wait at most one
                # batch to write. Rows come straight from the analysis's DuckDB, never through a file.
                reasons: dict[str, Counter[str]] = {}
                _load(council, run, made, by_path, reasons)
                _keep_payments(council, run, made)
                kept_rejected = _keep_rejected(council, made, by_path)
            result = made.result
            run.files_report = [_report(r, by_path, reasons) for r in result.files]
            run.layouts = [_layout(layout, by_path) for layout in result.layouts]
            run.reclassifiable = True
            run.set_figures(result.figures)
            run.registers_used = result.registers_used
            run.charts = charts.result()
            _make_current(run, council, by_path, kept_rejected)
        else:
            AnalysisRun.objects.filter(pk=run.pk).update(stage="saving", heartbeat_at=timezone.now())
            run.files_report, run.layouts = [], []
            run.set_figures(None)
            _make_current(run, council, by_path, None)
        _clear_rows(council, keep=run)
    except AnalysisTimeLimitError as error:
        logger.warning("Analysis %s of %s passed its time limit", run.pk, council.gss_code)
        _fail(run, str(error))
    except NothingUsableError as error:
        message = _named(str(error), by_path)
        # Keep what each file said (an ambiguous file's candidate columns, say) for the editor to act on.
        AnalysisRun.objects.filter(pk=run.pk).update(
            files_report=[_report(r, by_path) for r in error.reports],
            layouts=[_layout(layout, by_path) for layout in error.layouts],
        )
        logger.info("Analysis %s of %s found nothing usable: %s", run.pk, council.gss_code, message)
        _fail(run, message)
    except FilesChangedError as error:
        logger.info("Analysis %s of %s overtaken: %s", run.pk, council.gss_code, error)
        _fail(run, str(error))
    except Exception as error:
        if _files_gone(council, by_path):
            # A file removed while it was read fails the rows that name it: the run is overtaken, not broken.
            logger.info("Analysis %s of %s overtaken: a file was removed while it ran", run.pk, council.gss_code)
            _fail(run, FILES_CHANGED)
        else:
            # The council sees a short message; the network team gets the whole traceback, in the log and on the run.
            logger.exception("Analysis %s of %s failed", run.pk, council.gss_code)
            _fail(run, f"The analysis stopped: {type(error).__name__}: {str(error)[:500]}", traceback.format_exc())
    if AnalysisRun.objects.filter(pk=run.pk, holds_rows=False).exists():
        _clear_rows(council, only=run)  # what a run that did not finish had saved


# Every supplier type with its words for a page, in the engine's order (payees not published included).
TYPE_LABELS = {kind.value: kind.label for kind in SupplierType}
TYPE_PLURALS = {kind.value: kind.plural for kind in SupplierType}


def council_register() -> list[CouncilRef]:
    """Every council the platform holds, as reference evidence for suppliers named as councils."""
    return [CouncilRef(gss, name, kind) for gss, name, kind in Council.objects.values_list("gss_code", "name", "council_type")]


def draw_charts(figures: AnalysisFigures, reuse: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dashboard's charts, drawn once per analysis rather than on every page view: for all payments together, and
    under "years" for each financial year (its twelve months, those without payments shown as gaps). With `reuse` (an
    analysis whose corrections changed suppliers' types only), the charts of spend by month, which types do not
    change, are taken from it and only the charts by type drawn again."""
    reuse = reuse or {}
    charts: dict[str, Any] = _charts_for(figures.whole, months=reuse.get("months"))
    old_years = reuse.get("years", {})
    charts["years"] = {
        y.year: _charts_for(y.figures, y.year, months=old_years.get(y.year, {}).get("months")) for y in figures.years
    }
    return charts


def _charts_for(figures: FigureSet, year: str = "", months: str | None = None) -> dict[str, str]:
    from keepitlocal.reports.engine.charts import bar_chart, column_chart
    from keepitlocal.spend.figures import month_label

    paid = {m.month: m.amount for m in figures.months}
    # The whole period's chart shows the months with payments; a year's, every month of the year, gaps marked.
    every = sorted({*paid, *(figures.period.months if year else []), *(figures.period.missing if year else [])})
    suffix = f" in {year}" if year else ""
    ident = year.replace("/", "-")
    charts = {
        "types": bar_chart(
            list(TYPE_LABELS.values()),
            [figures.value(IndicatorId.share_of(SupplierType(t))) or 0 for t in TYPE_LABELS],
            f"Share of spend by type of supplier{suffix}",
            "Horizontal bars; the same figures are in the table beside the chart.",
            f"spend-types{'-' + ident if ident else ''}",
            axis="Share of spend (%)",
        )
    }
    if months is not None:
        charts["months"] = months
    elif every:
        charts["months"] = column_chart(
            [month_label(m)[:3] + " " + m[2:4] for m in every],
            [paid.get(m) for m in every],
            f"Spend by month{suffix}",
            "Columns of spend per month; months with no payments are marked 'no data'. The same figures are in the table "
            "beside the chart.",
            f"spend-months{'-' + ident if ident else ''}",
        )
    return charts


FILES_CHANGED = (
    "A file was removed while this analysis read it, so its figures would have been of files no longer there. "
    "A new analysis of the files there are now has started."
)


class FilesChangedError(Exception):
    """The council's files changed under a running analysis (one removed): the analysis is overtaken."""


def _files_gone(council: Council, by_path: dict[str, SpendFile]) -> bool:
    there = set(SpendFile.objects.filter(council=council).values_list("pk", flat=True))
    return any(f.pk not in there for f in by_path.values())


def _make_current(run: AnalysisRun, council: Council, by_path: dict[str, SpendFile], rejected: Path | None) -> None:
    """One short transaction, with the council's row locked (as start_analysis and removing a file lock it): the run's
    rows become the council's, unless a file it read was removed meanwhile or the run was given up as stopped."""
    with transaction.atomic():
        Council.objects.select_for_update().filter(pk=council.pk).first()
        if _files_gone(council, by_path):
            raise FilesChangedError(FILES_CHANGED)
        if not AnalysisRun.objects.filter(pk=run.pk, status=AnalysisRun.Status.RUNNING).exists():
            raise FilesChangedError("This analysis was given up as stopped while it saved; start it again.")
        AnalysisRun.objects.filter(council=council, holds_rows=True).exclude(pk=run.pk).update(holds_rows=False)
        run.holds_rows = True
        run.status = AnalysisRun.Status.SUCCEEDED
        run.stage = "done"
        run.finished_at = run.heartbeat_at = timezone.now()
        run.save()
        if rejected is not None:
            transaction.on_commit(lambda: rejected.replace(_rejected_file(council)))
        elif not by_path:
            _rejected_file(council).unlink(missing_ok=True)


def _clear_rows(council: Council, keep: AnalysisRun | None = None, only: AnalysisRun | None = None) -> None:
    """Delete a council's rows other than `keep`'s (or only `only`'s), a batch per short transaction."""
    every: list[Any] = [
        Payment.every.filter(council=council),
        Supplier.every.filter(council=council),
        RejectedRow.every.filter(spend_file__council=council),
    ]
    for rows in every:
        rows = rows.filter(run=only) if only is not None else rows.exclude(run=keep)
        while ids := list(rows.values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                rows.model.every.filter(pk__in=ids).delete()


def _fail(run: AnalysisRun, message: str, trace: str = "") -> None:
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=AnalysisRun.Status.FAILED, message=message, traceback=trace, finished_at=timezone.now()
    )


# Rejected rows kept in the database for each file read: enough to see what went wrong and fix it, never so many that
# a file of nothing but bad rows grows the database more than the file (each raw line clipped too). Every rejected row
# is kept, compressed, in the council's rejected-rows file beside the figures (`_keep_rejected`), for the download.
REJECTED_KEPT = 1_000
RAW_KEPT = 2_000


def _clipped(raw: str) -> str:
    return raw if len(raw) <= RAW_KEPT else raw[:RAW_KEPT] + " … (cut short here; the download has it whole)"


def _kept_rejections(
    made: Any, run: AnalysisRun, by_path: dict[str, SpendFile], reasons: dict[str, Counter[str]]
) -> Iterator[RejectedRow]:
    for name, line, reason, raw in made.rejected():
        counted = reasons.setdefault(name, Counter())
        counted[reason[:500]] += 1
        if counted.total() <= REJECTED_KEPT:
            yield RejectedRow(
                run=run, spend_file=_file_of(name, by_path), source_row=line, reason=reason[:500], raw_line=_clipped(raw)
            )


def _rejected_file(council: Council) -> Path:
    return Path(settings.KIL_FIGURES_DIR) / f"{council.gss_code}-rejected.csv.gz"


def _keep_rejected(council: Council, made: Any, by_path: dict[str, SpendFile]) -> Path:
    """Every rejected row of the analysis, compressed beside the figures under the names the files were uploaded with
    (a file of nothing but bad rows packs as well as it did uploaded); written beside it, to replace it whole once the
    analysis it belongs to is current (`_make_current`)."""
    target = _rejected_file(council)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with gzip.open(partial, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_id", "file", "row", "reason", "raw_line"])
        for name, line, reason, raw in made.rejected():
            shown, spend_file = _shown_name(name, by_path)
            writer.writerow([spend_file.pk, shown, line, reason, raw])
    return partial


def rejected_rows(council: Council) -> Iterator[dict[str, Any]]:
    """Every rejected row of the council's latest analysis, for download: from the compressed file kept beside the
    figures, or, where it is missing (a restored backup, an analysis from before it was kept), those in the database."""
    path = _rejected_file(council)
    if path.exists():
        present = {str(pk) for pk in SpendFile.objects.filter(council=council).values_list("pk", flat=True)}
        with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["file_id"] not in present:  # removed since, with its rows
                    continue
                yield {"spend_file__original_name": row["file"], "source_row": int(row["row"]), "reason": row["reason"],
                       "raw_line": row["raw_line"]}  # fmt: skip
        return
    keys = ("spend_file__original_name", "source_row", "reason", "raw_line")
    yield from RejectedRow.objects.filter(spend_file__council=council).values(*keys).iterator()


def _file_of(source: str, by_path: dict[str, SpendFile]) -> SpendFile:
    for path, spend_file in by_path.items():
        if source == path or source.startswith(path + ":"):
            return spend_file
    raise KeyError(source)


def _shown_name(name: str, by_path: dict[str, SpendFile]) -> tuple[str, SpendFile]:
    """A file as its uploader named it ('year.zip › 2021-05.csv' for a file inside a zip), with its upload."""
    spend_file = _file_of(name, by_path)
    inner = name[len(str(spend_file.stored.path)) + 1 :] if name != spend_file.stored.path else ""
    return spend_file.original_name + (f" › {inner}" if inner else ""), spend_file


def _report(report: Any, by_path: dict[str, SpendFile], reasons: dict[str, Counter[str]] | None = None) -> dict[str, Any]:
    shown, spend_file = _shown_name(report.name, by_path)
    return {
        "reasons": dict((reasons or {}).get(report.name, Counter()).most_common()),
        "file": shown,
        "file_id": spend_file.pk,
        "status": report.status,
        "reason": _named(report.reason, by_path),
        "mapping": report.mapping,
        "candidates": report.candidates,
        "layout": report.layout,
        "not_spend": report.not_spend,
        "first_date": report.first_date,
        "last_date": report.last_date,
        "rows_read": report.rows_read,
        "kept": report.kept,
        "rejected": report.rejected,
        "duplicates": report.duplicates,
    }


def _named(text: str, by_path: dict[str, SpendFile]) -> str:
    """A message with the stored files' names replaced by the names they were uploaded with."""
    for spend_file in by_path.values():
        text = text.replace(Path(spend_file.stored.name).name, spend_file.original_name)
    return text


def _layout(layout: Any, by_path: dict[str, SpendFile]) -> dict[str, Any]:
    """How one layout was read, as kept on the run: file names as uploaded, with their ids for links."""
    data = asdict(layout)
    files = [_shown_name(name, by_path) for name in layout.files]
    data["files"] = [{"file": shown, "file_id": spend_file.pk} for shown, spend_file in files]
    data["reason"] = _named(layout.reason, by_path)
    return data


def column_choices(council: Council) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """A council's column choices: those for every layout (made before layouts were kept), and those for each layout."""
    every: dict[str, str] = {}
    by_layout: dict[str, dict[str, str]] = {}
    for layout, field_name, column in ColumnChoice.objects.filter(council=council).values_list("layout", "field", "column"):
        if layout:
            by_layout.setdefault(layout, {})[field_name] = column
        else:
            every[field_name] = column
    return every, by_layout


def _batched(objects: Iterator[Any], model: type[Any]) -> None:
    batch: list[Any] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)


PAYMENT_COPY_COLUMNS = (
    "council_id",
    "spend_file_id",
    "source_row",
    "date",
    "amount",
    "supplier_name",
    "supplier_key",
    "org_id",
    "supplier_type",
    "is_local",
    "service_area",
    "expense_type",
    "run_id",
)


SUPPLIER_COLUMNS = (
    "council_id",
    "run_id",
    "key",
    "name",
    "names",
    "org_id",
    "supplier_type",
    "evidence",
    "evidence_kind",
    "confidence",
    "postcode",
    "lad_code",
    "is_local",
    "in_region",
    "found_org_id",
    "candidates",
    "total_amount",
    "transactions",
)


def _load(council: Council, run: AnalysisRun, made: Any, by_path: dict[str, SpendFile], reasons: dict[str, Counter[str]]) -> None:
    """The analysis's suppliers, payments and rejected rows saved from the engine's DuckDB in batches, streamed so that
    memory does not grow with the rows; `reasons` is filled with each file's count of rejected rows by reason."""
    suppliers = (
        (
            council.pk,
            run.pk,
            s["supplier_key"],
            s["names"][0][:500] if s["names"] else "",
            " | ".join(s["names"]),
            s["org_id"],
            s["supplier_type"],
            s["evidence"],
            s["evidence_kind"],
            float(s["confidence"] or 0),
            s["postcode"][:12],
            s["lad_code"],
            s["is_local"],
            s.get("in_region"),
            s.get("found_org_id", s["org_id"]),
            s["candidates"],
            f"{s['total_amount']:.2f}",
            int(s["transactions"]),
        )
        for s in sorted(made.suppliers, key=lambda s: (-s["total_amount"], s["supplier_key"]))
    )
    _write_rows(Supplier, SUPPLIER_COLUMNS, suppliers)
    file_ids = [_file_of(name, by_path).pk for name in made.source_names]
    payments = (
        (council.pk, file_ids[index], *rest, run.pk) for batch in made.payments(BATCH, as_text=True) for index, *rest in batch
    )
    _write_rows(Payment, PAYMENT_COPY_COLUMNS, payments)
    _batched(_kept_rejections(made, run, by_path, reasons), RejectedRow)


def _write_rows(model: Any, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
    """Rows of `columns` (values as the database takes them) written to the model's table without a model object each
    (the ORM's conversions took longer than the analysis itself): PostgreSQL's COPY, streamed in one statement (its
    readers never wait for it); on SQLite a batch per statement and transaction, so a reader waits at most one batch."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):  # psycopg's own cursor
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - names from the model

    def write(batch: list[Sequence[Any]]) -> None:
        # One transaction per batch: outside one, SQLite commits every row of executemany on its own (ten times slower).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)

    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            write(batch)
            batch = []
    if batch:
        write(batch)
