"""Finding the article files under the paths given: every folder walked without recursion and to
a bounded depth, in a stable order, with each file passed over said so.

What is passed over, and why: a symbolic link that leads out of its source folder (a link to
``/etc/passwd`` would be indexed and served), a link to a folder (its files are read where they
are), anything that is not a regular file (a FIFO blocks a reader for ever), a name that is not
valid UTF-8 (the index's terms and records are UTF-8), and folders nested past ``MAX_DEPTH``.
Hidden files and folders are passed over silently, as are files of other types.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path

MAX_DEPTH = 64  # folders below a source folder
MAX_ENTRIES = 10_000_000  # names looked at under one source folder

Skipped = Callable[[str, str], None]  # (the path as shown, why it was passed over)


def article_files(paths: Iterable[str | Path], wanted: Callable[[str], bool],
                  skipped: Skipped) -> Iterator[tuple[Path, Path]]:
    """Every file under ``paths`` whose name is ``wanted``, as (file, the folder given, or a given
    file's own folder).  A path named here is read even if it is a link; a path that does not
    exist, or whose name is not UTF-8, is ``skipped``."""
    for given in map(Path, paths):
        if not _utf8(str(given)):
            skipped(shown(given), "the name is not valid UTF-8: rename it")
        elif given.is_dir():
            yield from ((file, given) for file in _files_under(given, wanted, skipped))
        elif given.exists():
            yield given, given.parent
        else:
            skipped(given.as_posix(), "no such file or folder")


def shown(path: Path | str) -> str:
    """A path as it can be printed, bytes that are not UTF-8 written as escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _files_under(root: Path, wanted: Callable[[str], bool], skipped: Skipped) -> list[Path]:
    real_root = os.path.realpath(root)
    found: list[tuple[tuple[str, ...], Path]] = []
    pending: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    looked = 0
    while pending:
        folder, parts = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as e:
            skipped(_rel(parts) or ".", f"cannot read folder ({e.strerror or e})")
            continue
        for entry in entries:
            looked += 1
            if looked > MAX_ENTRIES:
                skipped(_rel(parts) or ".", f"more than {MAX_ENTRIES:,} names under the source folder: "
                                             "the rest are not read")
                return [f for _, f in sorted(found, key=lambda item: item[0])]
            name = entry.name
            if name.startswith("."):
                continue
            here = (*parts, name)
            kind = _kind(entry, real_root, wanted(name))
            if kind is None:
                continue
            if not _utf8(name):
                skipped(shown(_rel(here)), "the name is not valid UTF-8: rename it")
            elif kind == "folder":
                if len(here) > MAX_DEPTH:
                    skipped(_rel(here), f"folders nested more than {MAX_DEPTH} deep are not read")
                else:
                    pending.append((Path(entry.path), here))
            elif kind == "file":
                found.append((here, Path(entry.path)))
            else:
                skipped(_rel(here), kind)
    return [f for _, f in sorted(found, key=lambda item: item[0])]


def _kind(entry: os.DirEntry, real_root: str, wanted: bool) -> str | None:
    """"folder", "file", the reason an article file is passed over, or None to ignore it."""
    try:
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            inside = os.path.commonpath([real_root, target]) == real_root
            if os.path.isdir(target):
                return None if inside else "a link to a folder outside the source folder: not followed"
            if not wanted:
                return None
            if not inside:
                return f"a link to {shown(target)}, outside the source folder: not followed"
            mode = os.stat(entry.path).st_mode
        else:
            mode = entry.stat(follow_symlinks=False).st_mode
    except (OSError, ValueError):
        return "cannot read file (a broken link?)" if wanted else None
    if stat.S_ISDIR(mode):
        return "folder"
    if not wanted:
        return None
    if stat.S_ISREG(mode):
        return "file"
    return "not a regular file: not read"


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _rel(parts: tuple[str, ...]) -> str:
    return "/".join(parts)


def suffix_in(suffixes: Container[str], docs: Container[str]) -> Callable[[str], bool]:
    """A ``wanted`` test: the name ends in one of ``suffixes`` and its stem is not in ``docs``."""
    def wanted(name: str) -> bool:
        stem, suffix = os.path.splitext(name)
        return suffix.lower() in suffixes and stem.lower() not in docs
    return wanted
