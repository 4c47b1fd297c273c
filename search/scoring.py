"""Every match of a query with its score, found sub-query by sub-query and summed in dicts.

A name searched in all its spellings is an Or of dozens of terms and phrases.  Whoosh walks
such a query as a tree of union matchers, asking every node for its current document at every
step: for "ISIS" at 20,000 articles (50 sub-queries, 1,600 matches) that walk was nine tenths
of the search.  Here each leaf (a term, a phrase) is read once, block by block, and the scores
are merged per document as Whoosh's matchers would add them -- the same sums, in the same
order, so the same ranking -- then handed to the collector as one list matcher.

Only the plain boolean shapes are taken apart (Or, And, AndNot, AndMaybe, Require); any other
query, and every leaf, is run by its own matcher.
"""

from __future__ import annotations

from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher
from whoosh.scoring import BM25FScorer, WeightLengthScorer

Scores = dict[int, float]
Docs = list[int]  # document numbers, ascending


class Scored(wq.Query):
    """``query`` with its matches computed up front (see the module doc): same documents, same
    scores, a faster walk for the collector."""

    def __init__(self, query: wq.Query):
        self.query = query
        self.boost = 1.0

    def __repr__(self):
        return f"Scored({self.query!r})"

    def __str__(self):
        return str(self.query)

    def __eq__(self, other):
        return type(other) is Scored and other.query == self.query

    def __hash__(self):
        return hash(("Scored", self.query))

    def is_leaf(self):
        return True

    def estimate_size(self, ixreader):
        return self.query.estimate_size(ixreader)

    def docs(self, searcher):
        return iter(sorted(scores(self.query, searcher, searcher.context())))

    def matcher(self, searcher, context=None):
        found = scores(self.query, searcher, context or searcher.context())
        if not found:
            return matching.NullMatcher()
        ids = sorted(found)
        return matching.ListMatcher(ids, weights=[found[i] for i in ids])


def scores(q: wq.Query, searcher, context, only: Docs | None = None) -> Scores:
    """Document number -> score for every match of ``q`` in ``searcher`` (one segment's);
    with ``only``, for the matches among those documents (the others are not read)."""
    kind = type(q)
    if kind is wq.Term:
        return _term_scores(q, searcher, context, only)
    if kind in (wq.Or, wq.DefaultOr) and not q.minmatch and q.scale is None:
        return _boosted(_union([scores(s, searcher, context, only) for s in q.subqueries]), q)
    if kind is wq.And:
        return _boosted(_intersection(q.subqueries, searcher, context, only), q)
    if kind is wq.AndNot:
        kept = scores(q.a, searcher, context, only)
        if kept:
            for docnum in _docs(q.b, searcher):
                kept.pop(docnum, None)
        return kept
    if kind is wq.Require:
        kept = scores(q.a, searcher, context, only)
        if not kept:
            return kept
        required = set(_docs(q.b, searcher))
        return {d: s for d, s in kept.items() if d in required}
    if kind is wq.AndMaybe:
        kept = scores(q.a, searcher, context, only)
        if kept:
            for docnum, score in scores(q.b, searcher, context, sorted(kept)).items():
                kept[docnum] += score
        return kept
    if q is wq.NullQuery or kind is type(wq.NullQuery):
        return {}
    if kind in (wq.Phrase, wq.Sequence):
        found = _phrase_scores(q, searcher, context, only)
        if found is not None:
            return found
    return _matcher_scores(q.matcher(searcher, context), only)


DOC_FREQUENCIES_KEPT = 200_000  # per reader, then forgotten and asked again


def doc_frequency(reader, fieldname: str, text: str) -> int:
    """``reader.doc_frequency``, remembered per reader: a name's dozens of spellings and forms
    ask for the same counts query after query, and a reader (one version of the index) never
    changes them."""
    cache = reader.__dict__.get("_rasm_doc_frequency")
    if cache is None or len(cache) > DOC_FREQUENCIES_KEPT:
        cache = reader.__dict__["_rasm_doc_frequency"] = {}
    key = (fieldname, text)
    found = cache.get(key)
    if found is None:
        found = cache[key] = reader.doc_frequency(fieldname, text)
    return found


