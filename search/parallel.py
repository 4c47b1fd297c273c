"""Writing a large build on every core: each writer process indexes the batches it takes into
one segment of its own, and the segments are committed together.

Whoosh's own ``MpWriter`` does the same, but a writer process that dies is not noticed: the
parent blocks for ever on the full job queue (seen when the children died of a full disk),
commits without the dead one's segment, and the children, forked while the parent holds the
index's write lock, keep holding it after the parent is killed.  Here the parent checks on its
writers at every wait and fails the build when one fails; the writers close the lock they
inherit and are killed with their parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Iterable

from whoosh.util import random_name
from whoosh.writing import SegmentWriter

POLL = 0.5  # seconds between two looks at the writer processes while waiting on them
ENDED_WAITS = 10  # waits for the word of a writer that ended normally before giving up on it
_PR_SET_PDEATHSIG = 1


class WriterFailed(Exception):
    """A writer process failed or died; str() says how."""


class ParallelWriter:
    """Adds documents to a new index with ``procs`` writer processes (``writer_args`` go to
    each one's Whoosh ``SegmentWriter``); ``commit`` returns the number of documents written."""

    def __init__(self, ix, procs: int, batchsize: int = 50, close_in_child: Iterable[int] = (),
                 **writer_args):
        self.ix = ix
        self.batchsize = batchsize
        self.parent = SegmentWriter(ix, **writer_args)  # writes the table of contents only
        self.temp = self.parent.temp_storage()
        context = multiprocessing.get_context("fork")
        self.jobs = context.Queue(procs * 4)
        self.results = context.Queue()
        self.buffer: list[dict] = []
        self.sent = 0
        self.outcomes: dict[int, tuple[str, object, int]] = {}  # writer number -> what it sent
        self.procs = [context.Process(target=_write_segment, daemon=True,
                                      args=(number, ix.storage, ix.indexname, self.jobs, self.results,
                                            writer_args, tuple(close_in_child), os.getpid()))
                      for number in range(procs)]
        for proc in self.procs:
            proc.start()

    def add_document(self, **fields) -> None:
        self.buffer.append(fields)
        if len(self.buffer) >= self.batchsize:
            self._send_batch()

    def commit(self) -> int:
        """Waits for every writer's segment and commits them all; raises WriterFailed."""
        try:
            if self.buffer:
                self._send_batch()
            for _ in self.procs:
                self._put(None)
            self._collect()
            for proc in self.procs:
                proc.join()
            segments = [segment for _, segment, _ in self.outcomes.values() if segment is not None]
            written = sum(count for _, _, count in self.outcomes.values())
            if written != self.sent:
                raise WriterFailed(f"the writers wrote {written} of {self.sent} documents")
            self.parent._close_segment()
            self.parent._commit_toc(segments)
            self.parent._finish()
        except BaseException:
            self.cancel()
            raise
        return written

    def cancel(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
        for proc in self.procs:
            proc.join()
        if not self.parent.is_closed:
            with contextlib.suppress(Exception):
                self.parent.cancel()

    def _send_batch(self) -> None:
        name = f"{random_name()}.doclist"
        with self.temp.create_file(name).raw_file() as f:
            for fields in self.buffer:
                pickle.dump(fields, f, pickle.HIGHEST_PROTOCOL)
        self._put((name, len(self.buffer)))
        self.sent += len(self.buffer)
        self.buffer = []

    def _put(self, job) -> None:
        while True:
            try:
                self.jobs.put(job, timeout=POLL)
                return
            except queue.Full:
                self._check_writers()

    def _collect(self) -> None:
        """Waits for every writer's outcome, looking at the writers between waits."""
        quiet = 0  # waits in a row with no word, every writer still owing one having ended
        while len(self.outcomes) < len(self.procs):
            if self._receive(POLL):
                continue
            self._check_writers()
            owing = [p for i, p in enumerate(self.procs) if i not in self.outcomes]
            quiet = quiet + 1 if all(p.exitcode is not None for p in owing) else 0
            if quiet > ENDED_WAITS:
                raise WriterFailed("a writer process ended without sending its segment")
        self._check_writers()

    def _receive(self, timeout: float) -> bool:
        try:
            number, outcome, value, count = self.results.get(timeout=timeout)
        except queue.Empty:
            return False
        self.outcomes[number] = (outcome, value, count)
        return True

    def _check_writers(self) -> None:
        """Raises WriterFailed if a writer has failed (it says why) or died."""
        while self._receive(0.01):
            pass
        for outcome, value, _ in self.outcomes.values():
            if outcome == "error":
                raise WriterFailed(value)
        for number, proc in enumerate(self.procs):
            if proc.exitcode in (None, 0) or number in self.outcomes:
                continue
            if self._receive(POLL) and self.outcomes.get(number, ("",))[0] == "error":
                raise WriterFailed(self.outcomes[number][1])
            how = (f"killed by signal {-proc.exitcode}" if proc.exitcode < 0
                   else f"exit status {proc.exitcode}")
            raise WriterFailed(f"a writer process ended before it was done ({how})")


def _write_segment(number: int, storage, indexname: str, jobs, results, writer_args: dict,
                   close_fds: tuple[int, ...], parent: int) -> None:
    """Writer process ``number``: indexes the job files it takes until told to stop (None),
    then sends (number, "ok", its segment or None, documents written), or (number, "error",
    why, 0) on any failure."""
    _die_with(parent)
    for fd in close_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        writer = SegmentWriter(storage.open_index(indexname), _lk=False, **writer_args)
        temp = writer.temp_storage()
        written = 0
        while (job := jobs.get()) is not None:
            name, count = job
            with temp.open_file(name).raw_file() as f:
                for _ in range(count):
                    writer.add_document(**pickle.load(f))
            temp.delete_file(name)
            written += count
        if written:
            segment = writer._finalize_segment()
        else:
            writer._close_segment()
            segment = None
        results.put((number, "ok", segment, written))
    except BaseException as e:  # noqa: BLE001 - the parent is told, whatever it was
        results.put((number, "error", f"{type(e).__name__}: {e}", 0))
        results.close()
        results.join_thread()
        os._exit(1)


def _die_with(parent: int) -> None:
    """Has the kernel kill this process when its parent dies (Linux), so no writer outlives a
    killed build."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)
