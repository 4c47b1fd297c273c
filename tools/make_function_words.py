"""Writes search/data/arabic-function-words.txt: Arabic function words, folded, that are no name.

    pip install Arabic-Stopwords && python tools/make_function_words.py [--train PATH]

From Arabic-Stopwords (Taha Zerrouki, pyarabic's author; GPL: https://github.com/linuxscout/arabicstopwords),
every form of its stop words (particles, pronouns, function nouns and verbs, with their
clitics; not its interjections nor the letters' names) is folded
as the index folds it.  A folded form is left out where the folding may have made it of a name:
where its ة or ى form is no stop word (حماه is also حماة, the town; the fold writes ة as ه), and
where it is a word of a proper noun of pyarabic's list (علي, "on me", is also Ali) or of a name's
Arabic form in names/train.jsonl (GeoNames https://www.geonames.org/ CC BY 4.0, OFAC, Wikidata).  The spelling
rules key Arabic words coarsely (ح and ه alike, ة dropped): where a rules key holds a function
word, it is searched as the key's other words (search.query): "Hama" finds حماة, not هما
("they two"); "Louay" does not find لو ("if") nor لي ("to me").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from search import names  # noqa: E402

OUT = ROOT / "search" / "data" / "arabic-function-words.txt"
TRAIN = ROOT.parent / "shared" / "names" / "train.jsonl"
SKIPPED = ("اسم فعل", "حرف ابجدي")  # Arabic-Stopwords' word types that are no function words


def folded(word: str) -> list[str]:
    return [w for script, w in names.spelling_words(word) if script == names.ARABIC]


def proper_noun_words() -> set[str]:
    """The folded words of pyarabic's proper nouns (its table's first column: the lexeme, before
    the label, which is Latin or begins "اسم علم")."""
    from pyarabic import propernouns

    out: set[str] = set()
    for line in propernouns.TEXT.splitlines():
        for word in re.findall("[\u0621-\u064a]+", line.split("اسم علم")[0]):
            out.update(folded(word))
    return out


def main(argv: list[str] | None = None) -> None:
    from importlib.metadata import version

    import arabicstopwords.arabicstopwords as stop
    from arabicstopwords.stopwords_classified import STOPWORDS as classified

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=TRAIN)
    args = ap.parse_args(argv)
    name_words = proper_noun_words()
    with args.train.open(encoding="utf-8") as lines:
        for line in lines:
            for form in json.loads(line).get("arabic", []):
                name_words.update(folded(form))
    # the particles, pronouns and function nouns and verbs with their forms; not the interjections
    # (اسم فعل: هيت is also Hit, the town; عدس "lentils") nor the letters' names (حرف ابجدي)
    forms = set()
    for lemma, entries in classified.items():
        if not any(e["type_word"] in SKIPPED for e in (entries if isinstance(entries, list) else [entries])):
            forms.update(stop.stopword_forms(lemma) or ())
    out = set()
    for form in forms:
        for word in folded(form):
            if word[-1:] == "ه" and word[:-1] + "ة" not in forms:
                continue
            if word[-1:] == "ي" and word[:-1] + "ى" not in forms and word not in forms:
                continue
            if word in name_words:
                continue
            out.add(word)
    head = (f"# Arabic function words of Arabic-Stopwords {version('Arabic-Stopwords')} (GPL), folded, "
            "less the words of pyarabic's proper nouns and names/train.jsonl's names; "
            "written by tools/make_function_words.py\n")
    OUT.write_text(head + "\n".join(sorted(out)) + "\n", encoding="utf-8")
    print(f"wrote {len(out)} words to {OUT} (left out as names' words: "
          f"{sum(1 for f in forms for w in folded(f) if w in name_words)})")


if __name__ == "__main__":
    main()
