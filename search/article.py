"""An article as Rasm indexes it, what went wrong reading one, and the rules that shape its text:
its body without boilerplate and repeats, a title made from its first sentence, size limits."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from search.boilerplate import is_boilerplate

TITLE_MAX_CHARS = 120
# An article longer than this is cut (at a paragraph or word) and said so: a 50 MB cell indexed
# at 3.3 GB and made each query matching it take seconds.  A long report runs to 100,000
# characters; a book-length 1,000,000 is still indexed in about 5 s.
MAX_BODY_CHARS = 1_000_000
MAX_FIELD_CHARS = 10_000  # a title, source, url, author or stored value
_SENTENCE_END = re.compile(r"[.!?؟](?=\s|$)")
# Before this many characters a full stop is more likely "U.S." or "Mr." than a sentence end.
_MIN_SENTENCE_CHARS = 20


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
    """A file or row that could not be read, and why; or, ``kept``, a warning about an article
    that was indexed (a date not understood, a body cut at the size limit)."""

    path: str
    line: int | None
    reason: str
    kept: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


def capped(article: Article, warn: Callable[[str], None]) -> Article:
    """The article within the size limits; what was cut is said (``warn``)."""
    if len(article.body) > MAX_BODY_CHARS:
        size = len(article.body)
        article.body = cut(article.body, MAX_BODY_CHARS)
        warn(f"the article is {size:,} characters long: only its first {len(article.body):,} are indexed")
    long = [name for name in ("title", "source", "url", "author")
            if len(getattr(article, name)) > MAX_FIELD_CHARS]
    long += [f"meta {key!r}" for key, value in article.meta.items() if len(value) > MAX_FIELD_CHARS]
    for name in ("title", "source", "url", "author"):
        setattr(article, name, cut(getattr(article, name), MAX_FIELD_CHARS))
    article.source = " ".join(article.source.split())  # "TASS " and "TASS" are one outlet
    article.meta = {key: cut(value, MAX_FIELD_CHARS) for key, value in article.meta.items()}
    if long:
        warn(f"{', '.join(long)} cut to {MAX_FIELD_CHARS:,} characters")
    return article


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a paragraph break or else a space in the
    last tenth before the limit."""
    if len(text) <= limit:
        return text
    for mark in ("\n\n", " "):
        at = text.rfind(mark, limit - limit // 10, limit)
        if at > 0:
            return text[:at].rstrip()
    return text[:limit]


def join_body(blocks: list[list[str]], title: str = "") -> str:
    """Drops boilerplate lines, repeats of the title and exact repeats of an earlier paragraph."""
    seen = {title}
    kept = []
    for block in blocks:
        paragraph = "\n".join(line for line in block if not is_boilerplate(line))
        if paragraph and paragraph not in seen:
            seen.add(paragraph)
            kept.append(paragraph)
    return "\n\n".join(kept)


def title_from_body(body: str) -> str:
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
