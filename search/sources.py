"""The record of what an index read from its source files (``files.json``), and reading one
file with what the record says of it: what an update needs to redo only what changed."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search.files import read_content, unread_reason
from search.ingest import Article, IngestProblem, read_file, relative_id

MANIFEST_FILE = "files.json"


def article_hash(article: Article) -> str:
    """A fingerprint of everything indexed about an article: equal hashes, nothing to redo."""
    data = json.dumps(asdict(article), default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:24]


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
    # each source folder -> the folder its articles' ids are relative to (see ``id_root``)
    roots: dict[str, str] = field(default_factory=dict)

    def dumps(self) -> str:
        data = {"sources": self.sources, "toc_generation": self.toc_generation, "roots": self.roots,
                "files": {k: asdict(v) for k, v in self.files.items()}}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def save(self, gen: Path) -> None:
        atomic_write(gen / MANIFEST_FILE, self.dumps())

    @classmethod
    def load(cls, gen: Path) -> Manifest | None:
        try:
            data = json.loads((gen / MANIFEST_FILE).read_text(encoding="utf-8"))
            roots = data.get("roots", {})
            if not isinstance(roots, dict):
                raise TypeError("roots")
            return cls(list(data["sources"]), {k: FileRecord(**v) for k, v in data["files"].items()},
                       int(data["toc_generation"]), {str(k): str(v) for k, v in roots.items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def id_root(self, root: Path) -> Path:
        """The folder the ids of ``root``'s articles are relative to.

        The first source folder's ids are relative to itself ("fakes.csv#12", "seeds/a.txt");
        every other one's also name the folder ("extra/a.txt"), or as many of its parents as
        it takes to tell it from another source folder of that name ("y/news/a.txt"), so two
        files of one name in two source folders are two articles.  A folder keeps its id root
        while it is a source, so its ids stay as they are when other sources come or go.
        """
        key = str(root.absolute())
        if key not in self.roots:
            self.roots[key] = str(self._new_id_root(Path(key)))
        return Path(self.roots[key])

    def forget_roots(self) -> None:
        """Drops the id roots of folders that are no longer sources."""
        live = {str(source_root(Path(s))) for s in self.sources}
        self.roots = {k: v for k, v in self.roots.items() if k in live}

    def _new_id_root(self, root: Path) -> Path:
        first = source_root(Path(self.sources[0])) if self.sources else root
        if root == first and all(k != v for k, v in self.roots.items()):
            return root
        taken = {Path(k).relative_to(v).as_posix() for k, v in self.roots.items() if k != v}
        for above in root.parents:
            label = root.relative_to(above).as_posix()
            if label not in taken:
                return above
        return root  # a clash is reported where two files give one id


def source_root(source: Path) -> Path:
    """The folder a source's ids start from: the folder itself, or a file's own folder."""
    source = source.absolute()
    return source if source.is_dir() or not source.exists() and not source.suffix else source.parent


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass
class SourceRead:
    """One source file read: its record and its articles, or why it was left as it was."""

    record: FileRecord
    articles: list[Article]
    clean: bool  # read without a problem: rows it no longer has may be deleted
    tail: bool = False  # only the rows appended since the last read


def read_source(file: Path, root: Path, problem, old: FileRecord | None = None) -> SourceRead | None:
    """Reads ``file`` unless ``old`` shows it unchanged (then None); a JSONL file that only grew
    is read from where it ended.  A file that cannot be read at all is reported and also None.
    Warnings (an article kept, a value in it not understood) leave the file read cleanly."""
    rel = relative_id(file, root)
    try:
        st = file.stat()
        if (old and old.rel == rel and old.sha256 and old.size == st.st_size
                and old.mtime_ns == st.st_mtime_ns):
            return None
        content = read_content(file)
    except OSError as e:
        problem(IngestProblem(rel, None, unread_reason(e)))
        return None
    raw = content.data
    record = FileRecord(rel, content.size, st.st_mtime_ns, content.sha256, content.newlines)
    if old and old.rel == rel and old.sha256 == content.sha256:
        old.size, old.mtime_ns = content.size, st.st_mtime_ns  # touched, not changed
        return None
    errors: list[IngestProblem] = []

    def seen(p: IngestProblem) -> None:
        if not p.kept:
            errors.append(p)
        problem(p)

    grew = (old is not None and old.rel == rel and old.sha256 and file.suffix.lower() == ".jsonl"
            and not content.truncated and old.size < len(raw)
            and (old.size == 0 or raw[old.size - 1:old.size] == b"\n")
            and hashlib.sha256(raw[:old.size]).hexdigest() == old.sha256)
    if grew:
        articles = list(read_file(file, root, seen, raw=raw[old.size:], first_line=old.lines + 1))
    else:
        if content.truncated:
            seen(IngestProblem(rel, None, content.cut_note, kept=True))
        articles = list(read_file(file, root, seen, raw=raw))
    if errors:
        record.sha256 = ""  # read it again next time, when it may have been mended
    return SourceRead(record, articles, clean=not errors, tail=bool(grew))
