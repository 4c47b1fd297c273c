"""Snippets: the passage of an article around its matches, HTML-escaped, matches in <mark>.

The article text is run through the key analyzer with character offsets; a
match is a run of positions whose key terms meet a query pattern, so a phrase
is marked whole ("Deir Ezzor") and the marked text is the spelling the article
used, whatever spelling the query had.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from search.analysis import exact_analyzer, key_analyzer

SNIPPET_CHARS = 240
_KEY = key_analyzer()
_EXACT = exact_analyzer()


@dataclass(frozen=True)
class Run:
    """One name or phrase to mark: per-position term sets, the query words it stands for,
    and the alias it was reached through ("" for the words as typed)."""

    terms: tuple[frozenset[str], ...]
    query: str
    alias: str = ""
    source: str = "alias"  # where the alias comes from: "alias" (the table) or "gazetteer"
    # folded words the run's keys meet but the name model ruled out ("Midan" for "Maydeen")
    vetoed: frozenset[str] = frozenset()


@dataclass
class Patterns:
    """What to mark: runs in the key terms, or (``exact``) in the folded spellings."""

    runs: list[Run] = field(default_factory=list)
    exact: bool = False

    def __bool__(self) -> bool:
        return bool(self.runs)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    run: Run
_SPACES = re.compile(r"\s+")


def match_spans(text: str, patterns: Patterns) -> list[tuple[int, int]]:
    """Character spans of ``text`` matched by any of the pattern runs, merged where they meet."""
    return _merge([(m.start, m.end) for m in matches(text, patterns)])


def matches(text: str, patterns: Patterns) -> list[Match]:
    """Every place a run matches ``text``, with the run that matched."""
    if not patterns or not text:
        return []
    analyzer = _EXACT if patterns.exact else _KEY
    starts, ends, terms = analyzer.word_terms(text)  # per position
    count = len(terms)
    firsts = {term for run in patterns.runs if run.terms for term in run.terms[0]}
    found = []
    for i, here in enumerate(terms):
        if firsts.isdisjoint(here):
            continue
        for run in patterns.runs:
            n = len(run.terms)
            if n and i + n <= count and all(
                    not run.terms[k].isdisjoint(terms[i + k]) for k in range(n)):
                if run.vetoed and any(run.vetoed.intersection(exact_words(text[starts[k]:ends[k]]))
                                      for k in range(i, i + n)):
                    continue
                found.append(Match(starts[i], ends[i + n - 1], run))
    return found


@lru_cache(maxsize=50_000)
def exact_words(text: str) -> tuple[str, ...]:
    """A text's words as the exact field holds them (folded, article stripped), one per
    position (remembered: the same spellings are matched in article after article)."""
    words: dict[int, str] = {}
    for t in _EXACT(text, positions=True, mode="index"):
        words.setdefault(t.pos, t.text.lstrip(">"))
    return tuple(words.values())


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The stretch of about ``size`` characters holding the most matches, on word boundaries."""
    if not spans:
        start, end = 0, min(len(text), size)
    else:
        # spans are merged and sorted, so their ends rise too: one pass with two pointers
        best, best_count = spans[0][0], 0
        j = 0
        for i, (s, _) in enumerate(spans):
            j = max(j, i)
            while j < len(spans) and spans[j][1] <= s + size:
                j += 1
            if j - i > best_count:
                best, best_count = s, j - i
        start = max(0, best - size // 4)
        end = min(len(text), start + size)
    if start > 0:
        space = text.find(" ", start, start + 30)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", end - 30, end)
        end = space if space > start else end
    return start, end


def snippet(text: str, patterns: Patterns, size: int = SNIPPET_CHARS,
            found: list[Match] | None = None) -> str:
    """An HTML-safe snippet of ``text`` with the matches of ``patterns`` (or the matches
    already ``found`` in it) wrapped in <mark>."""
    text = text or ""
    if found is None:
        found = matches(text, patterns)
    spans = _merge([(m.start, m.end) for m in found])
    start, end = _window(text, spans, size)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(escape(_flat(text[cursor:s])))
        parts.append("<mark>" + escape(_flat(text[s:e])) + "</mark>")
        cursor = e
    parts.append(escape(_flat(text[cursor:end])))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def _flat(text: str) -> str:
    """Runs of white space (line breaks too) become one space: a snippet is one line."""
    return _SPACES.sub(" ", text)
