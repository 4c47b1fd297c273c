"""Spelling-independent keys for names, in Latin and Arabic script.

* ``latin_key`` -- the transliteration key of a Latin spelling.  Consonants are
  mapped to one letter per Arabic sound (q/k/c -> k, kh -> x, sh/ch -> $, ...),
  doubled letters are collapsed and every run of vowels becomes one slot ``a``.
  The slots are kept, so "Homs" (``hams``) and "Hamas" (``hamas``) stay apart
  while "Homs", "Hims" and "Hums" meet.  A run holding an apostrophe, "aa" or
  "ae" stands for ʿayn/hamza and becomes ``'``: "Daraa", "Dar'a" -> ``dar'``,
  but "Deir" -> ``dar``.
* ``arabic_key`` -- the key of an Arabic spelling: its consonants, ``a`` where
  it writes a long vowel, ``'`` for ʿayn and hamza: حمص -> ``hms``, حماس -> ``hmas``.

Across scripts, ``latin_to_arabic`` and ``arabic_to_latin`` list the keys a
spelling may have in the other script: Arabic leaves short vowels unwritten,
and a Latin vowel digraph (ee, ou, ay, ...) marks a long vowel Arabic writes.
So "Homs" finds حمص but not حماس, and "Maydeen" does not find مدن ("cities").

All functions take one word with any article ("al-", "ال") already removed.
"""

from __future__ import annotations

import re
from functools import lru_cache

VOWELS = frozenset("aeiou")
# ʿayn/hamza: every apostrophe-like mark is folded to "'" before keying.
APOSTROPHES = "'’‘`´ʿʾʻʼ"
APOSTROPHE_TABLE = str.maketrans({c: "'" for c in APOSTROPHES})
MAX_CROSS_SCRIPT_FORMS = 64

