"""Queries through search.searcher.search on the names fixtures: (query -> exact set of hits) rows."""

import datetime as dt
import json
from pathlib import Path

import pytest
from whoosh import query

from search.index import build_index
from search.query import MAX_QUERY_CHARS, MAX_WORDS, QueryError
from search.searcher import search

MAYADIN, MAIDEN = "mayadin.txt", "maiden.txt"
R1, R2, R3, R4, R5, R6, R7, R8 = (f"reports.jsonl#r{n}" for n in range(1, 9))


def hit_ids(index_dir: Path, query: str, **kwargs) -> set[str]:
    return {hit.id for hit in search(index_dir, query, limit=100, **kwargs).hits}


# (description, query, every hit); a document not listed must not be a hit.
QUERIES = [
    ("Mayadeen finds al-Mayadin, Mayadeen and الميادين, never maiden", "Mayadeen", {MAYADIN, R1, R3}),
    ("Arabic الميادين finds the Latin spellings", "الميادين", {MAYADIN, R1, R3}),
    ("maiden is an English word, not a Mayadin spelling", "maiden", {MAIDEN}),
    ("Dayr az-Zawr finds Deir Ezzor and دير الزور", "Dayr az-Zawr", {R1, R2, R3}),
    ("Deir Ezzor finds Dayr az-Zawr", "Deir Ezzor", {R1, R2, R3}),
    ("دير الزور finds both Latin spellings", "دير الزور", {R1, R2, R3}),
    ("Daraa is not Daraya", "Daraa", {R5}),
    ("Daraya is not Daraa", "Daraya", {R4}),
    ("Raqqa is not Iraq", "Raqqa", {R6}),
    ("Iraq is not Raqqa", "Iraq", {R7}),
    ("ISIS finds Daesh through the alias table", "ISIS", {R6, R8}),
    ("Daesh finds ISIS through the alias table", "Daesh", {R6, R8}),
    ("capital IS is the acronym", "IS", {R6, R8}),
    ("OR", "Raqqa OR Daraa", {R5, R6}),
    ("AND", "Raqqa AND ISIS", {R6}),
    ("AND of two places in no one article", "Raqqa AND Iraq", set()),
    ("NOT keeps the positive hits", "Raqqa NOT Iraq", {R6}),
    ("NOT drops every spelling", "Dayr az-Zawr NOT Mayadeen", {R2}),
    ("NOT drops the aliases too", "Daesh NOT Raqqa", {R8}),
    ("leading minus after a word", "Daraa -Raqqa", {R5}),
    ("quoted phrase in order", '"left Daraya"', {R4}),
    ("quoted phrase out of order", '"Daraya left"', set()),
    ("quoted name phrase keeps its variants", '"Deir Ezzor"', {R1, R2, R3}),
    ("adjacent name words are one phrase", "Ezzor Deir", set()),
    ("title field", "title:Daraya", {R4}),
    ("title field misses a body-only word", "title:Damascus", set()),
    ("body field", "body:Damascus", {R4}),
    ("source field in the query", 'source:"Wire A"', {R1, R4, R6, R8}),
    ("date range in the query, compact dates", "date:[20171001 to 20171007]", {MAYADIN, R1, R2, R3}),
    ("date range in the query, written dates", "date:[oct 1 2017 to oct 7 2017]", {MAYADIN, R1, R2, R3}),
    ("prefix", "Dar*", {R4, R5}),
]


@pytest.mark.parametrize("query,expected", [r[1:] for r in QUERIES], ids=[r[0] for r in QUERIES])
def test_query_hits(names_index, query, expected):
    assert hit_ids(names_index.path, query) == expected


def test_query_iso_date_range(names_index):
    assert hit_ids(names_index.path, "date:[2017-10-01 to 2017-10-07]") == {MAYADIN, R1, R2, R3}


