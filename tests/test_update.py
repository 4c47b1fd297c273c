"""Incremental updates: `rasm index` re-reads only what changed, `rasm add`, `rasm watch`,
`rasm stats`, killed rebuilds, concurrent searches while another process writes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CORPUS, RASM, served

from search.generations import META_FILE, current_generation
from search.index import build_index, open_index
from search.searcher import search
from search.sources import MANIFEST_FILE
from search.update import update_index


def hit_ids(index_dir: Path, query: str, **kw) -> set[str]:
    return {hit.id for hit in search(index_dir, query, limit=1000, **kw).hits}


def count(index_dir: Path) -> int:
    with open_index(index_dir).searcher() as s:
        return s.doc_count()


def state(index_dir: Path) -> tuple:
    """What an update that changes nothing must leave exactly as it was."""
    gen = current_generation(index_dir)
    return (gen, sorted(p.name for p in gen.iterdir()),
            {p.name: p.stat().st_mtime_ns for p in gen.iterdir()})


def rasm(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("RASM_ALIASES", "RASM_INDEX")}
    environ.update(env)
    return subprocess.run([RASM, *args], capture_output=True, text=True, env=environ, timeout=timeout)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(*rows: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory):
    """The bundled corpus copied and indexed once; the tests below change it in order."""
    root = tmp_path_factory.mktemp("incremental")
    shutil.copytree(CORPUS, root / "src")
    done = rasm("index", str(root / "src"), "--index", str(root / "ix"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Indexed 797 articles from 809 records")
    return root


# ------------------------------------------------------------------ the corpus, changed step by step
def test_a_new_file_with_an_unseen_spelling_is_found_by_another_spelling(corpus_copy):
    src, ix = corpus_copy / "src", corpus_copy / "ix"
    assert not hit_ids(ix, '"Deyr Ezzour"', expand=False)  # a spelling the corpus never uses
    before = hit_ids(ix, "Deir ez-Zor")
    write(src / "incoming" / "2026-11-22-shelling.md",
          "# Shelling near Deyr Ezzour\n\nShelling hit the outskirts of Deyr Ezzour on Monday.\n")
    done = rasm("index", "--index", str(ix))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Updated the index in ")
    assert "1 added, 0 updated, 0 deleted, 797 unchanged (1 file read); 0 errors; 798 articles" \
        in done.stdout
    assert hit_ids(ix, "Deir ez-Zor") == before | {"incoming/2026-11-22-shelling.md"}
    assert "incoming/2026-11-22-shelling.md" in hit_ids(ix, "دير الزور")


def test_a_changed_file_is_re_indexed(corpus_copy):
    src, ix = corpus_copy / "src", corpus_copy / "ix"
    write(src / "incoming" / "2026-11-22-shelling.md",
          "# Market reopens in Kafranbel\n\nThe market of Kafranbel reopened on Tuesday.\n")
    done = rasm("index", "--index", str(ix))
    assert "0 added, 1 updated, 0 deleted, 797 unchanged" in done.stdout
    assert "incoming/2026-11-22-shelling.md" not in hit_ids(ix, "Deir ez-Zor")
    assert hit_ids(ix, "Kafranbel") >= {"incoming/2026-11-22-shelling.md"}


def test_an_unchanged_run_touches_nothing(corpus_copy):
    ix = corpus_copy / "ix"
    before = state(ix)
    done = rasm("index", "--index", str(ix))
    assert "0 added, 0 updated, 0 deleted, 798 unchanged (0 files read)" in done.stdout
    assert state(ix) == before  # no new segment, no rewritten record


def test_a_touched_but_identical_file_is_not_re_indexed(corpus_copy):
    src, ix = corpus_copy / "src", corpus_copy / "ix"
    segments = sorted(p.name for p in current_generation(ix).glob("*.seg"))
    os.utime(src / "fakes.csv")  # new mtime, same bytes
    done = rasm("index", "--index", str(ix))
    assert "0 added, 0 updated, 0 deleted, 798 unchanged" in done.stdout
    assert sorted(p.name for p in current_generation(ix).glob("*.seg")) == segments


def test_a_deleted_file_takes_its_hits_with_it(corpus_copy):
    src, ix = corpus_copy / "src", corpus_copy / "ix"
    (src / "incoming" / "2026-11-22-shelling.md").unlink()
    done = rasm("index", "--index", str(ix))
    assert "0 added, 0 updated, 1 deleted, 797 unchanged" in done.stdout
    assert "incoming/2026-11-22-shelling.md" not in hit_ids(ix, "Kafranbel")
    assert count(ix) == 797


def test_stats_describe_the_index(corpus_copy):
    ix = corpus_copy / "ix"
    done = rasm("stats", "--json", "--index", str(ix))
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert stats["articles"] == 797 and sum(stats["sources"].values()) == 797
    assert stats["dates"]["first"] <= stats["dates"]["last"]
    assert stats["paths"] == [str((corpus_copy / "src").absolute())]
    assert stats["bytes"] > 1_000_000 and stats["analyzer_version"] and stats["schema_version"]
    text = rasm("stats", "--index", str(ix)).stdout
    assert "Articles:     797 from" in text and "Last update:" in text and "analyzer v" in text


# ------------------------------------------------------------------ rows of JSONL and CSV files
def test_rows_appended_to_a_jsonl_file_are_read_from_where_it_ended(names_copy):
    src, ix = names_copy
    reports = src / "reports.jsonl"
    with open(reports, "a", encoding="utf-8") as f:
        f.write(jsonl({"id": "r9", "title": "Kobani", "text": "Fighting in Kobani.", "source": "Wire C"}))
        f.write("{broken\n")
        f.write(jsonl({"id": "r10", "title": "Manbij", "text": "News from Manbij.", "source": "Wire C"}))
    seen = []
    report = update_index(None, ix, on_problem=seen.append)
    assert (report.added, report.updated, report.deleted, report.files_read) == (2, 0, 0, 1)
    assert [str(p) for p in seen] == ["reports.jsonl:10: malformed JSON at column 2: Expecting property "
                                      "name enclosed in double quotes"]
    assert hit_ids(ix, "Kobane") == {"reports.jsonl#r9"}
    assert "reports.jsonl#r1" in hit_ids(ix, "Deir ez-Zor")


def test_a_row_changed_or_removed_inside_a_file(names_copy):
    src, ix = names_copy
    reports = src / "reports.jsonl"
    rows = [json.loads(line) for line in reports.read_text(encoding="utf-8").splitlines()]
    rows[5]["text"] = "The SDF pushed into Tabqa."  # r6 was about Raqqa
    del rows[6]  # r7
    reports.write_text(jsonl(*rows), encoding="utf-8")
    report = update_index(None, ix)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 1, 1, 8)
    assert "reports.jsonl#r6" in hit_ids(ix, "Tabqa")
    assert "reports.jsonl#r7" not in hit_ids(ix, "Iraq OR oil")


def test_a_file_read_with_problems_loses_no_indexed_article(names_copy):
    src, ix = names_copy
    reports = src / "reports.jsonl"
    lines = reports.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:-2]  # r4 (Daraya) broken in an edit
    lines[4] = lines[4].replace("Protesters gathered", "Crowds gathered")
    reports.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen = []
    report = update_index(None, ix, on_problem=seen.append)
    assert [p.line for p in seen] == [4]
    assert (report.updated, report.deleted) == (1, 0)
    assert hit_ids(ix, "Daraya") == {"reports.jsonl#r4"}  # kept until the row is mended
    lines[3] = json.dumps({"id": "r4b", "title": "Daraya", "text": "Daraya again."})
    reports.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = update_index(None, ix)  # read again although unchanged since: it had a problem
    assert (report.added, report.deleted) == (1, 1)
    assert hit_ids(ix, "Daraya") == {"reports.jsonl#r4b"}


def test_a_missing_source_folder_deletes_nothing(names_copy, tmp_path):
    src, ix = names_copy
    shutil.move(src, tmp_path / "elsewhere")
    report = update_index(None, ix, on_problem=lambda p: None)
    assert report.deleted == 0 and count(ix) == 10
    assert "no such file or folder" in str(report.problems[0])


# ------------------------------------------------------------------ rasm add, copies, versions
def test_add_indexes_a_file_outside_the_sources_and_keeps_it(names_copy, tmp_path):
    src, ix = names_copy
    extra = write(tmp_path / "drop" / "aleppo.txt", "Aleppo water\n\nWater returned to Halab on Sunday.\n")
    done = rasm("add", str(extra), "--index", str(ix))
    assert done.returncode == 0, done.stderr
    assert "1 added, 0 updated, 0 deleted" in done.stdout
    assert hit_ids(ix, "Aleppo") == {"drop/aleppo.txt"}  # another source folder: named in its id
    done = rasm("index", "--index", str(ix))  # its own sources now include the file
    assert "0 deleted, 11 unchanged" in done.stdout
    added_inside = write(src / "new" / "homs.txt", "Homs\n\nNews from Hims.\n")
    done = rasm("add", str(added_inside), "--index", str(ix))
    assert "1 added" in done.stdout
    assert hit_ids(ix, "Homs") == {"new/homs.txt"}  # its id is relative to the source folder


def test_a_republished_copy_joins_the_group_of_the_original(corpus_copy, tmp_path):
    ix = tmp_path / "ix"
    shutil.copytree(corpus_copy / "ix", ix)
    seed = CORPUS / "seeds" / "000_e7b07514ae8db21d.txt"
    copy = write(tmp_path / "wire" / "copy.txt",
                 "Republished\n\n" + seed.read_text(encoding="utf-8") + "\nShare this story.\n")
    update_index([copy], ix, only=True)
    with open_index(ix).searcher() as s:
        original, added = s.document(id="seeds/000_e7b07514ae8db21d.txt"), s.document(id="wire/copy.txt")
    assert added["group"] == original["group"]


def test_a_changed_analyzer_asks_for_a_rebuild(names_copy):
    src, ix = names_copy
    meta_file = current_generation(ix) / META_FILE
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["analyzer_version"] -= 1
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    done = rasm("index", "--index", str(ix))
    assert done.returncode == 1
    assert "run `rasm index --rebuild`" in done.stderr
    done = rasm("index", "--rebuild", "--index", str(ix))
    assert done.returncode == 0 and done.stdout.startswith("Indexed 10 articles"), done.stderr
    assert hit_ids(ix, "Mayadeen")


def test_a_stale_record_of_files_is_rebuilt_from_the_index(names_copy):
    """As if a writer died between its commit and writing files.json."""
    src, ix = names_copy
    manifest_file = current_generation(ix) / MANIFEST_FILE
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["toc_generation"] -= 1
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    write(src / "x.txt", "Idlib\n\nNews from Idleb.\n")
    report = update_index(None, ix)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (1, 0, 0, 10)
    assert count(ix) == 11 and hit_ids(ix, "Idlib") == {"x.txt"}


def test_a_second_writer_waits_then_names_the_holder(names_copy):
    src, ix = names_copy
    hold = ("import sys, pathlib\nfrom search.generations import write_lock\n"
            "with write_lock(pathlib.Path(sys.argv[1])):\n    print('locked', flush=True)\n"
            "    sys.stdin.read()\n")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(ix)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        write(src / "y.txt", "Hama\n\nNews from Hama.\n")
        done = rasm("index", "--index", str(ix), RASM_LOCK_TIMEOUT="1")
        assert done.returncode == 1
        assert f"is being written by another process (pid {holder.pid}: " in done.stderr
        assert "waited 1 s" in done.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert not hit_ids(ix, "Hama")
    assert "1 added" in rasm("index", "--index", str(ix)).stdout  # nothing was lost meanwhile


# ------------------------------------------------------------------ killed rebuilds, live readers
def test_a_killed_rebuild_leaves_the_previous_index_searchable(corpus_copy, tmp_path):
    ix = tmp_path / "ix"
    shutil.copytree(corpus_copy / "ix", ix)
    live = current_generation(ix)
    before = hit_ids(ix, "Mayadeen")
    proc = subprocess.Popen([RASM, "index", "--rebuild", "--index", str(ix)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(p != live for p in ix.glob("gen-*")):  # the new generation is being written
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        time.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert current_generation(ix) == live
    assert hit_ids(ix, "Mayadeen") == before
    done = rasm("index", "--index", str(ix))
    assert done.returncode == 0 and "797 unchanged" in done.stdout, done.stderr
    assert sorted(ix.glob("gen-*")) == [live]  # the half-written generation is gone
    done = rasm("index", "--rebuild", "--index", str(ix))
    assert done.returncode == 0 and done.stdout.startswith("Indexed 797 articles"), done.stderr
    assert hit_ids(ix, "Mayadeen") == before


REBUILD_SLOWLY = """
import sys, time
from pathlib import Path
from search.index import build_index
def progress(stage, done, total):
    if stage == "read" and done == 1:
        print("reading", flush=True)
        time.sleep(3)  # the rest of a large archive
