"""Running a query against the index: ranked hits with snippets, as plain data."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import types
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.times import long_to_datetime

from search.aliases import default_aliases
from search.analysis import fold_latin, is_arabic, is_word
from search.generations import current_generation, damaged, read_meta
from search.highlight import Match, exact_words, matches, snippet
from search.index import DAMAGE_ERRORS, open_index
from search.lru import LRU, MISSING
from search.query import ParsedQuery, QueryBuilder, QueryError
from search.scoring import Scored
from search.sources import Manifest

MAX_LIMIT = 100_000
GROUP_FETCH_FACTOR = 4  # hits fetched per hit shown when copies are folded together
SPELLING_SAMPLE = 20  # best-ranked results read to find the spellings a query matched
MAX_SPELLINGS = 12    # spellings counted per query


@dataclass
class Matched:
    """A spelling an article used for a query name, and why it counts as that name."""

    text: str    # as written in the article
    query: str   # the query words it answers
    via: str     # "exact", "variant" (spelling rules), "cross-script", "alias" or "gazetteer"
    alias: str   # the alias or gazetteer name it came through ("" otherwise)
    count: int   # times it occurs in the title and body
    why: str = ""  # what made it match: "as typed", "spelling rules", "name model", "alias table", ...
    score: float | None = None  # the name model's similarity, where the model matched it


@dataclass
class Spelling:
    """A spelling the results use for a query name, with how many results use it."""

    text: str         # the way it is most often written
    query: str        # the query words it answers
    via: str          # as in Matched
    count: int        # matching articles that use it (any of ``forms``)
    exact_query: str  # the query that finds exactly this spelling (search it with expand off)
    forms: list[str] = field(default_factory=list)  # other writings that fold to the same spelling


@dataclass
class Hit:
    id: str
    title: str
    date: str | None
    source: str
    url: str
    score: float
    snippet: str
    matched: list[Matched] = field(default_factory=list)
    # ids of the other matching articles that republish the same story (near-duplicates)
    similar: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    expansions: dict[str, list[str]] = field(default_factory=dict)  # query words -> aliases searched
    facets: dict[str, int] = field(default_factory=dict)  # source -> matching articles
    spellings: list[Spelling] = field(default_factory=list)  # how the results write the names
    # hits the whole listing holds (copies folded with ``group``), when counted (``listed``)
    listed: int | None = None

    def to_dict(self) -> dict:
        """The JSON shape of ``rasm search --json``."""
        return {"query": self.query, "total": self.total, "hits": [asdict(h) for h in self.hits]}


def parse_query(text: str, expand: bool = True, reader=None) -> ParsedQuery:
    """Parses ``text`` with the alias table (unless ``expand`` is off); raises QueryError.

    With an index ``reader``, cross-script forms the index shows to be common words are left out.
    """
    return QueryBuilder(default_aliases() if expand else None, expand=expand, reader=reader).parse(text)


NO_SOURCE = "(none)"  # the facet, and the source filter, of the articles without a source


def _source_query(name: str) -> wq.Query:
    """The articles of one source, as its facet names it (any case, spaces around it)."""
    if name == NO_SOURCE:  # an article without a source is indexed with an empty source term
        return wq.Term("source", "")
    return wq.Term("source", " ".join(name.split()).lower())


def _filter(sources: list[str] | None, since: dt.datetime | None, until: dt.datetime | None):
    parts: list[wq.Query] = []
    if sources:
        parts.append(wq.Or([_source_query(s) for s in sources]))
    if since or until:
        parts.append(wq.DateRange("date", since, until))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def date_text(value) -> str | None:
    """A stored date as text: YYYY-MM-DD, with the time only when it has one."""
    if not isinstance(value, dt.datetime):
        return None
    if value.time() == dt.time():
        return value.date().isoformat()
    return value.isoformat(timespec="seconds")


def run_search(searcher: Searcher, parsed: ParsedQuery, limit: int = 10,
               sources: list[str] | None = None, since: dt.datetime | None = None,
               until: dt.datetime | None = None, group: bool = False, offset: int = 0,
               by_date: bool = False, facets: bool = False, spellings: bool = False,
               listed: bool = False) -> SearchResult:
    """Ranked hits (best first, or newest first ``by_date``; at most ``limit`` after skipping
    ``offset``) with highlighted snippets; with ``facets``, hit counts per source; with
    ``spellings``, the spellings of the query names the results use, counted over all results;
    with ``listed``, how many hits the whole listing holds (the pages it fills).

    Each hit lists the other matching articles of its near-duplicate group in
    ``similar``; with ``group`` they are shown only there, under the best-ranked copy.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    wanted = min(offset + limit, MAX_LIMIT)
    fetch = min(wanted * GROUP_FETCH_FACTOR, MAX_LIMIT) if group else wanted
    if spellings:
        fetch = max(fetch, SPELLING_SAMPLE)
    results = _exact_search(searcher, parsed.query, limit=fetch, filter=_filter(sources, since, until),
                            sortedby="date" if by_date else None, reverse=by_date,
                            groupedby="source" if facets else None)
    # each article's stored fields read once (with facets Whoosh keeps every match, not the limit)
    rows = [(r.score, r.fields()) for r in itertools.islice(results, fetch)]
    members: dict[str, list[str]] = {}
    for _, stored in rows:
        members.setdefault(stored["group"], []).append(stored["id"])
    hits = []
    skipped = 0
    for score, stored in rows:
        if group and members[stored["group"]][0] != stored["id"]:
            continue
        if skipped < offset:
            skipped += 1
            continue
        if len(hits) == limit:
            break
        title, body = stored.get("title", ""), stored.get("body", "")
        in_title, in_body = matches(title, parsed.patterns), matches(body, parsed.patterns)
        hits.append(Hit(
            id=stored["id"],
            title=title,
            date=date_text(stored.get("date")),
            source=stored.get("source", ""),
            url=stored.get("url", ""),
            score=round(score, 4),
            snippet=snippet(body, parsed.patterns, found=in_body),
            matched=_matched([(title, m) for m in in_title] + [(body, m) for m in in_body],
                             parsed.patterns.exact, parsed.learned, parsed.chains),
            similar=[i for i in members[stored["group"]] if i != stored["id"]],
        ))
    return SearchResult(parsed.text, len(results), hits, parsed.expansions,
                        _source_counts(searcher, results) if facets else {},
                        _spelling_counts(searcher, parsed, results, rows, hits) if spellings else [],
                        (_group_count(searcher, results) if group else len(results)) if listed else None)