def _boosted(found: Scores, q: wq.CompoundQuery) -> Scores:
    # as CompoundQuery.matcher: a lone sub-query is returned as it is, without the boost
    if q.boost != 1.0 and len(q.subqueries) > 1:
        boost = q.boost
        return {d: s * boost for d, s in found.items()}
    return found


def _union(parts: list[Scores]) -> Scores:
    """The sums of a balanced binary tree of union matchers (``make_binary_tree``)."""
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    a, b = _union(parts[:half]), _union(parts[half:])
    if len(a) < len(b):
        a, b = b, a  # x + y == y + x: the larger is copied, the smaller added in
    out = dict(a)
    for docnum, score in b.items():
        other = out.get(docnum)
        out[docnum] = score if other is None else other + score
    return out


def _intersection(subqueries, searcher, context, only: Docs | None) -> Scores:
    """An And: the rarest sub-query is read first, each other one only where all before match."""
    reader = searcher.reader()
    parts: list[Scores] = [{} for _ in subqueries]
    for i in sorted(range(len(subqueries)), key=lambda i: subqueries[i].estimate_size(reader)):
        parts[i] = scores(subqueries[i], searcher, context, only)
        only = sorted(parts[i]) if only is None else [d for d in only if d in parts[i]]
        if not only:
            return {}
    return {d: sum(part[d] for part in parts) for d in only}


def _docs(q: wq.Query, searcher):
    m = q.matcher(searcher, searcher.boolean_context())
    return m.all_ids() if m.is_active() else ()


def _matcher_scores(m, only: Docs | None) -> Scores:
    """Every (document, score) of a matcher, walked as the collector would."""
    out: Scores = {}
    while m.is_active():
        out[m.id()] = m.score()
        m.next()
    if only is not None:
        return {d: out[d] for d in only if d in out}
    return out


def _leaf(m):
    """(postings matcher, deleted documents, boost) under a term's matcher; None for a matcher
    that is not a plain term's (read through its own methods instead)."""
    boost = None
    if type(m) is WrappingMatcher:  # a boosted term (Term.matcher)
        m, boost = m.child, m.boost
    deleted: set[int] | frozenset[int] = frozenset()
    if type(m) is FilterMatcher and m._exclude and m.boost == 1.0:  # documents deleted
        m, deleted = m.child, m._ids
    if type(m) is W3LeafMatcher and isinstance(m.scorer, WeightLengthScorer):
        return m, deleted, boost
    return None


def _term_scores(q: wq.Term, searcher, context, only: Docs | None,
                 values: dict[int, bytes] | None = None) -> Scores:
    """A term's postings scored as its matcher scores them, read block by block (or, with
    ``only``, skipping to those documents); with ``values``, the encoded positions too."""
    m = q.matcher(searcher, context)
    if not m.is_active():
        return {}
    leaf = _leaf(m)
    lengths = _field_lengths(searcher.reader(), q.fieldname) if leaf is not None else None
    if lengths is None:
        if values is not None:
            return None  # the caller reads the phrase through Whoosh's own matcher
        return _matcher_scores(m, only)
    m, deleted, boost = leaf
    score = _bm25(m.scorer) if type(m.scorer) is BM25FScorer else m.scorer._score
    out: Scores = {}
    if only is not None:
        for docnum in only:
            if m.id() < docnum:
                m.skip_to(docnum)
                if not m.is_active():
                    break
            if m.id() == docnum and docnum not in deleted:
                s = score(m.weight(), lengths[docnum])
                out[docnum] = s if boost is None else s * boost
                if values is not None:
                    values[docnum] = m.value()
        return out
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        if m._weights is None:
            m._read_weights()
        start = m._i
        ids = m._ids[start:]
        for docnum, weight in zip(ids, m._weights[start:], strict=True):
            if docnum not in deleted:
                s = score(weight, lengths[docnum])
                out[docnum] = s if boost is None else s * boost
        if values is not None:
            if m._values is None:
                m._read_values()
            for docnum, value in zip(ids, m._values[start:], strict=True):
                if docnum not in deleted:
                    values[docnum] = value
        m._i = m._blocklength
        m._next_block()
    return out


