"""One measurement in its own process (so peak RSS is its own); prints one JSON line.

    python -m bench.child build-stock SRC OUT | build-rasm SRC OUT
    python -m bench.child query-stock INDEX QUERIES | query-rasm INDEX QUERIES
    python -m bench.child incremental SRC INDEX
    python -m bench.child load URL QUERIES REQUESTS CLIENTS
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import resource
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from bench.run import percentiles


def read_queries(path: str) -> list[tuple[str, dict]]:
    """(query, filters) from bench/queries.txt: filters after a TAB as since=, until=, source=."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, _, extra = line.partition("\t")
        filters = dict(part.split("=", 1) for part in extra.split())
        out.append((text, filters))
    return out


def _day(value: str | None, end: bool = False) -> dt.datetime | None:
    if not value:
        return None
    day = dt.date.fromisoformat(value)
    return dt.datetime.combine(day, dt.time.max if end else dt.time.min)


def _articles(src: str):
    from search.ingest import iter_articles

    return list(iter_articles([src], on_problem=lambda p: None))


def _mb(articles) -> float:
    return sum(len(a.title.encode()) + len(a.body.encode()) for a in articles) / 2**20


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_rss_mb() -> float:
    """The peak of the largest process this one started (Rasm's writer processes)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# ------------------------------------------------------------------ stock Whoosh
def stock_schema():
    from whoosh import fields
    from whoosh.analysis import StandardAnalyzer

    return fields.Schema(id=fields.ID(stored=True, unique=True),
                         title=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
                         body=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
                         date=fields.DATETIME(stored=True, sortable=True),
                         source=fields.ID(stored=True))


def build_stock(src: str, out: str) -> dict:
    from whoosh import index

    started = time.perf_counter()
    articles = _articles(src)  # stock Whoosh reads no files: Rasm's reader, timed apart
    read = time.perf_counter() - started
    Path(out).mkdir(parents=True)
    started = time.perf_counter()
    ix = index.create_in(out, stock_schema())
    writer = ix.writer(limitmb=256)
    for a in articles:
        writer.update_document(id=a.id, title=a.title, body=a.body, date=a.date, source=a.source.lower())
    writer.commit()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "read_seconds": read, "articles": len(articles), "mb": _mb(articles),
            "maxrss_mb": _rss_mb()}


def query_stock(index_dir: str, queries_file: str) -> dict:
    from whoosh import index
    from whoosh import query as wq
    from whoosh.qparser import MultifieldParser

    queries = read_queries(queries_file)
    started = time.perf_counter()
    ix = index.open_dir(index_dir)
    parser = MultifieldParser(["title", "body"], ix.schema)

    def run(searcher, text: str, filters: dict) -> int:
        parts = []
        if "source" in filters:
            parts.append(wq.Term("source", filters["source"].lower()))
        if "since" in filters or "until" in filters:
            parts.append(wq.DateRange("date", _day(filters.get("since")), _day(filters.get("until"), True)))
        flt = wq.And(parts) if parts else None
        results = searcher.search(parser.parse(text), limit=10, filter=flt)
        for hit in results:
            hit.highlights("body")
        return len(results)

    with ix.searcher() as searcher:
        run(searcher, *queries[0])
        cold = time.perf_counter() - started
        return {"cold": cold, **_timed(lambda q, f: run(searcher, q, f), queries), "maxrss_mb": _rss_mb()}


def _timed(run, queries) -> dict:
    for text, filters in queries:  # warm up
        run(text, filters)
    latencies, hits = [], []
    for text, filters in queries:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            n = run(text, filters)
            times.append(time.perf_counter() - t)
        latencies.append(statistics.median(times))
        hits.append(n)
    slowest = sorted(zip(latencies, (q for q, _ in queries), strict=True), reverse=True)[:8]
    return {"latency": percentiles(latencies), "hits_mean": statistics.fmean(hits),
            "slowest": [[round(s * 1000, 1), q] for s, q in slowest]}


# ------------------------------------------------------------------ Rasm
def build_rasm(src: str, out: str) -> dict:
    from search.index import build_index

    started = time.perf_counter()
    mb = _mb(_articles(src))
    read = time.perf_counter() - started  # what reading the files takes, within the build below
    started = time.perf_counter()
    report = build_index([src], out)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "read_seconds": read, "articles": report.articles, "mb": mb,
            "maxrss_mb": _rss_mb(), "writer_maxrss_mb": _child_rss_mb()}


def query_rasm(index_dir: str, queries_file: str) -> dict:
    from whoosh.scoring import BM25F

    from search.index import open_index
    from search.searcher import parse_query, run_search

    queries = read_queries(queries_file)
    started = time.perf_counter()
    ix = open_index(index_dir)

    def run(searcher, text: str, filters: dict) -> int:
        parsed = parse_query(text, True, searcher.reader())
        result = run_search(searcher, parsed, limit=10, sources=[filters["source"]] if "source" in filters
                            else None, since=_day(filters.get("since")),
                            until=_day(filters.get("until"), True), group=True)
        return result.total

    with ix.searcher(weighting=BM25F()) as searcher:
        run(searcher, *queries[0])
        cold = time.perf_counter() - started
        return {"cold": cold, **_timed(lambda q, f: run(searcher, q, f), queries), "maxrss_mb": _rss_mb()}


def incremental(src: str, index_dir: str) -> dict:
    from search.update import update_index

    template = {"title": "Shelling reported near Deir Ezzor", "source": "bench", "date": "2026-11-22",
                "text": "Residents of Dayr az-Zawr said shelling hit the city on Sunday. {n}"}
    rows = [{**template, "id": f"bench-{n}", "text": template["text"].format(n=n)} for n in range(10)]
    new_file = Path(src) / "incoming.jsonl"
    new_file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    started = time.perf_counter()
    first = update_index(None, index_dir)
    add_file = time.perf_counter() - started
    reuters = Path(src) / "reuters.jsonl"
    more = [{**r, "id": f"appended-{r['id']}"} for r in rows]
    jsonl_rows = sum(1 for _ in reuters.open(encoding="utf-8"))
    with reuters.open("a", encoding="utf-8") as f:
        f.write("".join(json.dumps(r) + "\n" for r in more))
    started = time.perf_counter()
    second = update_index(None, index_dir)
    append_rows = time.perf_counter() - started
    assert (first.added, second.added) == (10, 10), (first.summary(), second.summary())
    return {"add_file": add_file, "append_rows": append_rows, "jsonl_rows": jsonl_rows,
            "summaries": [first.summary(), second.summary()]}


# ------------------------------------------------------------------ web load
def load(url: str, queries_file: str, requests: int, clients: int) -> dict:
    queries = read_queries(queries_file)
    parsed = urllib.parse.urlsplit(url)
    paths = []
    for i in range(requests):
        text, filters = queries[i % len(queries)]
        params = {"q": text, **filters}
        paths.append("/search?" + urllib.parse.urlencode(params))
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(mine: list[str]) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        for path in mine:
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as e:
                status = repr(e)
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {path}")
        conn.close()

    threads = [threading.Thread(target=client, args=(paths[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"requests": requests, "clients": clients, "seconds": wall, "rps": requests / wall,
            "latency": percentiles(latencies), "errors": len(errors), "error_examples": errors[:5]}


def main() -> None:
    command, *args = sys.argv[1:]
    handlers = {"build-stock": build_stock, "build-rasm": build_rasm, "query-stock": query_stock,
                "query-rasm": query_rasm, "incremental": incremental,
                "load": lambda u, q, n, c: load(u, q, int(n), int(c))}
    print(json.dumps(handlers[command](*args), ensure_ascii=False))


if __name__ == "__main__":
    main()