def _exact_search(searcher: Searcher, q: wq.Query, limit: int, **kwargs):
    """``searcher.search`` without Whoosh's shortcuts, which trust each sub-query's maximum score:
    under these field weights they drop matches, so the top hits (for 146 of the 235 benchmark
    queries) and even the total came out wrong.  Every match is scored; it costs no more here."""
    q, mask = _split_not(q)
    kwargs["mask"] = Scored(mask) if mask is not None else None
    collector = searcher.collector(limit=limit, optimize=False, **kwargs)
    inner = collector
    while hasattr(inner, "child"):
        inner = inner.child
    inner.replace = 0  # never swap the matcher for one without the sub-queries deemed too weak,
    inner.matches = types.MethodType(_every_match, inner)  # only for one without the spent ones
    searcher.search_with_collector(Scored(q), collector)
    return collector.results()


def _split_not(q: wq.Query) -> tuple[wq.Query, wq.Query | None]:
    """A top-level "A NOT B" as the query A and the mask B: the excluded articles are found
    once, as a set, in B's postings, where Whoosh's Not walks every article of the index beside
    A, the slower the more terms B has ("Iraq NOT ISIS" on 20,000 articles: 374 ms walked,
    19 ms masked; B adds nothing to the scores either way)."""
    keep = drop = None
    if type(q) is wq.AndNot and q.boost == 1.0:
        keep, drop = q.a, q.b
    elif type(q) is wq.And and q.boost == 1.0:
        positive = [c for c in q.subqueries if not isinstance(c, wq.Not)]
        negative = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
        if positive and negative:
            keep = positive[0] if len(positive) == 1 else wq.And(positive)
            drop = negative[0] if len(negative) == 1 else wq.Or(negative)
    if keep is None:
        return q, None
    return keep, drop


