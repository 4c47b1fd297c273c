"""``rasm watch``: index files as they appear, change or go, until interrupted."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from search.generations import IndexLocked, RasmIndexError, damaged, recorded_sources
from search.index import DAMAGE_ERRORS, BuildReport
from search.ingest import SUPPORTED_SUFFIXES, IngestProblem
from search.sources import source_root
from search.update import update_index

MAX_WAIT = 10.0  # a burst that never goes quiet is still indexed this often (seconds)
CHECK_FOLDERS = 1.0  # seconds between two looks at whether a watched folder was replaced


class _Changes(FileSystemEventHandler):
    """Notes when an article file last changed; ignores hidden and other files."""

    def __init__(self) -> None:
        self.first = 0.0
        self.last = 0.0
        self.wake = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if not any(_relevant(p, event.is_directory) for p in paths if p):
            return
        self.poke()

    def poke(self) -> None:
        now = time.monotonic()
        if not self.wake.is_set():
            self.first = now
        self.last = now
        self.wake.set()


def _relevant(path: str | bytes, is_directory: bool) -> bool:
    path = Path(os.fsdecode(path))
    if any(part.startswith(".") for part in path.parts[1:]):
        return False
    return is_directory or path.suffix.lower() in SUPPORTED_SUFFIXES


class _Folders:
    """The folders being watched, each by the identity (device, inode) it had when its watch
    was set: a folder moved away and made anew at its path is another folder, which the old
    watch never hears of, so it is watched again."""

    def __init__(self, observer, changes: _Changes, echo: Callable[[str], None]) -> None:
        self.observer = observer
        self.changes = changes
        self.echo = echo
        self.watched: dict[Path, tuple[tuple[int, int] | None, object]] = {}

    def follow(self, folders: list[Path]) -> None:
        """Watches ``folders`` (the index's sources), each again if it was replaced or came back."""
        for folder in folders:
            identity = _identity(folder)
            known = self.watched.get(folder)
            if known is not None and known[0] == identity:
                continue
            if known is not None:
                with contextlib.suppress(KeyError, ValueError, OSError):
                    self.observer.unschedule(known[1])
                self.echo(time.strftime("%H:%M:%S ") + f"{folder} was moved, removed or made anew: "
                          + ("watching it again" if identity else "watching for it to come back"))
                self.changes.poke()  # what is there now is indexed, what went is deleted
            handle = None
            if identity is not None:
                try:
                    handle = self.observer.schedule(self.changes, str(folder), recursive=True)
                except OSError as e:  # too many watches, a folder too deep ...
                    self.echo(f"rasm: cannot watch {folder} ({e.strerror or e}); its files are "
                              "still indexed at each update")
            self.watched[folder] = (identity, handle)


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _source_folders(index_dir: Path) -> list[Path]:
    return sorted({source_root(s) for s in recorded_sources(index_dir)})


def watch(paths: list[Path] | None, index_dir: Path, delay: float = 1.0,
          echo: Callable[[str], None] = print,
          on_problem: Callable[[IngestProblem], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Adds ``paths`` to the index's sources, brings it up to date, then re-indexes after each
    burst of changes (``delay`` seconds of quiet) until Ctrl-C, SIGTERM or ``stop``.

    The index must exist.  While another process writes it, the first update waits its turn."""
    stop = stop or threading.Event()
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():  # from the first moment on
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if paths:
            _first_update(lambda: update_index(paths, index_dir, on_problem, only=True), stop, echo)
        report = _first_update(lambda: update_index(None, index_dir, on_problem), stop, echo)
        if report is not None:
            echo(report.summary())
            _watch(index_dir, delay, echo, on_problem, stop)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)


def _watch(index_dir: Path, delay: float, echo, on_problem, stop: threading.Event) -> None:
    changes = _Changes()
    observer = Observer()
    folders = _Folders(observer, changes, echo)
    folders.follow(_source_folders(index_dir))
    observer.start()
    echo("Watching " + ", ".join(str(f) for f in folders.watched) + " for new and changed articles; "
         "Ctrl-C stops")
    checked = time.monotonic()
    try:
        while not stop.is_set():
            if time.monotonic() - checked >= CHECK_FOLDERS:
                folders.follow(_source_folders(index_dir))
                checked = time.monotonic()
            if not changes.wake.wait(0.2):
                continue
            now = time.monotonic()
            if now - changes.last < delay and now - changes.first < MAX_WAIT:
                time.sleep(0.05)
                continue
            changes.wake.clear()
            try:
                report = update_index(None, index_dir, on_problem)
            except (RasmIndexError, OSError, *DAMAGE_ERRORS) as e:  # locked, disk full ...: try later
                error = damaged(index_dir, e) if isinstance(e, DAMAGE_ERRORS) else e
                echo(time.strftime("%H:%M:%S ") + f"could not update the index ({error}); trying again")
                changes.poke()
                stop.wait(min(MAX_WAIT, max(delay, 1.0)))
                continue
            if report.changed or report.problems:
                echo(time.strftime("%H:%M:%S ") + report.summary())
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join()
        echo("Stopped watching.")


def _first_update(update: Callable[[], BuildReport], stop: threading.Event,
                  echo: Callable[[str], None]) -> BuildReport | None:
    """The update before watching starts, waiting its turn while another process writes the
    index (a rebuild may take minutes); None if stopped meanwhile."""
    while not stop.is_set():
        try:
            return update()
        except IndexLocked as e:
            echo(time.strftime("%H:%M:%S ") + f"{e}; waiting")
            stop.wait(1.0)
    return None
