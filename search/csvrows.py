"""Reading a CSV file's rows so that one broken quote costs one row, not the rest of the file.

A quote opened and never closed makes Python's csv module read every later row into that one
field (20 rows became 5 articles, "0 errors").  Rows are read with ``strict`` on, so such a field
shows up as an error (at the end of the file, or where it meets the next quoted field); a row
that spans lines and errs, or does not have the header's number of fields, or runs across
more lines than any real cell would, is then read again from the first later line that starts
a clean row of the header's size, and the lines skipped are reported.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator

MAX_ROW_LINES = 10_000     # a cell over more lines than this is taken for a runaway quote
RESYNC_LOOKAHEAD = 10_000  # continuation lines tried as the start of the next clean row
CANDIDATE_LINES = 1_000    # lines a candidate row may span
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

Report = Callable[..., None]  # (line number, reason, kept=False: True for a row read leniently)


class _Lines:
    """The file's physical lines from ``pos`` on, read by csv.reader one at a time."""

    def __init__(self, lines: list[str], pos: int, end: int | None = None) -> None:
        self.lines, self.pos = lines, pos
        self.end = len(lines) if end is None else end

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= self.end:
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def csv_rows(text: str, report: Report) -> Iterator[tuple[int, list[str]]]:
    """The header (line 1) and every row, as (the line it starts on, its cells); a row that
    cannot be read is reported with its line instead, and the rows after it are read."""
    lines = _LINE.findall(text)
    feed = _Lines(lines, 0)
    reader = csv.reader(feed, strict=True)
    width: int | None = None
    while True:
        first = feed.pos
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            resumed = _after_bad_row(lines, first, feed.pos, width, str(e), report)
            feed = _Lines(lines, resumed[0])
            reader = csv.reader(feed, strict=True)
            if resumed[1] is not None:
                yield first + 1, resumed[1]
            continue
        span = feed.pos - first
        if width is None:
            width = len(row)
        elif span > 1 and (len(row) != width or span > MAX_ROW_LINES):
            restart = _clean_start(lines, first + 1, feed.pos, width)
            if restart is not None:
                report(first + 1, f"a quote opened in this row runs on into line {restart + 1}: "
                                  f"the row is skipped, the rows from line {restart + 1} on are read")
                feed = _Lines(lines, restart)
                reader = csv.reader(feed, strict=True)
                continue
        yield first + 1, row


def _after_bad_row(lines: list[str], first: int, stop: int, width: int | None, error: str,
                   report: Report) -> tuple[int, list[str] | None]:
    """Where to read on after the row starting at line index ``first`` failed, having read up
    to ``stop``; and the row itself when it can be read leniently, as without strict."""
    one_line = stop - first <= 1
    lenient = next(csv.reader([lines[first]]), []) if one_line else None
    window = first + 1 + RESYNC_LOOKAHEAD if one_line else stop
    if one_line and (width is None or len(lenient) == width
                     or _clean_start(lines, first + 1, window, width) in (None, first + 1)):
        report(first + 1, f"a quote in this row is not where CSV allows one ({error}): the row is "
                          "read as well as it can be; check its fields", kept=True)
        return first + 1, lenient
    restart = _clean_start(lines, first + 1, window, width)
    if restart is not None:
        report(first + 1, f"a quote opened in this row runs on into line {restart + 1}: the row is "
                          f"skipped, the rows from line {restart + 1} on are read")
        return restart, None
    report(first + 1, f"unreadable CSV row: {error}")
    return stop, None


def _clean_start(lines: list[str], start: int, stop: int, width: int | None) -> int | None:
    """The first line index in [start, stop) from which a clean row of ``width`` cells reads."""
    if width is None:
        return None
    for index in range(start, min(stop, start + RESYNC_LOOKAHEAD, len(lines))):
        feed = _Lines(lines, index, min(len(lines), index + CANDIDATE_LINES))
        try:
            row = next(csv.reader(feed, strict=True))
        except (csv.Error, StopIteration):
            continue
        if len(row) == width and any(cell.strip() for cell in row):
            return index
    return None
