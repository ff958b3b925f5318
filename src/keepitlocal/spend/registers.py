"""Register files for the whole platform: checked by the engine's own recogniser, stored once, recorded."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction

from keepitlocal.spend.models import RegisterFile


class RegisterError(ValueError):
    """The file is not a register the engine can use; the message says why."""


def _folder() -> Path:
    folder = Path(settings.KIL_REGISTERS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_register(name: str, stream: BinaryIO, user: Any = None) -> tuple[RegisterFile, bool]:
    """Store a register file if the engine recognises it; the same file twice changes nothing."""
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
    if not probe.used:
        final.unlink()
        reason = probe.ignored[0].split(": ", 1)[-1] if probe.ignored else "it is not a register we read"
        raise RegisterError(f"{Path(name).name} was not loaded: {reason}")
    kind, _, rows = probe.used[0].split(": ", 1)[1].rpartition(", ")
    with transaction.atomic():
        record = RegisterFile.objects.create(
            original_name=Path(name).name[:255],
            stored_name=final.name,
            sha256=sha,
            size=final.stat().st_size,
            kind=kind,
            rows=int(re.sub(r"\D", "", rows) or 0),
            loaded_by=user,
        )
    return record, True


def load_register_path(path: Path, user: Any = None) -> tuple[RegisterFile, bool]:
    with open(path, "rb") as handle:
        return load_register(path.name, handle, user)


def remove_register(record: RegisterFile) -> None:
    (_folder() / record.stored_name).unlink(missing_ok=True)
    record.delete()
