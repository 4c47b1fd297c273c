"""Near-duplicate groups: republished copies of one story fold together; other stories do not."""

import json

import pytest

from search.duplicates import near_duplicate_groups
from search.index import build_index
from search.searcher import search

STORY = ("Syrian government forces backed by Russian air strikes advanced on the town of al-Mayadin "
         "on Friday, a monitoring group said, as Islamic State fighters withdrew towards the Iraqi "
         "border along the Euphrates valley after weeks of heavy fighting in Deir Ezzor province.")
OTHER = ("Aid convoys reached the besieged town of Madaya after months without food, the United Nations "
         "said, while talks on a wider ceasefire in the south of the country stalled again in Geneva.")

GROUPS = [
    ("a copy with a footer joins the original",
     [("a", STORY), ("b", STORY + " Share this story with your friends. Follow us for more news.")],
     {"a": "a", "b": "a"}),
    ("a different story stays apart", [("a", STORY), ("b", OTHER)], {"a": "a", "b": "b"}),
    ("groups are transitive, named by their first id",
     [("a", OTHER), ("b", STORY), ("c", STORY + " More to follow."), ("d", "Update: " + STORY)],
     {"a": "a", "b": "b", "c": "b", "d": "b"}),
    ("too short to call a copy", [("a", "Clashes in Raqqa."), ("b", "Clashes in Raqqa.")],
     {"a": "a", "b": "b"}),
]


@pytest.mark.parametrize("articles,expected", [r[1:] for r in GROUPS], ids=[r[0] for r in GROUPS])
def test_near_duplicate_groups(articles, expected):
    assert near_duplicate_groups(articles) == expected


def test_the_seed_article_republished_in_another_is_grouped_with_it(corpus_index):
    hits = search(corpus_index.path, "Mayadin", limit=50).hits
    by_id = {h.id: h for h in hits}
    assert by_id["seeds/000_e7b07514ae8db21d.txt"].similar == ["seeds/001_88469007dc2eaed0.txt"]


@pytest.fixture(scope="module")
def copies_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("copies")
    rows = [{"id": "orig", "title": "Army nears Mayadin", "text": STORY, "source": "Wire A"},
            {"id": "copy", "title": "Army nears Mayadin", "text": STORY + " Copyright Wire B.",
             "source": "Wire B"},
            {"id": "aid", "title": "Aid for Madaya", "text": OTHER + " Mayadin was not reached.",
             "source": "Wire A"}]
    (folder / "src").mkdir()
    (folder / "src" / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build_index([folder / "src"], folder / "ix")
    return folder / "ix"


def test_grouped_results_show_one_copy_and_name_the_others(copies_index):
    grouped = search(copies_index, "Mayadin", group=True).hits
    assert [h.id for h in grouped][:1] in (["a.jsonl#orig"], ["a.jsonl#copy"])
    assert len(grouped) == 2
    first = grouped[0]
    assert first.similar == ["a.jsonl#copy" if first.id == "a.jsonl#orig" else "a.jsonl#orig"]
    assert grouped[1].id == "a.jsonl#aid" and grouped[1].similar == []


def test_ungrouped_results_list_every_copy(copies_index):
    hits = search(copies_index, "Mayadin").hits
    assert {h.id for h in hits} == {"a.jsonl#orig", "a.jsonl#copy", "a.jsonl#aid"}
    assert {h.id: len(h.similar) for h in hits} == {"a.jsonl#orig": 1, "a.jsonl#copy": 1, "a.jsonl#aid": 0}


def test_cli_folds_copies_by_default_and_lists_them_with_json(copies_index, run_rasm):
    human = run_rasm("search", "--index", str(copies_index), "Mayadin")
    assert human.returncode == 0
    assert "+ 1 similar: a.jsonl#" in human.stdout
    assert human.stdout.startswith("3 results for 'Mayadin' (showing 2)")
    data = json.loads(run_rasm("search", "--index", str(copies_index), "--json", "Mayadin").stdout)
    assert len(data["hits"]) == 3


def test_groups_are_those_of_comparing_every_pair():
    """The prefix filter finds exactly the pairs a comparison of every pair finds."""
    import random

    from search.duplicates import COMMON_SHINGLE_DOCS, CONTAINMENT, MIN_SHINGLES

    rng = random.Random(7)
    pool = list(range(400))  # shingles shared by many stand in for boilerplate too
    docs = []
    for n in range(150):
        if docs and rng.random() < 0.5:  # a copy of an earlier one, cut and extended
            base = sorted(rng.choice(docs)[1])
            keep = base[:rng.randint(len(base) // 3, len(base))]
            found = set(keep) | {rng.randrange(10_000, 20_000) for _ in range(rng.randint(0, 30))}
        else:
            found = set(rng.sample(pool, rng.randint(0, 12))) | {
                rng.randrange(20_000, 10**9) for _ in range(rng.randint(0, 60))}
        docs.append((f"d{n}", found))

    df = {}
    for _, found in docs:
        if len(found) >= MIN_SHINGLES:
            for s in found:
                df[s] = df.get(s, 0) + 1
    parent = list(range(len(docs)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for a, (_, sa) in enumerate(docs):
        for b, (_, sb) in enumerate(docs[:a]):
            if min(len(sa), len(sb)) < MIN_SHINGLES:
                continue
            shared = sum(1 for s in sa & sb if 1 < df[s] <= COMMON_SHINGLE_DOCS)
            if shared >= CONTAINMENT * min(len(sa), len(sb)):
                ra, rb = root(a), root(b)
                parent[max(ra, rb)] = min(ra, rb)
    expected = {doc_id: docs[root(i)][0] for i, (doc_id, _) in enumerate(docs)}
    assert near_duplicate_groups(docs) == expected
    assert len(set(expected.values())) < len(docs) - 20  # many copies were grouped
