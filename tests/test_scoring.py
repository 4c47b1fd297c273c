"""search.scoring against Whoosh's own matchers: the same matches with the same scores, on the
bundled corpus and on an index whose segments hold deleted documents."""

import shutil

import pytest
from whoosh import query as wq
from whoosh.scoring import BM25F

from search.index import open_index
from search.scoring import Scored, scores
from search.searcher import parse_query

QUERIES = [
    "ISIS", "Daesh OR Nusra", "Islamic State", "داعش", "تنظيم الدولة", "Mayadeen", "Deir ez-Zor",
    "دير الزور", "Raqqa AND ISIS", "ISIS NOT Iraq", "Homs NOT Hama", "(Aleppo OR Idlib) AND Russia",
    '"Syrian army"', "Free Syrian Army", "Bashar al-Assad", "Jabhat al-Nusra", "Bank of Japan",
    "title:Aleppo", "Russia ANDMAYBE Aleppo", "air strike*", "Kobani", "YPG", "rebels AND NOT Homs",
]


def whoosh_scores(searcher, q) -> dict[int, float]:
    """Every match and score as Whoosh's matcher tree gives them."""
    out = {}
    for sub, offset in searcher.leaf_searchers():
        m = q.matcher(sub, sub.context())
        while m.is_active():
            out[m.id() + offset] = m.score()
            m.next()
    return out


def rasm_scores(searcher, q) -> dict[int, float]:
    out = {}
    for sub, offset in searcher.leaf_searchers():
        out.update({d + offset: s for d, s in scores(q, sub, sub.context()).items()})
    return out


def check_same(ix, texts):
    compared = 0
    with ix.searcher(weighting=BM25F()) as searcher:
        for text in texts:
            q = parse_query(text, True, searcher.reader()).query
            expected, got = whoosh_scores(searcher, q), rasm_scores(searcher, q)
            assert got.keys() == expected.keys(), text
            for docnum, score in expected.items():
                assert got[docnum] == pytest.approx(score, rel=1e-9), (text, docnum)
            ranked = sorted(expected, key=lambda d: (-expected[d], d))[:20]
            assert sorted(got, key=lambda d: (-got[d], d))[:20] == ranked, text
            compared += len(expected)
            assert sorted(searcher.docs_for_query(Scored(q))) == sorted(expected), text
    return compared


def test_same_matches_and_scores_as_whoosh_on_the_corpus(corpus_index):
    assert check_same(open_index(corpus_index.path), QUERIES) > 1000  # the queries do match


def test_same_matches_and_scores_with_deleted_documents(corpus_index, tmp_path):
    index_dir = tmp_path / "ix"
    shutil.copytree(corpus_index.path, index_dir)
    ix = open_index(index_dir)
    with ix.searcher(weighting=BM25F()) as searcher:
        q = parse_query("ISIS OR Raqqa OR Aleppo", True, searcher.reader()).query
        matched = sorted(searcher.docs_for_query(q))
    with ix.writer() as writer:  # every third match deleted: the segment keeps them, marked
        for docnum in matched[::3]:
            writer.delete_document(docnum)
    ix = open_index(index_dir)
    assert ix.doc_count() < ix.doc_count_all()
    assert check_same(ix, QUERIES) > 1000


def test_phrase_needs_consecutive_positions(names_index):
    ix = open_index(names_index.path)
    with ix.searcher(weighting=BM25F()) as searcher:
        for words in (["deir", "ezzor"], ["ezzor", "deir"], ["residents", "of"], ["of", "residents"]):
            q = wq.Phrase("body", words)
            assert rasm_scores(searcher, q) == whoosh_scores(searcher, q)
