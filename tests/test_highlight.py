"""Snippets and match spans: (query, article text, the spellings marked) rows, then the snippet's shape."""

import html
import re

import pytest

from search.highlight import SNIPPET_CHARS, match_spans, snippet
from search.searcher import parse_query

_MARK = re.compile(r"<mark>(.*?)</mark>")
ARABIC_REPORT = "قصفت الطائرات مواقع في مدينة دير الزور والميادين."


def marks(text: str) -> list[str]:
    return [html.unescape(m) for m in _MARK.findall(text)]


def plain(text: str) -> str:
    """The snippet's text as a reader sees it: no tags, no entities."""
    return html.unescape(_MARK.sub(r"\1", text))


# (description, query, article text, the text of every match, in order)
MARKS = [
    ("a variant phrase is marked whole", "Dayr az-Zawr", "Clashes near Deir Ezzor today", ["Deir Ezzor"]),
    ("the article's Latin article is marked with the name", "Mayadeen",
     "forces entered al-Mayadin on Friday", ["al-Mayadin"]),
    ("an Arabic query marks the Latin spelling", "الميادين", "forces entered al-Mayadin on Friday",
     ["al-Mayadin"]),
    ("an Arabic query marks the word with its clitic and article", "الميادين", ARABIC_REPORT, ["والميادين"]),
    ("a Latin query marks the Arabic spelling", "Mayadeen", ARABIC_REPORT, ["والميادين"]),
    ("an Arabic phrase marks both Latin spellings", "دير الزور", "Dayr az-Zawr and Deir Ezzor",
     ["Dayr az-Zawr", "Deir Ezzor"]),
    ("aliases are marked", "ISIS", "the capital of ISIS and Daesh, said IS", ["ISIS", "Daesh", "IS"]),
    ("a multi-word alias is marked whole", "Daesh", "ISIS is here, Islamic State", ["ISIS", "Islamic State"]),
    ("lower-case is is no acronym", "ISIS", "this is it", []),
    ("an English word is no name variant", "Homs", "homes in Homs", ["Homs"]),
    ("maiden is no Mayadeen", "Mayadeen", "The ship's maiden voyage", []),
    ("a negated word is not marked", "Raqqa NOT Iraq", "Raqqa and Iraq", ["Raqqa"]),
    ("a phrase is marked only when whole", "Deir Ezzor", "Deir near Ezzor", []),
    ("the possessive is marked with the name", "Assad", "Assad's forces", ["Assad's"]),
]


@pytest.mark.parametrize("query,text,expected", [r[1:] for r in MARKS], ids=[r[0] for r in MARKS])
def test_snippet_marks(query, text, expected):
    got = snippet(text, parse_query(query).patterns)
    assert marks(got) == expected
    assert plain(got) == text


@pytest.mark.parametrize("query,text,expected", [r[1:] for r in MARKS], ids=[r[0] for r in MARKS])
def test_match_spans(query, text, expected):
    assert [text[s:e] for s, e in match_spans(text, parse_query(query).patterns)] == expected


def test_phrase_gets_one_mark_around_both_words():
    got = snippet("Clashes near Deir Ezzor today", parse_query("Dayr az-Zawr").patterns)
    assert got == "Clashes near <mark>Deir Ezzor</mark> today"


def test_exact_query_marks_only_the_typed_spelling():
    text = "Mayadin and Mayadeen"
    assert marks(snippet(text, parse_query("Mayadeen", expand=False).patterns)) == ["Mayadeen"]


ESCAPES = [
    ("script tag", "<script>alert('Raqqa')</script> in Raqqa", "&lt;script&gt;", "<script>"),
    ("ampersand", "Raqqa & Homs", "&amp;", " & "),
    ("tags around a match", "<b>Raqqa</b>", "&lt;b&gt;<mark>Raqqa</mark>&lt;/b&gt;", "<b>"),
]


@pytest.mark.parametrize("text,present,absent", [r[1:] for r in ESCAPES], ids=[r[0] for r in ESCAPES])
def test_snippet_escapes_html(text, present, absent):
    got = snippet(text, parse_query("Raqqa").patterns)
    assert present in got
    assert absent not in got
    assert marks(got) == ["Raqqa"] * text.count("Raqqa")


# ------------------------------------------------------------------ the snippet's shape
FILLER = "The convoy moved slowly along the road while officials spoke to reporters about supplies. "
# (description, text, starts with "…", ends with "…", number of marks)
SHAPES = [
    ("match in the middle of a long text", FILLER * 10 + "Fighting in Raqqa continued. " + FILLER * 10,
     True, True, 1),
    ("match at the start", "Raqqa fell. " + FILLER * 10, False, True, 1),
    ("match at the end", FILLER * 10 + "They reached Raqqa", True, False, 1),
    ("the window goes where most matches are",
     "Raqqa once. " + FILLER * 10 + "Raqqa, Raqqa and Raqqa again. " + FILLER * 3, True, True, 3),
    ("no match: the start of the text", FILLER * 10, False, True, 0),
    ("short text whole", "Raqqa\n\nwas\ttaken\r\nyesterday", False, False, 1),
]


@pytest.mark.parametrize("text,leading,trailing,count", [r[1:] for r in SHAPES], ids=[r[0] for r in SHAPES])
def test_snippet_shape(text, leading, trailing, count):
    got = snippet(text, parse_query("Raqqa").patterns)
    assert "\n" not in got and "\r" not in got and "\t" not in got
    assert got.startswith("…") == leading
    assert got.endswith("…") == trailing
    assert len(marks(got)) == count
    assert len(plain(got)) <= SNIPPET_CHARS + 2
    assert " ".join(plain(got).strip("…").split()) in " ".join(text.split())


def test_snippet_without_matches_is_the_start_of_the_text():
    text = FILLER * 10
    got = snippet(text, [])
    assert got.startswith(FILLER)
    assert got.endswith("officials…")  # cut at a word boundary


def test_snippet_of_an_empty_text():
    assert snippet("", parse_query("Raqqa").patterns) == ""
