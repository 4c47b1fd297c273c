"""The multi-process build writer: a writer process that fails or dies fails the build (never a
hang, never an index short of its articles), and no writer outlives or out-locks its parent."""

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, time_limit
from whoosh.writing import SegmentWriter

from search import index as rasm_index
from search.generations import RasmIndexError, current_generation, write_lock
from search.index import build_index
from search.searcher import search

NAMES = Path(__file__).parent / "fixtures" / "names"


@pytest.fixture
def parallel(monkeypatch):
    """Every build of two articles or more is written by two writer processes."""
    monkeypatch.setattr(rasm_index, "PARALLEL_FROM", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_a_parallel_build_writes_every_article(tmp_path, parallel):
    report = build_index([CORPUS], tmp_path)
    assert report.articles == 797
    with rasm_index.open_index(tmp_path).searcher() as s:
        assert s.doc_count() == 797
        assert len(s.reader().leaf_readers()) == 2  # one segment per writer
    assert search(tmp_path, "Mayadeen").total == 25


def _in_a_writer(parent: int, action):
    """SegmentWriter.add_document doing ``action`` in the writer processes only."""
    original = SegmentWriter.add_document

    def add_document(self, **fields):
        if os.getpid() != parent:
            action()
        return original(self, **fields)
    return add_document


def _disk_full():
    raise OSError(errno.ENOSPC, "No space left on device")


def _killed():
    os.kill(os.getpid(), signal.SIGKILL)


# (description, what a writer process does at its first article, the error the build gives)
FAILURES = [
    ("a full disk", _disk_full, r"the index writer failed \(OSError: \[Errno 28\] No space left on device\)"),
    ("killed", _killed, r"the index writer failed \(a writer process ended before it was done "
                        r"\(killed by signal 9\)\)"),
]


@pytest.mark.parametrize("action,message", [r[1:] for r in FAILURES], ids=[r[0] for r in FAILURES])
def test_a_writer_that_fails_fails_the_build_without_a_hang(tmp_path, parallel, monkeypatch,
                                                           action, message):
    """The corpus fills Whoosh's job queue (8 batches of 50) many times over: with its own
    MpWriter the parent blocked on it for ever once the writers had died."""
    build_index([NAMES], tmp_path)
    live = current_generation(tmp_path)
    monkeypatch.setattr(SegmentWriter, "add_document", _in_a_writer(os.getpid(), action))
    with time_limit(60), pytest.raises(RasmIndexError, match=message):
        build_index([CORPUS], tmp_path)
    assert current_generation(tmp_path) == live
    assert sorted(tmp_path.glob("gen-*")) == [live]  # the failed one is cleared away
    assert search(tmp_path, "Mayadeen").total == 3


KILLED_WHILE_WRITING = """
import os, sys, time
from pathlib import Path
from whoosh.writing import SegmentWriter
from search import index
index.PARALLEL_FROM = 2
os.cpu_count = lambda: 2
parent = os.getpid()
original = SegmentWriter.add_document
def slow(self, **fields):
    if os.getpid() != parent:
        print("writing", os.getpid(), flush=True)
        time.sleep(0.5)  # slow enough to be killed in the middle
    return original(self, **fields)
SegmentWriter.add_document = slow
index.build_index([Path(sys.argv[1])], Path(sys.argv[2]))
"""


def _group(pgid: int) -> list[int]:
    """The processes left in a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def test_a_killed_parallel_build_leaves_no_writer_and_no_lock(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WHILE_WRITING, str(CORPUS), str(tmp_path)],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout.readline().startswith("writing")
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _group(proc.pid):
            assert time.monotonic() < deadline, f"writers left running: {_group(proc.pid)}"
            time.sleep(0.05)
        with write_lock(tmp_path, timeout=1):  # was held ~4 s on by the orphaned writers
            pass
    finally:
        for pid in _group(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.stdout.close()
    assert current_generation(tmp_path) is None
