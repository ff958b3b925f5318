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


HELD = r"""
import json, threading, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
call_command("migrate", verbosity=0)
from keepitlocal.connections.models import ConnectionMap
from keepitlocal.connections.services import network_of
from keepitlocal.network.models import NetworkMember, Organisation
cmap = ConnectionMap.objects.create(organisation=Organisation.objects.create(name="Calder Valley Hub"))
result = {}
held = threading.Event()

def hold_the_lock():
    with transaction.atomic():  # as a long write holds it: a migration, a restore
        NetworkMember.objects.create(kind="individual", name="Writer", email="writer@example.org")
        held.set()
        time.sleep(4)
    connection.close()

def timed(name, call):
    started = time.monotonic()
    try:
        result[name] = call()
    except Exception as error:
        result[name] = repr(error)
    result[name + "_seconds"] = time.monotonic() - started
    connection.close()

def api():
    response = Client(raise_request_exception=False).get("/api/v1/principles")
    return [response.status_code, response.get("Retry-After"), json.loads(response.content).get("code")]

def sign_in():
    response = Client(raise_request_exception=False).post("/account/sign-in/", {"email": "a@example.org", "password": "not-the-password-at-all"})
    return [response.status_code, response.get("Retry-After")]

writer = threading.Thread(target=hold_the_lock)
writer.start()
held.wait()
for name, call in (("map", lambda: len(network_of(cmap).elements)), ("api", api), ("sign_in", sign_in)):
    timed(name, call)
writer.join()
print(json.dumps(result))
"""


def test_while_the_write_lock_is_held_readings_go_on_and_writers_are_told_to_come_back(tmp_path: Path) -> None:
    """A consistent reading of a map takes no write lock; the API's request limit and sign-in, which write, wait
    for it briefly and then answer 503 with Retry-After (JSON for the API), never a 500."""
    env = {
        **os.environ,
        "KIL_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "keepitlocal.settings",
        "KIL_SQLITE_TIMEOUT": "1",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", HELD], env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["map"] == 0 and result["map_seconds"] < 0.5, result
    assert result["api"] == [503, "5", "busy"], result
    assert result["sign_in"] == [503, "5"], result
