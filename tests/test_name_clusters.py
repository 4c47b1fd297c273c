"""Name-variant retrieval on the bundled corpus, for 20 names outside the development set.

The metric is shared/eval/variant_eval.py's: for each query, recall over the articles the
cluster's regexes mark as mentioning the name, and precision over every hit; both averaged
over all queries (spellings in the corpus, real spellings absent from it, Arabic script).
"""

import json
import re
from pathlib import Path

import pytest

from search.ingest import iter_articles
from search.searcher import search

TESTS = Path(__file__).parent
CLUSTERS = json.loads((TESTS / "data" / "name-clusters.json").read_text(encoding="utf-8"))
THRESHOLD = 0.97


@pytest.fixture(scope="module")
def scores(corpus_index):
    texts = {a.id: a.title + "\n" + a.body for a in iter_articles([TESTS.parent / "corpus"])}
    rows = []
    for cluster in CLUSTERS["clusters"]:
        patterns = [re.compile(p, re.IGNORECASE) for p in cluster["relevant"]]
        relevant = {i for i, t in texts.items() if any(p.search(t) for p in patterns)}
        assert relevant, cluster["name"]
        for group, queries in cluster["queries"].items():
            for q in queries:
                hits = {h.id for h in search(corpus_index.path, q, limit=100_000).hits}
                found = len(hits & relevant)
                rows.append((cluster["name"], group, q, found / len(relevant),
                             found / len(hits) if hits else 1.0))
    return rows


def test_there_are_twenty_clusters_none_from_the_development_set():
    names = {c["name"] for c in CLUSTERS["clusters"]}
    assert len(names) == 20
    assert not names & {"raqqa", "latakia", "mayadin", "idlib", "ghouta", "hezbollah", "kobani",
                        "isis", "qaryatayn", "homs", "assad"}


@pytest.mark.parametrize("measure,column", [("recall", 3), ("precision", 4)])
def test_mean_over_queries_meets_the_threshold(scores, measure, column):
    mean = sum(r[column] for r in scores) / len(scores)
    worst = sorted(scores, key=lambda r: r[column])[:5]
    assert mean >= THRESHOLD, f"{measure} {mean:.3f}; worst: {worst}"


@pytest.mark.parametrize("group", ["seen", "unseen", "arabic"])
def test_every_group_is_asked(scores, group):
    assert sum(1 for r in scores if r[1] == group) >= 20
