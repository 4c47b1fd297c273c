"""The bounded cache behind the per-process caches."""

from search.lru import LRU, MISSING


def test_least_recently_used_entries_go_first():
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", None)  # None is a value like any other
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is MISSING and cache.get("a") == 1 and cache.get("c") == 3


def test_summed_weights_stay_within_the_budget():
    cache = LRU(100, budget=10, weight=lambda v: len(v or ()))
    cache.put("a", {1, 2, 3, 4})
    cache.put("b", {5, 6, 7, 8})
    cache.put("a", {1, 2})  # replacing counts the new weight only
    cache.put("c", {9, 10, 11})
    assert len(cache) == 3
    cache.put("d", {12, 13, 14})  # 4 + 2 + 3 + 3 > 10: the oldest ("b") goes
    assert cache.get("b") is MISSING and len(cache) == 3
    cache.put("huge", set(range(50)))  # heavier than the budget: kept by nobody
    assert cache.get("huge") is MISSING and len(cache) == 0
