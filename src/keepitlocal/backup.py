"""Backing up and restoring a whole platform: every table, the uploaded files and the register files, in one zip
file that restores into an empty place on SQLite or PostgreSQL alike (`kil backup create FILE`, `kil backup restore
FILE`).

The tables are written by Django's serialiser (one JSON document, times to the microsecond (keepitlocal.exactjson), every model of every app but those that are made
again or are only of the moment: content types and permissions, which migrations make; sessions; request counts), so a backup taken on SQLite restores on PostgreSQL and back. Files go in under `files/uploads/` and
`files/registers/` (the registers' DuckDB cache is left out: the first analysis makes it again). `manifest.json` names
what is inside, with each table's row count and each file's SHA-256, and restoring checks both. The secret key is left
out unless asked for (`--with-secret-key`): a backup should be safe to keep where the live secrets are not.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FORMAT = 1
# Made again by migrations, or only of the moment. (Queued tasks are kept: a worker picks them up after a restore.)
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "accounts.ratecount",
]
CACHE_FOLDERS = {"cache"}  # under the registers folder: rebuilt from the register files


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why in a sentence."""


@dataclass(frozen=True)
class Summary:
    tables: dict[str, int]  # model label -> rows
    files: int
    bytes: int


def _folders() -> dict[str, Path]:
    from django.conf import settings

    return {"uploads": Path(settings.MEDIA_ROOT), "registers": Path(settings.KIL_REGISTERS_DIR)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _files() -> list[tuple[str, Path]]:
    found = []
    for name, folder in _folders().items():
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder)
            if name == "registers" and relative.parts[0] in CACHE_FOLDERS:
                continue
            found.append((f"files/{name}/{relative.as_posix()}", path))
    return found


def _counts() -> dict[str, int]:
    from django.apps import apps

    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label for label in EXCLUDED if "." in label}
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded_apps or label in excluded_models or not model._meta.managed:
            continue
        counts[label] = model._default_manager.count()
    return counts


def create(target: Path, with_secret_key: bool = False) -> Summary:
    """Writes the backup to `target` (a new file; an existing one is replaced only once the new one is complete)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    target = target.resolve()
    with tempfile.TemporaryDirectory(prefix="kil-backup-") as tmp:
        data = Path(tmp) / "data.json"
        with open(data, "w", encoding="utf-8") as handle:
            call_command(
                "dumpdata",
                exclude=EXCLUDED,
                natural_foreign=True,
                format="exactjson",
                stdout=handle,
                verbosity=0,
            )
        files = _files()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "tables": _counts(),
            "files": {name: _sha256(path) for name, path in files},
            "secret_key": with_secret_key,
        }
        partial = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
            archive.write(data, "data.json")
            for name, path in files:
                archive.write(path, name)
            if with_secret_key:
                archive.writestr("secret_key", settings.SECRET_KEY)
        partial.replace(target)
    return Summary(manifest["tables"], len(files), target.stat().st_size)


def _is_empty() -> bool:
    return not any(_counts().values())


def restore(source: Path) -> Summary:
    """Restores a backup into this platform, which must be empty (migrated, with no rows and no files): the tables,
    then the files, each checked against the manifest."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    if not zipfile.is_zipfile(source):
        raise BackupError(f"{source} is not a Keep it Local backup (not a zip file)")
    call_command("migrate", verbosity=0, interactive=False)
    if not _is_empty() or _files():
        raise BackupError(
            "This platform already holds data: restore a backup only into an empty place (a new database and folder)"
        )
    with zipfile.ZipFile(source) as archive, tempfile.TemporaryDirectory(prefix="kil-restore-") as tmp:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except KeyError:
            raise BackupError(f"{source} is not a Keep it Local backup (it has no manifest)") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{source} was made by another version of the backup (format {manifest.get('format')})")
        data = Path(tmp) / "data.exactjson"
        with archive.open("data.json") as packed, open(data, "wb") as out:
            shutil.copyfileobj(packed, out)
        with transaction.atomic():
            call_command("loaddata", str(data), verbosity=0)
            counts = _counts()
            wrong = {label: (rows, counts.get(label)) for label, rows in manifest["tables"].items() if counts.get(label) != rows}
            if wrong:
                raise BackupError(f"The restored tables do not match the backup's counts: {wrong}")
        folders = _folders()
        written = 0
        for name, digest in manifest["files"].items():
            _, kind, relative = name.split("/", 2)
            path = (folders[kind] / relative).resolve()
            if not path.is_relative_to(folders[kind].resolve()):
                raise BackupError(f"The backup names a file outside its folder: {name}")
            path.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as packed, open(path, "wb") as out:
                shutil.copyfileobj(packed, out)
            if _sha256(path) != digest:
                raise BackupError(f"{name} does not match its checksum in the backup")
            written += path.stat().st_size
        if manifest.get("secret_key") and "secret_key" in archive.namelist():
            key_file = Path(settings.VAR_DIR) / "secret_key"
            key_file.write_text(archive.read("secret_key").decode())
            key_file.chmod(0o600)
    return Summary(manifest["tables"], len(manifest["files"]), written)
