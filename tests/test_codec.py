"""search.codec on a real index: every term's stored statistics agree with its postings, and the
positions read back are those the analyzer gave."""

from search.analysis import FieldAnalyzer
from search.codec import FieldPositions, RasmCodec
from search.index import open_index


def test_term_statistics_agree_with_the_postings(corpus_index):
    ix = open_index(corpus_index.path)
    reader = ix.reader()
    checked = 0
    for segment in reader.leaf_readers():
        sub = segment[0]
        assert isinstance(sub.codec(), RasmCodec)
        for fieldname in ("title", "body"):
            for text, info in sub.iter_field(fieldname):
                m = sub.postings(fieldname, text)
                ids, weights = [], []
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    m.next()
                assert (info.doc_frequency(), info.weight()) == (len(ids), sum(weights)), text
                assert (info.min_id(), info.max_id(), info.max_weight()) == (ids[0], ids[-1], max(weights))
                assert sub.doc_frequency(fieldname, text) == len(ids)
                assert sub.frequency(fieldname, text) == sum(weights)
                lengths = [sub.doc_field_length(d, fieldname) for d in ids]
                assert info.min_length() <= min(lengths) and max(lengths) <= info.max_length()
                checked += 1
    assert checked > 10_000


def test_positions_read_back_as_the_analyzer_gave_them():
    text = "The Bank of Japan said Japan's bank " * 40 + "دير الزور في الرقة"
    fmt = FieldPositions()
    expected = FieldAnalyzer().term_positions(text)
    got = {term: fmt.decode_positions(value) for term, _, _, value in fmt.word_values(text, FieldAnalyzer())}
    assert got == expected and len(expected["japan"]) == 80
    assert all(fmt.decode_frequency(fmt.encode(ps)) == len(ps) for ps in expected.values())
