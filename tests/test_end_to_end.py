"""The bundled corpus, indexed once and searched with the installed command: every Mayadin spelling."""

import csv
import html
import json
import re
from pathlib import Path

import pytest

from search.searcher import search

CORPUS = Path(__file__).parent.parent / "corpus"
# The spellings of al-Mayadin this corpus uses: Mayadin, al-Mayadin, Al-Mayadeen, Al Mayadeen, MAYADIN ...
MAYADIN = re.compile(r"\b(?:al[- ])?May[ae]d(?:ee|i)n\b", re.IGNORECASE)
_MARK = re.compile(r"<mark>(.*?)</mark>")


def corpus_texts() -> dict[str, str]:
    """Each article's raw text (title and body) by its index id, read without the engine's ingest."""
    texts = {f"seeds/{f.name}": f.read_text(encoding="utf-8") for f in (CORPUS / "seeds").glob("*.txt")}
    # the CSV is mostly UTF-8 with a few stray bytes; none of them near a Mayadin
    with open(CORPUS / "fakes.csv", encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.DictReader(f):  # a repeated unit_id: the later row is the one indexed
            texts[f"fakes.csv#{row['unit_id']}"] = row["article_title"] + "\n" + row["article_content"]
    return texts


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return corpus_texts()


@pytest.fixture(scope="module")
def mayadeen_hits(corpus_index, run_rasm) -> dict:
    done = run_rasm("search", "--json", "--limit", "50", "--index", str(corpus_index.path), "Mayadeen")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_corpus_build_report(corpus_index, texts):
    report = corpus_index.report
    assert (report.articles, report.rows, report.repeats, report.problems) == (797, 809, 12, [])
    assert report.articles == len(texts)


def test_every_mayadin_article_is_found_and_nothing_else(mayadeen_hits, texts):
    expected = {doc_id for doc_id, text in texts.items() if MAYADIN.search(text)}
    assert {"seeds/000_e7b07514ae8db21d.txt", "seeds/001_88469007dc2eaed0.txt",
            "seeds/002_94ad7819cc370785.txt", "seeds/004_0f7be89ed1860172.txt"} <= expected
    assert sum(doc_id.startswith("fakes.csv#") for doc_id in expected) == 21
    assert {hit["id"] for hit in mayadeen_hits["hits"]} == expected
    assert mayadeen_hits["total"] == len(expected)


def test_snippets_mark_the_article_own_spelling(mayadeen_hits, texts):
    for hit in mayadeen_hits["hits"]:
        marked = [html.unescape(m) for m in _MARK.findall(hit["snippet"])]
        assert marked, hit["id"]
        for word in marked:
            assert MAYADIN.fullmatch(word), (hit["id"], word)
            assert word in texts[hit["id"]], (hit["id"], word)
        assert "maiden" not in hit["snippet"].lower()


# (seed, the spellings its snippet marks)
SEED_MARKS = [
    ("seeds/000_e7b07514ae8db21d.txt", {"al-Mayadin"}),
    ("seeds/001_88469007dc2eaed0.txt", {"Al-Mayadeen"}),
    ("seeds/002_94ad7819cc370785.txt", {"Mayadin"}),
    ("seeds/004_0f7be89ed1860172.txt", {"Al-Mayadeen"}),
]


@pytest.mark.parametrize("doc_id,spellings", SEED_MARKS, ids=[r[0] for r in SEED_MARKS])
def test_seed_snippet_marks(mayadeen_hits, doc_id, spellings):
    [hit] = [h for h in mayadeen_hits["hits"] if h["id"] == doc_id]
    assert set(_MARK.findall(hit["snippet"])) == spellings


EQUIVALENT = [
    ("Mayadin", ["Mayadeen", "al-Mayadin", "Al-Mayadeen", "الميادين"]),
    ("Dayr az-Zawr", ["Deir ez-Zor", "Deir al-Zour", "دير الزور"]),
]


@pytest.mark.parametrize("query,others", EQUIVALENT, ids=[r[0] for r in EQUIVALENT])
def test_spellings_of_one_name_find_the_same_articles(corpus_index, query, others):
    def found(q):
        return {h.id for h in search(corpus_index.path, q, limit=1000).hits}

    expected = found(query)
    assert expected
    for other in others:
        assert found(other) == expected, other


def test_deir_ezzor_and_deir_ez_zor_find_the_same_articles(corpus_index):
    def found(q):
        return {h.id for h in search(corpus_index.path, q, limit=1000).hits}

    assert found("Deir Ezzor") == found("Deir ez-Zor")


@pytest.mark.parametrize("text", ["Deir ez-Zor", "ISIS", "Aleppo OR Homs", "دير الزور", "ISIS NOT Raqqa",
                                  "Raqqa -Daesh -Homs", "Aleppo AND NOT (Homs OR Idlib)"])
def test_ranking_and_total_are_those_of_scoring_every_match(corpus_index, text):
    """Whoosh's shortcuts (block quality, dropping sub-queries it deems too weak) got the top
    hits and the total of "Deir ez-Zor" wrong on this corpus; every match must be scored."""
    from whoosh.scoring import BM25F

    from search.index import open_index
    from search.searcher import parse_query, run_search

    with open_index(corpus_index.path).searcher(weighting=BM25F()) as searcher:
        parsed = parse_query(text, True, searcher.reader())
        everything = searcher.search(parsed.query, limit=None)
        for facets in (False, True):
            result = run_search(searcher, parsed, limit=10, facets=facets)
            assert result.total == len(everything) == len(set(searcher.docs_for_query(parsed.query)))
            assert [h.id for h in result.hits] == [h["id"] for h in everything][:10]
        assert sum(result.facets.values()) == result.total