build_index([Path(sys.argv[1])], Path(sys.argv[2]), progress=progress)
print("swapped", flush=True)
"""


def test_a_rebuild_undoes_nothing_committed_while_it_was_reading(names_copy):
    """An add and a delete committed during a rebuild's reading used to be undone by its swap
    (the added article gone, the deleted one back): now they wait for the rebuild, then apply."""
    src, ix = names_copy
    rebuild = subprocess.Popen([sys.executable, "-c", REBUILD_SLOWLY, str(src), str(ix)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert rebuild.stdout.readline() == "reading\n", rebuild.stderr.read()
        fresh = write(src / "fresh.txt", "Qamishli\n\nNews from Qamishli.\n")
        (src / "maiden.txt").unlink()  # read by the rebuild already
        added = rasm("add", str(fresh), "--index", str(ix), RASM_LOCK_TIMEOUT="60")
        assert added.returncode == 0 and "1 added" in added.stdout, added.stderr
        deleted = rasm("index", "--index", str(ix), RASM_LOCK_TIMEOUT="60")
        assert deleted.returncode == 0 and "1 deleted" in deleted.stdout, deleted.stderr
        assert rebuild.wait(timeout=60) == 0
    finally:
        if rebuild.poll() is None:
            rebuild.kill()
        rebuild.stdout.close()
        rebuild.stderr.close()
    assert hit_ids(ix, "Qamishli") == {"fresh.txt"}
    assert "maiden.txt" not in {h.id for h in search(ix, "Maiden", limit=100).hits}
    assert count(ix) == 10


ADDER = """
import sys, pathlib
from search.update import update_index
src, ix, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    f = src / "live" / f"raqqa-{i:03d}.txt"
    f.parent.mkdir(exist_ok=True)
    f.write_text(f"Raqqa bulletin {i}\\n\\nNews number {i} from Raqqa.\\n", encoding="utf-8")
    update_index([f], ix, only=True)
