"""Writes search/data/{arabic,english}-common-words.txt: the commonest words, folded.

    pip install wordfreq && python tools/make_common_words.py [--words 30000]

From wordfreq's Arabic and English frequency lists (https://github.com/rspeer/wordfreq; its data is
CC BY-SA 4.0, see ATTRIBUTION.md), each of the N commonest words is folded as the index folds
it (article stripped).  The name model (search.names) takes an Arabic word of this set for a
one-word name's spelling on strong evidence only: "Gale" is no قال ("he said").  A name that
is also a common word (حلب, دمشق) is still found by its spelling rules and aliases.  The
English list keeps a query word's second readings off ordinary words ("Albelda" is no
"al-Belda" of a common word); with search/data/english-words.txt it counts the capitalised
words (Tuesday, January) that list leaves out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from search import names  # noqa: E402

DATA = ROOT / "search" / "data"
LANGUAGES = {"ar": ("arabic", names.ARABIC), "en": ("english", names.LATIN)}


def main(argv: list[str] | None = None) -> None:
    from importlib.metadata import version

    import wordfreq

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=30000)
    args = ap.parse_args(argv)
    for lang, (name, want) in LANGUAGES.items():
        words = set()
        for word in wordfreq.top_n_list(lang, args.words):
            for script, folded in names.spelling_words(word):
                if script == want:
                    words.add(folded)
        out = DATA / f"{name}-common-words.txt"
        head = (f"# the {args.words} commonest {name.title()} words of wordfreq {version('wordfreq')} "
                "(CC BY-SA 4.0); written by tools/make_common_words.py\n")
        out.write_text(head + "\n".join(sorted(words)) + "\n", encoding="utf-8")
        print(f"wrote {len(words)} words to {out}")


if __name__ == "__main__":
    main()
