"""The index: its schema, atomic full builds, and opening it with a version check.

A build writes a new generation of the index folder (``search.generations``) and makes it live
in one atomic rename, so a failed or killed build leaves the previous index searchable.
Incremental updates (``search.update``) commit into the live generation.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import struct
import time
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import columns, fields
from whoosh import index as whoosh_index
from whoosh.analysis import IDTokenizer, LowercaseFilter

from search.analysis import ANALYZER_VERSION, FieldAnalyzer
from search.codec import FieldPositions, RasmCodec
from search.duplicates import near_duplicate_groups, sampled, shingle_bytes, shingles
from search.generations import (
    HELD_LOCKS,
    META_FILE,
    IndexMissing,
    IndexVersionMismatch,
    RasmIndexError,
    current_generation,
    damaged,
    make_current,
    next_generation,
    remove_old_generations,
    write_lock,
)
from search.ingest import Article, IngestProblem, source_files
from search.parallel import ParallelWriter, WriterFailed
from search.sources import FileRecord, Manifest, article_hash, atomic_write, read_source

SCHEMA_VERSION = 7
OPEN_RETRIES = 20
PARALLEL_FROM = 1000  # articles from which a build uses every core
MAX_PROCS = 4

# What Whoosh raises reading an index file that was truncated, overwritten or deleted.
DAMAGE_ERRORS = (EOFError, struct.error, zlib.error, pickle.UnpicklingError, whoosh_index.IndexError,
                 FileNotFoundError)


def make_schema() -> fields.Schema:
    """The Whoosh schema: title and body (exact and variant-key terms in one field), plus metadata."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        title=_text_field(FieldAnalyzer(headline=True)),
        body=_text_field(FieldAnalyzer()),
        date=fields.DATETIME(stored=True, sortable=True),
        source=fields.ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),
        group=fields.STORED(),  # the first id of the article's near-duplicate group
        url=fields.STORED(),
        author=fields.STORED(),
        meta=fields.STORED(),
        hash=fields.STORED(),  # article_hash: an update re-indexes only what changed
        # a sample of the body's shingles, as a column (no terms): finds copies of a new article
        shingles=fields.COLUMN(columns.VarBytesColumn()),
    )


def _text_field(analyzer: FieldAnalyzer) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer, stored=True)
    field.format = FieldPositions(field_boost=field.format.field_boost)
    return field


@dataclass
class BuildReport:
    """What a build or update did: counts for the summary line, and every problem met."""

    articles: int = 0   # articles in the index afterwards
    rows: int = 0       # records read
    repeats: int = 0
    seconds: float = 0.0
    problems: list[IngestProblem] = field(default_factory=list)
    full: bool = True   # a full build; False for an incremental update
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    files_read: int = 0

    def summary(self) -> str:
        repeats = (f", {self.repeats} repeated ids (later row kept)" if self.repeats else "")
        errors = sum(1 for p in self.problems if not p.kept)
        warnings = len(self.problems) - errors
        errors_text = f"{errors} error{'' if errors == 1 else 's'}" + (
            f", {warnings} warning{'' if warnings == 1 else 's'}" if warnings else "")
        if not self.full:
            return (f"Updated the index in {self.seconds:.1f} s: {self.added} added, {self.updated} updated, "
                    f"{self.deleted} deleted, {self.unchanged} unchanged ({self.files_read} "
                    f"file{'' if self.files_read == 1 else 's'} read){repeats}; {errors_text}; "
                    f"{self.articles} articles in the index")
        return (f"Indexed {self.articles} articles from {self.rows} records in "
                f"{self.seconds:.1f} s{repeats}; {errors_text}")

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def _document(article: Article, group: str, found: set[int] | None = None) -> dict:
    if found is None:
        found = shingles(article.body)
    return {
        "id": article.id,
        "group": group,
        "path": article.path,
        "title": article.title,
        "body": article.body,
        "date": article.date,
        "source": article.source,
        "url": article.url,
        "author": article.author,
        "meta": article.meta,
        "hash": article_hash(article),
        "shingles": shingle_bytes(sampled(found)),
    }


