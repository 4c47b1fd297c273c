"""Crash trials: `rasm index`, `rasm add`, `rasm watch` and `rasm index --rebuild` killed
(SIGKILL) at random moments while another writer adds, changes and deletes files and a watcher
indexes them.  After each kill the index must open and answer, and the next `rasm index` must
converge to exactly the articles of a fresh rebuild.

Runs RASM_CRASH_TRIALS trials (default 3; 30 by hand) as a ``slow`` test; RASM_CRASH_SEED
repeats a run.  The archive holds over 1,000 articles, so each rebuild writes on both cores.
"""

import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, RASM

from search.index import build_index, open_index
from search.searcher import search

TRIALS = int(os.environ.get("RASM_CRASH_TRIALS", "3"))
SEED = int(os.environ.get("RASM_CRASH_SEED", str(random.randrange(1 << 30))))
EXTRA_FILES = 260  # with the corpus's 797 articles: past the 1,000 of a parallel build
ENV = {**{k: v for k, v in os.environ.items() if k not in ("RASM_ALIASES", "RASM_INDEX")},
       "RASM_LOCK_TIMEOUT": "120"}


def report(n: int, place: str) -> str:
    return f"Bulletin {n} from {place}\n\nNews number {n}: fighting near {place} today.\n"


def articles(index_dir: Path) -> dict[str, str]:
    """Every article of the index: id -> the fingerprint of what was indexed."""
    with open_index(index_dir).searcher() as s:
        stored = [(d["id"], d["hash"]) for d in s.all_stored_fields()]
        assert s.doc_count() == len(stored)
    found = dict(stored)
    assert len(found) == len(stored), "an id indexed twice"
    return found


class OtherWriter(threading.Thread):
    """Adds, changes and deletes files under src/live/, indexing each addition with `rasm add`."""

    def __init__(self, src: Path, ix: Path, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.src, self.ix, self.rng = src, ix, rng
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.count = 0
        self.committed: dict[str, str] = {}  # id -> the text `rasm add` reported indexed

    def run(self) -> None:
        live = self.src / "live"
        live.mkdir(exist_ok=True)
        while not self.stop.is_set():
            files = sorted(live.iterdir())
            action = self.rng.choice(["add", "add", "change", "delete"]) if files else "add"
            if action == "delete":
                gone = self.rng.choice(files)
                gone.unlink()
                self.committed.pop(gone.relative_to(self.src).as_posix(), None)
            else:
                target = (live / f"w{self.rng.randrange(10**6):06d}.txt" if action == "add"
                          else self.rng.choice(files))
                text = report(self.rng.randrange(1000), "Manbij")
                target.write_text(text, encoding="utf-8")
                done = subprocess.run([RASM, "add", str(target), "--index", str(self.ix)], env=ENV,
                                      capture_output=True, text=True, timeout=300)
                if done.returncode != 0:
                    self.failures.append(done.stderr.strip())
                self.committed[target.relative_to(self.src).as_posix()] = text
            self.count += 1
            self.stop.wait(self.rng.uniform(0.05, 0.4))


def victim(kind: str, src: Path, ix: Path, rng: random.Random) -> tuple[list[str], float]:
    """The command to kill, after writing files it will have to index (new ones, and changes to
    earlier ones), and how long it may run: it is killed at a moment drawn from that."""
    batch = src / "victim"
    batch.mkdir(exist_ok=True)
    files = [batch / f"v{rng.randrange(300):03d}.txt" for _ in range(rng.randint(1, 120))]
    for file in files:
        file.write_text(report(rng.randrange(1000), "Qamishli"), encoding="utf-8")
    if kind == "add":
        return [RASM, "add", *map(str, files), "--index", str(ix)], 0.25 + 0.004 * len(files)
    if kind == "watch":
        return [RASM, "watch", "--delay", "0.1", "--index", str(ix)], 3.0
    if kind == "rebuild":
        return [RASM, "index", "--rebuild", "--index", str(ix)], 2.5
    return [RASM, "index", "--index", str(ix)], 0.25 + 0.004 * len(files)


@pytest.mark.slow
def test_crash_trials(tmp_path):
    rng = random.Random(SEED)
    src, ix, fresh = tmp_path / "src", tmp_path / "ix", tmp_path / "fresh"
    shutil.copytree(CORPUS, src)
    for n in range(EXTRA_FILES):
        (src / "extra").mkdir(exist_ok=True)
        (src / "extra" / f"e{n:04d}.txt").write_text(report(n, "Raqqa"), encoding="utf-8")
    build_index([src], ix)
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        kind = rng.choice(["index", "add", "watch", "rebuild"])
        watcher = subprocess.Popen([RASM, "watch", "--delay", "0.2", "--index", str(ix)], env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        writer = OtherWriter(src, ix, random.Random(rng.random()))
        writer.start()
        command, runs = victim(kind, src, ix, rng)
        delay = rng.uniform(0.0, runs)
        context = f"trial {trial} (seed {SEED}): {kind} killed after {delay:.2f} s"
        proc = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        outcomes[f"{kind} killed" if proc.poll() is None else f"{kind} done first"] += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(rng.uniform(0.0, 1.0))  # the others carry on a while
        writer.stop.set()
        writer.join(timeout=300)
        watcher.send_signal(signal.SIGTERM)
        _, err = watcher.communicate(timeout=300)
        assert watcher.returncode == 0 and "Traceback" not in err, (context, err)
        assert not writer.failures, (context, writer.failures[:3])

        assert search(ix, "Raqqa").total > 0, context  # it opens and answers
        with open_index(ix).searcher() as s:  # and no update it reported done was undone
            for doc_id, text in writer.committed.items():
                stored = s.document(id=doc_id)
                assert stored and stored["body"] in text, (context, doc_id, stored)
        done = subprocess.run([RASM, "index", "--index", str(ix)], env=ENV, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, (context, done.stderr)
        shutil.rmtree(fresh, ignore_errors=True)
        build_index([src], fresh)
        assert articles(ix) == articles(fresh), context
    print(f"\ncrash trials: {TRIALS} trials (seed {SEED}), every one converged to a fresh rebuild; "
          + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
