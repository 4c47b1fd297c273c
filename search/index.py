"""The on-disk index: schema, atomic full builds, opening with a version check.

An index folder holds generations ``gen-000001/``, ``gen-000002/``, ... (each a
Whoosh index) and a ``CURRENT`` file naming the live one.  A build writes a new
generation and then replaces ``CURRENT`` in one atomic rename, so a failed or
killed build leaves the previous index searchable.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import fields
from whoosh import index as whoosh_index
from whoosh.analysis import IDTokenizer, LowercaseFilter

from search.analysis import ANALYZER_VERSION, exact_analyzer, key_analyzer
from search.duplicates import (
    COMMON_SHINGLE_DOCS,
    MIN_SHINGLES,
    is_copy,
    near_duplicate_groups,
    sampled,
    shingles,
)
from search.ingest import Article, IngestProblem, read_file, relative_id, source_files

SCHEMA_VERSION = 3
META_FILE = "rasm.json"
MANIFEST_FILE = "files.json"
CURRENT_FILE = "CURRENT"
WRITE_LOCK_TIMEOUT = 30.0
OPEN_RETRIES = 20
PARALLEL_FROM = 1000  # articles from which a build uses every core
MAX_PROCS = 4


class RasmIndexError(Exception):
    """A problem with the index folder, said so the user knows what to do."""


class IndexMissing(RasmIndexError):
    pass


class IndexVersionMismatch(RasmIndexError):
    pass


class IndexLocked(RasmIndexError):
    pass


@contextmanager
def write_lock(index_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Holds the index folder's write lock; waits up to timeout (default: $RASM_LOCK_TIMEOUT,
    else 30 s), then names the holder.

    An OS lock (flock) is released when its process dies, so a killed build never
    leaves a stale lock behind.
    """
    if timeout is None:
        try:
            timeout = float(os.environ.get("RASM_LOCK_TIMEOUT", WRITE_LOCK_TIMEOUT))
        except ValueError:
            timeout = WRITE_LOCK_TIMEOUT
    lock_path = index_dir / "write.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
                    raise IndexLocked(
                        f"{index_dir} is being written by another process ({holder}); "
                        f"waited {timeout:g} s: try again when it has finished"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:120]
        os.pwrite(fd, f"pid {os.getpid()}: {command}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def make_schema() -> fields.Schema:
    """The Whoosh schema: exact and variant-key fields for title and body, plus metadata."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        title=fields.TEXT(analyzer=exact_analyzer(headline=True), stored=True),
        title_key=fields.TEXT(analyzer=key_analyzer(headline=True)),
        body=fields.TEXT(analyzer=exact_analyzer(), stored=True),
        body_key=fields.TEXT(analyzer=key_analyzer()),
        date=fields.DATETIME(stored=True, sortable=True),
        source=fields.ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),
        group=fields.ID(stored=True),  # the first id of the article's near-duplicate group
        url=fields.STORED(),
        author=fields.STORED(),
        meta=fields.STORED(),
        hash=fields.STORED(),  # article_hash: an update re-indexes only what changed
        shingles=fields.KEYWORD(scorable=False),  # a sample of the body's shingles: finds copies
    )


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
        errors = len(self.problems)
        errors_text = f"{errors} error{'' if errors == 1 else 's'}"
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


def article_hash(article: Article) -> str:
    """A fingerprint of everything indexed about an article: equal hashes, nothing to redo."""
    data = json.dumps(asdict(article), default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:24]


def _document(article: Article, group: str, found: set[int] | None = None) -> dict:
    if found is None:
        found = shingles(article.body)
    return {
        "id": article.id,
        "group": group,
        "path": article.path,
        "title": article.title,
        "title_key": article.title,
        "body": article.body,
        "body_key": article.body,
        "date": article.date,
        "source": article.source,
        "url": article.url,
        "author": article.author,
        "meta": article.meta,
        "hash": article_hash(article),
        "shingles": " ".join(sampled(found)),
    }


def current_generation(index_dir: Path) -> Path | None:
    """The live generation folder, or None if the folder holds no index."""
    pointer = Path(index_dir) / CURRENT_FILE
    if not pointer.is_file():
        return None
    gen = Path(index_dir) / pointer.read_text(encoding="utf-8").strip()
    return gen if gen.is_dir() else None


def _generation_number(gen: Path) -> int:
    return int(gen.name[4:]) if gen.name[4:].isdigit() else -1


def _next_generation(index_dir: Path) -> Path:
    numbers = [_generation_number(p) for p in index_dir.glob("gen-*")]
    return index_dir / f"gen-{max(numbers, default=0) + 1:06d}"


# ------------------------------------------------------------------ the record of source files
@dataclass
class FileRecord:
    """What the index last read from one source file."""

    rel: str                 # its path relative to its root: the prefix of its articles' ids
    size: int
    mtime_ns: int
    sha256: str              # of the whole file ("" when it must be read again next time)
    lines: int               # newlines in it (a JSONL file that only grew is read from there on)
    rows: dict[str, str] = field(default_factory=dict)  # article id -> article_hash


@dataclass
class Manifest:
    """The source paths an index was built from, and each file's record (``files.json``)."""

    sources: list[str] = field(default_factory=list)     # absolute paths, files or folders
    files: dict[str, FileRecord] = field(default_factory=dict)  # absolute file path -> record
    toc_generation: int = -1  # the Whoosh commit it describes; another means it is stale

    def dumps(self) -> str:
        data = {"sources": self.sources, "toc_generation": self.toc_generation,
                "files": {k: asdict(v) for k, v in self.files.items()}}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def save(self, gen: Path) -> None:
        _atomic_write(gen / MANIFEST_FILE, self.dumps())

    @classmethod
    def load(cls, gen: Path) -> Manifest | None:
        try:
            data = json.loads((gen / MANIFEST_FILE).read_text(encoding="utf-8"))
            return cls(list(data["sources"]), {k: FileRecord(**v) for k, v in data["files"].items()},
                       int(data["toc_generation"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass
class _Read:
    """One source file read: its record and its articles, or why it was left as it was."""

    record: FileRecord
    articles: list[Article]
    clean: bool  # read without a problem: rows it no longer has may be deleted
    tail: bool = False  # only the rows appended since the last read


def _read_source(file: Path, root: Path, problem, old: FileRecord | None = None) -> _Read | None:
    """Reads ``file`` unless ``old`` shows it unchanged (then None); a JSONL file that only grew
    is read from where it ended.  A file that cannot be read at all is reported and also None."""
    rel = relative_id(file, root)
    try:
        st = file.stat()
        if (old and old.rel == rel and old.sha256 and old.size == st.st_size
                and old.mtime_ns == st.st_mtime_ns):
            return None
        raw = file.read_bytes()
    except OSError as e:
        problem(IngestProblem(rel, None, f"cannot read file ({e.strerror or e})"))
        return None
    digest = hashlib.sha256(raw).hexdigest()
    record = FileRecord(rel, st.st_size, st.st_mtime_ns, digest, raw.count(b"\n"))
    if old and old.rel == rel and old.sha256 == digest:
        old.size, old.mtime_ns = st.st_size, st.st_mtime_ns  # touched, not changed
        return None
    problems: list[IngestProblem] = []

    def seen(p: IngestProblem) -> None:
        problems.append(p)
        problem(p)

    grew = (old is not None and old.rel == rel and old.sha256 and file.suffix.lower() == ".jsonl"
            and old.size < len(raw) and (old.size == 0 or raw[old.size - 1:old.size] == b"\n")
            and hashlib.sha256(raw[:old.size]).hexdigest() == old.sha256)
    if grew:
        articles = list(read_file(file, root, seen, raw=raw[old.size:], first_line=old.lines + 1))
    else:
        articles = list(read_file(file, root, seen, raw=raw))
    if problems:
        record.sha256 = ""  # read it again next time, when it may have been mended
    return _Read(record, articles, clean=not problems, tail=bool(grew))


def open_index(index_dir: str | Path) -> whoosh_index.Index:
    """Opens the live index, refusing one built by another analyzer or schema version.

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
            _check_versions(index_dir, meta)
            return whoosh_index.open_dir(str(gen))
        except FileNotFoundError as e:
            if attempt == OPEN_RETRIES - 1:
                raise IndexVersionMismatch(
                    f"index in {index_dir} is incomplete ({e}): run `rasm index --rebuild` to rebuild it"
                ) from e
            time.sleep(0.05)
        except (OSError, ValueError) as e:
            raise IndexVersionMismatch(
                f"index in {index_dir} has no readable {META_FILE} ({e}): "
                "run `rasm index --rebuild` to rebuild it"
            ) from e
    raise AssertionError("unreachable")


def _check_versions(index_dir: Path, meta: dict) -> None:
    if (meta.get("analyzer_version"), meta.get("schema_version")) != (ANALYZER_VERSION, SCHEMA_VERSION):
        raise IndexVersionMismatch(
            f"index in {index_dir} was built with analyzer v{meta.get('analyzer_version')}, "
            f"schema v{meta.get('schema_version')}; this Rasm uses analyzer v{ANALYZER_VERSION}, "
            f"schema v{SCHEMA_VERSION}: run `rasm index --rebuild` to rebuild it"
        )


def read_meta(gen: Path) -> dict:
    """A generation's ``rasm.json``: versions, sources, article count, build and update times."""
    try:
        return json.loads((gen / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(gen: Path, count: int, sources: list[str], built: str | None = None) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    meta = {"analyzer_version": ANALYZER_VERSION, "schema_version": SCHEMA_VERSION,
            "articles": count, "built": built or now, "updated": now, "sources": sources}
    _atomic_write(gen / META_FILE, json.dumps(meta, indent=1, ensure_ascii=False))


def _make_current(index_dir: Path, gen: Path) -> None:
    _atomic_write(index_dir / CURRENT_FILE, gen.name + "\n")


def _remove_old_generations(index_dir: Path, keep: Path) -> None:
    """Removes every generation but ``keep`` and the one live before it (a search that started
    just before the swap may still be opening it); half-written ones from killed builds too."""
    older = [g for g in index_dir.glob("gen-*") if _generation_number(g) < _generation_number(keep)]
    previous = max(older, key=_generation_number, default=None)
    for gen in index_dir.glob("gen-*"):
        if gen not in (keep, previous):
            shutil.rmtree(gen, ignore_errors=True)


def _remove_stray_generations(index_dir: Path, live: Path) -> None:
    """Removes generations newer than the live one: what a killed build left half-written."""
    for gen in index_dir.glob("gen-*"):
        if _generation_number(gen) > _generation_number(live):
            shutil.rmtree(gen, ignore_errors=True)


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
    until the new one is complete.  ``progress(stage, done, total)`` is called per
    record read (stage "read", total None) and per article written ("write").
    """
    paths = [Path(p) for p in paths]
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    report = BuildReport()
    problem = _problem_collector(report, on_problem)
    manifest = Manifest(sources=[str(p.absolute()) for p in paths])
    articles: dict[str, Article] = {}
    owner: dict[str, FileRecord] = {}
    for file, root in source_files(paths, problem):
        read = _read_source(file, root, problem)
        if read is None:
            continue
        manifest.files[str(file.absolute())] = read.record
        for article in read.articles:
            report.rows += 1
            if article.id in articles:
                report.repeats += 1
                del articles[article.id]  # the later row wins, at its own place in the order
                owner[article.id].rows.pop(article.id, None)
            articles[article.id] = article
            owner[article.id] = read.record
            read.record.rows[article.id] = article_hash(article)
            if progress:
                progress("read", report.rows, None)

    if articles:  # an empty build never replaces the live index
        with write_lock(index_dir):
            _write_generation(index_dir, list(articles.values()), manifest, progress)
    report.articles = report.added = len(articles)
    report.seconds = time.monotonic() - started
    return report


def _write_generation(index_dir: Path, articles: Collection[Article], manifest: Manifest,
                      progress=None) -> Path:
    gen = _next_generation(index_dir)
    gen.mkdir()
    count = 0
    found = {a.id: shingles(a.body) for a in articles}
    groups = near_duplicate_groups((a.id, found[a.id]) for a in articles)
    try:
        ix = whoosh_index.create_in(str(gen), make_schema())
        writer = _writer(ix, len(articles))
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
        manifest.toc_generation = ix.latest_generation()
        manifest.save(gen)
        _write_meta(gen, count, manifest.sources)
        _make_current(index_dir, gen)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _remove_old_generations(index_dir, keep=gen)
    return gen


def _writer(ix, count: int):
    """A writer for ``count`` new articles: on every core for a large build (one segment each;
    Whoosh needs ``multisegment`` with ``procs``), in this process otherwise."""
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    if procs > 1 and count >= PARALLEL_FROM:
        return ix.writer(procs=procs, multisegment=True, limitmb=128, batchsize=50)
    return ix.writer(limitmb=256)


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
    deleted until it reads cleanly.  Without an index yet, this is a full build.
    """
    index_dir = Path(index_dir)
    paths = None if paths is None else [Path(p) for p in paths]
    if current_generation(index_dir) is None:
        if not paths:
            raise IndexMissing(f"no index in {index_dir} and no sources given: run `rasm index PATH`")
        return build_index(paths, index_dir, on_problem, progress)
    started = time.monotonic()
    report = BuildReport(full=False)
    problem = _problem_collector(report, on_problem)
    with write_lock(index_dir):
        gen = current_generation(index_dir)
        ix = open_index(index_dir)
        _remove_stray_generations(index_dir, gen)
        manifest = _load_manifest(gen, ix)
        recorded = manifest.dumps()
        targets, missing = _targets(manifest, paths, only, problem)
        pending: dict[str, Article] = {}
        deletes: set[str] = set()
        seen: set[str] = set()
        for file, root in targets:
            key = str(file.absolute())
            seen.add(key)
            old = manifest.files.get(key)
            read = _read_source(file, root, problem, old)
            if read is None:
                report.unchanged += len(old.rows) if old else 0
                continue
            report.files_read += 1
            before = old.rows if old and old.rel == read.record.rel else {}
            rows: dict[str, str] = {}
            for article in read.articles:
                report.rows += 1
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
        deletes -= pending.keys()
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


def _targets(manifest: Manifest, paths: list[Path] | None, only: bool, problem
             ) -> tuple[list[tuple[Path, Path]], list[str]]:
    """The (file, root) pairs to look at, and the sources that are missing."""
    if not only:
        if paths:
            manifest.sources = [str(p.absolute()) for p in paths]
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
    rebuilt = Manifest(list(sources), {}, latest)
    roots = [Path(s) if Path(s).is_dir() else Path(s).parent for s in sources]
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
        writer = ix.writer(limitmb=256)
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
    batch: list[tuple[set[int], str]] = []
    batch_terms: dict[str, list[int]] = {}

    def group_for(article: Article, found: set[int]) -> str:
        terms = sampled(found)
        if len(found) >= MIN_SHINGLES and terms:
            counts: Counter[int] = Counter()
            for term in terms:
                if not reader.doc_frequency("shingles", term):
                    continue
                docs = [d for d in reader.postings("shingles", term).all_ids() if not reader.is_deleted(d)]
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