print("done", flush=True)
"""


def test_searches_never_fail_while_another_process_adds(names_copy):
    src, ix = names_copy
    added = 25
    base = hit_ids(ix, "Raqqa")
    errors: list[BaseException] = []
    seen: list[list[int]] = [[], [], []]
    stop = threading.Event()

    def searching(counts: list[int]) -> None:
        while not stop.is_set():
            try:
                counts.append(len(hit_ids(ix, "Raqqa")))
            except BaseException as e:  # noqa: BLE001 - every failure is the finding
                errors.append(e)

    threads = [threading.Thread(target=searching, args=(counts,)) for counts in seen]
    for t in threads:
        t.start()
    try:
        done = subprocess.run([sys.executable, "-c", ADDER, str(src), str(ix), str(added)],
                              capture_output=True, text=True, timeout=300)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert done.returncode == 0, done.stderr
    assert not errors, errors[:3]
    assert sum(map(len, seen)) > added
    assert all(counts == sorted(counts) for counts in seen)  # each searcher only sees counts grow
    final = hit_ids(ix, "Raqqa")
    assert final == base | {f"live/raqqa-{i:03d}.txt" for i in range(added)}
    assert count(ix) == 10 + added


def test_a_running_server_sees_new_articles_without_restart(names_copy):
    import urllib.parse
    import urllib.request

    src, ix = names_copy
    with served(ix) as url:
        def total(q: str) -> int:
            with urllib.request.urlopen(f"{url}/api/search?q={urllib.parse.quote(q)}") as r:
                return json.load(r)["total"]

        assert total("Kobani") == 0
        write(src / "kobani.txt", "Kobani\n\nNews from Kobane.\n")
        update_index(None, ix)
        assert total("Kobani") == 1
        build_index([src], ix)  # a full rebuild swaps the generation under the server
        assert total("Kobani") == 1


# ------------------------------------------------------------------ rasm watch
def test_watch_indexes_files_as_they_arrive_and_stops_cleanly(names_copy):
    src, ix = names_copy
    # Ctrl-C as at a terminal, even where this test runs as a background job (SIGINT ignored)
    proc = subprocess.Popen([RASM, "watch", "--delay", "0.2", "--index", str(ix)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines = []
        while not any(line.startswith("Watching") for line in lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line)

        def wait_for(query: str, ids: set[str]) -> None:
            deadline = time.monotonic() + 30
            while hit_ids(ix, query) != ids:
                assert time.monotonic() < deadline, f"{query} never became {ids}"
                time.sleep(0.1)

        write(src / "drop" / "tabqa.md", "# Tabqa dam\n\nFighting near al-Tabqa dam.\n")
        wait_for("Tabka", {"drop/tabqa.md"})
        write(src / "drop" / "tabqa.md", "# Manbij\n\nNews from Manbij.\n")
        wait_for("Tabka", set())
        (src / "drop" / "tabqa.md").unlink()
        wait_for("Manbij", set())
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Stopped watching." in out
    assert "Traceback" not in err


def test_watch_hears_a_source_folder_moved_away_and_made_anew(names_copy, tmp_path):
    """The folder's old watch follows it where it was moved: the new folder at its path went
    unheard, its new files never indexed."""
    src, ix = names_copy
    proc = subprocess.Popen([RASM, "watch", "--delay", "0.2", "--index", str(ix)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not proc.stdout.readline().startswith("Watching"):
            assert proc.poll() is None, proc.stderr.read()
        src.rename(tmp_path / "moved-away")
        shutil.copytree(tmp_path / "moved-away", src)  # as a restore from a backup would
        write(src / "new" / "qamishli.txt", "Qamishli\n\nNews from Qamishli.\n")
        deadline = time.monotonic() + 30
        while hit_ids(ix, "Qamishli") != {"new/qamishli.txt"}:
            assert time.monotonic() < deadline, "the new file in the new folder was never indexed"
            time.sleep(0.2)
        write(src / "new" / "hama.txt", "Hama\n\nNews from Hama.\n")  # and it keeps listening
        while hit_ids(ix, "Hama") != {"new/hama.txt"}:
            assert time.monotonic() < deadline, "the folder made anew is not watched"
            time.sleep(0.2)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert "was moved, removed or made anew: watching it again" in out
    assert "Traceback" not in err


# ------------------------------------------------------------------ one id, one article
def test_files_of_one_name_in_two_source_folders_are_two_articles(tmp_path):
    """Both were id "a.txt": one was kept ("1 repeated ids"), and deleting B's took A's with it."""
    a = write(tmp_path / "A" / "a.txt", "Raqqa\n\nFighting in Raqqa.\n")
    b = write(tmp_path / "B" / "a.txt", "Homs\n\nShelling in Homs.\n")
    ix = tmp_path / "ix"
    done = rasm("index", str(a.parent), str(b.parent), "--index", str(ix))
    assert done.stdout.startswith("Indexed 2 articles from 2 records") and "repeated" not in done.stdout
    assert hit_ids(ix, "Raqqa") == {"a.txt"} and hit_ids(ix, "Homs") == {"B/a.txt"}
    done = rasm("index", "--rebuild", "--index", str(ix))  # a rebuild keeps every id
    assert hit_ids(ix, "Raqqa") == {"a.txt"} and hit_ids(ix, "Homs") == {"B/a.txt"}
    b.unlink()
    done = rasm("index", "--index", str(ix))
    assert "0 added, 0 updated, 1 deleted, 1 unchanged" in done.stdout, done.stdout
    assert hit_ids(ix, "Raqqa") == {"a.txt"} and hit_ids(ix, "Homs") == set()
    write(b, "Homs\n\nShelling in Homs again.\n")
    assert "1 added, 0 updated, 0 deleted, 1 unchanged" in rasm("index", "--index", str(ix)).stdout
    assert count(ix) == 2


def test_files_of_one_name_added_from_two_folders_are_two_articles(names_copy, tmp_path):
    src, ix = names_copy
    x = write(tmp_path / "x" / "report.txt", "Raqqa\n\nA report from Raqqa.\n")
    y = write(tmp_path / "y" / "report.txt", "Homs\n\nA report from Homs.\n")
    assert "1 added" in rasm("add", str(x), "--index", str(ix)).stdout
    assert "1 added" in rasm("add", str(y), "--index", str(ix)).stdout
    assert count(ix) == 12
    assert hit_ids(ix, "Homs") == {"y/report.txt"} and "x/report.txt" in hit_ids(ix, "Raqqa")
    assert "0 added, 0 updated, 0 deleted, 12 unchanged" in rasm("index", "--index", str(ix)).stdout


def test_source_folders_of_one_name_are_told_apart_by_their_parents(tmp_path):
    first = write(tmp_path / "main" / "x.txt", "Idlib\n\nNews from Idlib.\n").parent
    p = write(tmp_path / "p" / "news" / "a.txt", "Raqqa\n\nFighting in Raqqa.\n").parent
    q = write(tmp_path / "q" / "news" / "a.txt", "Homs\n\nShelling in Homs.\n").parent
    ix = tmp_path / "ix"
    assert rasm("index", str(first), str(p), str(q), "--index", str(ix)).returncode == 0
    assert hit_ids(ix, "Raqqa") == {"news/a.txt"} and hit_ids(ix, "Homs") == {"q/news/a.txt"}


def test_an_id_two_files_would_share_is_reported_and_one_kept(tmp_path):
    """The first source's subfolder B and a second source folder B: both give "B/a.txt"."""
    first = write(tmp_path / "A" / "B" / "a.txt", "Raqqa\n\nFighting in Raqqa.\n").parent.parent
    other = write(tmp_path / "B" / "a.txt", "Homs\n\nShelling in Homs.\n").parent
    ix = tmp_path / "ix"
    done = rasm("index", str(first), str(other), "--index", str(ix))
    assert done.returncode == 0 and "1 error" in done.stdout
    assert (f"rasm: skipped {other / 'a.txt'}: article 'B/a.txt' has the id of an article of "
            f"{first / 'B' / 'a.txt'}, which is kept: rename one of the files") in done.stderr
    assert hit_ids(ix, "Raqqa") == {"B/a.txt"} and hit_ids(ix, "Homs") == set()
    done = rasm("index", "--index", str(ix))  # said again at each run until a file is renamed
    assert "has the id of an article of" in done.stderr
    assert hit_ids(ix, "Raqqa") == {"B/a.txt"}
