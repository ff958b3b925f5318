"""The database as requests use it: consistent readings that take no write lock, and an honest "busy" when a write
waits too long.

On the embedded SQLite (what `make run` serves) a transaction begins IMMEDIATE (settings.py), taking the one write
lock, so that two requests writing at once queue instead of failing. A reading of several queries that must agree
needs a transaction too, but not the write lock: `reading()` begins it DEFERRED, which in WAL mode reads one snapshot
while a writer works. A write that still cannot get the lock within the timeout (a long migration, a restore) is
answered 503 with Retry-After (`busy`), never as a fault of ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connections, transaction

RETRY_AFTER = 5  # seconds: a batch of an analysis's save takes well under a second
BUSY_MESSAGE = "The service is busy saving other work. Try again in a few seconds."


@contextmanager
def reading(using: str = "default") -> Iterator[None]:
    """One consistent reading of several queries, without the write lock; nothing may be written inside it."""
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic(using=using):
            yield
        return
    connection.ensure_connection()  # the wrapper learns its transaction mode from the settings as it connects
    mode = connection.transaction_mode  # type: ignore[attr-defined]
    connection.transaction_mode = None  # type: ignore[attr-defined]  # a plain BEGIN: DEFERRED, a snapshot in WAL
    try:
        with transaction.atomic(using=using):
            yield
    finally:
        connection.transaction_mode = mode  # type: ignore[attr-defined]


def busy(error: BaseException | None) -> bool:
    """Whether an error is the database's write lock not coming free in time (SQLite; PostgreSQL's writers don't wait
    for one lock)."""
    text = str(error).lower()
    return isinstance(error, OperationalError) and ("database is locked" in text or "database table is locked" in text)
