"""The per-process store of built read-only objects: bounded, least recently read first out, built once per key."""

from __future__ import annotations

import threading

from keepitlocal.common.kept import Kept


def test_builds_once_per_key_and_returns_the_same_object() -> None:
    built: list[str] = []
    kept: Kept[list[str]] = Kept(size=4)

    def build() -> list[str]:
        built.append("x")
        return ["made"]

    first = kept.get("a", build)
    second = kept.get("a", build)
    assert first is second
    assert built == ["x"]


def test_least_recently_read_goes_first_when_full() -> None:
    kept: Kept[str] = Kept(size=2)
    kept.get("a", lambda: "A")
    kept.get("b", lambda: "B")
    kept.get("a", lambda: "never")  # read: "a" is now the most recent
    kept.get("c", lambda: "C")  # over size: "b" goes
    assert kept.get("a", lambda: "rebuilt a") == "A"
    assert kept.get("b", lambda: "rebuilt b") == "rebuilt b"


def test_clear_forgets_everything() -> None:
    kept: Kept[str] = Kept(size=2)
    kept.get("a", lambda: "A")
    kept.clear()
    assert kept.get("a", lambda: "again") == "again"


def test_threads_reading_together_all_get_a_built_object_and_size_holds() -> None:
    kept: Kept[int] = Kept(size=3)
    seen: list[int] = []
    lock = threading.Lock()

    def read(n: int) -> None:
        value = kept.get(n % 5, lambda: n % 5)
        with lock:
            seen.append(value)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(seen)) == [0, 1, 2, 3, 4]
    assert len(kept._items) <= 3
