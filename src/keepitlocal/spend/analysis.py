"""The analysis of a council's spend files, as the worker runs it: the engine over every file, its rows saved beside
the current ones in short transactions and made current at once, the figures and charts kept with the run, a stopped
worker's run found and failed. Services ask for an analysis (services.start_analysis); tasks run it here."""

from __future__ import annotations

import csv
import gzip
import hashlib
import logging
import threading
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from keepitlocal.common.publicbodies import CouncilRef
from keepitlocal.jobs import Job
from keepitlocal.network.models import Council, Membership
from keepitlocal.spend.engine.classify import SupplierType
from keepitlocal.spend.engine.figures import AnalysisFigures, FigureSet, IndicatorId
from keepitlocal.spend.engine.headings import How
from keepitlocal.spend.engine.pipeline import PAYMENT_COLUMNS
from keepitlocal.spend.engine.read import FileStatus
from keepitlocal.spend.figures import TYPE_LABELS
from keepitlocal.spend.models import (
    AnalysisRun,
    ColumnChoice,
    Payment,
    RegisterFile,
    RejectedRow,
    SpendFile,
    Supplier,
    SupplierCorrection,
)

logger = logging.getLogger(__name__)


BATCH = 5000
# Rows written a batch per transaction on SQLite: each takes a fifth of a second or so (the longest a writer waits).
ROWS_BATCH = 20_000
# SQLite's page cache while an analysis saves its rows (KiB): the indexes' pages stay in memory between batches.
SAVING_CACHE_KIB = 65_536


def corrections_of(council: Council) -> dict[str, tuple[str, str, str]]:
    return {
        c.supplier_key: (c.supplier_type, c.org_id, c.evidence())
        for c in SupplierCorrection.objects.filter(council=council).select_related("corrected_by")
    }


def payments_file(council: Council, run_id: int) -> Path:
    return Path(settings.KIL_FIGURES_DIR) / f"{council.gss_code}-{run_id}.parquet"


def _keep_payments(council: Council, run: AnalysisRun, made: Any) -> None:
    """The analysis's payments, as the figures need them, kept beside the database (a few hundred kilobytes for
    100,000 payments) for corrections to be applied in a second; the council's older ones are removed. A file
    missing (a restored backup, another machine) only means the payments are read from the database instead."""
    import duckdb

    folder = Path(settings.KIL_FIGURES_DIR)
    target = payments_file(council, run.pk)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        made.keep_figure_payments(target)
        for old in folder.glob(f"{council.gss_code}-*.parquet"):
            if old != target:
                old.unlink(missing_ok=True)
    except (OSError, duckdb.Error):
        logger.warning("Could not keep the analysed payments of %s for corrections", council.gss_code, exc_info=True)
        target.unlink(missing_ok=True)


def payment_rows(council: Council) -> Iterator[tuple[Any, ...]]:
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


def platform_registers() -> Any:
    """The registers the network team loaded (charities, companies, postcodes), or None: for other capabilities that
    place organisations as the spend analysis does. The real ones; on a platform that has none, the demonstration's."""
    return registers_for(demo=not RegisterFile.objects.filter(is_demo=False).exists())


def registers_for(demo: bool) -> Any:
    """The registers an analysis reads, loaded from the files the network team recorded (none: None): a real council's
    are the real ones alone, so that made-up records never reach real figures; a demo council's are every one."""
    records = list(RegisterFile.objects.all() if demo else RegisterFile.objects.filter(is_demo=False))
    if not records:
        return None
    from keepitlocal.spend.engine.registers import Registers

    folder = Path(settings.KIL_REGISTERS_DIR)
    key = hashlib.sha256("".join(sorted(record.sha256 for record in records)).encode()).hexdigest()[:16]
    registers = Registers.cached([record.path for record in records], folder / "cache", key)
    # Results name each register with the date it was loaded, not only the engine's line about it.
    registers.used = [record.describe() for record in records]
    return registers


def is_demo_council(council: Council) -> bool:
    """Whether the council's place in the network was made up for the demonstration."""
    return Membership.objects.filter(council=council, is_demo=True).exists()


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

    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=Job.ANALYSE_COUNCIL.value, args_kwargs__args__0=run.pk
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=STOPPED_WORKER,
    )


