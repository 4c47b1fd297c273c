"""Incremental updates: bring an index up to date with its sources, redoing only what changed.

Each update is one Whoosh commit into the live generation, under the write lock; the record
of source files (``files.json``) is written after the commit, so a writer killed in between
leaves a record that describes an older commit, which the next update notices and rebuilds
from the index itself.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from search.codec import RasmCodec
from search.duplicates import (
    COMMON_SHINGLE_DOCS,
    MIN_SHINGLES,
    is_copy,
    sampled,
    shingles,
    shingles_from_bytes,
)
from search.generations import (
    IndexMissing,
    current_generation,
    read_meta,
    remove_stray_generations,
    repair_current,
    write_lock,
)
from search.index import BuildReport, _document, _problem_collector, _write_meta, clashing_id, open_index
from search.ingest import Article, IngestProblem, source_files
from search.sources import FileRecord, Manifest, article_hash, read_source, source_root


def update_index(
    paths: Iterable[str | Path] | None,
    index_dir: str | Path,
    on_problem: Callable[[IngestProblem], None] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    only: bool = False,
) -> BuildReport:
    """Brings the index up to date with its sources, re-indexing only what changed.

    ``paths`` become the index's sources (None keeps the ones it has); articles of files no
    longer under them are deleted, except under a source that has gone missing.  With ``only``,
    just the files under ``paths`` are (re)read and the sources are kept, with any path they do
    not cover added.  A file read with problems has its new and changed rows indexed but none
    deleted until it reads cleanly.  The index must exist (IndexMissing): only a build
    (``search.index.build_index``) makes one.
    """
    index_dir = Path(index_dir)
    paths = None if paths is None else [Path(p) for p in paths]
    if current_generation(index_dir) is None:
        raise IndexMissing(f"no index in {index_dir}: create it with `rasm index PATH --index {index_dir}`")
    started = time.monotonic()
    report = BuildReport(full=False)
    problem = _problem_collector(report, on_problem)
    with write_lock(index_dir):
        ix = open_index(index_dir)
        gen = Path(ix.storage.folder)
        repair_current(index_dir, gen)
        remove_stray_generations(index_dir, gen)
        manifest = _load_manifest(gen, ix)
        recorded = manifest.dumps()
        targets, missing = _targets(manifest, paths, only, problem)
        pending: dict[str, Article] = {}
        deletes: set[str] = set()
        seen: set[str] = set()
        claims = _claims_of_others(manifest, targets) if only else {}  # article id -> its file
        for file, root in targets:
            key = str(file.absolute())
            seen.add(key)
            old = manifest.files.get(key)
            read = read_source(file, manifest.id_root(root), problem, old)
            if read is None:
                if old:
                    _claim(claims, file, old, problem)
                report.unchanged += len(old.rows) if old else 0
                continue
            report.files_read += 1
            before = old.rows if old and old.rel == read.record.rel else {}
            rows: dict[str, str] = {}
            for article in read.articles:
                report.rows += 1
                if claims.setdefault(article.id, key) != key:
                    problem(clashing_id(article.id, file, claims[article.id]))
                    read.record.sha256 = ""  # read it again, and say so again, until it is renamed
                    continue
                if article.id in rows:
                    report.repeats += 1
                rows[article.id] = article_hash(article)
                pending[article.id] = article
                if progress:
                    progress("read", report.rows, None)
            for doc_id, digest in rows.items():
                if doc_id not in before:
                    report.added += 1
                elif before[doc_id] != digest:
                    report.updated += 1
                else:
                    report.unchanged += 1
                    del pending[doc_id]
            if read.tail or not read.clean:
                read.record.rows = {**before, **rows}
            else:
                read.record.rows = rows
                deletes.update(i for i in before if i not in rows)
            if old and old.rel != read.record.rel:
                deletes.update(old.rows)
            manifest.files[key] = read.record
        if not only:
            for key in [k for k in manifest.files if k not in seen]:
                if any(key == m or key.startswith(m.rstrip(os.sep) + os.sep) for m in missing):
                    continue  # its source is missing (unmounted?): keep what was indexed
                deletes.update(manifest.files.pop(key).rows)
        deletes -= pending.keys() | claims.keys()
        with ix.searcher() as searcher:
            emptied = not pending and len(deletes) >= searcher.doc_count()
        if emptied:  # like an empty build, an update never leaves the index with nothing
            report.seconds = time.monotonic() - started
            report.unchanged = report.articles = 0
            return report
        report.deleted = len(deletes)
        if pending or deletes:
            _apply(ix, pending, deletes, progress)
        manifest.toc_generation = ix.latest_generation()
        if manifest.dumps() != recorded:  # an update that finds nothing new writes nothing
            manifest.save(gen)
        with ix.searcher() as searcher:
            report.articles = searcher.doc_count()
        meta = read_meta(gen)
        if report.changed or meta.get("sources") != manifest.sources:
            _write_meta(gen, report.articles, manifest.sources, meta.get("built"))
    report.seconds = time.monotonic() - started
    return report


def _claims_of_others(manifest: Manifest, targets: list[tuple[Path, Path]]) -> dict[str, str]:
    """The article ids of the files an update (``only``) does not read, each of its file."""
    read = {str(file.absolute()) for file, _ in targets}
    claims: dict[str, str] = {}
    for key, record in manifest.files.items():
        if key not in read:
            for doc_id in record.rows:
                claims.setdefault(doc_id, key)
    return claims


def _claim(claims: dict[str, str], file: Path, record: FileRecord, problem) -> None:
    """Claims the ids of an unchanged file's articles; one an earlier file holds is dropped."""
    key = str(file.absolute())
    for doc_id in [i for i in record.rows if claims.setdefault(i, key) != key]:
        del record.rows[doc_id]
        problem(clashing_id(doc_id, file, claims[doc_id]))
        record.sha256 = ""


