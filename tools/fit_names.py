"""Fits the name model (search/data/name-model.json) on real pairs of spellings of one name.

    python tools/fit_names.py [--train ../shared/names/train.jsonl] [--out search/data/name-model.json]

Data: names/train.jsonl of the shared kit (GeoNames places, OFAC names, Wikidata person names;
see its README).  Only the costs and thresholds derived here are shipped, with the GeoNames
credit in ATTRIBUTION.md; no spelling of the data is written out.

1. Every spelling is keyed as the index keys it (search.names.spelling_keys).  Spellings of one
   entity with as many words are paired word by word: Latin with Latin (LL), Latin with Arabic
   (LA), Arabic with Arabic (AA).
2. Edit costs are fitted by hard EM: align every pair with the current costs, count the
   substitutions, insertions and deletions, and set each cost to the negative log of its
   smoothed relative frequency (an operation of one symbol is dear where spellings rarely do
   it).  Five rounds.
3. The acceptance rule (cost <= base + per_letter * letters of the shorter key) is chosen on a
   grid: the most pairs of one name accepted while at most MAX_FALSE of the pairs of keys of
   different names that the candidate step would bring (same coarse skeleton, or one letter
   off) are.
4. Vowel clashes: of the Latin words of the data that the spelling rules key alike
   (translit.latin_key ignores vowel quality), the pairs of vowel classes (translit's slots)
   that words of different names show CLASH_RATIO times as often as words of one name, at
   least CLASH_MIN times: where one spelling writes one and the other the other, the rules'
   match is ruled out (names.rule_vetoed).
5. Prefixes: the first words of a spelling that its entity also writes without (ناحية,
   "subdistrict", in ناحية سدة الهندية beside سدة الهندية), in PREFIX_MIN entities at least; a Latin
   such word counts with an Arabic one dropped in the same entity that the fitted LA costs
   find alike (llr > 0), so "Nahiyat" is one with ناحية.  A query that starts with one also
   searches the rest of the name alone.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from search import names  # noqa: E402

TRAIN = ROOT.parent / "shared" / "names" / "train.jsonl"
ROUNDS = 5
SMOOTH = 0.5
MIN_SEEN = 2
# the share of negatives a rule may accept: keys of one skeleton, keys a consonant apart
MAX_FALSE = {"LL": (0.015, 0.001), "LA": (0.02, 0.001), "AA": (0.005, 0.001)}
MIN_KEY = 2  # keys shorter than this say too little to learn from
CLASH_RATIO = 3.0  # pairs of words of different names per pair of one name, at least, for a clash
CLASH_MIN = 8      # and pairs of different names showing it, at least
PREFIX_MIN = 2     # entities that write a name both with and without a first word, at least


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def keyed(entity: dict) -> tuple[list[list[str]], list[list[str]]]:
    latin = [[k for s, k in names.spelling_keys(t) if s == names.LATIN] for t in entity["latin"]]
    arabic = [[k for s, k in names.spelling_keys(t) if s == names.ARABIC] for t in entity["arabic"]]
    return [x for x in latin if x], [x for x in arabic if x]


def word_pairs(a: list[list[str]], b: list[list[str]], same: bool):
    """Word pairs of spellings with as many words (each unordered pair once when ``same``)."""
    pairs = itertools.combinations(a, 2) if same else itertools.product(a, b)
    for x, y in pairs:
        if len(x) == len(y):
            for u, v in zip(x, y, strict=True):
                if len(u) >= MIN_KEY and len(v) >= MIN_KEY:
                    yield u, v


def align(table: names.Table, a: str, b: str) -> list[tuple[str, str, str]]:
    """The cheapest alignment of a to b as (op, x, y) with op in sub/ins/del."""
    n, m = len(a), len(b)
    inf = float("inf")
    d = [[inf] * (m + 1) for _ in range(n + 1)]
    back = [[None] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, how = inf, None
            if i and j:
                x, y = a[i - 1], b[j - 1]
                c = 0.0 if table.identity_free and x == y else table.sub.get(x, {}).get(y, names.DEFAULT_COST)
                if d[i - 1][j - 1] + c < best:
                    best, how = d[i - 1][j - 1] + c, "sub"
            if i and d[i - 1][j] + table.dele.get(a[i - 1], names.DEFAULT_COST) < best:
                best, how = d[i - 1][j] + table.dele.get(a[i - 1], names.DEFAULT_COST), "del"
            if j and d[i][j - 1] + table.ins.get(b[j - 1], names.DEFAULT_COST) < best:
                best, how = d[i][j - 1] + table.ins.get(b[j - 1], names.DEFAULT_COST), "ins"
            d[i][j], back[i][j] = best, how
    ops = []
    i, j = n, m
    while i or j:
        how = back[i][j]
        if how == "sub":
            ops.append(("sub", a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif how == "del":
            ops.append(("del", a[i - 1], ""))
            i -= 1
        else:
            ops.append(("ins", "", b[j - 1]))
            j -= 1
    return ops[::-1]


def initial(same_alphabet: bool) -> names.Table:
    vowels = set("aiu'wyh")
    letters = "abcdefghijklmnopqrstuvwxyz$'"
    sub = {x: {y: (0.0 if x == y else 1.5) for y in letters} for x in letters}
    ins = {y: (0.7 if y in vowels else 1.5) for y in letters}
    return names.Table(sub, dict(ins), dict(ins), same_alphabet)


def fit_table(pairs: list[tuple[str, str]], symmetric: bool) -> tuple[names.Table, dict, dict]:
    """Joint edit costs (-log P of each substitution, insertion and deletion among all
    operations), by hard EM; and each side's symbol costs (-log P of a symbol), the background
    a pair of unrelated keys is scored against."""
    table = initial(symmetric)
    for _ in range(ROUNDS):
        ops: Counter = Counter()
        for a, b in pairs:
            for how in ((a, b), (b, a)) if symmetric else ((a, b),):
                ops.update(align(table, *how))
        total = sum(ops.values())
        left = sorted({x for op, x, _ in ops if x})
        right = sorted({y for op, _, y in ops if y})
        vocab = (len(left) + 1) * (len(right) + 1)
        smooth_total = total + SMOOTH * vocab

        def cost(op: tuple[str, str, str], ops=ops, smooth_total=smooth_total) -> float:
            return round(-math.log((ops[op] + SMOOTH) / smooth_total), 3)

        # an operation seen fewer than MIN_SEEN times is left out: it costs names.DEFAULT_COST,
        # too dear for any match (one unseen consonant makes another name: Ghandura is no Bandura)
        sub = {x: {y: cost(("sub", x, y)) for y in right if ops[("sub", x, y)] >= MIN_SEEN} for x in left}
        ins = {y: cost(("ins", "", y)) for y in right if ops[("ins", "", y)] >= MIN_SEEN}
        dele = {x: cost(("del", x, "")) for x in left if ops[("del", x, "")] >= MIN_SEEN}
        table = names.Table(sub, ins, dele, False)
    side_a: Counter = Counter(c for a, _ in pairs for c in a)
    side_b: Counter = Counter(c for _, b in pairs for c in b)
    if symmetric:
        side_a = side_b = side_a + side_b

    def unigram(counts: Counter) -> dict:
        n = sum(counts.values()) + SMOOTH * (len(counts) + 1)
        return {c: round(-math.log((k + SMOOTH) / n), 3) for c, k in counts.items()}

    return table, unigram(side_a), unigram(side_b)


def negatives(keys_by_entity: dict[str, set[str]], other: dict[str, set[str]] | None,
              limit: int = 200_000) -> list[tuple[str, str]]:
    """Pairs of keys of different entities that share a candidate skeleton (the candidate step
    of search.names would score them)."""
    target = other if other is not None else keys_by_entity
    by_skeleton: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for ent, keys in target.items():
        for k in keys:
            for s in names.skeleton_neighbours(names.skeleton(k)):
                by_skeleton[s].add((ent, k))
    out = set()
    for ent, keys in keys_by_entity.items():
        for k in keys:
            for s in names.skeleton_neighbours(names.skeleton(k)):
                for ent2, k2 in by_skeleton.get(s, ()):
                    if ent2 != ent and k2 != k:
                        out.add((k, k2))
    out = sorted(out)
    random.Random(1).shuffle(out)
    return out[:limit]


def choose_rule(m: names.Model, kind: str, pos: list[tuple[str, str]], neg: list[tuple[str, str]],
                max_false: float) -> tuple[float, float, float, float]:
    """The rule llr >= base + per_letter * (letters of the shorter key) that accepts the most
    pairs of one name while at most ``max_false`` of the negatives."""
    pos_c = [(m.llr(kind, a, b), min(len(a), len(b))) for a, b in pos]
    neg_c = [(m.llr(kind, a, b), min(len(a), len(b))) for a, b in neg]
    best = (0.0, 0.0, 0.0, 0.0)
    for base10 in range(-60, 61, 4):
        for per100 in range(-100, 201, 10):
            base, per = base10 / 10, per100 / 100
            fp = sum(c >= base + per * n for c, n in neg_c) / max(1, len(neg_c))
            if fp > max_false:
                continue
            tp = sum(c >= base + per * n for c, n in pos_c) / max(1, len(pos_c))
            if tp > best[2]:
                best = (base, per, tp, fp)
    return best


def vowel_clashes(entities: list[dict]) -> tuple[list[str], dict[str, list[int]]]:
    """The vowel-class pairs (step 4) and, for each pair seen, [pairs of one name, of two]."""
    from search.translit import VOWEL_SLOTS, latin_key, latin_slots

    by_key: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for e in entities:
        for text in e["latin"]:
            for script, folded in names.spelling_words(text):
                if script == names.LATIN and len(latin_key(folded)) >= 3:
                    by_key[latin_key(folded)].add((e["id"], folded))
    seen: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for words in by_key.values():
        for (e1, w1), (e2, w2) in itertools.combinations(sorted(words), 2):
            a, b = latin_slots(w1), latin_slots(w2)
            if w1 == w2 or len(a) != len(b):
                continue
            differ = {"".join(sorted((x, y))) for x, y in zip(a, b, strict=True)
                      if x != y and x in VOWEL_SLOTS and y in VOWEL_SLOTS}
            for pair in differ:
                seen[pair][0 if e1 == e2 else 1] += 1
    clashes = sorted(p for p, (one, two) in seen.items()
                     if two >= CLASH_MIN and two >= CLASH_RATIO * max(one, 1))
    return clashes, dict(sorted(seen.items()))


def prefixes(entities: list[dict], la: names.Model) -> tuple[list[list[str]], dict[str, int]]:
    """The prefixes (step 5) as [script, key], and the entities that drop each word seen dropped."""
    dropped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in entities:
        spellings = [tuple(names.spelling_keys(t)) for t in e["latin"] + e["arabic"]]
        for words in set(spellings) & {w[1:] for w in spellings if len(w) >= 2}:
            for longer in spellings:
                if longer[1:] == words:
                    dropped[longer[0]].add(e["id"])
    # a Latin word counts with each Arabic one it is dropped beside and reads alike
    seen = {word: set(ids) for word, ids in dropped.items()}
    for (s1, k1), ids1 in dropped.items():
        for (s2, k2), ids2 in dropped.items():
            if s1 == names.LATIN and s2 == names.ARABIC and ids1 & ids2 and la.llr("LA", k1, k2) > 0:
                seen[(s1, k1)] |= ids2
                seen[(s2, k2)] |= ids1
    kept = sorted([s, k] for (s, k), ids in seen.items() if len(ids) >= PREFIX_MIN)
    return kept, {f"{s}:{k}": len(ids) for (s, k), ids in sorted(seen.items())}


def table_json(t: names.Table) -> dict:
    return {"sub": t.sub, "ins": t.ins, "del": t.dele, "identity_free": t.identity_free}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=TRAIN)
    ap.add_argument("--out", type=Path, default=names.MODEL)
    args = ap.parse_args(argv)
    entities = load(args.train)
    pairs = {"LL": [], "LA": [], "AA": []}
    latin_keys: dict[str, set[str]] = {}
    arabic_keys: dict[str, set[str]] = {}
    for e in entities:
        latin, arabic = keyed(e)
        pairs["LL"] += [p for p in word_pairs(latin, [], True) if p[0] != p[1]]
        pairs["LA"] += list(word_pairs(latin, arabic, False))
        pairs["AA"] += [p for p in word_pairs(arabic, [], True) if p[0] != p[1]]
        latin_keys[e["id"]] = {k for ks in latin for k in ks if len(k) >= MIN_KEY}
        arabic_keys[e["id"]] = {k for ks in arabic for k in ks if len(k) >= MIN_KEY}
    negs = {"LL": negatives(latin_keys, None), "LA": negatives(latin_keys, arabic_keys),
            "AA": negatives(arabic_keys, None)}
    out = {"version": names.MODEL_VERSION,
           "credit": "Fitted on names/train.jsonl: contains data from GeoNames (https://www.geonames.org/), "
                     "licensed under CC BY 4.0; Wikidata (CC0); the OFAC SDN list (public domain).",
           "tables": {}, "base": {}, "per_letter": {}, "fit": {}}
    models = {}
    for kind in ("LL", "LA", "AA"):
        table, side_a, side_b = fit_table(pairs[kind], symmetric=kind != "LA")
        m = names.Model({kind: table}, {}, {}, {kind: (side_a, side_b)}, names.MODEL_VERSION, frozenset())
        out["tables"][kind] = table_json(table) | {"side_a": side_a, "side_b": side_b}
        out["base"][kind], out["per_letter"][kind], out["fit"][kind] = [], [], []
        for tier in (0, 1):
            pos = [p for p in pairs[kind] if names.Model.tier(*p) == tier]
            neg = [p for p in negs[kind] if names.Model.tier(*p) == tier]
            base, per, tp, fp = choose_rule(m, kind, pos, neg, MAX_FALSE[kind][tier])
            out["base"][kind].append(base)
            out["per_letter"][kind].append(per)
            out["fit"][kind].append({"pairs": len(pos), "negatives": len(neg),
                                     "accepted": round(tp, 4), "false": round(fp, 4)})
            print(f"{kind} tier {tier}: {len(pos)} pairs, {len(neg)} negatives; rule {base} + {per}/letter: "
                  f"{tp:.3f} of pairs accepted, {fp:.3f} of negatives")
        models[kind] = m
    out["prefixes"], out["fit"]["prefixes"] = prefixes(entities, models["LA"])
    print(f"prefixes: {', '.join(':'.join(p) for p in out['prefixes'])}")
    out["vowel_clashes"], seen = vowel_clashes(entities)
    out["fit"]["vowel_clashes"] = {p: seen[p] for p in out["vowel_clashes"]}
    print(f"vowel clashes: {', '.join(out['vowel_clashes'])}")
    text = json.dumps(out, ensure_ascii=False, sort_keys=True, indent=0) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
