"""The name model's edit costs for many keys at once (search.editcost) against the model's own
pair-by-pair scoring, on the keys of real spellings (tests/data/name-clusters.json)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from search import names

CLUSTERS = Path(__file__).parent / "data" / "name-clusters.json"


def _keys() -> dict[str, list[str]]:
    clusters = json.loads(CLUSTERS.read_text(encoding="utf-8"))["clusters"]
    spellings = [q for c in clusters for qs in c["queries"].values() for q in qs]
    keys: dict[str, set[str]] = {names.LATIN: set(), names.ARABIC: set()}
    for text in spellings:
        for script, key in names.spelling_keys(text):
            keys[script].add(key)
    return {script: sorted(ks) for script, ks in keys.items()}


KEYS = _keys()
KINDS = [("LL", names.LATIN, names.LATIN, True), ("LA", names.LATIN, names.ARABIC, True),
         ("LA", names.ARABIC, names.LATIN, False), ("AA", names.ARABIC, names.ARABIC, True)]


@pytest.mark.parametrize("kind,script,target,key_first", KINDS, ids=["LL", "LA", "AL", "AA"])
def test_the_batch_scores_equal_the_pairwise_ones(kind, script, target, key_first):
    m = names.model()
    rng = random.Random(7)
    accepted = 0
    for key in KEYS[script]:
        # every key of the other side, an unseen symbol and an over-long key among them
        others = KEYS[target] + ["x%y", "a" * (names.MAX_KEY + 1), key]
        slacks = [rng.choice([0.0, 2.0, -names.COMMON_MARGIN]) for _ in others]
        batch = m.scores(kind, key, others, key_first, slacks)
        for other, slack, score in zip(others, slacks, batch, strict=True):
            a, b = (key, other) if key_first else (other, key)
            assert score == m.score(kind, a, b, slack), (a, b, slack)
            accepted += score is not None
    assert accepted  # the spellings of one name do match: the test compares real scores


def test_an_empty_batch_scores_nothing():
    assert names.model().scores("LL", "hama", [], True, []) == []