def _targets(manifest: Manifest, paths: list[Path] | None, only: bool, problem
             ) -> tuple[list[tuple[Path, Path]], list[str]]:
    """The (file, root) pairs to look at, and the sources that are missing."""
    if not only:
        if paths:
            manifest.sources = [str(p.absolute()) for p in paths]
            manifest.forget_roots()
        sources = [Path(s) for s in manifest.sources]
        missing = [str(s) for s in sources if not s.exists()]
        return list(source_files(sources, problem)), missing
    targets = []
    for path in paths or []:
        path = path.absolute()
        root = _covering_root(manifest.sources, path)
        if root is None:
            manifest.sources.append(str(path))
            targets += source_files([path], problem)
        else:
            files = [f for f, _ in source_files([path], problem)]
            targets += [(f, root) for f in files]
    return targets, []


def _covering_root(sources: list[str], path: Path) -> Path | None:
    """The source folder (or a source file's own folder) that ``path`` is inside, or None."""
    best = None
    for source in map(Path, sources):
        root = source if source.is_dir() else None
        if source == path and not source.is_dir():
            root = source.parent
        inside = root is not None and (path == root or root in path.parents)
        if inside and (best is None or len(root.parts) > len(best.parts)):
            best = root
    return best


def _load_manifest(gen: Path, ix) -> Manifest:
    """The record of source files, or one rebuilt from the index itself when the record does not
    describe the last commit (a writer was killed between the two): every file is then read
    again and compared article by article."""
    latest = ix.latest_generation()
    manifest = Manifest.load(gen)
    if manifest is not None and manifest.toc_generation == latest:
        return manifest
    sources = read_meta(gen).get("sources") or (manifest.sources if manifest else [])
    rebuilt = Manifest(list(sources), {}, latest, dict(manifest.roots) if manifest else {})
    roots = [rebuilt.id_root(source_root(Path(s))) for s in sources]
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            rel = stored.get("path", "")
            places = [r / rel for r in roots]
            where = next((p for p in places if p.exists()), places[0] if places else Path(rel))
            record = rebuilt.files.setdefault(str(where.absolute()), FileRecord(rel, -1, -1, "", 0))
            record.rows[stored["id"]] = stored.get("hash") or ""
    return rebuilt


def _apply(ix, pending: dict[str, Article], deletes: set[str], progress=None) -> None:
    """One commit: deletes, then adds or replaces each pending article (near-duplicate groups
    found through the sampled shingles of the articles already indexed)."""
    with ix.searcher() as searcher:
        group_for = _group_finder(searcher)
        writer = ix.writer(limitmb=256, codec=RasmCodec())
        try:
            for doc_id in deletes:
                writer.delete_by_term("id", doc_id)
            for n, article in enumerate(pending.values(), 1):
                found = shingles(article.body)
                writer.update_document(**_document(article, group_for(article, found), found))
                if progress:
                    progress("write", n, len(pending))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()


def _group_finder(searcher):
    """A function giving a new article its near-duplicate group: that of an indexed article (or
    one added earlier in the same batch) it copies, else its own id."""
    reader = searcher.reader()
    indexed: dict[int, list[int]] | None = None  # sampled shingle -> live documents holding it
    batch: list[tuple[set[int], str]] = []
    batch_terms: dict[int, list[int]] = {}

    def group_for(article: Article, found: set[int]) -> str:
        nonlocal indexed
        terms = sampled(found)
        if len(found) >= MIN_SHINGLES and terms:
            if indexed is None:
                indexed = _indexed_shingles(reader)
            counts: Counter[int] = Counter()
            for term in terms:
                docs = indexed.get(term, ())
                if len(docs) <= COMMON_SHINGLE_DOCS:
                    counts.update(docs)
            for docnum, _ in counts.most_common(5):
                stored = searcher.stored_fields(docnum)
                if stored["id"] != article.id and is_copy(found, shingles(stored.get("body", ""))):
                    return stored["group"]
            near: Counter[int] = Counter(i for t in terms for i in batch_terms.get(t, ()))
            for i, _ in near.most_common(5):
                if is_copy(found, batch[i][0]):
                    return batch[i][1]
        for term in terms:
            batch_terms.setdefault(term, []).append(len(batch))
        batch.append((found, article.id))
        return article.id

    return group_for


def _indexed_shingles(reader) -> dict[int, list[int]]:
    """Every live document's sampled shingles, inverted: shingle -> document numbers (read once
    per commit from the ``shingles`` column: a few hundred milliseconds for 100,000 articles)."""
    out: dict[int, list[int]] = {}
    if not reader.has_column("shingles"):
        return out
    column = reader.column_reader("shingles")
    deleted = reader.is_deleted
    for docnum in range(reader.doc_count_all()):
        value = column[docnum]
        if value and not deleted(docnum):
            for s in shingles_from_bytes(value):
                out.setdefault(s, []).append(docnum)
    return out
