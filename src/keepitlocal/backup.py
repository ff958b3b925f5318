"""Backing up and restoring a whole platform: every table, the uploaded files and the register files, in one zip
file that restores into an empty place on SQLite or PostgreSQL alike (`kil backup create FILE`, `kil backup restore
FILE`).

The tables are written by Django's serialiser (one JSON document, times to the microsecond (keepitlocal.exactjson), every model of every app but those that are made
again or are only of the moment: content types and permissions, which migrations make; sessions; request counts), so a backup taken on SQLite restores on PostgreSQL and back. Files go in under `files/uploads/` and
`files/registers/` (the registers' DuckDB cache is left out: the first analysis makes it again). `manifest.json` names
what is inside, with each table's row count and each file's SHA-256, and restoring checks both. The secret key is left
out unless asked for (`--with-secret-key`): a backup should be safe to keep where the live secrets are not.

A backup is one moment of a live platform: every table is dumped and counted inside one read transaction (a snapshot
in SQLite's WAL mode, taking no write lock; REPEATABLE READ, READ ONLY on PostgreSQL), so rows written meanwhile are
in neither the dump nor the counts. Files are listed after the snapshot and hashed as they are written in.

A backup is signed: `signature` is an HMAC-SHA256, keyed from the platform's secret key, of the manifest, which holds
the SHA-256 of data.json and of every file. Restoring refuses a backup whose signature does not verify with this
platform's secret key (or the key file given with `--key-file`, that of the platform that made it), unless the person
restoring says in words that they trust it (`--trust`, with TRUST_WORDS). Whatever is said, a restore never takes
queued tasks (a task names code for the worker to run) and installs a secret key only from a verified backup.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from keepitlocal.common.files import sha256_of
from keepitlocal.spend.engine.sources import EXPANSION_FLOOR, MAX_EXPANSION

logger = logging.getLogger(__name__)

FORMAT = 2
# Backups made before they were signed (no signature, no checksum of data.json): restored only when trusted in words,
# and without the task queue's rows they held (a task names code for the worker to run).
LEGACY_FORMAT = 1
# Made again by migrations, or only of the moment; and queued tasks, which name code for the worker to run: work a
# restored platform needs is started again by people (an analysis is one button).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "accounts.ratecount",
    "django_tasks_database",
]
SALT = "keepitlocal.backup.v2"
TRUST_WORDS = "I trust this backup"
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


@contextmanager
def _snapshot() -> Iterator[None]:
    """One read transaction for the whole dump and its counts (see the module's note)."""
    from django.db import connection

    from keepitlocal.database import reading

    outer = connection.in_atomic_block  # a caller's transaction (tests) already fixes what is seen
    with reading():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if not outer:  # must be the transaction's first statement
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            else:
                cursor.execute("SELECT count(*) FROM django_migrations")  # SQLite's snapshot starts at the first read
        yield


def _sign(manifest: bytes, key: str) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac(SALT, manifest, secret=key, algorithm="sha256").hexdigest()


def _streamed_in(archive: zipfile.ZipFile, name: str, path: Path) -> str:
    """Copy a file into the archive, hashing what was written (a file changed meanwhile is hashed as backed up)."""
    digest = hashlib.sha256()
    with open(path, "rb") as source, archive.open(name, "w", force_zip64=True) as target:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()


def create(target: Path, with_secret_key: bool = False) -> Summary:
    """Writes the backup to `target` (a new file; an existing one is replaced only once the new one is complete)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    target = target.resolve()
    with tempfile.TemporaryDirectory(prefix="kil-backup-") as tmp:
        data = Path(tmp) / "data.json"
        with _snapshot():
            with open(data, "w", encoding="utf-8") as handle:
                call_command(
                    "dumpdata",
                    exclude=EXCLUDED,
                    natural_foreign=True,
                    format="exactjson",
                    stdout=handle,
                    verbosity=0,
                )
            tables = _counts()
            files = _files()  # listed in the same moment as the rows that name them
        partial = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            hashes = {"data.json": _streamed_in(archive, "data.json", data)}
            for name, path in files:
                try:
                    hashes[name] = _streamed_in(archive, name, path)
                except FileNotFoundError:  # removed since it was listed (its row went with it, after the snapshot)
                    logger.info("Backup: %s was removed while the backup was taken; left out", name)
            if with_secret_key:
                archive.writestr("secret_key", settings.SECRET_KEY)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": connection.vendor,
                "tables": tables,
                "data": hashes.pop("data.json"),
                "files": hashes,
                "secret_key": hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest() if with_secret_key else "",
            }
            written = json.dumps(manifest, indent=2, sort_keys=True).encode()
            archive.writestr("manifest.json", written)
            archive.writestr("signature", _sign(written, settings.SECRET_KEY))
        partial.replace(target)
    return Summary(manifest["tables"], len(hashes), target.stat().st_size)


def _verified(archive: zipfile.ZipFile, key: str | None) -> bool:
    """Whether the backup's signature verifies with `key` (the key file given) or this platform's keys."""
    from django.conf import settings

    try:
        manifest, signature = archive.read("manifest.json"), archive.read("signature").decode().strip()
    except (KeyError, UnicodeDecodeError):
        return False
    keys = [key] if key else [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_sign(manifest, k), signature) for k in keys)


def _is_empty() -> bool:
    return not any(_counts().values())


def _checked_manifest(archive: zipfile.ZipFile, source: Path) -> dict[str, Any]:
    """The manifest, refused before anything is written unless every name it gives is a file in a known folder that
    the archive holds, and no member expands implausibly (a zip bomb)."""
    try:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError(f"{source} is not a Keep it Local backup (it has no readable manifest)") from None
    if manifest.get("format") not in (LEGACY_FORMAT, FORMAT):
        raise BackupError(f"{source} was made by another version of the backup (format {manifest.get('format')})")
    if not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{source} has a damaged manifest")
    members = {info.filename: info for info in archive.infolist()}
    folders = _folders()
    for name in ["data.json", *manifest["files"]]:
        info = members.get(name)
        if info is None:
            raise BackupError(f"The backup's manifest names {name}, which it does not hold")
        if info.file_size > EXPANSION_FLOOR and info.file_size > MAX_EXPANSION * max(1, info.compress_size):
            raise BackupError(f"{name} expands more than {MAX_EXPANSION} times its packed size: not a backup this makes")
        if name == "data.json":
            continue
        parts = name.split("/", 2)
        if len(parts) != 3 or parts[0] != "files" or parts[1] not in folders:
            raise BackupError(f"The backup names a file outside its folders: {name}")
        target = (folders[parts[1]] / parts[2]).resolve()
        if not target.is_relative_to(folders[parts[1]].resolve()):
            raise BackupError(f"The backup names a file outside its folders: {name}")
    return manifest


def _without_tasks(data: Path, manifest: dict[str, Any]) -> None:
    """A legacy backup's rows of the task queue left out, from its data and its counts alike."""
    rows = json.loads(data.read_text(encoding="utf-8"))
    kept = [row for row in rows if not str(row.get("model", "")).startswith("django_tasks_database.")]
    data.write_text(json.dumps(kept), encoding="utf-8")
    manifest["tables"] = {k: v for k, v in manifest["tables"].items() if not k.startswith("django_tasks_database.")}


def _permissions_and_sessions() -> tuple[int, int]:
    from django.contrib.auth.models import Permission
    from django.contrib.sessions.models import Session

    return Permission.objects.count(), Session.objects.count()


def restore(source: Path, key: str | None = None, trust: str = "") -> Summary:
    """Restores a backup into this platform, which must be empty (migrated, with no rows and no files). Everything is
    checked before it counts: the manifest's names first; then the tables, loaded in one transaction that is undone
    unless every table holds exactly the rows the manifest says (a table it does not list must stay empty, and no
    sessions or permissions may come in) and every register file name is a plain name; then the files, each against
    its checksum. Before all that, the signature (see the module's note). A failure leaves the place as empty as it
    was."""
    from django.core.management import call_command
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from keepitlocal.spend.models import RegisterFile

    if not zipfile.is_zipfile(source):
        raise BackupError(f"{source} is not a Keep it Local backup (not a zip file)")
    with zipfile.ZipFile(source) as archive:
        verified = _verified(archive, key)
    if not verified and trust != TRUST_WORDS:
        raise BackupError(
            f"{source} was not made by this platform, or was changed since: its signature does not match "
            + ("the key file given" if key else "this platform's secret key")
            + ". Give the key file of the platform that made it (--key-file), or, if you know where it came from, "
            + f'say so: --trust "{TRUST_WORDS}"'
        )
    call_command("migrate", verbosity=0, interactive=False)
    if not _is_empty() or _files():
        raise BackupError(
            "This platform already holds data: restore a backup only into an empty place (a new database and folder)"
        )
    folders = _folders()
    written: list[Path] = []
    with zipfile.ZipFile(source) as archive, tempfile.TemporaryDirectory(prefix="kil-restore-") as tmp:
        manifest = _checked_manifest(archive, source)
        data = Path(tmp) / "data.exactjson"
        with archive.open("data.json") as packed, open(data, "wb") as out:
            shutil.copyfileobj(packed, out)
        digest = hashlib.sha256()
        with open(data, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        if manifest["format"] == LEGACY_FORMAT:
            _without_tasks(data, manifest)
        elif manifest.get("data") != digest.hexdigest():
            raise BackupError("data.json does not match its checksum in the backup")
        before = _permissions_and_sessions()
        tasks_before = DBTaskResult.objects.count()
        try:
            with transaction.atomic():
                call_command("loaddata", str(data), verbosity=0)
                if DBTaskResult.objects.count() != tasks_before:
                    raise BackupError("The backup holds queued tasks, which a backup made here never does")
                counts = _counts()
                wrong = {
                    label: (manifest["tables"].get(label, 0), rows)
                    for label, rows in counts.items()
                    if rows != manifest["tables"].get(label, 0)
                }
                if wrong:
                    raise BackupError(f"The restored tables do not match the backup's manifest (expected, found): {wrong}")
                if _permissions_and_sessions() != before:
                    raise BackupError("The backup holds sessions or permissions, which a backup made here never does")
                if any(
                    Path(n).name != n or n.startswith(".") for n in RegisterFile.objects.values_list("stored_name", flat=True)
                ):
                    raise BackupError("The backup names a register file with a folder in it")
                for name, digest in manifest["files"].items():
                    _, kind, relative = name.split("/", 2)
                    path = folders[kind] / relative
                    path.parent.mkdir(parents=True, exist_ok=True)
                    written.append(path)
                    with archive.open(name) as packed, open(path, "wb") as out:
                        shutil.copyfileobj(packed, out)
                    if sha256_of(path) != digest:
                        raise BackupError(f"{name} does not match its checksum in the backup")
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        if verified and manifest.get("secret_key") and "secret_key" in archive.namelist():
            from django.conf import settings

            carried = archive.read("secret_key")
            if hashlib.sha256(carried).hexdigest() == manifest["secret_key"]:
                key_file = Path(settings.VAR_DIR) / "secret_key"
                key_file.write_bytes(carried)
                key_file.chmod(0o600)
    return Summary(manifest["tables"], len(manifest["files"]), sum(p.stat().st_size for p in written))
