"""Faults while writing: a full disk, a writer killed in the middle of its commit, a damaged
segment file.  Each time the last committed index stays readable, the error says what happened
and what to do, and the next `rasm index` brings everything back."""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, RASM

from search.generations import current_generation
from search.index import open_index
from search.searcher import search
from web import create_app


def rasm(*args: str, max_file_bytes: int | None = None) -> subprocess.CompletedProcess:
    """The real CLI; with ``max_file_bytes`` no file it writes may grow past that size, as on a
    nearly full disk (the write fails with EFBIG instead of ENOSPC: the same path through the code)."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    env = {k: v for k, v in os.environ.items() if k not in ("RASM_ALIASES", "RASM_INDEX")}
    return subprocess.run([RASM, *args], capture_output=True, text=True, env=env, timeout=300,
                          preexec_fn=limit if max_file_bytes else None)


def ids(index_dir: Path, query: str) -> list[str]:
    return [h.id for h in search(index_dir, query, limit=1000).hits]


def count(index_dir: Path) -> int:
    with open_index(index_dir).searcher() as s:
        return s.doc_count()


# ------------------------------------------------------------------ a full disk
def test_a_full_disk_during_a_rebuild_leaves_the_index_as_it_was(names_copy):
    src, ix = names_copy
    live = current_generation(ix)
    before = ids(ix, "Mayadeen")
    done = rasm("index", "--rebuild", str(CORPUS), "--index", str(ix), max_file_bytes=2_000_000)
    assert done.returncode == 1
    assert "could not write the index" in done.stderr and "File too large" in done.stderr
    assert "it is as it was before this run" in done.stderr and "Traceback" not in done.stderr
    assert current_generation(ix) == live and sorted(ix.glob("gen-*")) == [live]
    assert ids(ix, "Mayadeen") == before
    done = rasm("index", "--rebuild", str(CORPUS), "--index", str(ix))
    assert done.returncode == 0 and done.stdout.startswith("Indexed 797 articles"), done.stderr


def test_a_full_disk_during_a_parallel_rebuild_fails_it_without_a_hang(names_copy, tmp_path):
    """Over 1,000 articles are written by two writer processes: when both died of the full disk,
    Whoosh's own multi-process writer left the rebuild waiting for them for ever."""
    src, ix = names_copy
    big = tmp_path / "big"
    shutil.copytree(CORPUS, big)
    for n in range(300):
        (big / "extra").mkdir(exist_ok=True)
        (big / "extra" / f"{n:03d}.txt").write_text(f"Bulletin {n}\n\nNews {n} from Raqqa.\n",
                                                    encoding="utf-8")
    live = current_generation(ix)
    started = time.monotonic()
    done = rasm("index", "--rebuild", str(big), "--index", str(ix), max_file_bytes=1_000_000)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "File too large" in done.stderr and "previous one stays live" in done.stderr, done.stderr
    assert time.monotonic() - started < 120  # (the subprocess timeout is 300 s)
    assert current_generation(ix) == live and sorted(ix.glob("gen-*")) == [live]
    assert count(ix) == 10


def test_a_full_disk_during_an_update_loses_nothing(names_copy):
    src, ix = names_copy
    shutil.copy(CORPUS / "fakes.csv", src / "fakes.csv")  # 792 articles: a segment of megabytes
    done = rasm("add", str(src / "fakes.csv"), "--index", str(ix), max_file_bytes=1_000_000)
    assert done.returncode == 1 and "File too large" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert count(ix) == 10 and ids(ix, "Mayadeen")
    done = rasm("index", "--index", str(ix))
    assert done.returncode == 0, done.stderr
    assert "792 added, 0 updated, 0 deleted, 10 unchanged" in done.stdout
    assert count(ix) == 802


# ------------------------------------------------------------------ killed in the middle of a commit
KILLED_AT = """
import os, signal, sys, pathlib
import whoosh.writing, search.index, search.sources
from search.update import update_index

where, src, ix = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if where == "before-toc":   # segment files written, the table of contents not yet
    whoosh.writing.SegmentWriter._commit_toc = die
elif where == "after-toc":  # committed, the record of source files not yet written
    search.sources.Manifest.save = die
for n in range(20):
    (src / "new").mkdir(exist_ok=True)
    (src / "new" / f"{n:02d}.txt").write_text(f"Raqqa report {n}\\n\\nNews {n} from Raqqa.\\n")
update_index(None, ix)
"""


