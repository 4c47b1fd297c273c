"""Tests for search.index: real builds on tmp_path, repeats, problems, generations, versions, the lock."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from search.analysis import ANALYZER_VERSION
from search.generations import (
    CURRENT_FILE,
    META_FILE,
    IndexDamaged,
    IndexLocked,
    IndexMissing,
    IndexVersionMismatch,
    current_generation,
    write_lock,
)
from search.index import SCHEMA_VERSION, build_index, open_index
from search.searcher import search

NAMES = Path(__file__).parent / "fixtures" / "names"
# tests/fixtures/names: mayadin.txt, maiden.txt and the 8 rows of reports.jsonl
NAMES_IDS = {"mayadin.txt", "maiden.txt", *(f"reports.jsonl#r{n}" for n in range(1, 9))}


def write_jsonl(folder: Path, name: str, *rows: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / name
    file.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return file


def hit_ids(index_dir: Path, query: str) -> set[str]:
    return {hit.id for hit in search(index_dir, query, limit=100).hits}


def stored(index_dir: Path) -> dict[str, dict]:
    with open_index(index_dir).searcher() as searcher:
        return {doc["id"]: doc for doc in searcher.all_stored_fields()}


# ------------------------------------------------------------------ building from the fixtures
def test_fixture_build_counts_every_article(names_index):
    report = names_index.report
    assert (report.articles, report.rows, report.repeats, report.problems) == (10, 10, 0, [])
    assert set(stored(names_index.path)) == NAMES_IDS


STORED_ROWS = [
    ("text file title", "mayadin.txt", "title", "Army advances on al-Mayadin"),
    ("text file date from its dateline", "mayadin.txt", "date", dt.datetime(2017, 10, 7)),
    ("undated text file", "maiden.txt", "date", None),
    ("JSONL source", "reports.jsonl#r1", "source", "Wire A"),
    ("JSONL date", "reports.jsonl#r5", "date", dt.datetime(2011, 3, 18)),
    ("Arabic title kept as written", "reports.jsonl#r3", "title", "قصف على دير الزور"),
    ("path of a row is its file", "reports.jsonl#r7", "path", "reports.jsonl"),
]


@pytest.mark.parametrize("doc_id,name,expected", [r[1:] for r in STORED_ROWS],
                         ids=[r[0] for r in STORED_ROWS])
def test_stored_fields(names_index, doc_id, name, expected):
    assert stored(names_index.path)[doc_id].get(name) == expected


def test_repeated_id_keeps_the_later_row(tmp_path):
    write_jsonl(tmp_path / "src", "wire.jsonl",
                {"id": "a1", "title": "Raqqa first draft", "text": "Shelling in Raqqa."},
                {"id": "b2", "title": "Homs", "text": "Calm in Homs."},
                {"id": "a1", "title": "Daraa correction", "text": "Shelling in Daraa, not Raqqa."})
    report = build_index([tmp_path / "src"], tmp_path / "ix")
    assert (report.articles, report.rows, report.repeats) == (2, 3, 1)
    assert "1 repeated ids (later row kept)" in report.summary()
    docs = stored(tmp_path / "ix")
    assert docs["wire.jsonl#a1"]["title"] == "Daraa correction"
    assert hit_ids(tmp_path / "ix", "Daraa") == {"wire.jsonl#a1"}
    assert hit_ids(tmp_path / "ix", "first") == set()


def test_broken_file_is_reported_and_the_good_one_indexed(tmp_path):
    src = tmp_path / "src"
    write_jsonl(src, "good.jsonl", {"id": "g", "title": "Raqqa", "text": "Fighting in Raqqa."})
    (src / "broken.json").write_text('{"id": 1, "title": ', encoding="utf-8")
    seen = []
    report = build_index([src], tmp_path / "ix", on_problem=seen.append)
    assert report.articles == 1
    assert [p.path for p in report.problems] == ["broken.json"]
    assert "malformed JSON" in report.problems[0].reason
    assert seen == report.problems
    assert report.summary().endswith("; 1 error")
    assert hit_ids(tmp_path / "ix", "Raqqa") == {"good.jsonl#g"}


def test_progress_counts_each_record_read_and_article_written(tmp_path):
    calls = []
    report = build_index([NAMES], tmp_path / "ix", progress=lambda *a: calls.append(a))
    reads = [c for c in calls if c[0] == "read"]
    writes = [c for c in calls if c[0] == "write"]
    assert reads == [("read", n, None) for n in range(1, report.rows + 1)]
    assert writes == [("write", n, report.articles) for n in range(1, report.articles + 1)]


# ------------------------------------------------------------------ generations
def test_build_makes_a_generation_current(tmp_path):
    ix = tmp_path / "ix"
    build_index([NAMES], ix)
    assert (ix / CURRENT_FILE).read_text(encoding="utf-8").strip() == "gen-000001"
    assert current_generation(ix) == ix / "gen-000001"
    meta = json.loads((ix / "gen-000001" / META_FILE).read_text(encoding="utf-8"))
    assert (meta["analyzer_version"], meta["schema_version"], meta["articles"]) == (
        ANALYZER_VERSION, SCHEMA_VERSION, 10)


def test_rebuild_replaces_the_generation_and_removes_older_ones(tmp_path):
    ix = tmp_path / "ix"
    write_jsonl(tmp_path / "v1", "a.jsonl", {"id": "1", "title": "Raqqa", "text": "News from Raqqa."})
    write_jsonl(tmp_path / "v2", "a.jsonl", {"id": "1", "title": "Daraa", "text": "News from Daraa."})
    build_index([tmp_path / "v1"], ix)
    build_index([tmp_path / "v2"], ix)
    assert current_generation(ix) == ix / "gen-000002"
    assert hit_ids(ix, "Daraa") == {"a.jsonl#1"}
    assert hit_ids(ix, "Raqqa") == set()
    # the one live just before stays for searches that were opening it; older ones go
    assert sorted(p.name for p in ix.glob("gen-*")) == ["gen-000001", "gen-000002"]
    build_index([tmp_path / "v1"], ix)
    assert sorted(p.name for p in ix.glob("gen-*")) == ["gen-000002", "gen-000003"]


def _interrupt(*_):
    raise KeyboardInterrupt


def _interrupt_while_writing(stage, done, total):
    if stage == "write" and done == 5:
        raise KeyboardInterrupt


INTERRUPTS = [
    ("while reading", {"progress": _interrupt}),
    ("on_problem callback", {"on_problem": _interrupt}),
    ("halfway through writing", {"progress": _interrupt_while_writing}),
]


@pytest.mark.parametrize("kwargs", [r[1] for r in INTERRUPTS], ids=[r[0] for r in INTERRUPTS])
def test_interrupted_build_leaves_the_previous_index_live(tmp_path, kwargs):
    ix = tmp_path / "ix"
    write_jsonl(tmp_path / "v1", "a.jsonl", {"id": "1", "title": "Raqqa", "text": "News from Raqqa."})
    new = write_jsonl(tmp_path / "v2", "a.jsonl", *[
        {"id": str(n), "title": "Daraa", "text": f"News {n} from Daraa."} for n in range(1, 9)])
    (new.parent / "broken.json").write_text("{", encoding="utf-8")
    build_index([tmp_path / "v1"], ix)
    with pytest.raises(KeyboardInterrupt):
        build_index([tmp_path / "v2"], ix, **kwargs)
    assert sorted(p.name for p in ix.glob("gen-*")) == ["gen-000001"]
    assert current_generation(ix) == ix / "gen-000001"
    assert hit_ids(ix, "Raqqa") == {"a.jsonl#1"}
    assert hit_ids(ix, "Daraa") == set()


# ------------------------------------------------------------------ opening
def test_open_missing_folder(tmp_path):
    with pytest.raises(IndexMissing, match="run `rasm index` first"):
        open_index(tmp_path / "nowhere")


def test_open_current_pointing_at_a_missing_generation(tmp_path):
    (tmp_path / CURRENT_FILE).write_text("gen-000007\n", encoding="utf-8")
    with pytest.raises(IndexMissing):
        open_index(tmp_path)


META_CHANGES = [
    ("other analyzer version", {"analyzer_version": ANALYZER_VERSION + 1}),
    ("other schema version", {"schema_version": SCHEMA_VERSION + 1}),
    ("no analyzer version", {"analyzer_version": None}),
]


@pytest.mark.parametrize("change", [r[1] for r in META_CHANGES], ids=[r[0] for r in META_CHANGES])
def test_open_refuses_another_version(tmp_path, change):
    ix = tmp_path / "ix"
    build_index([NAMES], ix)
    meta_file = current_generation(ix) / META_FILE
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta.update(change)
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch, match="rasm index") as caught:
        open_index(ix)
    assert f"this Rasm uses analyzer v{ANALYZER_VERSION}" in str(caught.value)


def test_open_refuses_unreadable_meta(tmp_path):
    ix = tmp_path / "ix"
    build_index([NAMES], ix)
    (current_generation(ix) / META_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexDamaged, match=r"is damaged \(its rasm.json is not readable .*--rebuild"):
        open_index(ix)


# ------------------------------------------------------------------ the write lock
HOLD_LOCK = """
import sys
from pathlib import Path
from search.generations import write_lock
with write_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_write_lock_held_by_another_process_names_it(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLocked, match=rf"another process \(pid {holder.pid}: "), \
                write_lock(tmp_path, timeout=0.5):
            pass
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    with write_lock(tmp_path, timeout=0.5):  # released when the holder ends
        assert (tmp_path / "write.lock").read_text().startswith(f"pid {os.getpid()}: ")


def test_a_writer_process_that_fails_leaves_the_previous_index_live(tmp_path, monkeypatch):
    """Whoosh's multi-process writer commits without the segment of a worker that raised: the
    build must fail, not swap in an index short of those articles."""
    from search import codec as rasm_codec
    from search import index as rasm_index

    build_index([NAMES], tmp_path)
    live = current_generation(tmp_path)
    monkeypatch.setattr(rasm_index, "PARALLEL_FROM", 2)  # both cores, for the 10 articles

    def broken(self, last=False):
        raise OSError("disk gone")

    monkeypatch.setattr(rasm_codec.CountPostingsWriter, "_write_block", broken)  # in the workers
    with pytest.raises(rasm_index.RasmIndexError, match=r"the index writer failed \(OSError: disk gone\)"):
        build_index([NAMES], tmp_path)
    assert current_generation(tmp_path) == live
    assert {h.id for h in search(tmp_path, "Mayadeen").hits} == {"mayadin.txt", "reports.jsonl#r1",
                                                                   "reports.jsonl#r3"}