PRUNE_EVERY = 32  # matches between two prunings of the matcher tree


def _every_match(collector):
    """Whoosh's ``Collector.matches`` without its shortcuts: every match, while the matcher tree
    is pruned of the parts that have no match left (``replace(0)`` drops nothing else), so a
    name with dozens of rare spellings walks a smaller tree once those are spent."""
    matcher = collector.matcher
    countdown = 0
    while matcher.is_active():
        if countdown == 0:
            collector.matcher = matcher = matcher.replace(0)
            if not matcher.is_active():
                break
            countdown = PRUNE_EVERY
        countdown -= 1
        yield matcher.id()
        matcher.next()


def _spelling_counts(searcher: Searcher, parsed: ParsedQuery, results, rows: list[tuple[float, dict]],
                     hits: list[Hit]) -> list[Spelling]:
    """The spellings the best-ranked results use for the query names, each counted over every
    result by searching that spelling alone: the count is what one click on it finds here."""
    if not parsed.patterns:
        return []
    shown = {h.id: h.matched for h in hits}
    # (query words, folded spelling) -> written form -> articles in the sample using it
    seen: dict[tuple[str, tuple[str, ...]], dict[str, int]] = {}
    via: dict[tuple[str, tuple[str, ...]], str] = {}
    for _, stored in rows[:SPELLING_SAMPLE]:
        found = shown.get(stored["id"])
        if found is None:
            title, body = stored.get("title", ""), stored.get("body", "")
            found = _matched([(title, m) for m in matches(title, parsed.patterns)]
                             + [(body, m) for m in matches(body, parsed.patterns)],
                             parsed.patterns.exact, parsed.learned, parsed.chains)
        for m in found:
            key = (m.query, exact_words(m.text))
            if not key[1]:
                continue
            forms = seen.setdefault(key, {})
            forms[m.text] = forms.get(m.text, 0) + 1
            if key not in via or _VIA_ORDER[m.via] < _VIA_ORDER[via[key]]:
                via[key] = m.via
    ranked = sorted(seen.items(), key=lambda kv: -sum(kv[1].values()))[:MAX_SPELLINGS]
    all_docs = results.docs()
    out = []
    for (words, _), forms in ranked:
        written = sorted(forms, key=lambda f: (-forms[f], f))
        exact = '"' + written[0].replace('"', " ") + '"'
        docs = _spelling_docs(searcher, exact)
        if docs is None:
            continue
        count = len(docs & all_docs)
        if count:
            out.append(Spelling(written[0], words, via[(words, _)], count, exact, written[1:]))
    return sorted(out, key=lambda s: (s.query, -s.count, s.text))


SPELLING_DOCS_KEPT = 2000       # spellings whose documents are kept ...
SPELLING_DOCS_IDS = 1_000_000   # ... holding at most this many document numbers in all
_SPELLING_DOCS = LRU(SPELLING_DOCS_KEPT, SPELLING_DOCS_IDS, weight=lambda docs: len(docs or ()))


def _index_folder(searcher: Searcher) -> str | None:
    """The folder of the index searched (None for one in memory): what its caches are kept by."""
    folder = getattr(getattr(searcher._ix, "storage", None), "folder", None)
    return None if folder is None else str(folder)


GROUPS_KEPT = 1_000_000  # articles whose near-duplicate group is remembered, in all segments
_GROUPS = LRU(256, GROUPS_KEPT, weight=len)  # (index folder, segment) -> docnum -> group


def _group_count(searcher: Searcher, results) -> int:
    """How many hits the matches make with the copies of a story folded under one (ISIS: 372
    results, 344 hits: pages counted from the results ended in empty ones)."""
    folder = _index_folder(searcher)
    docs = sorted(results.docs())
    groups = set()
    for leaf, offset in searcher.reader().leaf_readers():
        mine = docs[bisect.bisect_left(docs, offset):bisect.bisect_left(docs, offset + leaf.doc_count_all())]
        key = (folder, leaf.segment().segment_id()) if folder is not None else None
        known = _GROUPS.get(key) if key else MISSING
        known = {} if known is MISSING else known
        new = {}
        for docnum in mine:  # a segment never changes: nor do its articles' groups
            local = docnum - offset
            group = known.get(local)
            if group is None:
                group = new[local] = leaf.stored_fields(local)["group"]
            groups.add(group)
        if key and new:
            _GROUPS.put(key, {**known, **new})
    return len(groups)


