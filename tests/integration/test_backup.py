"""`kil backup create` and `kil backup restore`: the demo backed up, restored into an empty place, and every table
and file compared; on SQLite always, and on PostgreSQL when the tests run there."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from keepitlocal.backup import EXCLUDED, TRUST_WORDS


def _kil(var: Path, database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIL_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "keepitlocal.settings", "KIL_DEMO_SCALE": "0.02",
           "KIL_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "KIL_LOG_LEVEL": "ERROR"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    code = "import sys; from keepitlocal.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False)


def _tables(var: Path, database: str) -> list[dict[str, object]]:
    dump = var / "dump.json"
    done = _kil(var, database, "manage", "dumpdata", "--natural-foreign", "--format", "exactjson",
                *[f"--exclude={label}" for label in EXCLUDED], "--output", str(dump))  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(dump.read_text())
    dump.unlink()
    return rows


def _files(var: Path) -> dict[str, str]:
    found = {}
    for folder in ("uploads", "registers"):
        for path in sorted((var / folder).rglob("*")):
            if path.is_file() and "cache" not in path.relative_to(var / folder).parts[:1]:
                found[str(path.relative_to(var))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _round_trip(tmp_path: Path, source_db: str, target_db: str) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for step in (("manage", "migrate", "-v0"), ("load-demo",)):
        done = _kil(source, source_db, *step)
        assert done.returncode == 0, done.stdout + done.stderr
    backup = tmp_path / "platform.zip"
    done = _kil(source, source_db, "backup", "create", str(backup))
    assert done.returncode == 0 and "Backed up" in done.stdout, done.stdout + done.stderr
    _restore_and_compare(tmp_path, source, backup, source_db, target_db)


def _restore_and_compare(tmp_path: Path, source: Path, backup: Path, source_db: str, target_db: str) -> None:
    target = tmp_path / "target"
    target.mkdir()
    # A new place has a secret key of its own: the backup's signature is checked with the key of the place that made it.
    done = _kil(target, target_db, "backup", "restore", str(backup))
    assert done.returncode == 1 and "its signature does not match" in done.stderr, done.stdout + done.stderr
    done = _kil(target, target_db, "backup", "restore", str(backup), "--key-file", str(source / "secret_key"))
    assert done.returncode == 0 and "every count and checksum matches" in done.stdout, done.stdout + done.stderr
    expected = _tables(source, source_db)
    assert len(expected) > 1000 and {row["model"] for row in expected} >= {"spend.payment", "accounts.user", "network.council"}
    assert _tables(target, target_db) == expected
    files = _files(source)
    assert files and _files(target) == files
    assert not (target / "secret_key").exists() or (target / "secret_key").read_text() != (source / "secret_key").read_text()
    # Restoring again, over what is now there, is refused in one line.
    again = _kil(target, target_db, "backup", "restore", str(backup), "--key-file", str(source / "secret_key"))
    assert (
        again.returncode == 1 and "restore a backup only into an empty place" in again.stderr and "Traceback" not in again.stderr
    )


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo on SQLite and its backup, made once for the tests below."""
    folder = tmp_path_factory.mktemp("sqlite-demo")
    source = folder / "source"
    source.mkdir()
    for step in (("manage", "migrate", "-v0"), ("load-demo",)):
        done = _kil(source, "", *step)
        assert done.returncode == 0, done.stdout + done.stderr
    backup = folder / "platform.zip"
    done = _kil(source, "", "backup", "create", str(backup))
    assert done.returncode == 0 and "Backed up" in done.stdout, done.stdout + done.stderr
    return source, backup


def test_the_demo_round_trips_on_sqlite(tmp_path: Path, sqlite_demo: tuple[Path, Path]) -> None:
    _restore_and_compare(tmp_path, *sqlite_demo, "", "")