def open_index(index_dir: str | Path) -> whoosh_index.Index:
    """Opens the live index, refusing one built by another analyzer or schema version and
    saying so (IndexDamaged) of one whose files are missing or unreadable.

    A writer committing at the same moment may remove the table of contents being opened (or a
    rebuild the generation); like Whoosh's own reader, this then tries again a few times.
    """
    index_dir = Path(index_dir)
    for attempt in range(OPEN_RETRIES):
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexMissing(f"no index in {index_dir}: run `rasm index` first")
        try:
            meta = json.loads((gen / META_FILE).read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not an object")
            _check_versions(index_dir, meta)
            return whoosh_index.open_dir(str(gen))
        except (FileNotFoundError, whoosh_index.EmptyIndexError) as e:
            if attempt == OPEN_RETRIES - 1:
                missing = META_FILE if not (gen / META_FILE).exists() else "its table of contents"
                raise damaged(index_dir, f"{missing} is missing") from e
            time.sleep(0.05)
        except UnicodeDecodeError as e:
            raise damaged(index_dir, f"its {META_FILE} is not text") from e
        except ValueError as e:
            raise damaged(index_dir, f"its {META_FILE} is not readable ({e})") from e
        except OSError as e:
            raise damaged(index_dir, f"cannot read it: {e.strerror or e}") from e
        except (*DAMAGE_ERRORS, IndexError, KeyError, TypeError, AttributeError) as e:
            raise damaged(index_dir, f"its table of contents is unreadable ({e})") from e
    raise AssertionError("unreachable")


def _check_versions(index_dir: Path, meta: dict) -> None:
    if (meta.get("analyzer_version"), meta.get("schema_version")) != (ANALYZER_VERSION, SCHEMA_VERSION):
        raise IndexVersionMismatch(
            f"index in {index_dir} was built with analyzer v{meta.get('analyzer_version')}, "
            f"schema v{meta.get('schema_version')}; this Rasm uses analyzer v{ANALYZER_VERSION}, "
            f"schema v{SCHEMA_VERSION}: run `rasm index --rebuild` to rebuild it"
        )


def _write_meta(gen: Path, count: int, sources: list[str], built: str | None = None) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    meta = {"analyzer_version": ANALYZER_VERSION, "schema_version": SCHEMA_VERSION,
            "articles": count, "built": built or now, "updated": now, "sources": sources}
    atomic_write(gen / META_FILE, json.dumps(meta, indent=1, ensure_ascii=False))


def clashing_id(doc_id: str, file: Path, holder: str) -> IngestProblem:
    """The problem of an article whose id the article of another file has (a subfolder of one
    source folder and another source folder of one name): it is skipped, the other kept."""
    return IngestProblem(str(file.absolute()), None, f"article {doc_id!r} has the id of an article of "
                                                     f"{holder}, which is kept: rename one of the files")


def _problem_collector(report: BuildReport, on_problem):
    def problem(p: IngestProblem) -> None:
        report.problems.append(p)
        if on_problem:
            on_problem(p)
    return problem


def build_index(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    on_problem: Callable[[IngestProblem], None] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> BuildReport:
    """Builds a fresh index of every article under paths and makes it live atomically.

    Repeated ids keep the later record.  Unreadable files and rows are reported
    (to on_problem and in the report) and skipped.  The previous index stays live
    until the new one is complete.  The write lock is held from the first file read, so an
    update committed meanwhile is never undone by the swap.  ``progress(stage, done, total)``
    is called per record read (stage "read", total None) and per article written ("write").
    """
    paths = [Path(p) for p in paths]
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with write_lock(index_dir):
        return _build_locked(paths, index_dir, on_problem, progress)


def _build_locked(paths: list[Path], index_dir: Path, on_problem, progress) -> BuildReport:
    started = time.monotonic()
    report = BuildReport()
    problem = _problem_collector(report, on_problem)
    manifest = Manifest(sources=[str(p.absolute()) for p in paths])
    live = current_generation(index_dir)
    previous = Manifest.load(live) if live else None
    manifest.roots = dict(previous.roots) if previous else {}  # a rebuild keeps every source's ids
    manifest.forget_roots()
    articles: dict[str, Article] = {}
    owner: dict[str, tuple[FileRecord, Path]] = {}  # article id -> the record and file it came from
    for file, root in source_files(paths, problem):
        read = read_source(file, manifest.id_root(root), problem)
        if read is None:
            continue
        manifest.files[str(file.absolute())] = read.record
        for article in read.articles:
            report.rows += 1
            if article.id in articles:
                record, holder = owner[article.id]
                if record is not read.record:
                    problem(clashing_id(article.id, file, str(holder.absolute())))
                    read.record.sha256 = ""  # read it again, and say so again, until it is renamed
                    continue
                report.repeats += 1
                del articles[article.id]  # the later row wins, at its own place in the order
                record.rows.pop(article.id, None)
            articles[article.id] = article
            owner[article.id] = (read.record, file)
            read.record.rows[article.id] = article_hash(article)
            if progress:
                progress("read", report.rows, None)
    if articles:  # an empty build never replaces the live index
        _write_generation(index_dir, list(articles.values()), manifest, progress)
    report.articles = report.added = len(articles)
    report.seconds = time.monotonic() - started
    return report


def _write_generation(index_dir: Path, articles: Collection[Article], manifest: Manifest,
                      progress=None) -> Path:
    gen = next_generation(index_dir)
    gen.mkdir()
    count = 0
    found = {a.id: shingles(a.body) for a in articles}
    groups = near_duplicate_groups((a.id, found[a.id]) for a in articles)
    try:
        ix = whoosh_index.create_in(str(gen), make_schema())
        writer = _writer(ix, len(articles))
        try:
            try:
                for article in articles:
                    writer.add_document(**_document(article, groups[article.id], found[article.id]))
                    count += 1
                    if progress:
                        progress("write", count, len(articles))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
        except WriterFailed as e:
            raise RasmIndexError(f"the index writer failed ({e}): the new index is left out and the "
                                 "previous one stays live") from e
        written = ix.doc_count_all()
        if written != count:
            raise RasmIndexError(f"the index writer wrote {written} of {count} articles: the new index "
                                 "is left out and the previous one stays live")
        manifest.toc_generation = ix.latest_generation()
        manifest.save(gen)
        _write_meta(gen, count, manifest.sources)
        make_current(index_dir, gen)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    remove_old_generations(index_dir, keep=gen)
    return gen


def _writer(ix, count: int):
    """A writer for ``count`` new articles: on every core for a large build (one segment each),
    in this process otherwise."""
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    if procs > 1 and count >= PARALLEL_FROM:
        return ParallelWriter(ix, procs, batchsize=50, close_in_child=HELD_LOCKS,
                              limitmb=512, codec=RasmCodec())
    return ix.writer(limitmb=256, codec=RasmCodec())
