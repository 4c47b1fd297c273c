"""Reading a source file's bytes, bounded: regular files only, never more than a cap kept in
memory, and what the rest of the file holds only hashed.

A FIFO named ``x.txt`` blocked every reader for ever and a link to ``/dev/zero`` never ended;
a 200 MB text file read whole reached 11.6 GB before a MemoryError.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
MB = 1 << 20
# A text, markdown or HTML file is one article: past this its bytes are hashed, not kept (the
# article itself is capped far below, see ingest.MAX_BODY_CHARS).
SINGLE_ARTICLE_BYTES = 8 * MB
# A CSV, JSON or JSONL file is read whole (a JSON list must be): past this it is not read.
RECORD_FILE_BYTES = 256 * MB
RECORD_SUFFIXES = (".csv", ".json", ".jsonl")


class Refused(OSError):
    """A file that is not read: not a regular file, or too large; str() is the reason."""


@dataclass
class Content:
    """What was read of a file."""

    data: bytes       # its bytes, or the first ``limit`` of them
    size: int         # of the whole file
    sha256: str       # of the whole file
    newlines: int     # in the whole file
    truncated: bool   # data is only the start of the file

    @property
    def cut_note(self) -> str:
        """The warning for a file read only in part."""
        return f"only the first {len(self.data) >> 20} MB of its {self.size >> 20} MB are read"


def cap_for(path: Path) -> tuple[int, bool]:
    """The most bytes kept of ``path``, and whether a larger file is refused (a record file,
    which is parsed whole) rather than cut (a file that is one article)."""
    if path.suffix.lower() in RECORD_SUFFIXES:
        return RECORD_FILE_BYTES, True
    return SINGLE_ARTICLE_BYTES, False


def read_content(path: Path) -> Content:
    """Reads ``path`` within its cap; raises Refused or OSError."""
    limit, refuse = cap_for(path)
    # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then says what was opened
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"not a regular file ({_kind(st.st_mode)}): not read")
        if refuse and st.st_size > limit:
            raise Refused(f"the file is {st.st_size / MB:.0f} MB, more than the {limit // MB} MB a "
                          f"{path.suffix.lower()} file may be: split it into smaller files")
        digest = hashlib.sha256()
        kept = bytearray()
        size = newlines = 0
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            if len(kept) < limit:
                kept += chunk[: limit - len(kept)]
            if refuse and size > limit:  # it grew while being read
                raise Refused(f"the file grew past the {limit // MB} MB a {path.suffix.lower()} "
                              "file may be while it was read")
    finally:
        os.close(fd)
    return Content(bytes(kept), size, digest.hexdigest(), newlines, size > len(kept))


def unread_reason(error: OSError) -> str:
    """Why a file was not read, as a problem says it."""
    return str(error) if isinstance(error, Refused) else f"cannot read file ({error.strerror or error})"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a file"