@pytest.mark.parametrize("where, visible", [("before-toc", 0), ("after-toc", 20)])
def test_a_writer_killed_during_its_commit(names_copy, where, visible):
    src, ix = names_copy
    raqqa = len(ids(ix, "Raqqa"))
    done = subprocess.run([sys.executable, "-c", KILLED_AT, where, str(src), str(ix)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert count(ix) == 10 + visible  # the last commit, whole, and nothing half-written
    assert len(ids(ix, "Raqqa")) == raqqa + visible
    done = rasm("index", "--index", str(ix))
    assert done.returncode == 0, done.stderr
    assert f"{20 - visible} added, 0 updated, 0 deleted" in done.stdout
    found = ids(ix, "Raqqa")
    assert len(found) == len(set(found)) == raqqa + 20  # each article once
    assert count(ix) == 30
    assert "0 added, 0 updated, 0 deleted, 30 unchanged" in rasm("index", "--index", str(ix)).stdout


KILLED_BEFORE_SWAP = """
import os, signal, sys
import search.index
search.index.make_current = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
search.index.build_index([sys.argv[1]], sys.argv[2])
"""


def test_a_rebuild_killed_before_its_swap(names_copy):
    src, ix = names_copy
    live = current_generation(ix)
    done = subprocess.run([sys.executable, "-c", KILLED_BEFORE_SWAP, str(CORPUS), str(ix)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL
    assert current_generation(ix) == live and count(ix) == 10  # the complete new one is not live
    assert len(list(ix.glob("gen-*"))) == 2
    done = rasm("index", "--index", str(ix))
    assert done.returncode == 0 and "10 unchanged" in done.stdout, done.stderr
    assert sorted(ix.glob("gen-*")) == [live]  # what the killed build left is cleared away


# ------------------------------------------------------------------ a damaged segment
def test_a_damaged_segment_is_reported_and_a_rebuild_mends_it(names_copy):
    src, ix = names_copy
    segment = next(current_generation(ix).glob("*.seg"))
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])  # cut in half

    done = rasm("search", "--index", str(ix), "Raqqa")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "is damaged" in done.stderr and "run `rasm index --rebuild`" in done.stderr

    client = create_app({"RASM_INDEX": str(ix), "TESTING": False}).test_client()
    api = client.get("/api/search", query_string={"q": "Raqqa"})
    assert api.status_code == 503 and "is damaged" in api.get_json()["error"]
    page = client.get("/search", query_string={"q": "Raqqa"})
    assert page.status_code == 503 and "rasm index --rebuild" in page.text and "Traceback" not in page.text

    (src / "more.txt").write_text("Homs\n\nNews from Homs.\n", encoding="utf-8")
    done = rasm("index", "--index", str(ix))  # an update must read the index: it says why it cannot
    assert done.returncode == 1 and "is damaged" in done.stderr and "Traceback" not in done.stderr

    done = rasm("index", "--rebuild", "--index", str(ix))
    assert done.returncode == 0 and done.stdout.startswith("Indexed 11 articles"), done.stderr
    assert ids(ix, "Raqqa") and ids(ix, "Homs") == ["more.txt"]
    assert json.loads(rasm("stats", "--json", "--index", str(ix)).stdout)["articles"] == 11


# ------------------------------------------------------------------ every kind of damage, said plainly
def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _zeroed(path: Path) -> None:
    path.write_bytes(b"\0" * path.stat().st_size)


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


# (description, the file of the live generation damaged, how)
DAMAGE = [
    ("truncated table of contents", "*.toc", _cut),
    ("zeroed table of contents", "*.toc", _zeroed),
    ("deleted table of contents", "*.toc", Path.unlink),
    ("deleted segment", "*.seg", Path.unlink),
    ("zeroed segment", "*.seg", _zeroed),
    ("emptied rasm.json", "rasm.json", _emptied),
]


@pytest.mark.parametrize("pattern,damage", [r[1:] for r in DAMAGE], ids=[r[0] for r in DAMAGE])
def test_a_damaged_index_says_so_everywhere_and_a_rebuild_mends_it(names_copy, pattern, damage):
    """Each used to end in `Aborted!`, a traceback, a 500, or blame on "another version"."""
    src, ix = names_copy
    damage(next(current_generation(ix).glob(pattern)))
    for args in (["search", "Raqqa"], ["stats"], ["index"], ["add", str(src / "mayadin.txt")]):
        done = rasm(*args, "--index", str(ix))
        assert done.returncode == 1, (args, done.stdout)
        last = done.stderr.splitlines()[-1]
        assert last.startswith(f"Error: the index in {ix} is damaged ("), (args, done.stderr)
        assert last.endswith("run `rasm index --rebuild` to build it again"), (args, done.stderr)
        assert "Traceback" not in done.stderr and "another version" not in done.stderr
    client = create_app({"RASM_INDEX": str(ix), "TESTING": False}).test_client()
    for url in ("/api/search?q=Raqqa", "/search?q=Raqqa", "/healthz", "/api/article/mayadin.txt"):
        answer = client.get(url)
        assert answer.status_code == 503, (url, answer.text[:300])
        assert "is damaged" in answer.text and "Traceback" not in answer.text
    done = rasm("index", "--rebuild", "--index", str(ix))
    assert done.returncode == 0 and done.stdout.startswith("Indexed 10 articles"), done.stderr
    assert ids(ix, "Mayadeen")


def test_watch_on_a_damaged_or_unwritable_index_says_so(names_copy):
    src, ix = names_copy
    (ix / "write.lock").unlink(missing_ok=True)
    (ix / "write.lock").mkdir()  # as unwritable as a read-only disk (root writes through modes)
    done = subprocess.run([RASM, "watch", "--index", str(ix)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == f"Error: cannot write the index in {ix} (Is a directory)\n"
    (ix / "write.lock").rmdir()
    _zeroed(next(current_generation(ix).glob("*.seg")))
    done = subprocess.run([RASM, "watch", "--index", str(ix)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "is damaged" in done.stderr and "run `rasm index --rebuild`" in done.stderr
