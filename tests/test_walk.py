"""Finding article files (search.walk) and reading them bounded (search.files): links out of the
source folder, FIFOs and devices, names that are not UTF-8, deep folders, huge files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import RASM, time_limit

from search.article import MAX_BODY_CHARS
from search.cli import cli
from search.files import SINGLE_ARTICLE_BYTES
from search.index import build_index
from search.ingest import iter_articles
from search.searcher import search
from search.walk import MAX_DEPTH
from web import create_app


def ingest(*paths: Path):
    problems = []
    return list(iter_articles(paths, problems.append)), problems


def archive(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "raqqa.txt").write_text("Raqqa\n\nFighting in Raqqa.\n", encoding="utf-8")
    return src


def test_a_link_out_of_the_source_folder_is_not_followed_and_said_so(tmp_path):
    """`ln -s /etc/passwd corpus/passwd.txt` made /etc/passwd searchable and served."""
    src = archive(tmp_path)
    (src / "passwd.txt").symlink_to("/etc/passwd")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret\n\nroot password here\n", encoding="utf-8")
    (src / "elsewhere").symlink_to(outside)
    (src / "inside.txt").symlink_to(src / "raqqa.txt")  # a link inside the folder is fine
    articles, problems = ingest(src)
    assert sorted(a.id for a in articles) == ["inside.txt", "raqqa.txt"]
    assert sorted(map(str, problems)) == [
        "elsewhere: a link to a folder outside the source folder: not followed",
        "passwd.txt: a link to /etc/passwd, outside the source folder: not followed",
    ]
    ix = tmp_path / "ix"
    build_index([src], ix)
    assert search(ix, "root").total == 0 and search(ix, "password").total == 0
    client = create_app({"RASM_INDEX": str(ix)}).test_client()
    assert client.get("/api/article/passwd.txt").status_code == 404


def test_a_link_named_on_the_command_line_is_read(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("Homs\n\nShelling in Homs.\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(target)
    articles, problems = ingest(tmp_path / "link.txt")
    assert [a.id for a in articles] == ["link.txt"] and problems == []


def test_a_fifo_neither_blocks_nor_is_read(tmp_path):
    """A FIFO named x.txt blocked `rasm index` and `rasm watch` for ever."""
    src = archive(tmp_path)
    os.mkfifo(src / "pipe.txt")
    with time_limit(20):
        articles, problems = ingest(src)
        assert [a.id for a in articles] == ["raqqa.txt"]
        assert [str(p) for p in problems] == ["pipe.txt: not a regular file: not read"]
        articles, problems = ingest(src / "pipe.txt")  # named explicitly: opened, not waited on
        assert articles == [] and [str(p) for p in problems] == [
            "pipe.txt: not a regular file (a named pipe): not read"]
        done = subprocess.run([RASM, "index", str(src), "--index", str(tmp_path / "ix")],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "rasm: skipped pipe.txt: not a regular file" in done.stderr


def test_a_link_to_dev_zero_is_not_read_for_ever(tmp_path):
    src = archive(tmp_path)
    (src / "zero.txt").symlink_to("/dev/zero")
    with time_limit(20):
        articles, problems = ingest(src / "zero.txt")  # named explicitly: opened, not read
        assert articles == [] and [str(p) for p in problems] == [
            "zero.txt: not a regular file (a character device): not read"]
        articles, problems = ingest(src)
    assert [a.id for a in articles] == ["raqqa.txt"]
    assert [str(p) for p in problems] == ["zero.txt: a link to /dev/zero, outside the source folder: "
                                          "not followed"]


def test_a_name_that_is_not_utf8_is_one_reported_file(tmp_path):
    """It crashed every later update with a UnicodeEncodeError writing the record of files."""
    src = archive(tmp_path)
    bad = os.path.join(os.fsencode(src), b"caf\xe9.txt")
    with open(bad, "wb") as f:
        f.write(b"Homs\n\nShelling in Homs.\n")
    ix = tmp_path / "ix"
    done = CliRunner().invoke(cli, ["index", str(src), "--index", str(ix)])
    assert done.exit_code == 0, done.output
    assert done.stderr == "rasm: skipped caf\\xe9.txt: the name is not valid UTF-8: rename it\n"
    (src / "more.txt").write_text("Hama\n\nNews from Hama.\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["index", "--index", str(ix)])  # later updates carry on
    assert done.exit_code == 0 and "1 added" in done.stdout, done.output


def test_folders_nested_past_the_limit_are_reported_not_a_crash(tmp_path):
    """A folder 1,100 deep blew Python 3.11's recursive os.walk."""
    src = archive(tmp_path)
    chain = [src / "d"]
    for _ in range(1099):  # under PATH_MAX: 1,100 times "/d" (os.makedirs would recurse)
        chain.append(chain[-1] / "d")
    try:
        for folder in chain:
            folder.mkdir()
        (chain[-1] / "deep.txt").write_text("Idlib\n\nNews from Idlib.\n", encoding="utf-8")
        (chain[0] / "near.txt").write_text("Homs\n\nNews from Homs.\n", encoding="utf-8")
        articles, problems = ingest(src)
    finally:  # removed here, bottom up: pytest's clean-up (shutil.rmtree) recurses too
        for folder in reversed(chain):
            for file in folder.glob("*.txt"):
                file.unlink()
            if folder.is_dir():
                folder.rmdir()
    assert sorted(a.id for a in articles) == ["d/near.txt", "raqqa.txt"]
    assert [p.reason for p in problems] == [f"folders nested more than {MAX_DEPTH} deep are not read"]
    assert problems[0].path == "/".join(["d"] * (MAX_DEPTH + 1))