# Latin letter groups that spell one Arabic consonant, longest first.
_LATIN_DIGRAPHS = [
    ("sch", "$"),
    ("tch", "$"),
    ("sh", "$"),
    ("ch", "$"),
    ("kh", "x"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
    ("zh", "j"),
    ("dj", "j"),
    ("ck", "k"),
    ("mb", "nb"),  # Arabic nb is said (and often written) mb: Manbij / Membij
]
_LATIN_DIGRAPH_RE = re.compile("|".join(re.escape(a) for a, _ in _LATIN_DIGRAPHS))
_LATIN_DIGRAPH_MAP = dict(_LATIN_DIGRAPHS)
_FRENCH_QU = re.compile(r"qu(?=[aeiouy])")
_LATIN_SINGLE = str.maketrans({"q": "k", "c": "k", "v": "f"})
_FINAL_H = re.compile(r"(?<=[aeiouy])h$")  # the ta marbuta: "Raqqah" = "Raqqa"
# Russian renders Arabic h as kh; Arabic starts no word with two consonants: "Khmeimim" = Hmeimim
_RUSSIAN_KH = re.compile(r"^kh(?=[^aeiouy'])")
_NOT_LETTER = re.compile(r"[^a-z']")


def _is_vowel_y(word: str, i: int) -> bool:
    """y is a consonant word-initially before a vowel or between vowels (not after i)."""
    nxt = word[i + 1] if i + 1 < len(word) else ""
    if i == 0:
        return nxt not in VOWELS
    return not (word[i - 1] in "aeou" and nxt in VOWELS)


def _is_vowel_w(word: str, i: int) -> bool:
    """w is a consonant before a vowel; after a vowel and before a consonant it is a diphthong."""
    nxt = word[i + 1] if i + 1 < len(word) else ""
    return nxt not in VOWELS


_LONG_I = frozenset(["ee", "ei", "ey", "ai", "ay", "ie", "iy", "ii"])
_LONG_U = frozenset(["ou", "oo", "au", "aw", "ow", "uu", "uw", "ouw"])


def _slot(run: str) -> str:
    """A vowel run's class: "'" ʿayn/hamza; short "a", "e", "i", "o"; long "I", "U"; other runs
    "F" (front vowels and a: "ia", "iya"), "B" (back vowels and a: "ua", "oa") or "V" (mixed)."""
    if "'" in run or "aa" in run or "ae" in run:
        return "'"
    if len(run) == 1:
        return {"y": "i", "w": "o", "u": "o"}.get(run, run)
    if run in _LONG_I:
        return "I"
    if run in _LONG_U:
        return "U"
    front, back = any(c in "iye" for c in run), any(c in "ouw" for c in run)
    return "V" if front == back else ("F" if front else "B")


def _is_glide_y(word: str, i: int) -> bool:
    """A y between vowels, or doubled between them ("Nahiya", "Qayyarah", "Qaiyara"): the
    consonant Arabic writes as ي, though the vowel-run classes read it in the run."""
    before = word[i - 1] if i else ""
    if before == "y":
        before = word[i - 2] if i > 1 else ""
    after = word[i + 1:i + 2]
    if after == "y":
        after = word[i + 2:i + 3]
    return before in VOWELS and after in VOWELS


def _latin_slots(word: str, glide: bool = False) -> list[str]:
    """A mapped Latin word as consonants and vowel-run classes (see ``_slot``); with ``glide``,
    a y between vowels is a consonant (``_is_glide_y``)."""
    out: list[str] = []
    run = ""  # the vowel run being read
    for i, ch in enumerate(word):
        if ch in VOWELS or ch == "'":
            vowel = True
        elif ch == "y":
            vowel = _is_vowel_y(word, i) and not (glide and _is_glide_y(word, i))
        elif ch == "w":
            vowel = _is_vowel_w(word, i)
        else:
            vowel = False
        if vowel:
            run += ch
            continue
        if ch == "w" and i > 0 and not run:
            run = "u"  # "Sweida" ~ "Suwayda": a w after a consonant carries an unwritten u
        if run:
            out.append(_slot(run))
        run = ""
        out.append(ch)
    if run:
        out.append(_slot(run))
    return out


VOWEL_SLOTS = frozenset("aeioIUFBV")  # the vowel-run classes of latin_slots (see _slot)
_FRENCH_SILENT_E = re.compile(r"(?<=[iu]n)e$")  # "Mayadine", "Cheikhoune": a French mute e


@lru_cache(maxsize=200_000)
def latin_slots(word: str, glide: bool = False) -> str:
    """``latin_key`` keeping each vowel run's class (see ``_slot``); "" if no letters; with
    ``glide``, a y between vowels read as a consonant (``glide_y_slots``)."""
    word = _NOT_LETTER.sub("", word.translate(APOSTROPHE_TABLE).strip("'"))
    if not word:
        return ""
    word = _FRENCH_QU.sub("k", _FRENCH_SILENT_E.sub("", _RUSSIAN_KH.sub("h", word)))
    word = _LATIN_DIGRAPH_RE.sub(lambda m: _LATIN_DIGRAPH_MAP[m.group(0)], word)
    word = _FINAL_H.sub("", word.translate(_LATIN_SINGLE))
    out: list[str] = []
    for slot in _latin_slots(word, glide):
        if not (out and out[-1] == slot):  # doubled consonant
            out.append(slot)
    if out and out[0] == "'":
        out[0] = "V"  # a word-initial ʿayn: Latin cannot tell it from a vowel, Arabic writes both
    return "".join(out)


_DIPHTHONG_Y = re.compile(r"(?<=[aeo])y(?=[^aeiouy'])")


def consonant_y_slots(word: str) -> str:
    """``latin_slots`` of a long name read with its diphthong's y a consonant whose vowel went
    unwritten ("Maydeen" read "May(a)deen": ``mayadIn``), as ``vowel_slips`` reads long names;
    "" if the word has no such y or is short."""
    if not _DIPHTHONG_Y.search(word):
        return ""
    slots = latin_slots(_DIPHTHONG_Y.sub("ya", word))
    consonants = sum(c not in VOWEL_SLOTS and c != "'" for c in slots)
    return slots if consonants >= MIN_CONSONANTS_FOR_VOWEL_SLIP else ""


_GLIDE_Y_HINT = re.compile(r"[aeiou]y")


def glide_y_slots(word: str) -> str:
    """``latin_slots`` of a word with each y between vowels read as the consonant Arabic writes
    there (ي): "Qayyarah" ``kayara`` beside ``kFra``, "Nahiyah" ``nahiya`` beside ``nahF``
    (القيارة, ناحية); "" where that reads the word as ``latin_slots`` does."""
    if not _GLIDE_Y_HINT.search(word):
        return ""
    slots = latin_slots(word, glide=True)
    return slots if slots != latin_slots(word) else ""


def consonant_y_keys(word: str) -> list[str]:
    """Keys of ``consonant_y_slots``: "Maydeen" meets "Mayadeen"."""
    slots = consonant_y_slots(word)
    return [slots_key(slots)] if slots else []


def latin_key(word: str) -> str:
    """The transliteration key of one folded, lower-case Latin word ("" if it has no letters).

    Every vowel run is one slot ``a`` whatever its vowels, so the key ignores
    vowel quality ("Homs" = "Hims") but not where vowels stand ("Homs" != "Hamas",
    "Kobani" != "Qaboun").
    """
    return slots_key(latin_slots(word))


def slots_key(slots: str) -> str:
    """The key of a word's ``latin_slots``: every vowel run one slot ``a``."""
    return "".join("a" if c in VOWEL_SLOTS else c for c in slots)


MIN_CONSONANTS_FOR_VOWEL_SLIP = 4


def vowel_slips(key: str) -> list[str]:
    """Keys one dropped or added short vowel away ("Zebdani" ~ "Zabadani", "Jarablus" ~
    "Jarabulus"), for keys of at least MIN_CONSONANTS_FOR_VOWEL_SLIP consonants: in a
    shorter name one vowel is too much of it ("Homs" is no "Hamas")."""
    if sum(c not in "a'" for c in key) < MIN_CONSONANTS_FOR_VOWEL_SLIP:
        return []
    out = []
    for i in range(1, len(key) - 1):
        prev, here, nxt = key[i - 1], key[i], key[i + 1]
        if here == "a" and prev not in "a'" and nxt not in "a'":
            out.append(key[:i] + key[i + 1:])
        if here not in "a'" and prev not in "a'":
            out.append(key[:i] + "a" + key[i:])
    return [k for k in dict.fromkeys(out) if k != key]


# ------------------------------------------------------------------ Arabic
_AR_CONSONANTS = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ج": "j", "چ": "j", "ح": "h", "خ": "x",
    "د": "d", "ذ": "d", "ر": "r", "ز": "z", "ژ": "j", "س": "s", "ش": "$", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "z", "ع": "'", "غ": "g", "ف": "f", "ڤ": "f", "ق": "k",
    "ك": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h",
}
_AR_ALEFS = frozenset("اأإآٱ")
_AR_HAMZAS = frozenset("ءؤئ")
_AR_LONG = frozenset("اىآ")
_AR_SEMIVOWELS = {"و": "w", "ي": "y", "ی": "y"}


