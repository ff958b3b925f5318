"""The embedded SQLite under a long write (an analysis saving its results): pages still read at once (WAL), and
another write waits its turn instead of failing with "database is locked". Run on a real database file in its own
process, as `make run` uses it (the tests' own database is in memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import json, threading, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
call_command("migrate", verbosity=0)
from keepitlocal.network.models import NetworkMember
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
result = {"mode": mode}

def long_write():
    with transaction.atomic():
        NetworkMember.objects.create(kind="individual", name="Writer", email="writer@example.org")
        time.sleep(3)
    connection.close()

def read():
    started = time.monotonic()
    result["read"] = NetworkMember.objects.count()
    result["read_seconds"] = time.monotonic() - started
    connection.close()

def second_write():
    try:
        NetworkMember.objects.create(kind="individual", name="Joiner", email="joiner@example.org")
        result["second_write"] = "saved"
    except Exception as error:
        result["second_write"] = repr(error)
    connection.close()

writer = threading.Thread(target=long_write)
writer.start()
time.sleep(0.5)
others = [threading.Thread(target=read), threading.Thread(target=second_write)]
for thread in others:
    thread.start()
for thread in [writer, *others]:
    thread.join()
result["rows"] = NetworkMember.objects.count()
print(json.dumps(result))
"""


def test_reads_go_on_and_writes_wait_their_turn_during_a_long_write(tmp_path: Path) -> None:
    env = {**os.environ, "KIL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "keepitlocal.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["mode"] == "wal"
    assert result["read"] == 0 and result["read_seconds"] < 1  # the reader did not wait for the writer
    assert result["second_write"] == "saved" and result["rows"] == 2  # the second writer waited, and nothing was lost
