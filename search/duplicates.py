"""Syndicated near-duplicates: the same story republished by several outlets.

Two articles are near-duplicates when most of the shorter one's five-word
shingles also occur in the other (containment, not Jaccard: a republished
story often comes with an extra paragraph or footer).  Groups are the
connected components; each article's group id is the first id of its group.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable

from search.codec import pack_u32, unpack_u32

SHINGLE_WORDS = 5
MIN_SHINGLES = 8            # a shorter text is too short to call a copy
CONTAINMENT = 0.6           # share of the shorter article's shingles found in the other
COMMON_SHINGLE_DOCS = 50    # a shingle in more articles than this is boilerplate, not a story

_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[int]:
    """Hashes of the text's overlapping five-word runs (lower case, punctuation ignored)."""
    words = _WORD.findall(text.lower())
    return {zlib.crc32(" ".join(words[i:i + SHINGLE_WORDS]).encode())
            for i in range(len(words) - SHINGLE_WORDS + 1)}


def near_duplicate_groups(articles: Iterable[tuple[str, str | set[int]]]) -> dict[str, str]:
    """Maps every article id (given with its text or its shingles, in order) to its group's
    first id.

    Only shingles in 2 to COMMON_SHINGLE_DOCS articles count.  A pair is found by prefix
    filtering: if the shorter article A shares at least t of its counted shingles with B, B
    holds one of A's rarest (len - t + 1) counted shingles; so each article looks only at the
    articles holding those, and each such pair is checked by intersecting the two sets.
    """
    ids: list[str] = []
    sets: list[set[int]] = []
    for doc_id, text in articles:
        ids.append(doc_id)
        found = text if isinstance(text, set) else shingles(text)
        sets.append(found if len(found) >= MIN_SHINGLES else set())
    df = Counter(itertools.chain.from_iterable(sets))
    shared = {s for s, n in df.items() if 1 < n <= COMMON_SHINGLE_DOCS}
    counted = [found & shared for found in sets]
    postings: dict[int, list[int]] = defaultdict(list)
    for n, found in enumerate(counted):
        for s in found:
            postings[s].append(n)
    sizes = [len(found) for found in sets]
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, mine in enumerate(counted):
        if not mine:
            continue
        need = math.ceil(CONTAINMENT * sizes[a])  # shared shingles, when A is the shorter
        if len(mine) < need:
            continue
        rarest = sorted(mine, key=lambda s: (df[s], s))[:len(mine) - need + 1]
        checked = {a}
        for s in rarest:
            for b in postings[s]:
                if b in checked or sizes[b] < sizes[a] or (sizes[b] == sizes[a] and b < a):
                    continue  # B the shorter: A is found from B's side
                checked.add(b)
                if len(mine & counted[b]) >= CONTAINMENT * sizes[a]:
                    ra, rb = root(a), root(b)
                    parent[max(ra, rb)] = min(ra, rb)
    return {doc_id: ids[root(i)] for i, doc_id in enumerate(ids)}


SAMPLE_MOD = 16  # one shingle in this many is kept in the index for finding copies later


def sampled(found: set[int]) -> list[int]:
    """The shingles kept in the index (a fixed hash-based sample, so two copies keep the same
    ones): enough to find an earlier copy of a story without storing every shingle."""
    return sorted(s for s in found if s % SAMPLE_MOD == 0)


def shingle_bytes(kept: list[int]) -> bytes:
    """Sampled shingles as the index's ``shingles`` column holds them: 32-bit little-endian."""
    return pack_u32(kept)


def shingles_from_bytes(value: bytes) -> list[int]:
    """``shingle_bytes`` read back (nothing for a value that is not such a list)."""
    return unpack_u32(value).tolist() if len(value) % 4 == 0 else []


def is_copy(a: set[int], b: set[int]) -> bool:
    """Whether two articles' shingle sets make them near-duplicates (see the module doc)."""
    if min(len(a), len(b)) < MIN_SHINGLES:
        return False
    return len(a & b) >= CONTAINMENT * min(len(a), len(b))