def _arabic_semivowel_is_consonant(word: str, i: int) -> bool:
    """و/ي are consonants word-initially, next to an alef, or before another و/ي."""
    if i == 0:
        return True
    nxt = word[i + 1] if i + 1 < len(word) else ""
    return nxt in _AR_LONG or word[i - 1] in _AR_ALEFS or nxt in _AR_SEMIVOWELS


_AR_LONG_VOWEL = {"ا": "a", "ى": "a", "ي": "i", "ی": "i", "و": "u"}


def _arabic_sound(word: str, i: int) -> str:
    ch = word[i]
    last = len(word) - 1
    if ch in _AR_ALEFS and (i == 0 or ch != "ا"):
        return "'"
    if ch in _AR_HAMZAS:
        return "'"
    if ch in _AR_SEMIVOWELS and _arabic_semivowel_is_consonant(word, i):
        return _AR_SEMIVOWELS[ch]
    if ch in _AR_LONG_VOWEL:
        return _AR_LONG_VOWEL[ch]
    if ch == "ة" or (ch == "ه" and i == last):
        return "a"  # ta marbuta, often written as a final ه: رقة = رقه = "Raqqa", "Raqqah"
    return _AR_CONSONANTS.get(ch, "")


@lru_cache(maxsize=200_000)
def arabic_key(word: str) -> str:
    """The key of one Arabic word (tashkeel removed, article stripped): consonants, "a"/"i"/"u"
    for a written long vowel (or ta marbuta), "'" for ʿayn and hamza."""
    return _collapse("".join(_arabic_sound(word, i) for i in range(len(word))))


