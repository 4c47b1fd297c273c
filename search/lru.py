"""A bounded, thread-safe cache of the most recently used entries (the per-process caches of
highlighted texts, spelling document sets and web answers)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MISSING = object()  # what ``get`` gives for a key it does not hold (None may be a kept value)


class LRU:
    """At most ``items`` entries and, with ``weight``, at most ``budget`` in their summed
    weights; the least recently used go first."""

    def __init__(self, items: int, budget: int | None = None, weight: Callable[[Any], int] | None = None):
        self.items, self.budget, self.weight = items, budget, weight
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._entries.get(key, MISSING)
            if value is not MISSING:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            old = self._entries.pop(key, MISSING)
            if old is not MISSING and self.weight:
                self._total -= self.weight(old)
            self._entries[key] = value
            if self.weight:
                self._total += self.weight(value)
            while self._entries and (len(self._entries) > self.items
                                     or (self.budget is not None and self._total > self.budget)):
                _, gone = self._entries.popitem(last=False)
                if self.weight:
                    self._total -= self.weight(gone)

    def __len__(self) -> int:
        return len(self._entries)
