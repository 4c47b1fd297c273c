"""The name model's weighted edit distance from one key to many at once, with numpy.

A query word's candidates are scored by the hundred or thousand (``names.similar_words``); one
``Table.cost`` each, in Python, made that most of a first search's time.  Here the candidates
are rows of one array and the dynamic programme runs once for all of them: the same additions
and minima, cell for cell, so the same costs to the last bit.
"""

from __future__ import annotations

import string

import numpy as np

_PAD = 0  # the index of the padding symbol after a shorter key (its costs are never read)


class Costs:
    """One cost table as arrays over its symbols: ``sub[x, y]``, ``ins[y]``, ``dele[x]`` (of
    the first key ``x``, the second ``y``) and each side's symbol costs."""

    def __init__(self, table, side_a: dict[str, float], side_b: dict[str, float], default: float):
        """``table``: a ``names.Table``; ``default``: the cost of what it never saw."""
        sub, ins, dele = table.sub, table.ins, table.dele
        self.default = default
        symbols = sorted(set(sub) | {y for row in sub.values() for y in row} | set(ins) | set(dele)
                         | set(side_a) | set(side_b) | set(string.ascii_lowercase + "$'"))
        self.index = {c: i for i, c in enumerate(symbols, 1)}
        n = len(symbols) + 1
        self.sub = np.full((n, n), default)
        for x, row in sub.items():
            for y, c in row.items():
                self.sub[self.index[x], self.index[y]] = c
        if table.identity_free:
            self.sub[np.arange(1, n), np.arange(1, n)] = 0.0
        self.ins, self.dele = self._vector(ins), self._vector(dele)
        self.side_a, self.side_b = self._vector(side_a), self._vector(side_b)
        for array in (self.ins, self.dele, self.side_a, self.side_b):
            array[_PAD] = 0.0

    def _vector(self, costs: dict) -> np.ndarray:
        out = np.full(len(self.index) + 1, self.default)
        for c, cost in costs.items():
            out[self.index[c]] = cost
        return out

    def transposed(self) -> Costs:
        """The table of the reverse comparison: the cost from ``b`` to ``a`` here is the cost
        from ``a`` to ``b`` there."""
        t = object.__new__(Costs)
        t.index, t.sub, t.default = self.index, self.sub.T, self.default
        t.ins, t.dele, t.side_a, t.side_b = self.dele, self.ins, self.side_b, self.side_a
        return t

    def readable(self, key: str) -> bool:
        return all(c in self.index for c in key)

    def codes(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The keys as rows of symbol indices, padded; their lengths; and whether every symbol
        of each is held (a row that is not is to be scored otherwise)."""
        width = max(map(len, keys), default=0)
        out = np.full((len(keys), width), _PAD, dtype=np.intp)
        held = np.ones(len(keys), dtype=bool)
        index = self.index
        for row, key in enumerate(keys):
            codes = [index.get(c, _PAD) for c in key]
            out[row, :len(key)] = codes
            held[row] = _PAD not in codes
        return out, np.fromiter(map(len, keys), dtype=np.intp, count=len(keys)), held

    def llrs(self, key: str, others: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The llr (background less edit cost, as ``names.Model.llr``) of ``key`` (the first
        key, ``readable``) against each row of ``others`` (the second keys, as ``codes``)."""
        ins_b = self.ins[others]
        prev = np.zeros((len(others), others.shape[1] + 1))
        prev[:, 1:] = np.cumsum(ins_b, axis=1)  # sequential, as the scalar row is summed
        for x in key:
            xi = self.index[x]
            best = np.minimum(prev[:, :-1] + self.sub[xi][others], prev[:, 1:] + self.dele[xi])
            cur = np.empty_like(prev)
            cur[:, 0] = prev[:, 0] + self.dele[xi]
            for j in range(1, prev.shape[1]):
                cur[:, j] = np.minimum(best[:, j - 1], cur[:, j - 1] + ins_b[:, j - 1])
            prev = cur
        background_a = sum(float(self.side_a[self.index[c]]) for c in key)
        background_b = np.cumsum(self.side_b[others], axis=1)[:, -1] if others.shape[1] else 0.0
        return background_a + background_b - prev[np.arange(len(others)), lengths]
