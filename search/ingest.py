"""Reading news files (text, markdown, HTML, JSON, JSONL, CSV) into Article records.

Together with ``search.records`` (the record formats) this is where file formats are known;
everything downstream sees only Articles.  A file or row that cannot be read is reported as an
IngestProblem and skipped, never fatal.
"""

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from search.article import Article, IngestProblem, capped, join_body, title_from_body
from search.boilerplate import is_boilerplate
from search.dates import find_date, parse_date
from search.decoding import NotText, clean_value, decode_text, html_page, paragraphs, plain_line, strip_markup
from search.files import read_content, unread_reason
from search.frontmatter import front_matter
from search.records import (
    AUTHOR_KEYS,
    DATE_KEYS,
    SOURCE_KEYS,
    TITLE_KEYS,
    URL_KEYS,
    read_csv,
    read_json,
    read_jsonl,
)
from search.walk import article_files, suffix_in

__all__ = ["Article", "IngestProblem", "SUPPORTED_SUFFIXES", "iter_articles", "read_file", "relative_id",
           "source_files"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv")

# A corpus folder's own documentation is not an article: README.md, ATTRIBUTION.md, LICENSE.txt ...
_CORPUS_DOCS = frozenset({"readme", "attribution", "license", "licence", "copying", "notice", "changelog"})

# <meta> names (lower-cased) that may hold the publication date, after article:published_time.
_HTML_DATE_META = ("datepublished", "date", "pubdate", "publishdate", "dc.date", "dc.date.issued")

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

_log = logging.getLogger(__name__)


ProblemHandler = Callable[[IngestProblem], None]
_Report = Callable[..., None]  # (line, reason, kept=False)


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
    iter_articles reads them; what is passed over (a path that does not exist, a link out of its
    folder, a FIFO, a name that is not UTF-8, ...) is reported (see ``search.walk``)."""
    handle = on_problem or _log_problem
    yield from article_files(paths, suffix_in(SUPPORTED_SUFFIXES, _CORPUS_DOCS),
                             lambda where, why: handle(IngestProblem(where, None, why)))


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

    def report(line: int | None, reason: str, kept: bool = False) -> None:
        handle(IngestProblem(rel, line, reason, kept))

    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        report(None, f"unsupported file type (expected one of: {', '.join(SUPPORTED_SUFFIXES)})")
        return
    if raw is None:
        try:
            content = read_content(path)
        except OSError as exc:
            report(None, unread_reason(exc))
            return
        raw = content.data
        if content.truncated:
            report(None, content.cut_note, kept=True)
    try:
        text = decode_text(raw, nfc=reader not in (read_json, read_jsonl))
    except NotText as exc:
        report(None, str(exc))
        return
    rows = read_jsonl(text, rel, report, first_line) if reader is read_jsonl else reader(text, rel, report)
    for line, article in rows:
        yield capped(article, lambda reason, line=line: report(line, reason, kept=True))


def _log_problem(problem: IngestProblem) -> None:
    _log.warning("%s", problem)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


# Plain text and markdown


def _read_text(text: str, rel: str, report: _Report) -> Iterator[tuple[int | None, Article]]:
    yield None, _article_from_text(strip_markup(text), rel)


def _read_markdown(text: str, rel: str, report: _Report) -> Iterator[tuple[int | None, Article]]:
    """Markdown, with a YAML-style front matter block (``---`` ... ``---``) read as metadata."""
    fields, body = front_matter(text)
    if fields is None:
        yield from _read_text(text, rel, report)
        return
    article = _article_from_text(strip_markup(body), rel, plain_line(_first(fields, TITLE_KEYS)))
    raw_date = _first(fields, DATE_KEYS)
    if raw_date:
        article.date = parse_date(raw_date)
        if article.date is None:
            report(1, f"the date {raw_date[:60]!r} is not understood: the article is kept undated",
                   kept=True)
    article.source = plain_line(_first(fields, SOURCE_KEYS)) or article.source
    article.url = _first(fields, URL_KEYS) or article.url
    article.author = plain_line(_first(fields, AUTHOR_KEYS)) or article.author
    known = {*TITLE_KEYS, *DATE_KEYS, *SOURCE_KEYS, *URL_KEYS, *AUTHOR_KEYS}
    article.meta = {key: clean_value(value) for key, value in fields.items()
                    if key.lower() not in known or key.lower() in DATE_KEYS and article.date is None}
    yield None, article


def _first(fields: dict[str, str], names: tuple[str, ...]) -> str:
    """The first non-empty value among ``names`` (keys matched case-insensitively)."""
    lowered = {key.lower(): value for key, value in fields.items()}
    return next((lowered[n].strip() for n in names if lowered.get(n, "").strip()), "")


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
    body = join_body(kept, title)
    return Article(
        id=rel,
        title=title or title_from_body(body),
        body=body,
        date=date,
        source=source or author,
        author=author,
        path=rel,
    )


def _is_title_like(line: str) -> bool:
    # Headlines have letters and rarely end in a full stop; a one-line paragraph that does is prose.
    return any(char.isalpha() for char in line) and not line.endswith(".")


# HTML


def _read_html(text: str, rel: str, report: _Report) -> Iterator[tuple[int | None, Article]]:
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
    yield None, article


_READERS: dict[str, Callable[..., Iterator[tuple[int | None, Article]]]] = {
    ".txt": _read_text,
    ".md": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
}