def test_the_demo_round_trips_on_postgresql(tmp_path: Path) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("runs where the tests run on PostgreSQL (DATABASE_URL)")
    import psycopg

    base = url.rsplit("/", 1)[0]
    names = [f"kil_backup_{uuid.uuid4().hex[:8]}_{side}" for side in ("source", "target")]
    with psycopg.connect(url, autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        _round_trip(tmp_path, f"{base}/{names[0]}", f"{base}/{names[1]}")
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    not_backup = tmp_path / "photo.zip"
    not_backup.write_bytes(b"not a zip")
    done = _kil(tmp_path, "", "backup", "restore", str(not_backup))
    assert done.returncode == 1 and "is not a Keep it Local backup" in done.stderr


def _crafted(
    good: Path,
    out: Path,
    manifest_change: object = None,
    data_change: object = None,
    extra: dict[str, bytes] | None = None,
    signed: bool = True,
) -> Path:
    import zipfile

    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        manifest = json.loads(source.read("manifest.json"))
        data = json.loads(source.read("data.json"))
        if manifest_change:
            manifest_change(manifest)  # type: ignore[operator]
        if data_change:
            data_change(data)  # type: ignore[operator]
        written = json.dumps(data).encode()
        manifest["data"] = hashlib.sha256(written).hexdigest()  # as an attacker would: every hash can be made again
        target.writestr("manifest.json", json.dumps(manifest))
        target.writestr("data.json", written)
        if signed and "signature" in source.namelist():
            target.writestr("signature", source.read("signature"))  # the signature cannot
        for name in manifest["files"]:
            if name in source.namelist():
                target.writestr(name, source.read(name))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out


def test_crafted_backups_are_refused_before_anything_is_left_behind(tmp_path: Path, sqlite_demo: tuple[Path, Path]) -> None:
    _source, good = sqlite_demo
    target = tmp_path / "target"
    target.mkdir()

    def escape(manifest: dict[str, dict[str, str]]) -> None:
        manifest["files"]["files/uploads/../../escaped.txt"] = "0" * 64

    def extra_admin(data: list[dict[str, object]]) -> None:  # a user the manifest does not count
        user = next(row for row in data if row["model"] == "accounts.user")
        data.append({**user, "pk": 99999, "fields": {**user["fields"], "email": "intruder@example.org"}})  # type: ignore[dict-item]

    def register_elsewhere(data: list[dict[str, object]]) -> None:
        row = next(row for row in data if row["model"] == "spend.registerfile")
        row["fields"]["stored_name"] = "../../victim.txt"  # type: ignore[index]

    crafted = [
        (_crafted(good, tmp_path / "escape.zip", manifest_change=escape, extra={"files/uploads/../../escaped.txt": b"x"}), "outside its folders"),
        (_crafted(good, tmp_path / "admin.zip", data_change=extra_admin), "do not match the backup's manifest"),
        (_crafted(good, tmp_path / "register.zip", data_change=register_elsewhere), "register file with a folder"),
    ]  # fmt: skip
    for backup, reason in crafted:
        # Changed since it was signed: refused as such. Said to be trusted: still refused, for what is wrong in it.
        done = _kil(target, "", "backup", "restore", str(backup), "--key-file", str(_source / "secret_key"))
        assert done.returncode == 1 and "its signature does not match" in done.stderr, done.stderr
        done = _kil(target, "", "backup", "restore", str(backup), "--trust", TRUST_WORDS)
        assert done.returncode == 1 and reason in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert not (tmp_path / "escaped.txt").exists() and not list((target / "uploads").rglob("*.*"))
    # The place is as empty as it was: the real backup restores into it.
    done = _kil(target, "", "backup", "restore", str(good), "--key-file", str(_source / "secret_key"))
    assert done.returncode == 0 and "every count and checksum matches" in done.stdout, done.stderr


def test_trusted_in_words_a_backup_still_brings_no_tasks_and_no_secret_key(
    tmp_path: Path, sqlite_demo: tuple[Path, Path]
) -> None:
    """What an edited backup could do once trusted: queue code for the worker to run, or replace the secret key."""
    _source, good = sqlite_demo

    def queued(data: list[dict[str, object]]) -> None:
        data.append({"model": "django_tasks_database.dbtaskresult", "pk": "3f2b1c8e-0000-4000-8000-000000000001", "fields": {
            "status": "READY", "args_kwargs": {"args": [], "kwargs": {}}, "task_path": "os.system", "backend_name": "default",
            "run_after": "2026-01-01T00:00:00Z", "enqueued_at": "2026-01-01T00:00:00Z", "priority": 0, "queue_name": "default",
            "worker_ids": [], "exception_class_path": "", "traceback": ""}})  # fmt: skip

    target = tmp_path / "target"
    target.mkdir()
    tasks = _crafted(good, tmp_path / "tasks.zip", data_change=queued)
    done = _kil(target, "", "backup", "restore", str(tasks), "--trust", TRUST_WORDS)
    assert done.returncode == 1 and "queued tasks" in done.stderr, done.stderr
    key = _crafted(
        good, tmp_path / "key.zip", manifest_change=lambda m: m.update(secret_key="x"), extra={"secret_key": b"chosen"}
    )
    before = (target / "secret_key").read_text()
    done = _kil(target, "", "backup", "restore", str(key), "--trust", TRUST_WORDS)
    assert done.returncode == 0, done.stderr
    assert (target / "secret_key").read_text() == before  # trusted, not verified: the key is not taken


def test_a_backup_made_before_backups_were_signed_restores_only_when_trusted_and_without_its_tasks(
    tmp_path: Path, sqlite_demo: tuple[Path, Path]
) -> None:
    """Format 1 (no signature, no checksum of its data, task rows dumped with the rest) as backups were made before."""
    _source, good = sqlite_demo

    def legacy_manifest(manifest: dict[str, object]) -> None:
        manifest["format"] = 1
        tables = manifest["tables"]
        assert isinstance(tables, dict)
        tables["django_tasks_database.dbtaskresult"] = 1

    def with_task(data: list[dict[str, object]]) -> None:
        data.append({"model": "django_tasks_database.dbtaskresult", "pk": "3f2b1c8e-0000-4000-8000-000000000002", "fields": {
            "status": "READY", "args_kwargs": {"args": [], "kwargs": {}}, "task_path": "os.system", "backend_name": "default",
            "run_after": "2026-01-01T00:00:00Z", "enqueued_at": "2026-01-01T00:00:00Z", "priority": 0, "queue_name": "default",
            "worker_ids": [], "exception_class_path": "", "traceback": ""}})  # fmt: skip

    legacy = _crafted(good, tmp_path / "legacy.zip", manifest_change=legacy_manifest, data_change=with_task, signed=False)
    target = tmp_path / "target"
    target.mkdir()
    refused = _kil(target, "", "backup", "restore", str(legacy))
    assert refused.returncode == 1 and "signature does not match" in refused.stderr, refused.stderr
    done = _kil(target, "", "backup", "restore", str(legacy), "--trust", TRUST_WORDS)
    assert done.returncode == 0, done.stderr
    counted = _kil(
        target, "", "manage", "shell", "-c",
        "from django_tasks_db.models import DBTaskResult; from keepitlocal.network.models import Council; "
        "print(DBTaskResult.objects.count(), Council.objects.count())",
    )  # fmt: skip
    tasks, councils = (int(n) for n in counted.stdout.split()[-2:])
    assert tasks == 0 and councils > 400


WRITES_DURING = r"""
import sys, threading
import django
django.setup()
from django.db import connection
from keepitlocal.backup import create
from keepitlocal.network.models import NetworkMember

state = {"done": False}

def write():
    for n in range(20):  # people joining while the backup is taken
        NetworkMember.objects.create(kind="individual", name=f"Joiner {n}", email=f"joiner{n}@example.org")
    connection.close()

def hook(execute, sql, params, many, context):
    if not state["done"] and "spend_payment" in sql:  # tables before it are dumped; those after are not yet
        state["done"] = True
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=30)
        assert not writer.is_alive(), "a write waited for the backup"
    return execute(sql, params, many, context)

with connection.execute_wrapper(hook):
    create(__import__("pathlib").Path(sys.argv[1]))
assert state["done"]
print(NetworkMember.objects.filter(email__startswith="joiner").count())
"""


def test_a_backup_taken_while_people_write_restores(tmp_path: Path, sqlite_demo: tuple[Path, Path]) -> None:
    """Rows written between one table's dump and the next (here people joining) are in neither the dump nor its
    counts: the backup is of one moment, and restores."""
    source, _good = sqlite_demo
    env = {**os.environ, "KIL_VAR_DIR": str(source), "DJANGO_SETTINGS_MODULE": "keepitlocal.settings", "KIL_LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    backup = tmp_path / "live.zip"
    done = subprocess.run(
        [sys.executable, "-c", WRITES_DURING, str(backup)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "20", done.stdout + done.stderr
    target = tmp_path / "target"
    target.mkdir()
    restored = _kil(target, "", "backup", "restore", str(backup), "--key-file", str(source / "secret_key"))
    assert restored.returncode == 0 and "every count and checksum matches" in restored.stdout, restored.stderr
