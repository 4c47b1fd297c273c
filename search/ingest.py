"""Reading news files (text, markdown, HTML, JSON, JSONL, CSV) into Article records.

This is the one module that knows file formats; everything downstream sees only Articles.
A file or row that cannot be read is reported as an IngestProblem and skipped, never fatal.
"""

import csv
import datetime
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from search.boilerplate import is_boilerplate
from search.dates import find_date, parse_date
from search.decoding import (
    NotText,
    clean_value,
    decode_text,
    html_page,
    paragraphs,
    plain_line,
    strip_markup,
)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv")

# Column/key names, matched case-insensitively; the first present non-empty one wins.
ID_KEYS = ("id", "unit_id", "doc_id", "article_id")
TITLE_KEYS = ("title", "article_title", "headline")
BODY_KEYS = ("text", "body", "content", "article_content")
DATE_KEYS = ("date", "published", "date_extracted", "published_at", "pubdate")
SOURCE_KEYS = ("source",)
URL_KEYS = ("url", "link")
AUTHOR_KEYS = ("author",)

# A corpus folder's own documentation is not an article: README.md, ATTRIBUTION.md, LICENSE.txt ...
_CORPUS_DOCS = frozenset({"readme", "attribution", "license", "licence", "copying", "notice", "changelog"})

# <meta> names (lower-cased) that may hold the publication date, after article:published_time.
_HTML_DATE_META = ("datepublished", "date", "pubdate", "publishdate", "dc.date", "dc.date.issued")

TITLE_MAX_CHARS = 120
HEADER_LINES = 15
# A header line (title, byline, dateline) is short; the first longer line is the article proper.
HEADER_LINE_MAX_CHARS = 200
# A dateline carries little besides its date: "Global Research, October 07, 2017".
DATELINE_EXTRA_CHARS = 50

_BYLINE = re.compile(
    r"^(?:written\s+)?by\s*:?\s+(?P<name>[^\W\d_][\w.'’&-]*(?: [\w.'’&-]+){0,5})\s*(?:\(.*\))?$",
    re.IGNORECASE,
)
_POSTED_BY = re.compile(r"\bposted\b(?:\s+\S+){0,4}?\s+by\s+(?P<name>[\w.'’-]+(?: [\w.'’-]+){0,3})$", re.I)
_UNNAMED_BYLINE = re.compile(r"^(?:written|posted)\s+by\b", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^source\s*:\s*(?P<name>.{1,60}?)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?؟](?=\s|$)")
# Before this many characters a full stop is more likely "U.S." or "Mr." than a sentence end.
_MIN_SENTENCE_CHARS = 20

_log = logging.getLogger(__name__)


