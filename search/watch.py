"""``rasm watch``: index files as they appear, change or go, until interrupted."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from search.index import DAMAGE_ERRORS, RasmIndexError, current_generation, damaged, read_meta
from search.ingest import SUPPORTED_SUFFIXES, IngestProblem
from search.update import update_index

MAX_WAIT = 10.0  # a burst that never goes quiet is still indexed this often (seconds)


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
        now = time.monotonic()
        if not self.wake.is_set():
            self.first = now
        self.last = now
        self.wake.set()


def _relevant(path: str | bytes, is_directory: bool) -> bool:
    path = Path(path.decode() if isinstance(path, bytes) else path)
    if any(part.startswith(".") for part in path.parts[1:]):
        return False
    return is_directory or path.suffix.lower() in SUPPORTED_SUFFIXES


def watch(paths: list[Path] | None, index_dir: Path, delay: float = 1.0,
          echo: Callable[[str], None] = print,
          on_problem: Callable[[IngestProblem], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Adds ``paths`` to the index's sources, brings it up to date, then re-indexes after each
    burst of changes (``delay`` seconds of quiet) until Ctrl-C, SIGTERM or ``stop``."""
    stop = stop or threading.Event()
    if paths and current_generation(index_dir) is not None:
        update_index(paths, index_dir, on_problem, only=True)
    report = update_index(None if current_generation(index_dir) else paths, index_dir, on_problem)
    echo(report.summary())
    sources = [Path(s) for s in read_meta(current_generation(index_dir)).get("sources", [])]
    folders = sorted({s if s.is_dir() else s.parent for s in sources})
    changes = _Changes()
    observer = Observer()
    for folder in folders:
        observer.schedule(changes, str(folder), recursive=True)
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    observer.start()
    echo("Watching " + ", ".join(str(f) for f in folders) + " for new and changed articles; Ctrl-C stops")
    try:
        while not stop.is_set():
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
                changes.first = changes.last = time.monotonic()
                changes.wake.set()
                time.sleep(min(MAX_WAIT, max(delay, 1.0)))
                continue
            if report.changed or report.problems:
                echo(time.strftime("%H:%M:%S ") + report.summary())
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
        echo("Stopped watching.")