def warm_up() -> None:
    """Everything an analysis loads the first time, loaded now (the worker calls this as it starts): the engine's
    modules, a first DuckDB connection and matplotlib for the charts."""
    import duckdb

    import keepitlocal.reports.engine.charts
    import keepitlocal.spend.engine.pipeline  # noqa: F401 - imported for its cost, paid here

    duckdb.connect().close()


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
            corrections = corrections_of(council)
            overrides, layout_overrides = column_choices(council)
            options = Options(
                council=council.gss_code,
                registers=registers_for(demo=is_demo_council(council)),
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
                _load(council, run, made, by_path)
                kept_rejected = _save_rejected(council, run, made, by_path, reasons)
                _keep_payments(council, run, made)
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
    if len(figures.years) > 1:
        charts["trend"] = trend_chart(figures)
    old_years = reuse.get("years", {})
    charts["years"] = {
        y.year: _charts_for(y.figures, y.year, months=old_years.get(y.year, {}).get("months")) for y in figures.years
    }
    return charts


def trend_chart(figures: AnalysisFigures) -> str:
    """The headline shares of every financial year, one group of bars a year; a share given as its range, or not known,
    is no bar ('a range' or 'not known' written where it would be), its range in the table beside it."""
    from keepitlocal.reports.engine.charts import grouped_bar_chart
    from keepitlocal.spend.figures import SHARE_WORDS, trend

    rows = trend(figures)
    return grouped_bar_chart(
        [row.year for row in rows],
        {
            SHARE_WORDS[key]: [s.published_value if (s := row.share(key)) is not None else None for row in rows]
            for key in SHARE_WORDS
        },
        "The headline shares of spend in each financial year",
        "Horizontal bars, one group per financial year: the shares to local VCSE organisations, to VCSE organisations and"
        " to local suppliers. A share known for too little spend has no bar; its range is in the table.",
        "trend",
        value_format="{:.1f}%",
        missing="a range or not known",
    )


def _charts_for(figures: FigureSet, year: str = "", months: str | None = None) -> dict[str, str]:
    from keepitlocal.reports.engine.charts import bar_chart, column_chart
    from keepitlocal.spend.figures import month_label

    paid = {m.month: m.amount for m in figures.months}
    # The whole period's chart shows the months with payments; a year's, every month of the year, gaps marked.
    period = figures.period
    every = sorted({*paid, *((*period.months, *period.missing, *period.uncovered) if year else ())})
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
# is kept, compressed, in the council's rejected-rows file beside the figures (`_save_rejected`), for the download.
REJECTED_KEPT = 1_000


RAW_KEPT = 2_000


def _clipped(raw: str) -> str:
    return raw if len(raw) <= RAW_KEPT else raw[:RAW_KEPT] + " … (cut short here; the download has it whole)"


def _rejected_file(council: Council) -> Path:
    return Path(settings.KIL_FIGURES_DIR) / f"{council.gss_code}-rejected.csv.gz"


def _save_rejected(
    council: Council, run: AnalysisRun, made: Any, by_path: dict[str, SpendFile], reasons: dict[str, Counter[str]]
) -> Path:
    """Every rejected row of the analysis, read once: all of them compressed beside the figures under the names the
    files were uploaded with (a file of nothing but bad rows packs as well as it did uploaded), written beside the
    current file to replace it whole once the analysis is current (`_make_current`); the first REJECTED_KEPT of each
    file also saved in the database; `reasons` filled with each file's count of rejected rows by reason."""
    target = _rejected_file(council)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with gzip.open(partial, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_id", "file", "row", "reason", "raw_line"])

        def kept() -> Iterator[RejectedRow]:
            for name, line, reason, raw in made.rejected():
                shown, spend_file = _shown_name(name, by_path)
                writer.writerow([spend_file.pk, shown, line, reason, raw])
                counted = reasons.setdefault(name, Counter())
                counted[reason[:500]] += 1
                if counted.total() <= REJECTED_KEPT:
                    yield RejectedRow(
                        run=run, spend_file=spend_file, source_row=line, reason=reason[:500], raw_line=_clipped(raw)
                    )

        _batched(kept(), RejectedRow)
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


# The payment table's columns for what `_load` writes: the council, the engine's columns (each file's index turned into
# its upload), the analysis.
PAYMENT_COPY_COLUMNS = ("council_id", "spend_file_id", *PAYMENT_COLUMNS[1:], "run_id")


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


def _load(council: Council, run: AnalysisRun, made: Any, by_path: dict[str, SpendFile]) -> None:
    """The analysis's suppliers and payments saved from the engine's DuckDB in batches, streamed so that memory does not
    grow with the rows."""
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
        (council.pk, file_ids[index], *rest, run.pk)
        # By supplier and date: the index of a supplier's payments is then written in order, not at random places (a
        # million payments saved in a third of the time)
        for batch in made.payments(ROWS_BATCH, as_text=True, by_supplier=True)
        for index, *rest in batch
    )
    _write_rows(Payment, PAYMENT_COPY_COLUMNS, payments)


def _write_rows(model: Any, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
    """Rows of `columns` (values as the database takes them) written to the model's table without a model object each
    (the ORM's conversions took longer than the analysis itself): PostgreSQL's COPY, streamed in one statement (its
    readers never wait for it); on SQLite a batch per statement and transaction, so a writer waits at most one batch."""
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
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{SAVING_CACHE_KIB}")
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= ROWS_BATCH:
            _write_batch(sql, batch)
            batch = []
    if batch:
        _write_batch(sql, batch)


def _write_batch(sql: str, batch: list[Sequence[Any]]) -> None:
    # One transaction per batch: outside one, SQLite commits every row of executemany on its own (ten times slower).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, batch)
