"""The on-disk index: schema, atomic full builds, opening with a version check.

An index folder holds generations ``gen-000001/``, ``gen-000002/``, ... (each a
Whoosh index) and a ``CURRENT`` file naming the live one.  A build writes a new
generation and then replaces ``CURRENT`` in one atomic rename, so a failed or
killed build leaves the previous index searchable.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields
from whoosh import index as whoosh_index
from whoosh.analysis import IDTokenizer, LowercaseFilter

from search.analysis import ANALYZER_VERSION, exact_analyzer, key_analyzer
from search.duplicates import near_duplicate_groups
from search.ingest import Article, IngestProblem, iter_articles

SCHEMA_VERSION = 2
META_FILE = "rasm.json"
CURRENT_FILE = "CURRENT"
WRITE_LOCK_TIMEOUT = 30.0


class RasmIndexError(Exception):
    """A problem with the index folder, said so the user knows what to do."""


class IndexMissing(RasmIndexError):
    pass


class IndexVersionMismatch(RasmIndexError):
    pass


class IndexLocked(RasmIndexError):
    pass


@contextmanager
def write_lock(index_dir: Path, timeout: float = WRITE_LOCK_TIMEOUT) -> Iterator[None]:
    """Holds the index folder's write lock; waits up to timeout, then names the holder.

    An OS lock (flock) is released when its process dies, so a killed build never
    leaves a stale lock behind.
    """
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
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
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
    )


@dataclass
class BuildReport:
    """What a build did: counts for the summary line, and every problem met."""

    articles: int = 0
    rows: int = 0
    repeats: int = 0
    seconds: float = 0.0
    problems: list[IngestProblem] = field(default_factory=list)

    def summary(self) -> str:
        repeats = (f", {self.repeats} repeated ids (later row kept)" if self.repeats else "")
        errors = len(self.problems)
        return (f"Indexed {self.articles} articles from {self.rows} records in "
                f"{self.seconds:.1f} s{repeats}; {errors} error{'' if errors == 1 else 's'}")


def _document(article: Article, group: str) -> dict:
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
    }


def current_generation(index_dir: Path) -> Path | None:
    """The live generation folder, or None if the folder holds no index."""
    pointer = index_dir / CURRENT_FILE
    if not pointer.is_file():
        return None
    gen = index_dir / pointer.read_text(encoding="utf-8").strip()
    return gen if gen.is_dir() else None


def _next_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return index_dir / f"gen-{max(numbers, default=0) + 1:06d}"


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
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    report = BuildReport()

    def problem(p: IngestProblem) -> None:
        report.problems.append(p)
        if on_problem:
            on_problem(p)

    articles: dict[str, Article] = {}
    for article in iter_articles(paths, on_problem=problem):
        report.rows += 1
        if article.id in articles:
            report.repeats += 1
            del articles[article.id]  # the later row wins, at its own place in the order
        articles[article.id] = article
        if progress:
            progress("read", report.rows, None)

    if articles:  # an empty build never replaces the live index
        with write_lock(index_dir):
            _write_generation(index_dir, articles.values(), progress)
    report.articles = len(articles)
    report.seconds = time.monotonic() - started
    return report


def _write_generation(index_dir: Path, articles: Collection[Article], progress=None) -> Path:
    gen = _next_generation(index_dir)
    gen.mkdir()
    count = 0
    groups = near_duplicate_groups((a.id, a.body) for a in articles)
    try:
        ix = whoosh_index.create_in(str(gen), make_schema())
        writer = ix.writer(limitmb=256)
        try:
            for article in articles:
                writer.add_document(**_document(article, groups[article.id]))
                count += 1
                if progress:
                    progress("write", count, len(articles))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        _write_meta(gen, count)
        _make_current(index_dir, gen)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _remove_old_generations(index_dir, keep=gen)
    return gen


def _write_meta(gen: Path, count: int) -> None:
    meta = {"analyzer_version": ANALYZER_VERSION, "schema_version": SCHEMA_VERSION,
            "articles": count, "built": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    (gen / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _make_current(index_dir: Path, gen: Path) -> None:
    tmp = index_dir / (CURRENT_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(gen.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT_FILE)


def _remove_old_generations(index_dir: Path, keep: Path) -> None:
    for old in index_dir.glob("gen-*"):
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def open_index(index_dir: str | Path) -> whoosh_index.Index:
    """Opens the live index, refusing one built by another analyzer or schema version."""
    index_dir = Path(index_dir)
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index in {index_dir}: run `rasm index` first")
    try:
        meta = json.loads((gen / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IndexVersionMismatch(
            f"index in {index_dir} has no readable {META_FILE} ({e}): run `rasm index` to rebuild it"
        ) from e
    if (meta.get("analyzer_version"), meta.get("schema_version")) != (ANALYZER_VERSION, SCHEMA_VERSION):
        raise IndexVersionMismatch(
            f"index in {index_dir} was built with analyzer v{meta.get('analyzer_version')}, "
            f"schema v{meta.get('schema_version')}; this Rasm uses analyzer v{ANALYZER_VERSION}, "
            f"schema v{SCHEMA_VERSION}: run `rasm index` to rebuild it"
        )
    return whoosh_index.open_dir(str(gen))


