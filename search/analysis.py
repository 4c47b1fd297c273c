"""Tokenizer, filters and the two analyzers Rasm indexes with.

Whoosh pickles analyzers into the index, so everything here lives at this one
import path and ``ANALYZER_VERSION`` changes whenever the tokens it produces do.

* ``exact_analyzer()`` -- the spelling as written, folded: "al-Mayadin" -> ``mayadin``,
  "والرقة" -> ``رقه``.  An exact-spelling match is scored on these fields.
* ``key_analyzer()`` -- the variant keys (see ``translit``): "Mayadeen",
  "al-Mayadin" -> ``mayadan``; "الميادين" -> ``@@myadin`` (Arabic key, with the article).

Filters change ``token.text`` only, never offsets, so the highlighter can mark
the spelling the article used.  Index and query time run the same pipeline; the
deliberate differences are (1) an Arabic query word without the article also
looks for itself behind a one-letter clitic (و ب ل ف ك); (2) in a query a
capitalised word always counts as a name, in an article only when it is not the
first word of a sentence; (3) a query word also brings the keys it may have in
the other script.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from unidecode import unidecode
from whoosh.analysis import Analyzer, Composable, CompositeAnalyzer, Filter, Token, Tokenizer

from search import translit
from search.lru import LRU, MISSING

ANALYZER_VERSION = 10

DATA = Path(__file__).parent / "data"

_ARABIC_LETTER = re.compile("[\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_WORD = "[\\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"
_APOS = "'’‘`´ʼ"
# Latin renderings of the Arabic article: al-, el-, and the sun-letter forms (ash-Sham, ez-Zor).
LATIN_PARTICLES = ("al", "el", "il", "ul", "ad", "adh", "ar", "as", "ash", "at", "ath", "az", "an",
                   "ed", "er", "es", "esh", "et", "ez", "en", "ud", "ur")
# The scholarly letters a particle is written with: "Aş Şūrah", "aţ-Ţayyibah", "él-".
_PARTICLE_LETTERS = {"a": "aāâáàä", "e": "eéèêë", "i": "iīîí", "u": "uūûú", "s": "sşṣšś",
                     "t": "tţṭ", "d": "dḑḍďđ", "z": "zẓżž", "h": "hḩḥ"}


def _particle_pattern(particles) -> str:
    """A regex alternation of ``particles``, longest first, each letter in its scholarly forms."""
    def loose(p: str) -> str:
        return "".join(f"[{_PARTICLE_LETTERS[c]}]" if c in _PARTICLE_LETTERS else c for c in p)

    return "|".join(loose(p) for p in sorted(particles, key=len, reverse=True))


_PARTICLE_RE = _particle_pattern(LATIN_PARTICLES)
# Written apart: "Al Raqqa", and the sun-letter forms before a capital ("Deir ez Zor"); not
# "as", "at", "an", "ad", "en" as written in English, but their scholarly forms ("Aş Şūrah").
_ENGLISH_PARTICLES = {"al", "el", "as", "at", "an", "ad", "en", "il", "ul"}
_FREE_SUN = _particle_pattern(set(LATIN_PARTICLES) - _ENGLISH_PARTICLES) + "|a[şṣš]|a[ţṭ]|a[ḑḍ]|a[ẓż]"
_CAPITAL = "A-ZĀÂÁÀÄÇĐḐḌĎĒÉÈÊËĠḨḤĪÎÍŞṢŠŚŢṬŪÛÚẒŻŽ"
_LOWER_LETTER = rf"(?-i:[^\W\d_{_CAPITAL}])"
# "An Najaf", "As Safirah", "At Tall", "Ad Dana": the English-spelled forms, capitalised, before
# a capital of their own consonant and a small letter (not "An NGO"); a word of the English
# dictionary after one is no name's (``_sun_apart_words``: "As Saudi", "At Tuesday's").  Small,
# inside a name, only those English never writes before a capital of their own letter ("Tall ad
# Daman", "‘Ayn an Nasr"): "as" and "at" are English there ("outrage as Syria", "at Toshiba")
_SUN_APART_LETTERS = {"An": "N", "En": "N", "As": "SŞṢŠŚ", "At": "TŢṬ", "Ad": "DḐḌ",
                      "an": "N", "en": "N", "ad": "DḐḌ"}
_SUN_APART = "(?-i:" + "|".join(rf"{p}[ \t]+(?=[{letters}]{_LOWER_LETTER})"
                                for p, letters in _SUN_APART_LETTERS.items()) + ")"
_HYPHENS = "-\u2010\u2011"
# the ʿayn a name may start with after the article: "al-‘Ashara", "Al ʿAshara"
_AYN = "'’‘`´ʼʿʻ"
_ARTICLE = (rf"(?:(?:(?:{_PARTICLE_RE})[{_HYPHENS}](?=[{_AYN}]?[^\W\d_])"
            rf"|(?:al|[eé]l)[ \t]+(?=[{_AYN}]?[^\W\d_])"
            rf"|(?:{_FREE_SUN})[ \t]+(?=[{_AYN}]?(?-i:[{_CAPITAL}]))|{_SUN_APART})[{_AYN}]?)")
# every article form starts with a, e, i or u: looked at first, the alternatives are tried
# only there (the same words, in less than half the time)
TOKEN_PATTERN = re.compile(rf"(?:(?=[aeiuāâáàäéèêëīîíūûú]){_ARTICLE})?{_WORD}+(?:[{_APOS}]{_WORD}+)*",
                           re.IGNORECASE)
LEADING_PARTICLE = re.compile(rf"^{_ARTICLE}", re.IGNORECASE)
_BETWEEN_WORDS = re.compile(r"[ \t]*")
_SENTENCE_BREAK = re.compile(r"[.!?:;\n\"“”«»()\[\]|•]")
_POSSESSIVE = re.compile(rf"[{_APOS}]s$", re.IGNORECASE)
# Arabic article with optional conjunction (و/ف) and preposition (ب/ك/ل); لل = li + al.
_AR_ARTICLE = re.compile("^(?:[وف]?[بكل]?ال|[وف]?لل)(?=..)")
# Conjunction (و/ف) and preposition (ب/ك/ل) letters written onto the next word.
ARABIC_CLITICS = ("و", "ف", "ب", "ك", "ل", "وب", "وك", "ول", "فب", "فك", "فل")
_AR_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه",
    "ی": "ي", "ک": "ك", "گ": "ك", "پ": "ب", "چ": "ج", "ڤ": "ف", "ژ": "ز",
})
# Assimilated article glued to the name: "Ezzor" = ez-Zor, "Arrastan" = ar-Rastan.  Not "Ass-":
# there the double s is nearly always the name's own (Assad), not as-S.
# "Ezour" (e + z + vowel) is ez-Zour too; not "Erika", "Enab": e + another letter is mostly a name.
_GLUED_SUN = r"[ae]([tdrzn])(?=\1)|es(?=s)|e(?=z[aeiou])"
GLUED_SUN_ARTICLE = re.compile(rf"^(?:{_GLUED_SUN})")  # the sun-letter forms alone: "Esseir", "Ezzor"
_GLUED_ARTICLE = re.compile(rf"^(?:{_GLUED_SUN}|[ae]l(?=[^aeiouwyl']))")


def is_arabic(text: str) -> bool:
    return _ARABIC_LETTER.search(text) is not None


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words: a token spelled like one is matched exactly, unless it is a name."""
    lines = (DATA / "english-words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def english_keys() -> frozenset[str]:
    """The transliteration keys of the common English words (computed once, ~0.4 s)."""
    return frozenset(translit.latin_key(w) for w in english_words())


@lru_cache(maxsize=200_000)
def fold_latin(text: str) -> str:
    """Latin spelling folded for comparison: diacritics off, lower case, one apostrophe."""
    return unidecode(text).translate(translit.APOSTROPHE_TABLE).lower()


def fold_arabic(text: str) -> str:
    """Arabic spelling folded: hamza seats, alef forms, ta marbuta and alef maqsura unified."""
    return text.translate(_AR_FOLD)


# ------------------------------------------------------------------ tokenizer
class RasmTokenizer(Tokenizer):
    """Words in either script, keeping tashkeel and inner apostrophes inside the token.

    A Latin article joined by a hyphen ("al-Mayadin", "ez-Zor") or a free-standing
    "al"/"el" ("Al Raqqa") stays in the token, so the name's highlight covers it.
    Each token carries ``sentence_start``: True after a sentence break or, with
    ``headline=True`` (titles), always; and ``construct``: True for a Latin word
    right before a word with the article -- "Bab" in "Bab al-Hawa" is not the
    town al-Bab.
    """

    def __init__(self, headline: bool = False):
        self.headline = headline

    def __eq__(self, other):
        return type(self) is type(other) and self.headline == other.headline

    def words(self, value: str) -> tuple[tuple[str, int, int, bool, bool], ...]:
        """The words of ``value`` as (text, start, end, sentence_start, construct), remembered
        for the last few texts: the exact and the key field read the same text in turn."""
        key = (self.headline, value)
        found = _RECENT_WORDS.get(key)
        if found is None:
            found = tuple(self._find_words(value))
            if len(_RECENT_WORDS) >= 8:
                _RECENT_WORDS.clear()
            _RECENT_WORDS[key] = found
        return found

    def _find_words(self, value: str) -> Iterator[tuple[str, int, int, bool, bool]]:
        found = [(m.group(), m.start(), m.end()) for m in TOKEN_PATTERN.finditer(value)]
        if any(hint in value for hint in _SUN_APART_HINTS):  # the words are looked at only then
            found = _sun_apart_words(found)
        # the sentence breaks, found once: a word starts a sentence if one lies before it
        breaks = [m.start() for m in _SENTENCE_BREAK.finditer(value)] + [len(value) + 1]
        b = 0
        prev_end = 0
        last = len(found) - 1
        for i, (text, start, end) in enumerate(found):
            while breaks[b] < prev_end:
                b += 1
            sentence_start = self.headline or prev_end == 0 or breaks[b] < start
            construct = False
            # a word with the article is never in construct state: "Al Hajar al Aswad" is one
            # noun and its adjective, "Bab al-Hawa" a construct
            if i < last and text[:1].isupper() and not LEADING_PARTICLE.match(text):
                following, next_start, _ = found[i + 1]
                construct = _article_right_after(value, end, following, next_start)
            prev_end = end
            yield text, start, end, sentence_start, construct

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            t.sentence_start = True
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        words = self.words(value)
        for pos, (text, start, end, sentence_start, construct) in enumerate(words, start_pos):
            t.text = text
            t.construct = construct
            # a query's word with the article before another with it ("Al Hajar al Aswad") is
            # the name other outlets write without that first article, in construct state
            t.before_article = construct or (mode == "query"
                                             and _before_article(value, words, pos - start_pos))
            t.sentence_start = sentence_start
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


def _before_article(value: str, words: tuple, i: int) -> bool:
    """Whether word ``i`` of ``words`` (of ``value``) has the article and the next, right
    after it, has it too."""
    if i + 1 >= len(words) or not LEADING_PARTICLE.match(words[i][0]):
        return False
    following, next_start, _, _, _ = words[i + 1]
    return _article_right_after(value, words[i][2], following, next_start)


def _article_right_after(value: str, end: int, following: str, next_start: int) -> bool:
    """Whether the word ``following`` (from ``next_start`` of ``value``) has the article and
    only blanks stand between it and the word ending at ``end``."""
    return bool(_BETWEEN_WORDS.fullmatch(value, end, next_start) and LEADING_PARTICLE.match(following))


_RECENT_WORDS: dict[tuple[bool, str], tuple] = {}
_SUN_APART_START = re.compile(_SUN_APART)
_SUN_APART_HINTS = tuple(p + gap for p in _SUN_APART_LETTERS for gap in " \t")


def _sun_apart_words(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``found`` with a word read as an English-spelled article written apart split in two again
    where the word after it is an English dictionary or calendar word ("As Secretary", "At
    Tuesday's")."""
    out = []
    for text, start, end in found:
        m = _SUN_APART_START.match(text) if text[:1] in "AEae" else None
        word = _POSSESSIVE.sub("", fold_latin(text[m.end():])) if m else None
        if word is not None and (word in english_words() or word in CALENDAR_WORDS):
            particle = text[:m.end()].rstrip()
            out += [(particle, start, start + len(particle)), (text[m.end():], start + m.end(), end)]
        else:
            out.append((text, start, end))
    return out


# ------------------------------------------------------------------ filters
# The commonest function words, as written (search/data/common-words.txt): not indexed (a tenth
# of all words, and no one searches them); a phrase reads across them ("Bank of Japan": bank,
# japan at consecutive positions).  Lower case only: "The Hague", "IS", "Will" are kept.
COMMON_WORDS = frozenset(word for line in (DATA / "common-words.txt").read_text(encoding="utf-8").splitlines()
                         if not line.startswith("#") for word in line.split())


class CommonWordFilter(Filter):
    """Drops the words of ``COMMON_WORDS`` (see there); they take no position: the words after
    one move up (as ``_word_terms`` numbers an article's words)."""

    def __call__(self, tokens):
        dropped = 0
        for t in tokens:
            if t.text in COMMON_WORDS:
                dropped += 1
                continue
            if dropped and t.positions:
                t.pos -= dropped
            yield t


class CharNormalizeFilter(Filter):
    """NFKC (Arabic presentation forms, ligatures), tashkeel and tatweel removed."""

    def __call__(self, tokens):
        for t in tokens:
            text = unicodedata.normalize("NFKC", t.text)
            if is_arabic(text):
                text = _ARABIC_MARKS.sub("", text)
            t.text = text
            yield t


class PossessiveFilter(Filter):
    """Drops the English possessive: "Assad's" -> "Assad"."""

    def __call__(self, tokens):
        for t in tokens:
            if "s" in t.text[-1:].lower():
                t.text = _POSSESSIVE.sub("", t.text)
            yield t


class ArticleFilter(Filter):
    """Strips the article: "al-Mayadin" -> "Mayadin", "والرقة" -> "رقة".

    Sets ``token.article`` when an article was present.
    With ``clitics=True`` (the exact fields), an Arabic query word typed without
    the article also looks for itself behind a one-letter clitic (و ب ل ف ك:
    "حمص" finds "وحمص"), as extra tokens at the same position.  Only at query
    time and only without an article: "الرقة" must not find "ورقة" ("paper").
    """

    def __init__(self, clitics: bool = False):
        self.clitics = clitics

    def __eq__(self, other):
        return type(self) is type(other) and self.clitics == other.clitics

    def __call__(self, tokens):
        for t in tokens:
            t.article = False
            text = t.text
            if is_arabic(text):
                t.text = _AR_ARTICLE.sub("", text)
                t.article = t.text != text
                t.written = text  # as written: a foreign name may begin as the article (كالاس)
                alts = []
                # not for a word of two letters: behind a clitic it is mostly another function
                # word (آن "now" is no بأن "that")
                if self.clitics and t.mode == "query" and t.text == text and len(text) >= 3:
                    for prefix in ARABIC_CLITICS:
                        alt = t.copy()  # copied before yielding: later filters change t
                        alt.text = prefix + text
                        alt.clitic = True
                        alts.append(alt)
                yield t
                yield from alts
                continue
            stripped = LEADING_PARTICLE.sub("", text)
            if stripped != text:
                t.text = stripped
                t.article = True
            yield t


class ExactFoldFilter(Filter):
    """The exact field's form: Latin folded to lower-case ASCII, Arabic letter forms unified.

    An Arabic word written with the article (or a clitic and the article: "والرقة") is indexed
    as "ال" + word; a query word typed with the article looks only for that form ("القريتين",
    the town, must not find "قريتين", "two villages"), one typed without it for both forms.
    """

    def __call__(self, tokens):
        for t in tokens:
            if not is_arabic(t.text):
                t.text = fold_latin(t.text)
                if not t.text:  # a stray combining mark, or a letter unidecode drops ("Ɂ")
                    continue
                yield from _construct_forms(t)
                continue
            t.text = fold_arabic(t.text)
            if getattr(t, "article", False):
                t.text = "ال" + t.text
                yield t
            elif t.mode == "query" and not getattr(t, "clitic", False):
                alt = t.copy()
                alt.text = "ال" + t.text
                yield t
                yield alt
            else:
                yield t


def _construct_forms(t):
    """A Latin word before an article-word is indexed as ``>`` + word; a query word without
    the article looks for both forms, one with the article only for the free form."""
    if t.mode != "query":
        if getattr(t, "construct", False):
            t.text = ">" + t.text
        yield t
        return
    alt = None
    if (not getattr(t, "article", False) or getattr(t, "before_article", False)) and t.text[:1] not in "=#@":
        alt = t.copy()
        alt.text = ">" + t.text
    yield t
    if alt is not None:
        yield alt


def _is_name(text: str, token) -> bool:
    """Capitalisation (or an article) as evidence that a word is a proper noun."""
    if getattr(token, "article", False):
        return True
    if not text[:1].isupper():
        return False
    if token.mode == "query":
        return True
    return not text.isupper() and not getattr(token, "sentence_start", True)


@lru_cache(maxsize=400_000)
def key_terms(text: str, named: bool, query: bool = False, article: bool = False) -> tuple[str, ...]:
    """The key-field terms for one word (article already stripped); the first is its own key.

    Latin: the transliteration key (plus the key without a glued assimilated
    article: "Ezzor" -> also "zor"); a common English word not shown to be a
    name: ``=`` + word; an acronym of 2-3 capitals: ``#`` + word.  Arabic: ``@`` +
    its key, ``@@`` + its key if written with the article.  With ``query=True`` a
    name also brings the keys it may have in the other script (Latin "Homs" ->
    ``@hms``, ``@@hms``, ...; Arabic حمص -> ``hms``, ``hams``, ...); a Latin word
    with the article looks only for Arabic forms with it.
    """
    arabic_prefixes = ("@@",) if article else ("@", "@@")
    if is_arabic(text):
        key = translit.arabic_key(text)
        if not key:
            return ("=" + fold_arabic(text),)
        own = ("@@" if article else "@") + key
        return (own, *translit.arabic_to_latin(key)) if query else (own,)
    folded = fold_latin(text)
    if not folded:
        return ()  # nothing to index: the exact field drops it too
    if 2 <= len(text) <= 3 and text.isupper() and text.isalpha():
        return ("#" + folded,)  # IS, YPG: letters, not sounds ("IS" is not "is")
    if not folded.replace("'", "").isalpha():
        return ("=" + folded,)
    if not named and (folded in english_words() or folded.split("'")[0] in english_words()):
        return ("=" + folded,)  # "homes" is not "Homs"; "don't" is no name
    if folded in CALENDAR_WORDS and not query:
        return ("=" + folded,)  # capitalised, but no name: "Friday" is no "Freddie", "July" no "Jala"
    words = [folded]
    glued = _GLUED_ARTICLE.match(folded)
    if glued and len(folded) - glued.end() >= 3:
        words.append(folded[glued.end():])
    terms = [translit.latin_key(w) for w in words]
    if len(words) > 1 and query:  # a second reading must not land on a common word ("Albelda")
        common = _common_keys()
        if terms[1] in common[0]:
            terms.pop()
            words.pop()
    if query:  # a slipped vowel must not land on an ordinary word: "Qaryatan" is no "Certain"
        slips = translit.vowel_slips(terms[0]) + translit.consonant_y_keys(folded)
        if translit.vowel_slips(terms[0]) and not folded.endswith("s"):
            # a possessive that lost its apostrophe, "Hezbollahs"; long names only ("Hama" -> Hamas)
            slips.append(translit.latin_key(folded + "s"))
        terms += [k for k in slips if k not in english_keys()]
    if query and not text.isupper():  # an acronym such as ISIS is no Arabic word
        common_arabic = _common_keys()[1]
        terms += [prefix + k for n, w in enumerate(words)
                  for k in translit.latin_to_arabic(translit.latin_slots(w))
                  if not (n and k in common_arabic) for prefix in arabic_prefixes]
    terms = list(dict.fromkeys(t for t in terms if t))
    return tuple(terms) or ("=" + folded,)


def _common_keys() -> tuple[frozenset[str], frozenset[str]]:
    from search.names import ARABIC, LATIN, common_keys

    return common_keys(LATIN), common_keys(ARABIC)


# The English calendar: always capitalised, never a name's spelling (indexed as words).
CALENDAR_WORDS = frozenset([
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])


class VariantKeyFilter(Filter):
    """Replaces each word by its variant-key terms, all at the word's position."""

    def __call__(self, tokens):
        for t in tokens:
            terms = key_terms(t.text, _is_name(t.text, t), t.mode == "query", getattr(t, "article", False))
            if not terms:
                continue
            terms = _construct_terms(terms, t)  # an Arabic word's Latin forms too ("Deir" el-Zour)
            alts = []
            for term in terms[1:]:
                alt = t.copy()
                alt.text = term
                alts.append(alt)
            t.text = terms[0]
            yield t
            yield from alts


def _construct_terms(terms: tuple[str, ...], t) -> tuple[str, ...]:
    """``_construct_forms`` for key terms; cross-script terms (``@``) are left alone."""
    if t.mode != "query":
        if getattr(t, "construct", False):
            return tuple(x if x[0] in "=#" else ">" + x for x in terms)
        return terms
    if getattr(t, "article", False) and not getattr(t, "before_article", False):
        return terms
    return terms + tuple(">" + x for x in terms if x[0] not in "@=#")


class RasmAnalyzer(CompositeAnalyzer):
    """The tokenizer and its filters, run as composed for a query; for an article, each
    distinct word (with what the filters read of its context) goes through the filters once
    and its terms are remembered, since words repeat: same tokens, a fraction of the work."""

    MAX_REMEMBERED = 1_000_000  # words per analyzer kind, then forgotten and learnt again

    def __getstate__(self):
        return {"items": self.items}  # nothing remembered goes into the index's pickled schema

    def __call__(self, value, no_morph=False, **kwargs):
        if kwargs.get("mode") == "query" or not kwargs.get("tokenize", True):
            return super().__call__(value, no_morph, **kwargs)
        return self._index_tokens(value, **kwargs)

    def _index_tokens(self, value, **kwargs):
        return _index_tokens(self.items[0].words(value), self._kind(), self._terms, **kwargs)

    def word_terms(self, value: str) -> TextTerms:
        """Each word's offsets and terms in an article's text, in order: what the index holds
        at each position, without building a token per term (for highlighting).  Texts are
        remembered, up to ``TEXT_WORDS_KEPT`` words in all: the best articles come up query
        after query, in queries for other names too."""
        kind = self._kind()
        out = _TEXTS.get((kind, value))
        if out is MISSING:
            starts, ends, terms = [], [], []
            for start, end, _, word in _word_terms(self.items[0].words(value), kind, self._terms, "index"):
                starts.append(start)
                ends.append(end)
                terms.append(word)
            out = TextTerms(array("l", starts), array("l", ends), tuple(terms))
            if len(value) <= TEXT_KEPT_CHARS:
                _TEXTS.put((kind, value), out)
        return out

    def _kind(self) -> str:
        kind = self.__dict__.get("_kind_text")
        if kind is None:
            kind = self.__dict__["_kind_text"] = "|".join(repr(item) for item in self.items[1:])
        return kind

    def _terms(self, word: str, sentence_start: bool, construct: bool, mode: str) -> tuple[str, ...]:
        """What the filters make of one word in index mode."""
        t = Token(mode=mode)
        t.text, t.boost, t.stopped = word, 1.0, False
        t.sentence_start, t.construct = sentence_start, construct
        gen = iter([t])
        for item in self.items[1:]:
            gen = item(gen)
        return tuple(out.text for out in gen)


_REMEMBERED: dict[str, dict[tuple[str, bool, bool], tuple[str, ...]]] = {}


class TextTerms(NamedTuple):
    """One text as the index holds it: per word (position), its offsets and its terms (the
    tuples are shared between the words that have the same ones)."""

    starts: array
    ends: array
    terms: tuple[tuple[str, ...], ...]


# texts whose word terms are kept for highlighting: about 24 bytes a word (some 50 MB), a text
# only if no longer than TEXT_KEPT_CHARS (a 10 MB article is not kept)
TEXTS_KEPT = 50_000
TEXT_WORDS_KEPT = 2_000_000
TEXT_KEPT_CHARS = 50_000
_TEXTS = LRU(TEXTS_KEPT, TEXT_WORDS_KEPT, weight=lambda kept: len(kept.terms))


def field_term(key: str) -> str:
    """Where a variant-key term is held in a text field, beside the exact spellings: a common
    word's key (``=homes``) is its exact form (``homes``), a sound key is marked with ``~``
    (``~hms``) so that it never meets an exact spelling; ``#`` and ``@`` terms are kept."""
    if key[0] == ">":
        return ">" + field_term(key[1:])
    if key[0] == "=":
        return key[1:]
    if key[0] in "#@":
        return key
    return "~" + key


def is_word(term: str) -> bool:
    """Whether a text-field term is a word as written: no key (``~``, ``@``, ``#``) or
    construct (``>``) mark."""
    return term[:1] not in ("", "~", "@", "#", ">")


class FieldAnalyzer(Analyzer):
    """The analyzer of the ``title`` and ``body`` fields: at each word's position, its exact
    terms and its variant-key terms (see ``field_term``), so that one field, one posting per
    term, serves exact and variant searches.  Queries are built from the two analyzers
    (``search.query``); asked to analyse a query, this one answers as the exact analyzer."""

    def __init__(self, headline: bool = False):
        self.headline = headline
        self.exact = exact_analyzer(headline)
        self.key = key_analyzer(headline)

    def __eq__(self, other):
        return type(self) is type(other) and self.headline == other.headline

    def __call__(self, value, **kwargs):
        if kwargs.get("mode") == "query" or not kwargs.get("tokenize", True):
            return self.exact(value, **kwargs)
        return self._index_tokens(value, **kwargs)

    def _index_tokens(self, value, **kwargs):
        return _index_tokens(self.exact.items[0].words(value), "field", self._terms, **kwargs)

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each term of ``value`` with its positions, as the tokens give them (for
        ``search.codec.FieldPositions``: without a token per term)."""
        out: dict[str, list[int]] = {}
        get = out.get
        for _, _, pos, terms in _word_terms(self.exact.items[0].words(value), "field", self._terms, "index"):
            for term in terms:
                found = get(term)
                if found is None:
                    out[term] = [pos]
                else:
                    found.append(pos)
        return out

    def _terms(self, word: str, sentence_start: bool, construct: bool, mode: str) -> tuple[str, ...]:
        exact = self.exact._terms(word, sentence_start, construct, mode)
        keys = self.key._terms(word, sentence_start, construct, mode)
        return tuple(dict.fromkeys((*exact, *map(field_term, keys))))


def _index_tokens(words, kind: str, terms_of, positions=False, chars=False, removestops=True,
                  start_pos=0, start_char=0, mode="", **kwargs):
    """An article's tokens: for each of its ``words`` (see ``RasmTokenizer.words``), the terms
    ``terms_of`` gives it, remembered per analyzer ``kind`` since words repeat."""
    kwargs.pop("tokenize", None)
    kwargs.pop("keeporiginal", None)
    t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
    t.boost = 1.0
    t.stopped = False
    for start, end, pos, terms in _word_terms(words, kind, terms_of, mode, start_pos):
        if positions:
            t.pos = pos
        if chars:
            t.startchar, t.endchar = start_char + start, start_char + end
        for term in terms:
            t.text = term
            yield t


def _word_terms(words, kind: str, terms_of, mode: str, start_pos: int = 0):
    """(start, end, position, terms) for each of ``words``: its terms from ``terms_of``,
    remembered per analyzer ``kind`` (words repeat)."""
    remembered = _REMEMBERED.setdefault(kind, {})
    if len(remembered) > RasmAnalyzer.MAX_REMEMBERED:
        remembered.clear()
    pos = start_pos
    for word, start, end, sentence_start, construct in words:
        key = (word, sentence_start, construct)
        terms = remembered.get(key)
        if terms is None:
            terms = remembered[key] = terms_of(word, sentence_start, construct, mode)
        if terms:  # a common word (or a stray mark) has none, and takes no position
            yield start, end, pos, terms
            pos += 1


def exact_analyzer(headline: bool = False) -> Composable:
    """Analyzer of the exact fields (``title``, ``body``)."""
    return RasmAnalyzer(RasmTokenizer(headline), CharNormalizeFilter(), CommonWordFilter(),
                        PossessiveFilter(), ArticleFilter(clitics=True), ExactFoldFilter())


def key_analyzer(headline: bool = False) -> Composable:
    """Analyzer of the variant-key fields (``title_key``, ``body_key``)."""
    return RasmAnalyzer(RasmTokenizer(headline), CharNormalizeFilter(), CommonWordFilter(),
                        PossessiveFilter(), ArticleFilter(), VariantKeyFilter())
