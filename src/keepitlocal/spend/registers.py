"""Register files for the whole platform: checked by the engine's own recogniser, stored once, recorded."""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from keepitlocal.jobs import Job, enqueue
from keepitlocal.network.models import Council
from keepitlocal.spend.engine.publishers import RegisterKind
from keepitlocal.spend.models import AnalysisRun, Reanalysis, RegisterFetch, RegisterFile

logger = logging.getLogger(__name__)


class RegisterError(ValueError):
    """The file is not a register the engine can use; the message says why."""


def _folder() -> Path:
    folder = Path(settings.KIL_REGISTERS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_register(
    name: str, stream: BinaryIO, user: Any = None, source: dict[str, Any] | None = None, demo: bool = False
) -> tuple[RegisterFile, bool]:
    """Store a register file if the engine recognises it; the same file twice changes nothing. `source` records where
    a fetched file came from (source_url, edition, fetched_at); `demo` marks a register made up for the demonstration."""
    from keepitlocal.spend.engine.registers import Registers

    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name)[:200] or "register.csv"
    staging = _folder() / f".incoming-{safe}"
    digest = hashlib.sha256()
    with open(staging, "wb") as out:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    existing = RegisterFile.objects.filter(sha256=sha).first()
    if existing:
        staging.unlink()
        return existing, False
    final = _folder() / f"{sha[:12]}-{safe}"
    staging.rename(final)
    probe = Registers()
    try:
        probe.load(final)
    finally:
        probe.close()
    if not probe.loaded:
        final.unlink()
        reason = probe.ignored[0].split(": ", 1)[-1] if probe.ignored else "it is not a register we read"
        raise RegisterError(f"{Path(name).name} was not loaded: {reason}")
    loaded = probe.loaded[0]
    with transaction.atomic():
        record = RegisterFile.objects.create(
            original_name=Path(name).name[:255],
            stored_name=final.name,
            sha256=sha,
            size=final.stat().st_size,
            kind=loaded.label,
            kind_code=loaded.kind,
            rows=loaded.rows,
            loaded_by=user,
            is_demo=demo,
            **(source or {}),
        )
    return record, True


def load_register_path(path: Path, user: Any = None, source: dict[str, Any] | None = None) -> tuple[RegisterFile, bool]:
    with open(path, "rb") as handle:
        return load_register(path.name, handle, user, source)


def remove_register(record: RegisterFile) -> None:
    record.path.unlink(missing_ok=True)
    record.delete()


@dataclass(frozen=True)
class FetchOutcome:
    """What fetching one register came to: loaded (or already loaded), or why not."""

    kind: RegisterKind
    title: str
    ok: bool
    message: str
    changed: bool = False  # a new edition was loaded (the analyses rest on other registers now)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "title": self.title, "ok": self.ok, "message": self.message}


def downloads_folder() -> Path:
    return _folder() / "downloads"


def fetch_and_load(
    kinds: Iterable[RegisterKind],
    folder: Path | None = None,
    mirror: str | None = None,
    progress: Callable[[RegisterKind, int, int | None], None] | None = None,
    user: Any = None,
) -> Iterator[FetchOutcome]:
    """Fetch each register's latest edition from its publisher, verify it, and load it for every analysis, replacing
    the edition fetched before; one register failing does not stop the others. Yields as each finishes."""
    from keepitlocal.spend.engine.fetch import FetchError, fetch
    from keepitlocal.spend.engine.publishers import publisher

    target = folder or downloads_folder()
    for kind in kinds:
        source = publisher(kind)

        def report(done: int, total: int | None, kind: RegisterKind = kind) -> None:
            if progress is not None:
                progress(kind, done, total)

        try:
            fetched = fetch(source, target, mirror, report)
            record, created = load_register_path(
                fetched.path,
                user,
                {"source_url": fetched.source_url, "edition": fetched.edition, "fetched_at": fetched.fetched_at},
            )
        except (FetchError, RegisterError) as error:
            logger.warning("Fetching %s failed: %s", kind.value, error)
            yield FetchOutcome(kind, source.title, False, str(error))
            continue
        if created:
            for older in RegisterFile.objects.filter(kind_code=record.kind_code).exclude(source_url="").exclude(pk=record.pk):
                remove_register(older)
        yield FetchOutcome(
            kind,
            source.title,
            True,
            ("Loaded " if created else "Already loaded: ") + f"{record.original_name}: {record.describe()}",
            created,
        )


def start_fetch(kinds: list[RegisterKind], user: Any) -> RegisterFetch:
    record = RegisterFetch.objects.create(kinds=[k.value for k in kinds], requested_by=user)
    enqueue(Job.FETCH_REGISTERS, record.pk)
    return record


def run_fetch(fetch_id: int) -> None:
    """The background fetch asked for on the registers page: each register's outcome is saved as it finishes, and a
    failure keeps its traceback for the network team."""
    record = RegisterFetch.objects.get(pk=fetch_id)
    RegisterFetch.objects.filter(pk=fetch_id).update(status=RegisterFetch.Status.RUNNING)
    results: list[dict[str, Any]] = []
    changed: list[str] = []
    try:
        kinds = [RegisterKind(k) for k in record.kinds]
        for outcome in fetch_and_load(kinds, mirror=settings.KIL_REGISTERS_MIRROR or None, user=record.requested_by):
            results.append(outcome.as_json())
            if outcome.changed:
                changed.append(outcome.title)
            RegisterFetch.objects.filter(pk=fetch_id).update(results=results)
    except Exception:
        logger.exception("Register fetch %s failed", fetch_id)
        RegisterFetch.objects.filter(pk=fetch_id).update(
            status=RegisterFetch.Status.FAILED, results=results, traceback=traceback.format_exc(), finished_at=timezone.now()
        )
        return
    ok = all(r["ok"] for r in results)
    RegisterFetch.objects.filter(pk=fetch_id).update(
        status=RegisterFetch.Status.SUCCEEDED if ok else RegisterFetch.Status.FAILED, results=results, finished_at=timezone.now()
    )
    if changed:
        reanalyse_all(f"newer registers fetched ({', '.join(changed)})", record.requested_by)


def reanalyse_all(reason: str, user: Any = None) -> Reanalysis | None:
    """Analyse every council with a finished analysis again, because the registers changed: an analysis queued for
    each (or the one already waiting to start, which reads the registers when it starts), each its own task. None
    when no council has analysed spend."""
    from keepitlocal.spend.services import start_analysis

    councils = list(Council.objects.filter(analysis_runs__status=AnalysisRun.Status.SUCCEEDED).distinct().order_by("name"))
    if not councils:
        return None
    batch = Reanalysis.objects.create(
        reason=reason,
        councils=[c.gss_code for c in councils],
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    runs = [start_analysis(council).pk for council in councils]
    Reanalysis.objects.filter(pk=batch.pk).update(runs=runs)
    batch.runs = runs
    return batch
