"""Graded name similarity: a learned edit distance between spelling keys, and the matcher that
scores a query word against an index's own vocabulary of keys.

A word's key (``translit.latin_key``, ``translit.arabic_key``) is what the index holds for it
("Mayadeen" -> ``mayadan``, الميادين -> ``myadin``).  Two keys are compared with a weighted edit
distance whose costs were fitted on real pairs of spellings of one name (``tools/fit_names.py``
on ``names/train.jsonl``, written to ``search/data/name-model.json``): substituting ``k`` for
``g`` or dropping a vowel is cheap where spellings of one name do it often, dear where they do
not.  There are three tables: Latin against Latin (``LL``), Latin against Arabic (``LA``) and
Arabic against Arabic (``AA``).

At query time (``Matcher``) a word's candidates are the index's keys that share a coarse
consonant skeleton with it, or are one consonant away (``skeleton``); each is scored, and those
within the fitted threshold are searched.  The vocabulary is read from the index, one segment at
a time (a segment never changes), so a better model needs no re-index.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from search.lru import LRU, MISSING
from search.translit import VOWEL_SLOTS, arabic_key, consonant_y_slots, glide_y_slots, latin_key, latin_slots

if TYPE_CHECKING:
    from search.editcost import Costs

MODEL = Path(__file__).parent / "data" / "name-model.json"
MODEL_VERSION = 18
DEFAULT_COST = 30.0  # an operation the fit never saw (or once): no match (the fitted ones cost 2 to 10)
MAX_KEY = 40         # longer keys are not scored (a query word is a name, not a sentence)
CLITICS = frozenset("وفبكل")
COMMON_MARGIN = 3.0  # llr a common word needs beyond a name's threshold
MAX_CANDIDATES = 2000  # keys scored for one query word, at most

# the coarse skeleton: consonants only, in classes Latin spellings confuse; h, ʿayn/hamza, w
# and y are left out (often unwritten in one script or the other)
_SKELETON_CLASS = {
    "b": "b", "p": "b", "f": "f", "v": "f",
    "k": "k", "g": "k", "j": "k", "q": "k", "c": "k", "x": "k",
    "s": "s", "$": "s", "z": "s",
    "t": "t", "d": "t",
    "l": "l", "r": "r", "m": "m", "n": "n",
}


@lru_cache(maxsize=100_000)
def skeleton(key: str) -> str:
    """The coarse consonant skeleton of a key (either script), doubles collapsed."""
    out = []
    for ch in key:
        c = _SKELETON_CLASS.get(ch)
        if c and not (out and out[-1] == c):
            out.append(c)
    return "".join(out)


_SKELETON_LETTERS = sorted(set(_SKELETON_CLASS.values()))
# ج has the most Latin renderings of any letter (j, dj, dzh, dž, dz, g; ç, ch and sh in Kurdish
# and Turkish spellings: "Manbidz", "Çemçemal"), which fall in three skeleton classes: a key
# is also found under its skeleton with them all read as j
_PALATAL = re.compile(r"[dt][zsj]|\$")


# Slavic and German spellings write ي as j ("Khamedija", "Ajn"), and Russian's х is ح and ه
# as well as خ ("Khasaka"): a key with them is also filed with j read as y and x as h
_SOFT = str.maketrans({"j": "y", "x": "h"})


@lru_cache(maxsize=100_000)
def skeletons(key: str) -> tuple[str, ...]:
    """The skeletons a key is filed and looked up under: its own (``skeleton``), with its
    ج-like letters read as j, and with j read as y and x as h."""
    out = [skeleton(key)]
    if _PALATAL.search(key):
        out.append(skeleton(_PALATAL.sub("j", key)))
    if "j" in key or "x" in key:
        out.append(skeleton(key.translate(_SOFT)))
    return tuple(s for s in dict.fromkeys(out) if s)


@lru_cache(maxsize=20_000)
def skeleton_edits(skel: str) -> tuple[str, ...]:
    """The skeleton and those one consonant off: one fewer (for skeletons of 3+ letters), one
    more or one other."""
    out = [skel]
    n = len(skel)
    if n >= 3:
        out += [skel[:i] + skel[i + 1:] for i in range(n)]
    for i in range(n + 1):
        out += [skel[:i] + c + skel[i:] for c in _SKELETON_LETTERS]
        if i < n:
            out += [skel[:i] + c + skel[i + 1:] for c in _SKELETON_LETTERS if c != skel[i]]
    return tuple(dict.fromkeys(out))


def skeleton_neighbours(skel: str) -> list[str]:
    """The skeleton and those one letter shorter (for skeletons of 3+ letters): two skeletons
    sharing one of these are one consonant apart (the fit's candidate pairs)."""
    out = [skel]
    if len(skel) >= 3:
        out += [skel[:i] + skel[i + 1:] for i in range(len(skel))]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Table:
    """Costs of one kind of comparison: sub[x][y], ins[y] (y of the second key), dele[x]."""

    sub: dict[str, dict[str, float]]
    ins: dict[str, float]
    dele: dict[str, float]
    identity_free: bool  # same alphabet on both sides: x -> x costs nothing

    def cost(self, a: str, b: str) -> float:
        """The weighted edit distance from ``a`` to ``b``."""
        ins, dele, sub = self.ins, self.dele, self.sub
        prev = [0.0]
        for y in b:
            prev.append(prev[-1] + ins.get(y, DEFAULT_COST))
        free = self.identity_free
        for x in a:
            dx = dele.get(x, DEFAULT_COST)
            row = sub.get(x, {})
            cur = [prev[0] + dx]
            for j, y in enumerate(b, 1):
                here = prev[j - 1] + (0.0 if free and x == y else row.get(y, DEFAULT_COST))
                down = prev[j] + dx
                if down < here:
                    here = down
                left = cur[j - 1] + ins.get(y, DEFAULT_COST)
                if left < here:
                    here = left
                cur.append(here)
            prev = cur
        return prev[-1]

    @classmethod
    def from_json(cls, data: dict) -> Table:
        return cls(data["sub"], data["ins"], data["del"], data["identity_free"])


@dataclass(frozen=True)
class Model:
    """The three cost tables, each side's symbol costs, and the fitted acceptance rule: a pair
    matches when its log-likelihood ratio (``llr``: how much cheaper the pair is as spellings
    of one name than as two unrelated keys) is at least ``base + per_letter * (letters of the
    shorter key)``."""

    tables: dict[str, Table]
    base: dict[str, list[float]]
    per_letter: dict[str, list[float]]
    sides: dict[str, tuple[dict[str, float], dict[str, float]]]
    version: int
    vowel_clashes: frozenset[frozenset[str]]  # vowel classes spellings of one name seldom trade
    prefixes: frozenset[tuple[str, str]] = frozenset()  # (script, key): first words names drop

    def llr(self, kind: str, a: str, b: str) -> float:
        side_a, side_b = self.sides[kind]
        background = sum(side_a.get(c, DEFAULT_COST) for c in a) + sum(side_b.get(c, DEFAULT_COST) for c in b)
        return background - self.tables[kind].cost(a, b)

    def needed(self, kind: str, a: str, b: str) -> float:
        """The llr a pair needs: one rule for keys of one skeleton, a stricter one for keys a
        consonant apart (Mayadeen is no Mujahideen)."""
        tier = self.tier(a, b)
        return self.base[kind][tier] + self.per_letter[kind][tier] * min(len(a), len(b))

    @staticmethod
    def tier(a: str, b: str) -> int:
        return 0 if skeleton(a) == skeleton(b) else 1

    def score(self, kind: str, a: str, b: str, slack: float = 0.0) -> float | None:
        """Similarity in (0, 1] of key ``a`` to key ``b``, or None below the threshold (less
        ``slack``: a word of a longer name, whose other words must match too)."""
        if a == b and kind != "LA":
            return 1.0
        if len(a) > MAX_KEY or len(b) > MAX_KEY:
            return None
        return self._graded(self.llr(kind, a, b), self.needed(kind, a, b) - slack)

    def scores(self, kind: str, key: str, others: list[str], key_first: bool,
               slacks: list[float]) -> list[float | None]:
        """``score`` of ``key`` against each of ``others`` in one pass (``search.editcost``):
        ``key`` is the first key of each pair where ``key_first``, else the second; each pair
        has its own slack."""
        import numpy as np  # here, not at the top: the command line's other commands need none

        costs = _costs(kind, key_first)
        if not others or len(key) > MAX_KEY or not costs.readable(key):
            pairs = [(key, o) if key_first else (o, key) for o in others]
            return [self.score(kind, a, b, s) for (a, b), s in zip(pairs, slacks, strict=True)]
        codes, lengths, held = costs.codes(others)
        llrs = costs.llrs(key, codes, lengths)
        own = skeleton(key)
        other_tier = np.fromiter((skeleton(o) != own for o in others), dtype=bool, count=len(others))
        base, per_letter = self.base[kind], self.per_letter[kind]  # ``needed``, for every pair at once
        needed = (np.where(other_tier, base[1], base[0])
                  + np.where(other_tier, per_letter[1], per_letter[0]) * np.minimum(lengths, len(key))
                  - np.asarray(slacks, dtype=float))
        # the few that pass, and what the arrays cannot read, are scored one by one
        look = (llrs >= needed) | ~held | (lengths > MAX_KEY)
        if kind != "LA":
            look |= np.fromiter((o == key for o in others), dtype=bool, count=len(others))
        out: list[float | None] = [None] * len(others)
        for i in np.flatnonzero(look).tolist():
            a, b = (key, others[i]) if key_first else (others[i], key)
            if held[i] and a != b and lengths[i] <= MAX_KEY:
                out[i] = self._graded(float(llrs[i]), float(needed[i]))
            else:
                out[i] = self.score(kind, a, b, slacks[i])
        return out

    @staticmethod
    def _graded(llr: float, needed: float) -> float | None:
        """The similarity of a pair with this llr where it needs ``needed`` (None below)."""
        if llr < needed:
            return None
        return round(min(1.0, 0.5 + (llr - needed) / (2 * max(1.0, abs(needed) + llr - needed))), 3)


@lru_cache(maxsize=6)
def _costs(kind: str, key_first: bool) -> Costs:
    """The shipped model's ``kind`` table as arrays, with the query key first or second."""
    from search.editcost import Costs

    m = model()
    costs = Costs(m.tables[kind], *m.sides[kind], DEFAULT_COST)
    return costs if key_first else costs.transposed()


@lru_cache(maxsize=1)
def model() -> Model:
    """The shipped model (``search/data/name-model.json``)."""
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    if data.get("version") != MODEL_VERSION:
        raise RuntimeError(f"{MODEL}: model version {data.get('version')}, this code reads {MODEL_VERSION}")
    return Model({k: Table.from_json(v) for k, v in data["tables"].items()},
                 data["base"], data["per_letter"],
                 {k: (v["side_a"], v["side_b"]) for k, v in data["tables"].items()}, data["version"],
                 frozenset(frozenset(pair) for pair in data["vowel_clashes"]),
                 frozenset((script, key) for script, key in data["prefixes"]))


COMMON_WORDS = {"A": Path(__file__).parent / "data" / "arabic-common-words.txt",
                "L": Path(__file__).parent / "data" / "english-common-words.txt"}


@lru_cache(maxsize=2)
def common_words(script: str) -> frozenset[str]:
    """The commonest words of a script, folded as the index folds them, article stripped
    (search/data/*-common-words.txt, from wordfreq; for English also search/data/english-words.txt).
    The name model takes an Arabic one for a one-word name's spelling on strong evidence only
    (``COMMON_MARGIN``); the query's second readings keep off the words of both."""
    lines = COMMON_WORDS[script].read_text(encoding="utf-8").splitlines()
    words = frozenset(line for line in lines if line and not line.startswith("#"))
    if script == LATIN:
        from search.analysis import english_words

        words |= english_words()
    return words


@lru_cache(maxsize=2)
def common_keys(script: str) -> frozenset[str]:
    """The index keys (``translit``: Latin ``latin_key``, Arabic ``arabic_key``) of the
    commonest words: coarser than the words, for second readings of a word only."""
    if script == LATIN:
        return frozenset(latin_key(w) for w in common_words(LATIN))
    return frozenset(arabic_key(w) for w in common_words(ARABIC))


FUNCTION_WORDS = Path(__file__).parent / "data" / "arabic-function-words.txt"


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """The Arabic function words that are no name, folded as the exact fields hold them
    (search/data/arabic-function-words.txt, from Arabic-Stopwords; see
    tools/make_function_words.py): the spelling rules key Arabic coarsely, and "Hama"'s key
    ``@hma`` holds هما ("they two") as well as حماة."""
    lines = FUNCTION_WORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def key_words(reader, term: str) -> dict[str, bool]:
    """The Arabic words of the index whose key term (the key analyzer's) is ``term``, each
    with whether it is a function word (``function_words``)."""
    from search.analysis import key_analyzer

    functions = function_words()
    analyzer = key_analyzer()

    def collect(pairs):
        # the analyzer itself, not its remembered texts: these are words, not articles to mark
        return {word: word in functions for _, word in pairs
                if any(t.text == term for t in analyzer(word, positions=True, mode="index") if t.pos == 0)}

    return _of_skeleton(reader, ARABIC, term.lstrip("@"), ("key", term), collect)


# ------------------------------------------------------------------ the index's vocabulary
LATIN, ARABIC = "L", "A"


NAME, COMMON, ENGLISH = 0, 1, 2  # a vocabulary word's kind: may be a name; a common Arabic word; English


class SegmentVocabulary:
    """The words one index segment holds, by coarse skeleton, as the exact fields hold them
    (folded: ``mayadeen``, ``الميادين``), each with its model key (``word_key``) and its kind:
    the commonest Arabic words and the English dictionary's words are flagged."""

    def __init__(self, words: set[str], keyed: list[tuple[str, str, str, int]] | None = None,
                 construct: set[str] = frozenset()):
        """``construct``: the words also found in construct state (``construct_reading``)."""
        self.by_skeleton: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.words = frozenset(words)
        self.keyed = keyed if keyed is not None else _keyed(words, construct)  # (script, key, word, kind)
        self.common: set[str] = set()
        self.common_by_skeleton: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.english_by_skeleton: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for script, key, word, kind in self.keyed:
            # a common Arabic word is a candidate of its own skeleton only: it needs strong
            # evidence anyway (many places are named by one: الخالص), and the words one
            # consonant off would bring thousands of them; an English word, of its own
            # skeleton, and only as a word of a longer name ("Tall", "Din": ``candidates``)
            if kind == COMMON:
                self.common.add(word)
            table = (self.by_skeleton, self.common_by_skeleton, self.english_by_skeleton)[kind]
            for skel in skeletons(key):
                table.setdefault((script, skel), []).append((key, word))

    # the cache file of a segment's words and keys, beside the segment (a segment never changes)
    CACHE = "names-{}.vocab"

    def save(self, folder: Path, segment_id: str) -> None:
        """Writes the words and keys beside the segment, for the next process (best effort: a
        read-only index is searched all the same)."""
        path = folder / self.CACHE.format(segment_id)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        lines = [f"{s}\t{k}\t{w}\t{c}" for s, k, w, c in self.keyed]
        lines += ["\t\t" + w for w in sorted(self.words - {w for _, _, w, _ in self.keyed})]
        try:
            tmp.write_text(f"v{MODEL_VERSION}\n" + "\n".join(lines) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: Path, segment_id: str) -> SegmentVocabulary | None:
        try:
            text = (folder / cls.CACHE.format(segment_id)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        lines = text.split("\n")
        if lines[0] != f"v{MODEL_VERSION}":
            return None
        words, keyed = set(), []
        for line in lines[1:]:
            parts = line.split("\t")
            if len(parts) == 4 and parts[3] in ("0", "1", "2"):
                keyed.append((parts[0], parts[1], parts[2], int(parts[3])))
                words.add(parts[2])
            elif len(parts) == 3 and parts[2]:
                words.add(parts[2])
            elif line:
                return None  # not a file this code wrote
        return cls(words, keyed)


    def candidates(self, script: str, key: str, english: bool = False) -> set[tuple[str, str]]:
        """(key, word) of the words whose skeleton is the key's or one consonant off (one
        more, one fewer or another); of the common words, only the key's own skeleton; and
        with ``english``, the English words of the key's own skeleton."""
        out: set[tuple[str, str]] = set()
        for skel in skeletons(key):
            if not skel:
                continue
            out.update(self.common_by_skeleton.get((script, skel), ()))
            if english:
                out.update(self.english_by_skeleton.get((script, skel), ()))
            for s in skeleton_edits(skel):
                out.update(self.by_skeleton.get((script, s), ()))
        return out


def _keyed(words: set[str], construct: set[str] = frozenset()) -> list[tuple[str, str, str, int]]:
    """(script, key, word, kind) of each word that may be a name's spelling, a word of
    ``construct`` with its ``construct_reading`` too."""
    from search.analysis import CALENDAR_WORDS, english_words

    english = english_words()
    common = common_words(ARABIC)
    out = []
    for word in words:
        stem = _stem(word)
        if stem in CALENDAR_WORDS:
            continue
        readings = [(script, key) for script, key in word_readings(stem, word in construct)
                    if key and skeleton(key)]
        if not readings:
            continue
        script = readings[0][0]
        # only the dictionary's English words are flagged: what the frequency list adds to
        # them is mostly names (Egypt, Ahmad, Beirut), which are spelled many ways like any other
        is_common = script == ARABIC and (stem in common or any(w in common for w in inflected_from(stem)))
        # a dictionary word alone is no name ("evacuatd" is a typo); but a name's word may be
        # one ("Tall Bisih", "Kamal al-Din")
        kind = ENGLISH if stem in english else COMMON if is_common else NAME
        out += [(script, key, word, kind) for script, key in readings]
    return out


def inflected_from(word: str) -> list[str]:
    """The words a folded Arabic word is an unambiguous inflection of: the dual of a noun in ة
    (خريطتين, "two maps", of خريطه; the folding writes ة as ه), the plural of an adjective
    in ي (سوريين of سوري) and a sound plural of a word of four letters or more.  A name's
    form too may be one (القريتين, "the two villages"): the spelling rules still find it, the
    model only takes it on strong evidence."""
    out = []
    if len(word) >= 5 and word[-3:] in ("تين", "تان"):
        out.append(word[:-3] + "ه")
    elif len(word) >= 5 and word[-3:] in ("يين", "يون"):
        out.append(word[:-2])
    elif len(word) >= 6 and word[-2:] in ("ين", "ون"):
        out.append(word[:-2])  # a sound plural (محايدين of محايد); a stem of 4 letters at least
    return out


def _read_vocabulary(reader) -> SegmentVocabulary:
    """The words of a segment's body and title fields (a construct's word is the word)."""
    words: set[str] = set()
    construct: set[str] = set()
    fields = reader.indexed_field_names()
    for fieldname in ("body", "title"):
        if fieldname not in fields:
            continue
        for term in reader.lexicon(fieldname):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            if text[:1] == ">":  # a construct's word is the word, read as a construct too
                text = text[1:]
                construct.add(text)
            if _is_word(text):
                words.add(text)
    return SegmentVocabulary(words, construct=construct & words)


_SEGMENTS = LRU(256)  # (index folder, segment id) -> SegmentVocabulary
_MATCHES = LRU(50_000)  # (segments, script, key, target script) -> matches


def _segment_id(reader) -> object:
    """A segment's own id (random, made when the segment was written: a segment never
    changes), or None for a reader that is no segment's."""
    seg = getattr(reader, "segment", None)
    seg = seg() if callable(seg) else seg
    if seg is None or not hasattr(seg, "segment_id"):
        return None
    return (type(seg).__name__, seg.segment_id())


def _folder(reader) -> Path | None:
    """The folder a segment reader's files are in (None for an index in memory)."""
    storage = getattr(reader, "_storage", None)
    storage = getattr(storage, "b", storage)  # a compound segment's files overlay the folder
    folder = getattr(storage, "folder", None)
    return Path(folder) if folder else None


def segment_vocabularies(reader) -> list[tuple[object, SegmentVocabulary]]:
    """Each leaf segment's vocabulary: remembered per segment, and kept in a file beside it for
    the next process (a 20,000-article index takes about 2 s to read, its file 0.3 s)."""
    out = []
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    written = False
    for leaf, _offset in leaves:
        sid = _segment_id(leaf)
        vocab = _SEGMENTS.get(sid) if sid is not None else MISSING
        if vocab is MISSING:
            folder = _folder(leaf)
            vocab = SegmentVocabulary.load(folder, sid[1]) if folder and sid else None
            if vocab is None:
                vocab = _read_vocabulary(leaf)
                if folder and sid:
                    vocab.save(folder, sid[1])
                    written = True
            if sid is not None:
                _SEGMENTS.put(sid, vocab)
        out.append((sid, vocab))
    if written:
        _forget_stale(leaves)
    return out


def _forget_stale(leaves) -> None:
    """Removes the vocabulary files of segments no longer in the index (merged away)."""
    ids = {sid[1] for leaf, _ in leaves if (sid := _segment_id(leaf))}
    folder = _folder(leaves[0][0]) if leaves else None
    if folder is None:
        return
    try:
        for path in folder.glob(SegmentVocabulary.CACHE.format("*")):
            if path.name[len("names-"):-len(".vocab")] not in ids:
                path.unlink(missing_ok=True)
    except OSError:
        pass


def _cache_key(vocabs, *asked) -> tuple | None:
    """The key of a lookup in ``_MATCHES``: the segments searched and what was asked (None for
    an index with a segment of no id, whose words may change)."""
    ids = tuple(sid for sid, _ in vocabs)
    return (ids, *asked) if None not in ids else None


def similar_words(reader, script: str, key: str, target: str, slack: float = 0.0,
                  english: bool = False) -> dict[str, float]:
    """The words of ``target`` script in the index (Latin: folded spellings; Arabic: keys)
    within the model's threshold of ``key`` (of ``script``; see ``word_key``), with their
    similarity, best first; with ``english`` (for a word of a longer name, written as a name),
    the English dictionary's words of its skeleton too."""
    if not key or len(key) > MAX_KEY:
        return {}
    vocabs = segment_vocabularies(reader)
    cache_key = _cache_key(vocabs, script, key, target, slack, english)
    found = _MATCHES.get(cache_key) if cache_key else MISSING
    if found is not MISSING:
        return found
    candidates: set[tuple[str, str]] = set()
    common: set[str] = set()
    for _, vocab in vocabs:
        candidates |= vocab.candidates(target, key, english=english)
        common |= vocab.common
    kind = "LL" if script == target == LATIN else "AA" if script == target else "LA"
    pairs = sorted(candidates)[:MAX_CANDIDATES]
    # a common word of its language needs strong evidence: "Gale" is no قال ("he said"); a word
    # of a longer name has its other words for evidence, but not the slack (الشيخ)
    slacks = [(0.0 if slack else -COMMON_MARGIN) if word in common else slack for _, word in pairs]
    key_first = (script, target) != (ARABIC, LATIN)
    scored: dict[str, float] = {}
    for (_, word), s in zip(pairs, _scores(kind, key, [c for c, _ in pairs], key_first, slacks), strict=True):
        if s is not None:
            scored[word] = max(s, scored.get(word, 0.0))
    if target == ARABIC:
        # a word behind a one-letter clitic (و ف ب ك ل) whose stem the index holds alone is
        # that word's form: the stem is a candidate itself, and judged as such
        scored = {w: s for w, s in scored.items()
                  if not (w[:1] in CLITICS and any(w[1:] in v.words for _, v in vocabs))}
    found = dict(sorted(scored.items(), key=lambda kv: -kv[1]))
    if cache_key:
        _MATCHES.put(cache_key, found)
    return found


def _scores(kind: str, key: str, others: list[str], key_first: bool,
            slacks: list[float]) -> list[float | None]:
    """``Model.scores``; across scripts, each side is also scored as the other writes it (a
    Latin key's ``arabic_reading``, an Arabic key's ``latin_reading``), and the best score kept."""
    m = model()
    found = m.scores(kind, key, others, key_first, slacks)
    if kind != "LA":
        return found
    key_alt = (arabic_reading if key_first else latin_reading)(key)
    other_reading = latin_reading if key_first else arabic_reading
    alts = [(i, a) for i, a in ((i, other_reading(o)) for i, o in enumerate(others)) if a]

    def keep(indices, scores):
        for i, s in zip(indices, scores, strict=True):
            if s is not None and (found[i] is None or s > found[i]):
                found[i] = s

    if key_alt:
        keep(range(len(others)), m.scores(kind, key_alt, others, key_first, slacks))
    if alts:
        indices = [i for i, _ in alts]
        for k in (key, key_alt) if key_alt else (key,):
            keep(indices, m.scores(kind, k, [a for _, a in alts], key_first, [slacks[i] for i in indices]))
    return found


# the nisba's feminine, ـية, as a Latin key ends it: one vowel run (-iyah, -iyeh: F; -ieh, -ie:
# I), or i, j and a vowel (-ija); and a run of a front vowel and a between consonants (-aiya-,
# -ayya-: F), where Arabic writes ي and a long a
_SLOT = "".join(sorted(VOWEL_SLOTS)) + "'"  # a Latin key's vowel-run classes and ʿayn/hamza
_NISBA = re.compile(rf"(?<=[^{_SLOT}])(?:F|I|ij[ae]|i[ae])$")
_BACK_RUN = re.compile(rf"(?<=[^{_SLOT}])B")  # ua, oa
_MIXED_RUN = re.compile(rf"(?<=[^{_SLOT}])V")  # io, eo
_INNER_YA = re.compile(rf"(?<=[^{_SLOT}])F(?=[^{_SLOT}])")


def arabic_reading(key: str) -> str:
    """A Latin key with the vowel runs Arabic writes as two letters so written: the nisba's
    feminine (ـية) as i then a ("Salamiyah" ``salamF``, "Selemie" ``selemI`` as ``salamia``,
    ``selemia``: سلمية ``slmia``), and an inner front-vowel-and-a run as y then a ("Qaiyara"
    ``kFra`` as ``kyara``: القيارة); and after a consonant, a back-vowel-and-a run as w then a
    and a mixed run as y then o, as Arabic writes foreign names ("Capua" ``kapB`` as
    ``kapwa``: كابوا; "Sergio" ``serjV`` as ``serjyo``: سيرجيو); "" for a key with none.
    Across scripts only: within Latin, the runs' classes tell Khalidiyah from Khalid."""
    out = _NISBA.sub("ia", key) if len(key) >= 4 else key
    out = _INNER_YA.sub("ya", out)
    out = _BACK_RUN.sub("wa", out)
    out = _MIXED_RUN.sub("yo", out)
    return out if out != key else ""


_WAW_BEFORE_A = re.compile(r"(?<=[^aiu'])u(?=a)")
_INNER_WAW = re.compile(r"(?<=[^aiu'])u(?=[^aiu'])")
_FINAL_HAMZA = re.compile(r"(?<=[^aiu'])'$")


def latin_reading(key: str) -> str:
    """An Arabic key with what Latin writes otherwise so written: a final hamza after a
    consonant (ـاء, whose alef the key leaves out) as a, as Latin ends the name ("Hamra",
    "Zarqa": الحمراء ``hmr'`` as ``hmra``); and an inner و, which the key reads as the vowel
    u, as the consonant w: between consonants with a short vowel after it ("Aswad", "Muwaffaq":
    الأسود ``'sud`` as ``'swad``), before a final a as itself ("Marwa": مروة ``mrua`` as
    ``mrwa``); "" for a key with none."""
    out = _FINAL_HAMZA.sub("a", key) if len(key) >= 3 else key
    out = _WAW_BEFORE_A.sub("w", _INNER_WAW.sub("wa", out))
    return out if out != key else ""


PIVOT_MIN = 0.55  # a close Latin spelling's similarity, at least, to look further from
MAX_PIVOTS = 5   # close spellings looked further from, best first
PIVOT_SUPPORT = 2  # close spellings that must each find a word


def corroborated(reader, script: str, key: str, target: str) -> dict[str, tuple[float, tuple[str, ...]]]:
    """The words of ``target`` script in the index beyond ``similar_words``'s threshold for
    ``key`` (a word of its own: no slack) that two or more of its close Latin spellings each
    find (``PIVOT_SUPPORT``), with their score and those spellings: one name's spellings chain
    where a direct comparison falls short (Baeyrut ~ Beirut, Beyrouth ~ بيروت), and two links of
    the chain vouch for a word where one would bridge two names.  A word scores as its best
    chain, the product of its two similarities: below the direct matches (remembered per
    segments, as ``similar_words``)."""
    cache_key = _cache_key(segment_vocabularies(reader), "chain", script, key, target)
    remembered = _MATCHES.get(cache_key) if cache_key else MISSING
    if remembered is not MISSING:
        return remembered
    direct = similar_words(reader, script, key, target)
    pivots: list[tuple[str, tuple[str, str], float]] = []
    keys = {(script, key)}  # a key finds the same words whichever spelling has it
    for word, similarity in similar_words(reader, script, key, LATIN).items():  # best first
        if similarity < PIVOT_MIN or len(pivots) == MAX_PIVOTS:
            break
        pivot_key = word_key(word)
        if pivot_key[1] and pivot_key not in keys:
            keys.add(pivot_key)
            pivots.append((word, pivot_key, similarity))
    chains: dict[str, list[tuple[float, str]]] = {}
    for pivot, pivot_key, similarity in pivots:
        for word, s in similar_words(reader, *pivot_key, target).items():
            if word not in direct:
                chains.setdefault(word, []).append((round(similarity * s, 3), pivot))
    found = {w: (max(s for s, _ in links), tuple(p for _, p in links))
             for w, links in chains.items() if len(links) >= PIVOT_SUPPORT}
    found = dict(sorted(found.items(), key=lambda kv: -kv[1][0]))
    if cache_key:
        _MATCHES.put(cache_key, found)
    return found


# ------------------------------------------------------------------ a spelling's keys
def _is_word(term: str) -> bool:
    """An exact-field term that is a word as written: Latin letters (and apostrophes), or
    Arabic letters; not a key (``~``, ``@``, ``#``)."""
    first = term[:1]
    if not first or first in "~@#=":
        return False
    if first.isascii():
        return term.isascii() and term.replace("'", "").isalpha()
    return first.isalpha()


def _stem(word: str) -> str:
    """An exact term without the article the exact field writes onto an Arabic word."""
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def word_key(word: str) -> tuple[str, str]:
    """(script, key) of one word whose article is already stripped, as the model compares
    them: Latin ``translit.latin_slots`` of the folded word ("Mayadeen" -> ``mayadIn``), Arabic
    ``translit.arabic_key``; key "" if it has none."""
    from search.analysis import fold_arabic, fold_latin, is_arabic

    if is_arabic(word):
        return ARABIC, arabic_key(fold_arabic(word))
    return LATIN, latin_slots(fold_latin(word))


# Letters other transliteration traditions write for a sound of Arabic, each (pattern, as the
# English tradition the keys follow writes it): a word matching one is also read so
TRADITION_READINGS = (
    (re.compile(r"(?<![sx])c(?=[eiy])"), "s"),  # the Romance languages' and English soft c: Marcelo
    (re.compile(r"ou(?=[aei])"), "w"),          # French ou for و before a vowel: Saouan, Anouar
    (re.compile(r"(?<![stcdz])ch"), "kh"),      # German and Czech ch for خ: Suchna
    (re.compile(r"^rh(?=[aeiouy])"), "gh"),     # French rh for غ: Rhasm, Rhouta
    (re.compile("sz"), "s"),                    # Hungarian sz: Szidon
    (re.compile("sz"), "sh"),                   # Polish sz
)


def word_readings(word: str, construct: bool = False) -> list[tuple[str, str]]:
    """``word_key`` of ``word`` and, for a Latin word, its readings with a y a consonant: of a
    long name's diphthong (``translit.consonant_y_slots``: "Maydeen" is also ``mayadIn``) and
    between vowels (``translit.glide_y_slots``: "Qayyarah" is also ``kayara``); as the English
    tradition writes what other traditions write otherwise (``TRADITION_READINGS``); without a
    sun-letter article glued to it ("Esseir" is also ``sIr``, es-Seir); and with ``construct``
    (a word that may be a construct's first), its ``construct_reading``."""
    script, key = word_key(word)
    if script == LATIN and key:
        from search.analysis import GLUED_SUN_ARTICLE, fold_latin

        folded = fold_latin(word)
        others = [consonant_y_slots(folded), glide_y_slots(folded)]
        others += [latin_slots(pattern.sub(written, folded))
                   for pattern, written in TRADITION_READINGS if pattern.search(folded)]
        glued = GLUED_SUN_ARTICLE.match(folded)
        if glued and len(folded) - glued.end() >= 3:
            others.append(latin_slots(folded[glued.end():]))
        # the Levant's spellings leave a first short vowel out (Kfar, Sfira, Jdaide): a word that
        # begins with two consonants no English word begins with (Cristina is no Karistina)
        if _INITIAL_CLUSTER.match(key) and _english_initials().get(folded[:2], 0) < ENGLISH_INITIALS_MIN:
            others.append(key[0] + "a" + key[1:])
        if _FINAL_LONG_A.search(key):  # a final aa is a long a (and hamza) as often as ʿayn: Jalaa
            others.append(_FINAL_LONG_A.sub("a", key))
        if construct:
            others.append(construct_reading(key))
        return [(script, k) for k in dict.fromkeys((key, *others)) if k]
    return [(script, key)]


ENGLISH_INITIALS_MIN = 20  # English words beginning with two letters, at least, for them to be English's


@lru_cache(maxsize=1)
def _english_initials() -> dict[str, int]:
    """How many English dictionary words begin with each pair of letters (cr: 610, kf: 0)."""
    from collections import Counter

    from search.analysis import english_words

    return dict(Counter(w[:2] for w in english_words() if len(w) > 2))


_INITIAL_CLUSTER = re.compile(rf"[^{_SLOT}][^{_SLOT}hwy]")
_FINAL_LONG_A = re.compile(rf"(?<=[^{_SLOT}])'$")
_CONSTRUCT_T = re.compile(rf"(?<=[{_SLOT}])t$")


def construct_reading(key: str) -> str:
    """A Latin key's reading as the first word of a construct, whose ة is said, and so written,
    t ("Saddat al Hindiyah", سدة الهندية; "Qal'at al Madiq", قلعة المضيق): the key without
    that t; "" for a key that ends otherwise or is short."""
    return key[:-1] if len(key) >= 4 and _CONSTRUCT_T.search(key) else ""


def rule_words(reader, rule_key: str) -> dict[str, tuple[str, ...]]:
    """The Latin words of the index whose spelling-rule key (``translit.latin_key``) is
    ``rule_key``, each with its model readings (``word_readings``)."""

    def collect(pairs):
        readings: dict[str, list[str]] = {}
        for key, word in pairs:
            if latin_key(word) == rule_key:
                readings.setdefault(word, []).append(key)
        return {w: tuple(dict.fromkeys(ks)) for w, ks in readings.items()}

    return _of_skeleton(reader, LATIN, rule_key, ("rule", rule_key), collect)


def _of_skeleton(reader, script: str, key: str, asked: tuple, collect) -> dict:
    """``collect`` of the (model key, word) pairs of the index's ``script`` words with the
    skeleton of ``key`` (common words too), remembered per segments and ``asked``."""
    skel = skeleton(key)
    if not skel:
        return {}
    vocabs = segment_vocabularies(reader)
    cache_key = _cache_key(vocabs, *asked)
    found = _MATCHES.get(cache_key) if cache_key else MISSING
    if found is MISSING:
        found = collect([pair for _, vocab in vocabs
                         for table in (vocab.by_skeleton, vocab.common_by_skeleton)
                         for pair in table.get((script, skel), ())])
        if cache_key:
            _MATCHES.put(cache_key, found)
    return found


def rule_vetoed(queried: tuple[str, ...], readings: tuple[str, ...]) -> bool:
    """Whether a word the spelling rules match (model ``readings``) is ruled out for the query
    word (its readings, ``queried``): the rules' key ignores vowel quality, and where the two
    spellings write, at one vowel, classes that spellings of one name seldom trade (the
    model's ``vowel_clashes``: a long "ee" against a short "a", "Maydeen" / "Midan"), they are
    two names.  Readings of another shape are not compared; if none compare, nothing is ruled
    out."""
    clashes = model().vowel_clashes
    compared = False
    for a in queried:
        for b in readings:
            if len(a) != len(b):
                continue
            if not any(frozenset((x, y)) in clashes for x, y in zip(a, b, strict=True) if x != y):
                return False
            compared = True
    return compared


def spelling_words(text: str) -> list[tuple[str, str]]:
    """The (script, folded word) of each word of a spelling, as the exact fields fold them,
    article stripped."""
    from search.analysis import fold_arabic, fold_latin, is_arabic

    return [(ARABIC, fold_arabic(w)) if is_arabic(w) else (LATIN, fold_latin(w)) for w in _words(text)]


def _words(text: str) -> list[str]:
    from search.analysis import (
        ArticleFilter,
        CharNormalizeFilter,
        CommonWordFilter,
        PossessiveFilter,
        RasmTokenizer,
    )

    chain = (RasmTokenizer() | CharNormalizeFilter() | CommonWordFilter() | PossessiveFilter()
             | ArticleFilter())
    return [t.text for t in chain(text, mode="index")]


def spelling_keys(text: str) -> list[tuple[str, str]]:
    """The (script, model key) of each word of a spelling (articles stripped, the commonest
    words left out)."""
    return [(script, key) for script, key in map(word_key, _words(text)) if key]
