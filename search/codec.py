"""How Rasm's index is written: Whoosh's own codec and position format, made smaller and faster.

Whoosh pickles both into the index (the format with the schema, the codec with each segment),
so they live at this one import path and ``SCHEMA_VERSION`` changes whenever what they write
does.

* ``FieldPositions`` -- each posting's positions as packed 32-bit deltas, not a pickled list
  behind a 4-byte count (a third of the postings file at 20,000 articles); and the terms of
  a text are counted from the field analyzer's positions directly, not token by token.
* ``RasmCodec`` -- Whoosh's W3 codec whose per-document reader reads a field's lengths column
  once (writing a segment asked it for one document's length per posting: a tenth of a
  build), and whose postings hold a term's count in a document as an integer, not a float.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from itertools import accumulate
from operator import sub
from pickle import dumps

from whoosh import formats
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3PerDocReader,
    W3PostingsWriter,
)
from whoosh.util.numeric import byte_to_length, length_to_byte

_BIG_ENDIAN = sys.byteorder == "big"


class FieldPositions(formats.Positions):
    """Whoosh's ``Positions`` (frequency, weight, positions) with a compact value: the deltas
    between a term's positions in one document, as unsigned 32-bit little-endian integers."""

    def word_values(self, value, analyzer, **kwargs):
        term_positions = getattr(analyzer, "term_positions", None)
        if term_positions is None or kwargs.get("start_pos"):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for term, positions in term_positions(value).items():
            yield term, len(positions), len(positions) * boost, encode(positions)

    def encode(self, poslist):
        if len(poslist) == 1:
            deltas = array("I", poslist)
        else:
            deltas = array("I", [poslist[0], *map(sub, poslist[1:], poslist[:-1])])
        if _BIG_ENDIAN:
            deltas.byteswap()
        return deltas.tobytes()

    def decode_positions(self, valuestring):
        deltas = array("I")
        deltas.frombytes(valuestring)
        if _BIG_ENDIAN:
            deltas.byteswap()
        return list(accumulate(deltas))

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]


class RasmCodec(W3Codec):
    """Whoosh's W3 codec, with ``LengthsPerDocReader`` as its per-document reader and
    ``CountPostingsWriter`` as its postings writer."""

    def per_document_reader(self, storage, segment):
        return LengthsPerDocReader(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return CountPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                   compression=self._compression, inlinelimit=self._inlinelimit)


class CountPostingsWriter(W3PostingsWriter):
    """Whoosh's postings blocks, smaller where a rare term makes a block of one or two postings
    (most of Rasm's terms: variant keys, Arabic forms): a block's weights that are whole numbers
    (a term's count in each document) and its maximum weight are written as integers, not
    floats (two bytes each before compression, not nine); the pickles go without their
    protocol mark, which ``pickle.loads`` does not need; and a block is compressed only if that
    makes it smaller (Whoosh meant to skip small ones, but compressed every block).  The
    reader takes every such block as it is; every score is the same."""

    def _mini_weights(self):
        weights = super()._mini_weights()
        if type(weights) is tuple and all(w.is_integer() and 0 <= w < 2**31 for w in weights):
            return tuple(int(w) for w in weights)
        return weights

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 2)[2:]
        compression = self._compression
        if compression:
            packed = zlib.compress(databytes, compression)
            if len(packed) < len(databytes):
                databytes = packed
            else:
                compression = 0
        maxweight = self._maxweight
        if float(maxweight).is_integer():
            maxweight = int(maxweight)
        infobytes = dumps((len(self._ids), self._ids[-1], maxweight, compression,
                           length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)[2:]
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)  # negative: the term's last block
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class LengthsPerDocReader(W3PerDocReader):
    """Reads each field's lengths column into a list the first time a length is asked for."""

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self.__dict__.setdefault("_all_lengths", {})
        found = lengths.get(fieldname)
        if found is None:
            found = lengths[fieldname] = self._read_lengths(fieldname)
        if found is False or docnum >= len(found):
            return super().doc_field_length(docnum, fieldname, default)
        length = found[docnum]
        return default if length is None else length

    def _read_lengths(self, fieldname):
        column = self._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None or not hasattr(column, "_dbfile"):
            return False
        raw = column._dbfile.get(column._basepos, column._count) if column._count else b""
        return [byte_to_length(b) if b else None for b in raw]
