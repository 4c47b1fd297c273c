"""Record files -- JSON (an object or a list), JSONL and CSV -- read into Articles, one per
record: which keys mean what, ids from the file and the record, every bad record reported with
its line."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator

from search.article import MAX_BODY_CHARS, Article, cut, join_body, title_from_body
from search.csvrows import csv_rows
from search.dates import parse_date
from search.decoding import clean_value, paragraphs, plain_line, strip_markup

# Column/key names, matched case-insensitively; the first present non-empty one wins.
ID_KEYS = ("id", "unit_id", "doc_id", "article_id")
TITLE_KEYS = ("title", "article_title", "headline")
BODY_KEYS = ("text", "body", "content", "article_content")
DATE_KEYS = ("date", "published", "date_extracted", "published_at", "pubdate")
SOURCE_KEYS = ("source",)
URL_KEYS = ("url", "link")
AUTHOR_KEYS = ("author",)

Report = Callable[..., None]  # (line, reason, kept=False)


class UnreadableRow(ValueError):
    """A row that holds no article; str() is the reason."""


_TOO_DEEP = "JSON nested too deeply to read"


def read_json(text: str, rel: str, report: Report) -> Iterator[tuple[int | None, Article]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        report(exc.lineno, f"malformed JSON at column {exc.colno}: {exc.msg}")
        return
    except RecursionError:
        report(None, _TOO_DEEP)
        return
    if isinstance(data, dict):
        try:
            yield None, article_from_record(data, rel, None, lambda r: report(None, r, kept=True))
        except UnreadableRow as exc:
            report(None, str(exc))
    elif isinstance(data, list):
        lines = _item_lines(text, len(data))
        for number, item in enumerate(data, 1):
            line = lines[number - 1]
            try:
                yield line, article_from_record(item, rel, number,
                                                 lambda r, line=line: report(line, r, kept=True))
            except UnreadableRow as exc:
                report(line, f"item {number}: {exc}")
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
    except (ValueError, RecursionError):
        pass
    return lines + [None] * (count - len(lines))


def read_jsonl(text: str, rel: str, report: Report, first_line: int = 1
                ) -> Iterator[tuple[int | None, Article]]:
    # split("\n"), not splitlines(): JSON strings may hold raw U+2028 or U+0085.
    for number, line in enumerate(text.split("\n"), first_line):
        if not line.strip():
            continue
        try:
            yield number, article_from_record(json.loads(line), rel, number,
                                               lambda r, n=number: report(n, r, kept=True))
        except json.JSONDecodeError as exc:
            report(number, f"malformed JSON at column {exc.colno}: {exc.msg}")
        except RecursionError:
            report(number, _TOO_DEEP)
        except UnreadableRow as exc:
            report(number, str(exc))


def read_csv(text: str, rel: str, report: Report) -> Iterator[tuple[int | None, Article]]:
    # Some archives hold whole long articles in one cell; the default 128 KiB limit would drop them.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))
    rows = csv_rows(text, report)
    _, names = next(rows, (1, []))
    header = [name.strip() for name in names]
    if not {name.lower() for name in header} & set(BODY_KEYS):
        report(None, f"no body column (expected one of: {', '.join(BODY_KEYS)})")
        return
    number = 0
    for start, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        record = dict(zip(header, row, strict=False))
        extra = enumerate(row[len(header) :], len(header) + 1)
        record.update((f"column_{index}", cell) for index, cell in extra)
        try:
            yield start, article_from_record(record, rel, number,
                                              lambda r, start=start: report(start, r, kept=True))
        except UnreadableRow as exc:
            report(start, str(exc))


def article_from_record(record: object, rel: str, number: int | None,
                         warn: Callable[[str], None]) -> Article:
    """Maps a CSV row or JSON object to an Article; raises UnreadableRow if it holds none, and
    ``warn``s of a date it does not understand (the article is kept, the value in meta).

    A row's id is "<rel>#<its id value, else number>"; a JSON file holding one object (number
    None) is one document, like a text file, so its id is rel and any id value stays in meta."""
    if not isinstance(record, dict):
        raise UnreadableRow(f"expected a JSON object, found {type(record).__name__}")
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

    try:
        doc_id = rel if number is None else f"{rel}#{take(ID_KEYS) or number}"
        title = plain_line(strip_markup(take(TITLE_KEYS)))
        raw_body = take(BODY_KEYS)
        if len(raw_body) > MAX_BODY_CHARS:  # cut before the work on it, which costs memory
            warn(f"the article is {len(raw_body):,} characters long: only its first "
                 f"{MAX_BODY_CHARS:,} are indexed")
            raw_body = cut(raw_body, MAX_BODY_CHARS)
        body = join_body(paragraphs(strip_markup(raw_body)))
        if not title and not body:
            raise UnreadableRow(
                f"row has neither title nor body (expected a body in one of: {', '.join(BODY_KEYS)})"
            )
        raw_date = take(DATE_KEYS)
        date = parse_date(raw_date)
        article = Article(
            id=doc_id,
            title=title or title_from_body(body),
            body=body,
            date=date,
            source=take(SOURCE_KEYS),
            url=take(URL_KEYS),
            author=take(AUTHOR_KEYS),
            path=rel,
        )
        article.meta = {str(key): _as_text(value) for key, value in record.items() if key not in used}
    except RecursionError:
        raise UnreadableRow(_TOO_DEEP) from None
    if raw_date and date is None:
        article.meta["date"] = raw_date  # not lost: someone may read it where the parser cannot
        warn(f"the date {raw_date[:60]!r} is not understood: the article is kept undated")
    return article


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return clean_value(value)
    if value is None:
        return ""
    return clean_value(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