def _spelling_docs(searcher: Searcher, text: str) -> frozenset[int] | None:
    """The documents holding one exact spelling (None if it cannot be searched), kept per index
    version: a spelling is counted again for every query that matches it."""
    folder = _index_folder(searcher)
    key = (folder, searcher.reader().generation(), text)
    found = _SPELLING_DOCS.get(key) if folder is not None else MISSING
    if found is not MISSING:
        return found
    try:
        found = frozenset(searcher.docs_for_query(Scored(parse_query(text, False, searcher.reader()).query)))
    except QueryError:
        found = None
    if folder is not None:
        _SPELLING_DOCS.put(key, found)
    return found


_PLAIN_WORD = re.compile(r"(?<![\w:])[^\W\d_]{4,}(?![\w:])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def did_you_mean(searcher: Searcher, text: str, expand: bool = True,
                 than: int | None = None) -> tuple[str, int] | None:
    """A respelling of ``text`` (each plain Latin word replaced by the closest word the archive
    has, if it has no exact match) that finds more articles than ``text`` does (``than``, when
    the caller already counted them), with how many; else None."""
    correctors = [searcher.corrector(f) for f in ("body", "title")]
    reader = searcher.reader()

    def respell(m: re.Match) -> str:
        word = m.group()
        folded = fold_latin(word)
        if word in _OPERATORS or is_arabic(word) or any(
                reader.doc_frequency(f, folded) for f in ("body", "title")):
            return word
        for corrector in correctors:
            # the fields hold variant keys beside the words (~hms, @hms, #is, >bab): words only
            better = [w for w in corrector.suggest(folded, limit=8, maxdist=2) if is_word(w)]
            if better:
                return better[0]
        return word

    candidate = _PLAIN_WORD.sub(respell, text)
    if candidate == text:
        return None
    try:
        total = len(searcher.search(parse_query(candidate, expand, reader).query, limit=1))
    except QueryError:
        return None
    if than is None:
        than = len(searcher.search(parse_query(text, expand, reader).query, limit=1))
    return (candidate, total) if total > than else None


