"""Running a query against the index: ranked hits with snippets, as plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from search.aliases import default_aliases
from search.highlight import snippet
from search.index import open_index
from search.query import ParsedQuery, QueryBuilder

MAX_LIMIT = 100_000


@dataclass
class Hit:
    id: str
    title: str
    date: str | None
    source: str
    url: str
    score: float
    snippet: str


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON shape of ``rasm search --json``."""
        return {"query": self.query, "total": self.total, "hits": [asdict(h) for h in self.hits]}


def parse_query(text: str, expand: bool = True, reader=None) -> ParsedQuery:
    """Parses ``text`` with the alias table (unless ``expand`` is off); raises QueryError.

    With an index ``reader``, cross-script forms the index shows to be common words are left out.
    """
    return QueryBuilder(default_aliases() if expand else None, expand=expand, reader=reader).parse(text)


def _filter(sources: list[str] | None, since: dt.datetime | None, until: dt.datetime | None):
    parts: list[wq.Query] = []
    if sources:
        parts.append(wq.Or([wq.Term("source", s.lower()) for s in sources]))
    if since or until:
        parts.append(wq.DateRange("date", since, until))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _date_text(value) -> str | None:
    if not isinstance(value, dt.datetime):
        return None
    if value.time() == dt.time():
        return value.date().isoformat()
    return value.isoformat(timespec="seconds")


def run_search(searcher: Searcher, parsed: ParsedQuery, limit: int = 10,
               sources: list[str] | None = None, since: dt.datetime | None = None,
               until: dt.datetime | None = None) -> SearchResult:
    """Ranked hits (best first, at most ``limit``) with highlighted snippets."""
    limit = max(1, min(limit, MAX_LIMIT))
    results = searcher.search(parsed.query, limit=limit, filter=_filter(sources, since, until))
    hits = []
    for r in results:
        stored = r.fields()
        hits.append(Hit(
            id=stored["id"],
            title=stored.get("title", ""),
            date=_date_text(stored.get("date")),
            source=stored.get("source", ""),
            url=stored.get("url", ""),
            score=round(r.score, 4),
            snippet=snippet(stored.get("body", ""), parsed.patterns),
        ))
    return SearchResult(parsed.text, len(results), hits)


def search(index_dir: str | Path, text: str, limit: int = 10, sources: list[str] | None = None,
           since: dt.datetime | None = None, until: dt.datetime | None = None,
           expand: bool = True) -> SearchResult:
    """Searches the index in ``index_dir``; raises QueryError or an index error."""
    ix = open_index(index_dir)
    with ix.searcher(weighting=BM25F()) as searcher:
        parsed = parse_query(text, expand, searcher.reader())
        return run_search(searcher, parsed, limit, sources, since, until)