def test_json_nested_too_deep_is_one_reported_file(tmp_path):
    """RecursionError on each later `rasm index`, and `rasm watch` died."""
    src = archive(tmp_path)
    (src / "deep.json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    (src / "deep.jsonl").write_text(json.dumps({"id": "ok", "text": "Homs news."}) + "\n"
                                    + '{"id": "x", "text": ' + "[" * 5000 + "]" * 5000 + "}\n",
                                    encoding="utf-8")
    nested = {"a": 1}
    for _ in range(900):
        nested = {"a": nested}
    (src / "meta.jsonl").write_text(json.dumps({"id": "m", "text": "Daraa news.", "extra": nested}) + "\n",
                                    encoding="utf-8")
    ix = tmp_path / "ix"
    done = CliRunner().invoke(cli, ["index", str(src), "--index", str(ix)])
    assert done.exit_code == 0, done.output
    assert "rasm: skipped deep.json: JSON nested too deeply to read" in done.stderr
    assert "rasm: skipped deep.jsonl:2: JSON nested too deeply to read" in done.stderr
    assert {h.id for h in search(ix, "Homs").hits} == {"deep.jsonl#ok"}
    assert CliRunner().invoke(cli, ["index", "--index", str(ix)]).exit_code == 0


MEASURE = """
import json, resource, sys
from pathlib import Path
from search.ingest import iter_articles
problems = []
articles = list(iter_articles([Path(sys.argv[1])], problems.append))
print(json.dumps([len(articles), len(articles[0].body), [str(p) for p in problems],
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024]))
"""


@pytest.mark.parametrize("name", ["huge.txt", "huge.csv"])
def test_a_huge_article_is_cut_and_said_so_within_bounded_memory(tmp_path, name):
    """A 200 MB text file reached 11.6 GB before a MemoryError; a 50 MB CSV cell indexed at 3.3 GB."""
    sentence = b"Fighting near Raqqa continued as the army advanced on Mayadin. "
    with open(tmp_path / name, "wb") as f:
        if name.endswith(".csv"):
            f.write(b'id,title,text\n1,Big,"')
        for _ in range((200 if name.endswith(".txt") else 50) * (1 << 20) // len(sentence)):
            f.write(sentence)
        if name.endswith(".csv"):
            f.write(b'"\n2,Small,Shelling in Homs.\n')
    done = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path / name)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    n, body, problems, peak_mb = json.loads(done.stdout)
    assert n == (2 if name.endswith(".csv") else 1)
    assert MAX_BODY_CHARS * 0.9 < body <= MAX_BODY_CHARS
    assert any("only its first" in p for p in problems), problems
    if name.endswith(".txt"):
        assert any(f"only the first {SINGLE_ARTICLE_BYTES >> 20} MB of its 199 MB are read" in p
                   for p in problems), problems
    print(f"\n{name}: peak memory {peak_mb} MB")
    assert peak_mb < 2000  # a bound, not a timing: it was 11,600 MB