# ------------------------------------------------------------------ across scripts
_AYN_WITH_ALEF = re.compile(r"a*'a*")
_DOUBLES = re.compile(r"(.)\1+")


def _collapse(s: str) -> str:
    """Doubles collapsed ("dd" -> "d"); an alef beside ʿayn/hamza is read into it, as Latin
    "aa"/"ae" is (داعش = "Daesh" -> ``d'$``)."""
    return _DOUBLES.sub(r"\1", _AYN_WITH_ALEF.sub("'", s))


def _variants(options: list[list[str]]) -> list[str]:
    """Every string made by picking one option per place, collapsed, in a stable order;
    none at all if there would be more than MAX_CROSS_SCRIPT_FORMS."""
    out = [""]
    for choice in options:
        out = [prefix + o for prefix in out for o in choice]
        if len(out) > MAX_CROSS_SCRIPT_FORMS:
            return []
    return list(dict.fromkeys(_collapse(v) for v in out))


_TO_ARABIC_INITIAL = {"a": ["'"], "e": ["'", "'i"], "i": ["'", "'i"], "o": ["'", "'u"],
                      "I": ["'i"], "U": ["'u"], "F": ["'", "'i"], "B": ["'", "'u"],
                      "V": ["'", "'i", "'u"], "'": ["'"]}
_TO_ARABIC_MEDIAL = {"a": ["", "a"], "e": ["", "a", "i"], "i": ["", "i"], "o": ["", "u"],
                     "I": ["i"], "U": ["u"], "F": ["", "a", "i"], "B": ["", "a", "u"],
                     "V": ["", "a", "i", "u"], "'": ["'"]}
_TO_ARABIC_FINAL = {"a": ["a"], "e": ["a", "i"], "i": ["i"], "o": ["u"],
                    "I": ["i"], "U": ["u"], "F": ["a", "i", "ia"], "B": ["a", "u"],
                    "V": ["a", "i", "u", "ia"], "'": ["'"]}


def latin_to_arabic(slots: str) -> list[str]:
    """The Arabic keys a Latin spelling (its ``latin_slots``) may stand for.

    A short vowel may be left unwritten or written long with its own letter (a
    -> ا, i/e -> ي, u/o -> و); a digraph (ee, ou, ay) is a written long vowel; a
    word-initial vowel is an alef, hamza or ʿayn; a final vowel is written.
    """
    last = len(slots) - 1
    options = []
    for i, ch in enumerate(slots):
        if ch not in VOWEL_SLOTS and ch != "'":
            options.append([ch])
        elif i == 0:
            options.append(_TO_ARABIC_INITIAL[ch])
        elif i == last:
            options.append(_TO_ARABIC_FINAL[ch])
        else:
            options.append(_TO_ARABIC_MEDIAL[ch])
    return _variants(options) if slots else []


def arabic_to_latin(key: str) -> list[str]:
    """The Latin keys (see ``latin_key``) an Arabic key may be spelt as.

    Between two consonants Latin may write a short vowel Arabic leaves out; a
    medial ʿayn or hamza may be written as an apostrophe or as a plain vowel.
    """
    options: list[list[str]] = []
    for i, ch in enumerate(key):
        if i == 0 and ch == "'":
            options.append(["a"])
        elif ch == "'" and i < len(key) - 1:
            options.append(["'", "a"])  # Isma'il / Ismail; a final ʿayn stays: Daraa is no "Dara"
        elif ch in "aiu":
            options.append(["a"])
        else:
            if i > 0 and key[i - 1] not in "aiu'":
                options.append(["", "a"])  # an unwritten short vowel
            options.append([ch])
    return _variants(options) if key else []