@dataclass
class Article:
    """One news article, cleaned and ready to index."""

    id: str
    title: str
    body: str
    date: datetime.datetime | None
    source: str = ""
    url: str = ""
    author: str = ""
    path: str = ""
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class IngestProblem:
    """A file or row that could not be read, and why."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


ProblemHandler = Callable[[IngestProblem], None]
_Report = Callable[[int | None, str], None]


class _UnreadableRow(ValueError):
    """A row that holds no article; str() is the reason."""


def iter_articles(paths: Iterable[str | Path], on_problem: ProblemHandler | None = None) -> Iterator[Article]:
    """Yields every readable article under paths (files or folders, folders recursively, sorted,
    hidden files/dirs, unsupported suffixes and a folder's README/ATTRIBUTION/LICENSE skipped),
    reporting each unreadable file/row to on_problem (logged as a warning when None) and
    carrying on.

    Ids and paths are relative to the folder given, or to a given file's own folder.
    """
    for file, root in source_files(paths, on_problem):
        yield from read_file(file, root, on_problem)


def source_files(paths: Iterable[str | Path], on_problem: ProblemHandler | None = None
                 ) -> Iterator[tuple[Path, Path]]:
    """Every article file under paths, as (file, the root its id is relative to), in the order
    iter_articles reads them; a path that does not exist is reported."""
    handle = on_problem or _log_problem
    for given in map(Path, paths):
        if given.is_dir():
            for file in _files_under(given):
                yield file, given
        elif given.exists():
            yield given, given.parent
        else:
            handle(IngestProblem(given.as_posix(), None, "no such file or folder"))


def relative_id(path: Path, root: Path) -> str:
    """The id (and path) articles of ``path`` get when read under ``root``."""
    return _relative(Path(path), Path(root))


def read_file(path: Path, root: Path, on_problem: ProblemHandler | None = None,
              raw: bytes | None = None, first_line: int = 1) -> Iterator[Article]:
    """Yields the articles in one file (one for text/markdown/HTML and a JSON object, one per row
    for CSV, JSON lists and JSONL), reporting unreadable files and rows to on_problem.

    ``raw`` gives the file's bytes when the caller has read them already; for JSONL it may be
    the tail of the file, starting at line ``first_line``.
    """
    path, root = Path(path), Path(root)
    rel = _relative(path, root)
    handle = on_problem or _log_problem

    def report(line: int | None, reason: str) -> None:
        handle(IngestProblem(rel, line, reason))

    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        report(None, f"unsupported file type (expected one of: {', '.join(SUPPORTED_SUFFIXES)})")
        return
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            report(None, f"cannot read file ({exc.strerror or exc})")
            return
    try:
        text = decode_text(raw, nfc=reader not in (_read_json, _read_jsonl))
    except NotText as exc:
        report(None, str(exc))
        return
    if reader is _read_jsonl:
        yield from _read_jsonl(text, rel, report, first_line)
    else:
        yield from reader(text, rel, report)


def _log_problem(problem: IngestProblem) -> None:
    _log.warning("%s", problem)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def _files_under(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        found += [
            Path(dirpath, name) for name in filenames if not name.startswith(".") and _is_article_file(name)
        ]
    return sorted(found, key=lambda file: file.relative_to(folder).parts)


def _is_article_file(name: str) -> bool:
    stem, suffix = os.path.splitext(name)
    return suffix.lower() in SUPPORTED_SUFFIXES and stem.lower() not in _CORPUS_DOCS


# Plain text and markdown


def _read_text(text: str, rel: str, report: _Report) -> Iterator[Article]:
    yield _article_from_text(strip_markup(text), rel)


def _article_from_text(text: str, rel: str, title: str = "") -> Article:
    """Reads title, date, author and source from the header lines of a plain-text article and
    drops those lines, boilerplate and "Source:" lines from its body. A title given (from HTML
    tags) is kept and only removed from the body."""
    blocks = paragraphs(text)
    lines = [(p, i, line) for p, block in enumerate(blocks) for i, line in enumerate(block)]
    drop: set[tuple[int, int]] = set()
    date, author, source = None, "", ""
    in_header = True
    for p, i, line in lines[:HEADER_LINES]:
        found = find_date(line)
        if found and date is None:
            date = found.value
        in_header = in_header and len(line) <= HEADER_LINE_MAX_CHARS
        if not in_header or is_boilerplate(line):
            continue
        byline = _BYLINE.match(line)
        if found and len(line) - (found.end - found.start) <= DATELINE_EXTRA_CHARS:
            posted = _POSTED_BY.search(line)
            author = author or (posted["name"] if posted else "")
        elif byline and not byline["name"][0].islower():  # "by noon the army ..." is prose
            author = author or byline["name"]
        elif _UNNAMED_BYLINE.match(line):
            pass
        elif not title and len(blocks[p]) == 1 and len(lines) > 1 and _is_title_like(line):
            title = line
        else:
            continue
        drop.add((p, i))
    for p, i, line in lines:
        named = _SOURCE_LINE.match(line)
        if named:
            source = source or named["name"]
            drop.add((p, i))
    kept = [[line for i, line in enumerate(block) if (p, i) not in drop] for p, block in enumerate(blocks)]
    body = _join_body(kept, title)
    return Article(
        id=rel,
        title=title or _title_from_body(body),
        body=body,
        date=date,
        source=source or author,
        author=author,
        path=rel,
    )


def _is_title_like(line: str) -> bool:
    # Headlines have letters and rarely end in a full stop; a one-line paragraph that does is prose.
    return any(char.isalpha() for char in line) and not line.endswith(".")


def _join_body(blocks: list[list[str]], title: str = "") -> str:
    """Drops boilerplate lines, repeats of the title and exact repeats of an earlier paragraph."""
    seen = {title}
    kept = []
    for block in blocks:
        paragraph = "\n".join(line for line in block if not is_boilerplate(line))
        if paragraph and paragraph not in seen:
            seen.add(paragraph)
            kept.append(paragraph)
    return "\n\n".join(kept)


def _title_from_body(body: str) -> str:
    """The body's first sentence (or line), cut at a word boundary near TITLE_MAX_CHARS."""
    first = body.split("\n", 1)[0]
    for end in _SENTENCE_END.finditer(first):
        if end.start() >= _MIN_SENTENCE_CHARS:
            first = first[: end.start()]
            break
    if len(first) <= TITLE_MAX_CHARS:
        return first
    cut = first.rfind(" ", 0, TITLE_MAX_CHARS)
    return first[: cut if cut > 0 else TITLE_MAX_CHARS].rstrip(" ,;:-–—") + "…"


# HTML


def _read_html(text: str, rel: str, report: _Report) -> Iterator[Article]:
    page = html_page(text)
    title = plain_line(page.meta.get("og:title") or page.h1 or page.title)
    article = _article_from_text(page.text, rel, title)
    stamps = [page.meta.get("article:published_time", ""), page.time]
    stamps += [page.meta.get(name, "") for name in _HTML_DATE_META]
    for value in stamps:
        date = parse_date(value)
        if date:
            article.date = date
            break
    article.source = plain_line(page.meta.get("og:site_name", "")) or article.source
    article.url = page.canonical or page.meta.get("og:url", "")
    article.author = plain_line(page.meta.get("author", "")) or article.author
    yield article


# JSON, JSONL and CSV: one record per article


def _read_json(text: str, rel: str, report: _Report) -> Iterator[Article]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        report(exc.lineno, f"malformed JSON at column {exc.colno}: {exc.msg}")
        return
    if isinstance(data, dict):
        try:
            yield _article_from_record(data, rel, None)
        except _UnreadableRow as exc:
            report(None, str(exc))
    elif isinstance(data, list):
        lines = _item_lines(text, len(data))
        for number, item in enumerate(data, 1):
            try:
                yield _article_from_record(item, rel, number)
            except _UnreadableRow as exc:
                report(lines[number - 1], f"item {number}: {exc}")
    else:
        report(None, "JSON holds neither an object nor a list of objects")


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _item_lines(text: str, count: int) -> list[int | None]:
    """The line each item of a JSON list (already parsed: ``count`` items) starts on."""
    decoder = json.JSONDecoder()
    lines: list[int | None] = []
    at = _JSON_SPACE.match(text).end() + 1  # past "["
    try:
        for _ in range(count):
            at = _JSON_SPACE.match(text, at).end()
            lines.append(text.count("\n", 0, at) + 1)
            _, at = decoder.raw_decode(text, at)
            at = _JSON_SPACE.match(text, at).end() + 1  # past ","
    except ValueError:
        pass
    return lines + [None] * (count - len(lines))


def _read_jsonl(text: str, rel: str, report: _Report, first_line: int = 1) -> Iterator[Article]:
    # split("\n"), not splitlines(): JSON strings may hold raw U+2028 or U+0085.
    for number, line in enumerate(text.split("\n"), first_line):
        if not line.strip():
            continue
        try:
            yield _article_from_record(json.loads(line), rel, number)
        except json.JSONDecodeError as exc:
            report(number, f"malformed JSON at column {exc.colno}: {exc.msg}")
        except _UnreadableRow as exc:
            report(number, str(exc))


def _read_csv(text: str, rel: str, report: _Report) -> Iterator[Article]:
    # Some archives hold whole long articles in one cell; the default 128 KiB limit would drop them.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(rows, [])]
    if not {name.lower() for name in header} & set(BODY_KEYS):
        report(None, f"no body column (expected one of: {', '.join(BODY_KEYS)})")
        return
    number = 0
    while True:
        start = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            report(start, f"unreadable CSV row: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        record = dict(zip(header, row, strict=False))
        extra = enumerate(row[len(header) :], len(header) + 1)
        record.update((f"column_{index}", cell) for index, cell in extra)
        try:
            yield _article_from_record(record, rel, number)
        except _UnreadableRow as exc:
            report(start, str(exc))


def _article_from_record(record: object, rel: str, number: int | None) -> Article:
    """Maps a CSV row or JSON object to an Article; raises _UnreadableRow if it holds none.

    A row's id is "<rel>#<its id value, else number>"; a JSON file holding one object (number
    None) is one document, like a text file, so its id is rel and any id value stays in meta."""
    if not isinstance(record, dict):
        raise _UnreadableRow(f"expected a JSON object, found {type(record).__name__}")
    keys: dict[str, str] = {}
    for key in record:
        keys.setdefault(str(key).strip().lower(), key)
    used: set[str] = set()

    def take(names: tuple[str, ...]) -> str:
        for name in names:
            key = keys.get(name)
            if key is None:
                continue
            used.add(key)  # an empty title/body/... column says nothing worth keeping in meta
            value = _as_text(record[key]).strip()
            if value:
                return value
        return ""

    doc_id = rel if number is None else f"{rel}#{take(ID_KEYS) or number}"
    title = plain_line(strip_markup(take(TITLE_KEYS)))
    body = _join_body(paragraphs(strip_markup(take(BODY_KEYS))))
    if not title and not body:
        raise _UnreadableRow(
            f"row has neither title nor body (expected a body in one of: {', '.join(BODY_KEYS)})"
        )
    raw_date = take(DATE_KEYS)
    date = parse_date(raw_date)
    article = Article(
        id=doc_id,
        title=title or _title_from_body(body),
        body=body,
        date=date,
        source=take(SOURCE_KEYS),
        url=take(URL_KEYS),
        author=take(AUTHOR_KEYS),
        path=rel,
    )
    article.meta = {str(key): _as_text(value) for key, value in record.items() if key not in used}
    if raw_date and date is None:
        article.meta["date"] = raw_date  # not lost: someone may read it where the parser cannot
    return article


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return clean_value(value)
    if value is None:
        return ""
    return clean_value(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


_READERS: dict[str, Callable[[str, str, _Report], Iterator[Article]]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".csv": _read_csv,
}