def _bm25(scorer: BM25FScorer):
    """``scorer._score`` (whoosh.scoring.bm25 with its statistics) as one function, not two."""
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    k1_plus_1, one_minus_b = k1 + 1, 1 - b

    def score(tf, fl):
        return idf * ((tf * k1_plus_1) / (tf + k1 * (one_minus_b + b * fl / avgfl)))

    return score


def _field_lengths(reader, fieldname: str) -> list | None:
    """Every document's length in ``fieldname``, as the segment's ``RasmCodec`` reader keeps it
    (``LengthsPerDocReader.lengths``); None for a reader without one."""
    lengths = getattr(getattr(reader, "_perdoc", None), "lengths", None)
    return lengths(fieldname) if lengths is not None else None


def _phrase_scores(q: wq.Phrase | wq.Sequence, searcher, context, only: Docs | None) -> Scores | None:
    """A phrase (or a sequence of slots, each a term or an Or of terms) whose words stand at
    consecutive positions -- what Whoosh's span matchers find with slop 1, ordered -- scored as
    their intersection: the slots' scores summed.  None for a shape this does not take."""
    if q.slop != 1:
        return None
    if type(q) is wq.Phrase:
        if len(q.words) < 2:
            return None
        slots = [[wq.Term(q.fieldname, word)] for word in q.words]
    else:
        if not q.ordered or len(q.subqueries) < 2:
            return None
        slots = []
        for sub in q.subqueries:
            terms = [sub] if type(sub) is wq.Term else (
                list(sub.subqueries) if type(sub) in (wq.Or, wq.DefaultOr) and sub.boost == 1.0
                and not sub.minmatch and sub.scale is None else None)
            if not terms or any(type(t) is not wq.Term or t.boost != 1.0 for t in terms):
                return None
            slots.append(terms)
    # the rarest slot is read first; each other one only at the documents still in the running
    reader = searcher.reader()
    sizes = [sum(doc_frequency(reader, t.fieldname, t.text) for t in terms) for terms in slots]
    slot_scores: list[Scores] = [{} for _ in slots]
    slot_values: list[list[tuple[dict[int, bytes], object]]] = [[] for _ in slots]
    for i in sorted(range(len(slots)), key=sizes.__getitem__):
        parts = []
        for term in slots[i]:
            held: dict[int, bytes] = {}
            found = _term_scores(term, searcher, context, only, held)
            if found is None:
                return None
            parts.append(found)
            if held:
                slot_values[i].append((held, searcher.schema[term.fieldname].format.decode_positions))
        slot_scores[i] = _union(parts)
        only = sorted(slot_scores[i]) if only is None else [d for d in only if d in slot_scores[i]]
        if not only:
            return {}
    out: Scores = {}
    for docnum in only:
        starts = None
        for i, values in enumerate(slot_values):
            here = set()
            for held, decode in values:
                value = held.get(docnum)
                if value is not None:
                    here.update(p - i for p in decode(value))
            starts = here if starts is None else starts & here
            if not starts:
                break
        if starts:
            out[docnum] = _tree_sum([found[docnum] for found in slot_scores])
    if q.boost != 1.0:
        boost = q.boost
        return {d: s * boost for d, s in out.items()}
    return out


def _tree_sum(values: list[float]) -> float:
    """A sum in the order of a balanced binary tree of intersection matchers."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return _tree_sum(values[:half]) + _tree_sum(values[half:])
