"""A small, bounded, thread-safe store of built objects kept for the life of a process.

Django's local-memory cache pickles what it keeps, so every read copies it: right for data a caller may change, a
waste for a large, read-only object read on every request (a council's supplier index is read by every search).
What is kept here must not be changed by its readers; its key must say everything it was built from."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    """The last `size` objects built, by key; the least recently read goes first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        # Built outside the lock: two threads that miss together both build, and the second's copy is kept; a
        # build never holds up readers of other keys.
        made = build()
        with self._lock:
            self._items[key] = made
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