# (description, query, search() keyword arguments, every hit)
FILTERS = [
    ("one source", "Dayr az-Zawr", {"sources": ["Wire A"]}, {R1}),
    ("source in any case", "Dayr az-Zawr", {"sources": ["wire b"]}, {R2}),
    ("two sources", "Dayr az-Zawr", {"sources": ["Wire A", "Arabic Wire"]}, {R1, R3}),
    ("unknown source", "Dayr az-Zawr", {"sources": ["Wire Z"]}, set()),
    ("since and until one day", "Dayr az-Zawr",
     {"since": dt.datetime(2017, 10, 6), "until": dt.datetime(2017, 10, 6, 23, 59, 59)}, {R2, R3}),
    ("since only", "Mayadeen", {"since": dt.datetime(2017, 10, 6)}, {MAYADIN, R3}),
    ("until only", "Mayadeen", {"until": dt.datetime(2017, 10, 5, 23, 59, 59)}, {R1}),
    ("filters combine", "Mayadeen",
     {"sources": ["Wire A", "Arabic Wire"], "since": dt.datetime(2017, 10, 6)}, {R3}),
    ("undated article is outside any date filter", "maiden", {"since": dt.datetime(1900, 1, 1)}, set()),
    ("exact: Mayadeen only as typed", "Mayadeen", {"expand": False}, {R1}),
    ("exact: Mayadin only as typed", "Mayadin", {"expand": False}, {MAYADIN}),
    ("exact: الميادين only in Arabic", "الميادين", {"expand": False}, {R3}),
    ("exact: Dayr az-Zawr only as typed", "Dayr az-Zawr", {"expand": False}, {R2}),
    ("exact: no aliases for ISIS", "ISIS", {"expand": False}, {R6}),
    ("exact: no aliases for Daesh", "Daesh", {"expand": False}, {R8}),
]


@pytest.mark.parametrize("query,kwargs,expected", [r[1:] for r in FILTERS], ids=[r[0] for r in FILTERS])
def test_filtered_hits(names_index, query, kwargs, expected):
    assert hit_ids(names_index.path, query, **kwargs) == expected


def test_limit_and_total(names_index):
    result = search(names_index.path, "Mayadeen", limit=2)
    assert (result.total, len(result.hits)) == (3, 2)
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


def test_hit_is_plain_data(names_index):
    result = search(names_index.path, "Daraya")
    assert result.to_dict() == {"query": "Daraya", "total": 1, "hits": [{
        "id": R4, "title": "Daraya evacuated", "date": "2016-08-26", "source": "Wire A", "url": "",
        "score": result.hits[0].score,
        "snippet": "The last fighters left <mark>Daraya</mark> near Damascus.",
        "matched": [{"text": "Daraya", "query": "Daraya", "via": "exact", "alias": "", "count": 2,
                     "why": "as typed", "score": None}],
        "similar": [],
    }]}


MATCHED = [
    ("variant spelling", "Dayr az-Zawr", R1, {("Deir Ezzor", "variant")}),
    ("exact spelling", "Mayadeen", R1, {("Mayadeen", "exact")}),
    ("cross-script", "دير الزور", R1, {("Deir Ezzor", "cross-script")}),
    ("alias", "ISIS", R8, {("Daesh", "alias")}),
]


@pytest.mark.parametrize("query_text,hit_id,expected", [r[1:] for r in MATCHED], ids=[r[0] for r in MATCHED])
def test_matched_says_which_spelling_and_why(names_index, query_text, hit_id, expected):
    hit = next(h for h in search(names_index.path, query_text, limit=20).hits if h.id == hit_id)
    assert {(m.text, m.via) for m in hit.matched} == expected


