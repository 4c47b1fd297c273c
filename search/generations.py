"""The index folder on disk: its generations, the ``CURRENT`` pointer, each generation's
``rasm.json``, the sources it records, and the write lock.

An index folder holds generations ``gen-000001/``, ``gen-000002/``, ... (each a Whoosh index)
and a ``CURRENT`` file naming the live one.  A build writes a new generation and then replaces
``CURRENT`` in one atomic rename, so a failed or killed build leaves the previous index
searchable.  ``rasm.json`` is written last into a generation, so a generation that has one is
complete: when ``CURRENT`` is lost or garbled, the newest such generation is the live one.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from search.sources import Manifest, atomic_write

META_FILE = "rasm.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
WRITE_LOCK_TIMEOUT = 30.0
_GENERATION = re.compile(r"gen-\d{6}")

# Descriptors of the write locks this process holds: a writer process it forks closes them, so
# that a killed build leaves no process behind that still holds the lock.
HELD_LOCKS: set[int] = set()


class RasmIndexError(Exception):
    """A problem with the index folder, said so the user knows what to do."""


class IndexMissing(RasmIndexError):
    pass


class IndexVersionMismatch(RasmIndexError):
    pass


class IndexLocked(RasmIndexError):
    pass


class IndexDamaged(RasmIndexError):
    pass


def damaged(index_dir: str | Path, error: BaseException | str) -> IndexDamaged:
    """The error to raise for a damaged index, saying how to mend it."""
    what = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return IndexDamaged(f"the index in {index_dir} is damaged ({what}): "
                        "run `rasm index --rebuild` to build it again")


def current_generation(index_dir: str | Path) -> Path | None:
    """The live generation folder: the one ``CURRENT`` names, else (``CURRENT`` lost or
    garbled) the newest complete one; None if the folder holds no index."""
    index_dir = Path(index_dir)
    named = _named(index_dir)
    if _GENERATION.fullmatch(named) and (index_dir / named).is_dir():
        return index_dir / named
    return next((g for g in generations(index_dir) if is_complete(g)), None)


def _named(index_dir: Path) -> str:
    """What ``CURRENT`` says ("" when it is missing or unreadable)."""
    try:
        return (index_dir / CURRENT_FILE).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def generations(index_dir: Path) -> list[Path]:
    """The generation folders, newest first."""
    try:
        found = [p for p in index_dir.iterdir() if _GENERATION.fullmatch(p.name) and p.is_dir()]
    except OSError:
        return []
    return sorted(found, key=generation_number, reverse=True)


def is_complete(gen: Path) -> bool:
    """Whether a generation was written to the end (its ``rasm.json`` comes last)."""
    return "analyzer_version" in read_meta(gen) and any(gen.glob("*.toc"))


def generation_number(gen: Path) -> int:
    return int(gen.name[4:]) if gen.name[4:].isdigit() else -1


def next_generation(index_dir: Path) -> Path:
    numbers = [generation_number(p) for p in index_dir.glob("gen-*")]
    return index_dir / f"gen-{max(numbers, default=0) + 1:06d}"


def make_current(index_dir: Path, gen: Path) -> None:
    atomic_write(index_dir / CURRENT_FILE, gen.name + "\n")


def repair_current(index_dir: Path, gen: Path) -> None:
    """Names the live generation ``gen`` in ``CURRENT`` again where it was lost or garbled (and
    ``gen`` found as the newest complete one); a writer calls this under the lock."""
    if _named(index_dir) != gen.name:
        make_current(index_dir, gen)


def read_meta(gen: Path | None) -> dict:
    """A generation's ``rasm.json``: versions, sources, article count, build and update times
    ({} when it is missing or unreadable)."""
    if gen is None:
        return {}
    try:
        meta = json.loads((gen / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def recorded_sources(index_dir: Path) -> list[Path]:
    """The source paths the index records: in the live generation's ``rasm.json``, else in its
    record of files, else in an older generation's (each generation holds both)."""
    live = current_generation(index_dir)
    for gen in ([live] if live else []) + [g for g in generations(index_dir) if g != live]:
        for sources in (read_meta(gen).get("sources"), getattr(Manifest.load(gen), "sources", None)):
            if isinstance(sources, list) and sources and all(isinstance(s, str) for s in sources):
                return [Path(s) for s in sources]
    return []


def remove_old_generations(index_dir: Path, keep: Path) -> None:
    """Removes every generation but ``keep`` and the one live before it (a search that started
    just before the swap may still be opening it); half-written ones from killed builds too."""
    older = [g for g in generations(index_dir) if generation_number(g) < generation_number(keep)]
    previous = older[0] if older else None
    for gen in generations(index_dir):
        if gen not in (keep, previous):
            shutil.rmtree(gen, ignore_errors=True)


def remove_stray_generations(index_dir: Path, live: Path) -> None:
    """Removes generations newer than the live one: what a killed build left half-written."""
    for gen in generations(index_dir):
        if generation_number(gen) > generation_number(live):
            shutil.rmtree(gen, ignore_errors=True)


def _lock_timeout() -> float:
    try:
        return float(os.environ.get("RASM_LOCK_TIMEOUT", WRITE_LOCK_TIMEOUT))
    except ValueError:
        return WRITE_LOCK_TIMEOUT


@contextmanager
def write_lock(index_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Holds the index folder's write lock; waits up to timeout (default: $RASM_LOCK_TIMEOUT,
    else 30 s), then names the holder.

    An OS lock (flock) is released when its process dies, so a killed build never
    leaves a stale lock behind.
    """
    timeout = _lock_timeout() if timeout is None else timeout
    try:
        fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise RasmIndexError(f"cannot write the index in {index_dir} ({e.strerror or e})") from e
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
                    raise IndexLocked(
                        f"{index_dir} is being written by another process ({holder}); "
                        f"waited {timeout:g} s: try again when it has finished"
                    ) from None
                time.sleep(0.1)
        HELD_LOCKS.add(fd)
        os.ftruncate(fd, 0)
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:120]
        os.pwrite(fd, f"pid {os.getpid()}: {command}".encode("utf-8", "replace"), 0)
        yield
    finally:
        HELD_LOCKS.discard(fd)
        os.close(fd)  # closing releases the lock