def _source_counts(searcher: Searcher, results) -> dict[str, int]:
    """Matching articles per source, most first: one outlet however its name is cased or
    spaced ("TASS", "tass ", "South  Front"), named as its first article writes it (one stored
    document read per source: a facet is counted for every search)."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for key, docnums in results.groups("source").items():
        outlet = " ".join(str(key or "").split()) or NO_SOURCE
        if outlet not in names:
            written = searcher.stored_fields(docnums[0]).get("source") or ""
            names[outlet] = " ".join(written.split()) or NO_SOURCE
        counts[names[outlet]] = counts.get(names[outlet], 0) + len(docnums)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower())))


_FLAT = re.compile(r"\s+")

_VIA_ORDER = {"exact": 0, "variant": 1, "cross-script": 2, "alias": 3, "gazetteer": 4}


def _why(written: str, via: str, alias: str, learned: dict[str, float],
         chains: dict[str, tuple[str, ...]]) -> tuple[str, float | None]:
    """What made a spelling match, in words, and the name model's score where it did (and the
    close spellings it was found through, ``names.corroborated``)."""
    if via == "exact":
        return "as typed", None
    if via == "alias":
        return f"alias table ({alias})", None
    if via == "gazetteer":
        return f"gazetteer, GeoNames ({alias})", None
    scores = [learned[w] for w in exact_words(written) if w in learned]
    if scores:
        through = next((chains[w] for w in exact_words(written) if w in chains), ())
        return "name model" + (f" through {', '.join(through)}" if through else ""), round(min(scores), 3)
    return ("spelling rules" if via == "variant" else "spelling rules across scripts"), None


def _matched(found: list[tuple[str, Match]], exact: bool, learned: dict[str, float] | None = None,
             chains: dict[str, tuple[str, ...]] | None = None) -> list[Matched]:
    """The distinct spellings matched in an article, most frequent first; a spelling that
    several query names reach is told by the most direct one (exact, variant, ..., alias)."""
    best: dict[tuple[int, int, int], Matched] = {}  # (text, start, end) -> how it matched
    for text, m in found:
        written = _FLAT.sub(" ", text[m.start:m.end])
        if m.run.alias:
            via = m.run.source
        elif exact or exact_words(written) == exact_words(m.run.query):
            via = "exact"
        elif is_arabic(written) != is_arabic(m.run.query):
            via = "cross-script"
        else:
            via = "variant"
        place = (id(text), m.start, m.end)
        if place not in best or _VIA_ORDER[via] < _VIA_ORDER[best[place].via]:
            why, score = _why(written, via, m.run.alias, learned or {}, chains or {})
            best[place] = Matched(written, m.run.query, via, m.run.alias, 1, why, score)
    merged: dict[tuple[str, str, str, str], Matched] = {}
    for m in best.values():
        key = (m.text, m.query, m.via, m.alias)
        if key in merged:
            merged[key].count += 1
        else:
            merged[key] = m
    out = list(merged.values())
    return sorted(out, key=lambda m: (-m.count, m.text))


def search(index_dir: str | Path, text: str, limit: int = 10, sources: list[str] | None = None,
           since: dt.datetime | None = None, until: dt.datetime | None = None,
           expand: bool = True, group: bool = False) -> SearchResult:
    """Searches the index in ``index_dir``; raises QueryError or an index error."""
    ix = open_index(index_dir)
    try:
        with ix.searcher(weighting=BM25F()) as searcher:
            parsed = parse_query(text, expand, searcher.reader())
            return run_search(searcher, parsed, limit, sources, since, until, group)
    except DAMAGE_ERRORS as e:
        raise damaged(index_dir, e) from e


def search_many(index_dir: str | Path, texts: Iterable[str], limit: int = 10,
                sources: list[str] | None = None,
                since: dt.datetime | None = None, until: dt.datetime | None = None,
                expand: bool = True, group: bool = False) -> Iterator[SearchResult | QueryError]:
    """``search`` for each of ``texts`` in turn, on one open index: each query's result, or
    the QueryError that refused it; raises an index error."""
    ix = open_index(index_dir)
    try:
        with ix.searcher(weighting=BM25F()) as searcher:
            for text in texts:
                try:
                    parsed = parse_query(text, expand, searcher.reader())
                except QueryError as e:
                    yield e
                    continue
                yield run_search(searcher, parsed, limit, sources, since, until, group)
    except DAMAGE_ERRORS as e:
        raise damaged(index_dir, e) from e


def index_stats(index_dir: str | Path) -> dict:
    """What the index holds: articles, sources, date range, size, last update, versions."""
    ix = open_index(index_dir)
    gen = current_generation(Path(index_dir))
    meta = read_meta(gen)
    manifest = Manifest.load(gen)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        dates = reader.column_reader("date", translate=False) if reader.has_column("date") else None
        first = last = None
        undated = 0
        for docnum in reader.all_doc_ids():
            try:  # an undated article holds the column's out-of-range default
                value = long_to_datetime(dates[docnum]) if dates is not None else None
            except (OverflowError, TypeError, ValueError):
                value = None
            if value is None:
                undated += 1
                continue
            first = value if first is None or value < first else first
            last = value if last is None or value > last else last
        every = searcher.search(wq.Every(), limit=1, groupedby="source")
        return {
            "index": str(Path(index_dir).absolute()),
            "generation": gen.name,
            "articles": searcher.doc_count(),
            "sources": _source_counts(searcher, every),
            "files": len(manifest.files) if manifest else None,
            "dates": {"first": date_text(first), "last": date_text(last), "undated": undated},
            "bytes": sum(f.stat().st_size for f in gen.rglob("*") if f.is_file()),
            "segments": len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1,
            "built": meta.get("built"), "updated": meta.get("updated"),
            "analyzer_version": meta.get("analyzer_version"), "schema_version": meta.get("schema_version"),
            "paths": meta.get("sources", []),
        }
