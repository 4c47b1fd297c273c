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

import struct
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
    W3FieldCursor,
    W3FieldWriter,
    W3PerDocReader,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

_BIG_ENDIAN = sys.byteorder == "big"
_U32 = next(code for code in "IL" if array(code).itemsize == 4)  # the array type of 32-bit integers


def pack_u32(values) -> bytes:
    """Integers below 2**32 as unsigned 32-bit little-endian bytes (positions, shingles)."""
    packed = array(_U32, values)
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed.tobytes()


def unpack_u32(data: bytes) -> array:
    """``pack_u32`` read back (``data`` must be a multiple of 4 bytes long)."""
    packed = array(_U32)
    packed.frombytes(data)
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed


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
            return pack_u32(poslist)
        return pack_u32([poslist[0], *map(sub, poslist[1:], poslist[:-1])])

    def decode_positions(self, valuestring):
        return list(accumulate(unpack_u32(valuestring)))

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]


class RasmCodec(W3Codec):
    """Whoosh's W3 codec, with ``LengthsPerDocReader`` as its per-document reader,
    ``CountPostingsWriter`` as its postings writer, and term information in 25 bytes, not 35,
    where it fits (``CompactTermsWriter``, ``CompactTermsReader``)."""

    def per_document_reader(self, storage, segment):
        return LengthsPerDocReader(storage, segment)

    def field_writer(self, storage, segment):
        return CompactTermsWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        name = segment.make_filename(self.TERMS_EXT)
        return CompactTermsReader(self, storage.open_file(name), storage.file_length(name),
                                  segment.open_file(storage, self.POSTS_EXT))

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
        found = self.lengths(fieldname)
        if found is None or docnum >= len(found):
            return super().doc_field_length(docnum, fieldname, default)
        length = found[docnum]
        return default if length is None else length

    def lengths(self, fieldname: str) -> list[int | None] | None:
        """Every document's length in ``fieldname`` (None for a document without the field),
        read once; None where the column cannot be read whole (then one at a time)."""
        cache = self.__dict__.setdefault("_all_lengths", {})
        if fieldname not in cache:
            column = self._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
            found = None
            if column is not None and hasattr(column, "_dbfile"):
                raw = column._dbfile.get(column._basepos, column._count) if column._count else b""
                found = [byte_to_length(b) if b else None for b in raw]
                found += [None] * (self._doccount - len(found))
            cache[fieldname] = found
        return cache[fieldname]


# ------------------------------------------------------------------ term information
# W3TermInfo.to_bytes: 35 bytes (a flag, the weight, document count, length bytes, maximum
# weight, first and last document as floats and 32/64-bit integers).  Most of Rasm's terms are
# rare; in 2-byte counts and 32-bit offsets the same fits in 25 (tag 2; any other term keeps
# Whoosh's form, tag 0).
_COMPACT = struct.Struct("!BHHBBHIIII")
_COMPACT_TAG = 2


def _compact_bytes(info: W3TermInfo) -> bytes:
    weight, maxweight = info._weight, info._maxweight
    if (not info.is_inlined() and float(weight).is_integer() and float(maxweight).is_integer()
            and weight < 65536 and maxweight < 65536 and info._df < 65536
            and info._minid is not None and info._maxid < 2**32 and info._offset < 2**32
            and info._length < 2**32):
        return _COMPACT.pack(_COMPACT_TAG, int(weight), info._df,
                             0 if info._minlength is None else length_to_byte(info._minlength),
                             length_to_byte(info._maxlength), int(maxweight), info._minid, info._maxid,
                             info._offset, info._length)
    return info.to_bytes()


def _term_info(data: bytes) -> W3TermInfo:
    if data[0] != _COMPACT_TAG:
        return W3TermInfo.from_bytes(data)
    (_, weight, df, minlength, maxlength, maxweight, minid, maxid, offset,
     length) = _COMPACT.unpack(data)
    info = W3TermInfo()
    info._weight, info._df, info._maxweight = float(weight), df, float(maxweight)
    info._minlength, info._maxlength = byte_to_length(minlength), byte_to_length(maxlength)
    info._minid, info._maxid, info._offset, info._length = minid, maxid, offset, length
    return info


class CompactTermsWriter(W3FieldWriter):
    def finish_term(self):
        info = self._postwriter.finish_postings()
        self._tindex.add(pack_ushort(self._fieldid) + self._btext, _compact_bytes(info))


class CompactCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return _term_info(self._tindex.dbfile.get(self._datapos, self._datalen))


class CompactTermsReader(W3TermsReader):
    def cursor(self, fieldname, fieldobj):
        return CompactCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self):
        decode = self._keydecoder
        return ((decode(key), _term_info(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode = self._keydecoder
        return ((decode(key), _term_info(value))
                for key, value in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def term_info(self, fieldname, tbytes):
        try:
            return _term_info(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def frequency(self, fieldname, tbytes):
        datapos = self._range_for_key(fieldname, tbytes)[0]
        if self._dbfile.get_byte(datapos) != _COMPACT_TAG:
            return W3TermInfo.read_weight(self._dbfile, datapos)
        return float(self._dbfile.get_ushort(datapos + 1))

    def doc_frequency(self, fieldname, tbytes):
        datapos = self._range_for_key(fieldname, tbytes)[0]
        if self._dbfile.get_byte(datapos) != _COMPACT_TAG:
            return W3TermInfo.read_doc_freq(self._dbfile, datapos)
        return self._dbfile.get_ushort(datapos + 3)
