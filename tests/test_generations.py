"""The index folder: CURRENT lost or garbled, rasm.json damaged, the sources it records, and what
`rasm index` does then (it must never build another corpus in place of the user's)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.generations import (
    CURRENT_FILE,
    META_FILE,
    current_generation,
    recorded_sources,
)
from search.index import build_index
from search.searcher import search
from search.sources import MANIFEST_FILE

NAMES = Path(__file__).parent / "fixtures" / "names"  # 10 articles


def rasm(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="rasm")


def hit_ids(index_dir: Path, query: str) -> set[str]:
    return {hit.id for hit in search(index_dir, query, limit=100).hits}


def articles(index_dir: Path) -> int:
    done = rasm("stats", "--json", "--index", str(index_dir))
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)["articles"]


def two_generations(tmp_path: Path) -> tuple[Path, Path]:
    """An index of the names fixtures rebuilt once: gen-000002 live, gen-000001 beside it."""
    ix = tmp_path / "ix"
    build_index([NAMES], ix)
    build_index([NAMES], ix)
    assert current_generation(ix) == ix / "gen-000002"
    return ix, ix / "gen-000002"


# (description, what CURRENT is made to hold; None: removed)
BROKEN_CURRENT = [
    ("garbled", "\x00\x17\xff garbage"),
    ("emptied", ""),
    ("naming a generation that is gone", "gen-000009\n"),
    ("naming a path outside", "../../etc\n"),
    ("removed", None),
]


@pytest.mark.parametrize("content", [r[1] for r in BROKEN_CURRENT], ids=[r[0] for r in BROKEN_CURRENT])
def test_a_lost_current_falls_back_to_the_newest_complete_generation(tmp_path, content):
    ix, live = two_generations(tmp_path)
    pointer = ix / CURRENT_FILE
    if content is None:
        pointer.unlink()
    else:
        pointer.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert current_generation(ix) == live
    assert hit_ids(ix, "Mayadeen")
    # plain `rasm index` updates that generation (it used to build the bundled corpus instead)
    done = rasm("index", "--index", str(ix))
    assert done.exit_code == 0, done.output
    assert "0 added, 0 updated, 0 deleted, 10 unchanged" in done.stdout
    assert pointer.read_text(encoding="utf-8") == "gen-000002\n"  # and names it again
    assert articles(ix) == 10


def test_a_half_written_generation_is_never_taken_for_the_live_one(tmp_path):
    ix, live = two_generations(tmp_path)
    (ix / "gen-000003").mkdir()  # a build killed before it wrote its rasm.json
    (ix / CURRENT_FILE).unlink()
    assert current_generation(ix) == live


def test_the_sources_survive_an_emptied_rasm_json(tmp_path):
    src = tmp_path / "my-archive"
    (src / "a").mkdir(parents=True)
    (src / "a" / "raqqa.txt").write_text("Raqqa\n\nFighting in Raqqa today.\n", encoding="utf-8")
    ix = tmp_path / "ix"
    build_index([src], ix)
    (current_generation(ix) / META_FILE).write_text("", encoding="utf-8")
    assert recorded_sources(ix) == [src.absolute()]  # from files.json
    done = rasm("search", "--index", str(ix), "Raqqa")
    assert done.exit_code == 1
    assert "is damaged (its rasm.json is not readable" in done.stderr
    assert "another version" not in done.stderr
    # following the advice rebuilds the user's archive, not the bundled corpus
    done = rasm("index", "--rebuild", "--index", str(ix))
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Indexed 1 articles")
    assert hit_ids(ix, "Raqqa") == {"a/raqqa.txt"}


def test_the_sources_survive_in_the_older_generation(tmp_path):
    ix, live = two_generations(tmp_path)
    (live / META_FILE).write_text("", encoding="utf-8")
    (live / MANIFEST_FILE).write_text("", encoding="utf-8")
    assert recorded_sources(ix) == [NAMES.absolute()]


def test_an_index_with_no_sources_left_is_not_rebuilt_from_the_bundled_corpus(tmp_path):
    ix, live = two_generations(tmp_path)
    for gen in ix.glob("gen-*"):
        (gen / META_FILE).write_text("", encoding="utf-8")
        (gen / MANIFEST_FILE).write_text("", encoding="utf-8")
    done = rasm("index", "--rebuild", "--index", str(ix))
    assert done.exit_code == 2
    assert "records no sources: name the files or folders to index" in done.stderr
    assert current_generation(ix) == live


def test_a_rebuild_does_not_drop_a_missing_source(tmp_path):
    """An unplugged disk: the rebuild from recorded sources would silently lose its articles."""
    other = tmp_path / "usb" / "extra"
    other.mkdir(parents=True)
    (other / "homs.txt").write_text("Homs\n\nShelling in Homs.\n", encoding="utf-8")
    ix = tmp_path / "ix"
    build_index([NAMES, other], ix)
    other.joinpath("homs.txt").rename(tmp_path / "homs.txt")
    other.rmdir()
    done = rasm("index", "--rebuild", "--index", str(ix))
    assert done.exit_code == 1
    assert f"the index's source {other.absolute()} is missing" in done.stderr
    assert articles(ix) == 11
