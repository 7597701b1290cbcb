"""What the repository's readers computed from its files, kept while it fits a byte budget.

``functools.lru_cache`` counts entries, not bytes: 256 cached sources of 10 MB each, or 128
syntax trees of large modules, exhaust a machine that a stranger's repository should not be
able to exhaust. A ``BoundedCache`` keeps values while the sizes of what they were made from
add up to at most its budget, dropping the least recently used first; a value larger than the
whole budget is computed and returned, never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A thread-safe cache of at most ``budget`` bytes (as ``size`` counts them)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], tuple[V, int]]) -> V:
        """The value for ``key``, computed (value and its size in bytes) if it is not kept. An
        exception is raised to every caller, never kept. Two threads asking for the same key at
        once may both compute it: readers are cheap next to holding a lock while one reads."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
        value, size = compute()
        if size <= self.budget:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = (value, size)
                    self._total += size
                while self._total > self.budget:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self._total -= dropped
        return value