# ------------------------------------------------------------------ ranking
@pytest.fixture(scope="module")
def spelling_pair(tmp_path_factory) -> Path:
    """Two articles alike in all but the spelling of one name."""
    root = tmp_path_factory.mktemp("ranking")
    rows = [{"id": doc_id, "title": "Shelling reported", "date": "2017-10-02", "source": "Wire C",
             "text": f"Shelling was reported near {name} on Monday."}
            for doc_id, name in (("eeen", "Mayadeen"), ("in", "Mayadin"))]
    (root / "src").mkdir()
    (root / "src" / "pair.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build_index([root / "src"], root / "ix")
    return root / "ix"


RANKING = [
    ("Mayadeen", "pair.jsonl#eeen", "pair.jsonl#in"),
    ("Mayadin", "pair.jsonl#in", "pair.jsonl#eeen"),
    ("al-Mayadeen", "pair.jsonl#eeen", "pair.jsonl#in"),
]


@pytest.mark.parametrize("query,first,second", RANKING, ids=[r[0] for r in RANKING])
def test_typed_spelling_ranks_above_a_variant(spelling_pair, query, first, second):
    hits = search(spelling_pair, query).hits
    assert [h.id for h in hits] == [first, second]
    assert hits[0].score > hits[1].score


@pytest.fixture(scope="module")
def ranking_set(tmp_path_factory) -> Path:
    """Articles alike but for which name they use, and where."""
    root = tmp_path_factory.mktemp("ranking-set")
    rows = [{"id": doc_id, "title": title, "text": text} for doc_id, title, text in (
        ("exact", "Shelling reported", "Shelling was reported near Kobani on Monday."),
        ("variant", "Shelling reported", "Shelling was reported near Kobane on Monday."),
        ("alias", "Shelling reported", "Shelling was reported near Ain al-Arab on Monday."),
        ("title", "Shelling near Kobani", "Shelling was reported on Monday, witnesses said."),
    )]
    (root / "src").mkdir()
    (root / "src" / "set.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build_index([root / "src"], root / "ix")
    return root / "ix"


def test_exact_above_variant_above_alias_and_title_above_body(ranking_set):
    order = [h.id.split("#")[1] for h in search(ranking_set, "Kobani").hits]
    assert order.index("exact") < order.index("variant") < order.index("alias")
    assert order.index("title") < order.index("exact")


def test_common_words_are_skipped_inside_a_phrase(names_index):
    """"the" and "of" are not indexed: a phrase reads across them, and a query word beside them
    still counts."""
    assert hit_ids(names_index.path, '"the Mayadeen road"') == hit_ids(names_index.path, '"Mayadeen road"')
    assert hit_ids(names_index.path, '"Mayadeen road"')
    assert hit_ids(names_index.path, "the Mayadeen") == hit_ids(names_index.path, "Mayadeen")


# ------------------------------------------------------------------ errors
ERRORS = [
    ("empty", "", "empty query"),
    ("blank", "   \t", "empty query"),
    ("overlong", "Raqqa " * (MAX_QUERY_CHARS // 6 + 1), f"the limit is {MAX_QUERY_CHARS}"),
    ("bad date range", "date:[foo to bar]", "'foo' is not a parseable date"),
    ("only common words", "the of", "the commonest words, such as 'the'"),
    ("only Arabic common words", "في من", "are not indexed"),
]


@pytest.mark.parametrize("query,message", [r[1:] for r in ERRORS], ids=[r[0] for r in ERRORS])
def test_query_error(names_index, query, message):
    with pytest.raises(QueryError, match=message):
        search(names_index.path, query)


def test_longest_allowed_query_runs(names_index):
    query = " ".join(f"Raqqa{n}" for n in range(MAX_WORDS))
    assert search(names_index.path, query).total == 0  # words in no article
    with pytest.raises(QueryError, match="too many words"):
        search(names_index.path, query + " Raqqa")
    padded = (query + " " * MAX_QUERY_CHARS)[:MAX_QUERY_CHARS]
    assert search(names_index.path, padded).total == 0
    with pytest.raises(QueryError, match="too long"):
        search(names_index.path, padded + "x")


def test_a_query_of_only_exclusions_finds_everything_else(names_index):
    every = search(names_index.path, "NOT Raqqa", limit=100)
    minus = search(names_index.path, "-Raqqa", limit=100)
    assert {h.id for h in minus.hits} == {h.id for h in every.hits}
    assert "reports.jsonl#r6" not in {h.id for h in minus.hits} and minus.total > 0


def test_plus_requires_a_word_and_the_hyphen_of_an_article_is_no_minus():
    from search.query import QueryBuilder
    plus = QueryBuilder(None).parse("Homs +Hama").query
    assert isinstance(plus, query.And) and len(plus.subqueries) == 2
    assert "NOT" not in str(QueryBuilder(None).parse("al-Mayadin").query)


@pytest.mark.parametrize("pattern,expected", [("Dayr*", {R2}), ("الزو*", {R3})])
def test_wildcards_work_in_both_scripts(names_index, pattern, expected):
    assert {h.id for h in search(names_index.path, pattern, limit=20).hits} == expected


def test_did_you_mean(names_index):
    from search.index import open_index
    from search.searcher import did_you_mean

    with open_index(names_index.path).searcher() as s:
        assert did_you_mean(s, "fighters evacuatd") == ("fighters evacuated", 1)
        assert did_you_mean(s, "Raqqa") is None  # nothing to respell
        assert did_you_mean(s, "qwxzv") is None  # nothing close


def test_merged_terms_score_as_the_query_they_come_from(names_index):
    """merge_terms flattens nested Ors and searches a repeated term once with the sum of its
    weights: every article must score as before, and the query must be smaller."""
    from whoosh.scoring import BM25F

    from search.index import open_index
    from search.query import merge_terms

    def leaves(q):
        return 1 if q.is_leaf() else sum(leaves(c) for c in q.children())

    original = query.Or([
        query.Term("body", "raqqa", boost=1.5),
        query.Or([query.Term("body", "raqqa"), query.Term("title", "raqqa", boost=2.0),
                  query.Or([query.Term("body", "raqqa", boost=0.5), query.Phrase("body", ["deir", "ezzor"])],
                           boost=0.3)], boost=0.6),
        query.AndNot(query.Or([query.Term("body", "mayadin"), query.Term("body", "mayadin", boost=3.0)]),
                     query.Term("body", "homs")),
    ])
    merged = merge_terms(original)
    assert leaves(merged) < leaves(original)
    with open_index(names_index.path).searcher(weighting=BM25F()) as s:
        before = {h.docnum: h.score for h in s.search(original, limit=None)}
        after = {h.docnum: h.score for h in s.search(merged, limit=None)}
    assert before and before.keys() == after.keys()
    for docnum, score in before.items():
        assert after[docnum] == pytest.approx(score, rel=1e-6)


# ------------------------------------------------------------------ quotes make a phrase, nothing more
# (a name of the bundled corpus, written with quotes and without)
QUOTED = ["Islamic State", "Hizb Allah", "Ain al-Arab", "Deir ez-Zor", "Kobani"]


@pytest.mark.parametrize("name", QUOTED)
def test_quotes_keep_a_names_spellings_and_aliases(corpus_index, name):
    """`"Islamic State"` found 157 articles where `Islamic State` found 372, `"Hizb Allah"` none:
    the quotes dropped the aliases (not the spellings).  One rule now: quotes make a phrase;
    --exact turns the spellings and aliases off."""
    from search.searcher import search

    unquoted = search(corpus_index.path, name, limit=500)
    quoted = search(corpus_index.path, f'"{name}"', limit=500)
    assert quoted.total == unquoted.total > 0
    assert {h.id for h in quoted.hits} == {h.id for h in unquoted.hits}
    assert quoted.expansions == unquoted.expansions
    exact = search(corpus_index.path, f'"{name}"', limit=500, expand=False)
    assert exact.total == search(corpus_index.path, name, limit=500, expand=False).total < quoted.total


def test_quotes_still_make_a_phrase_of_common_words(corpus_index):
    from search.searcher import search

    phrase = search(corpus_index.path, '"war in Syria"', limit=500)
    words = search(corpus_index.path, "war in Syria", limit=500)
    assert 0 < phrase.total < words.total
