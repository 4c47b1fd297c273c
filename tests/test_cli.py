"""The rasm command: exact output and exit codes through CliRunner, and the installed command for real."""

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli

NAMES = Path(__file__).parent / "fixtures" / "names"
MAYADIN, MAIDEN = "mayadin.txt", "maiden.txt"
R1, R2, R3, R4, R5, R6, R7, R8 = (f"reports.jsonl#r{n}" for n in range(1, 9))
# tests/fixtures/names: two text files and eight JSONL rows
SUMMARY = re.compile(r"^Indexed 10 articles from 10 records in [\d.]+ s; 0 errors$")
HIT_KEYS = {"id", "title", "date", "source", "url", "score", "snippet", "matched", "similar"}
MATCHED_KEYS = {"text", "query", "via", "alias", "count", "why", "score"}


def rasm(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env, prog_name="rasm")


def search_json(index: Path, *args: str) -> dict:
    result = rasm("search", "--json", "--index", str(index), *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ids(data: dict) -> set[str]:
    return {hit["id"] for hit in data["hits"]}


def broken_folder(root: Path, with_good: bool) -> Path:
    root.mkdir()
    (root / "broken.json").write_text('{"id": 1, "title": ', encoding="utf-8")
    if with_good:
        (root / "good.json").write_text('{"title": "Raqqa news", "text": "Fighting in Raqqa."}',
                                        encoding="utf-8")
    return root


# ------------------------------------------------------------------ rasm index
def test_index_prints_one_summary_line(tmp_path):
    result = rasm("index", str(NAMES), "--index", str(tmp_path / "ix"))
    assert result.exit_code == 0
    assert SUMMARY.match(result.stdout.rstrip("\n"))
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""


def test_index_for_real(tmp_path, run_rasm):
    done = run_rasm("index", str(NAMES), "--index", str(tmp_path / "ix"))
    assert done.returncode == 0, done.stderr
    assert SUMMARY.match(done.stdout.rstrip("\n")) and done.stdout.count("\n") == 1
    assert done.stderr == ""  # no progress line when stderr is no terminal


def test_index_only_broken_file_fails_and_names_it(tmp_path):
    src = broken_folder(tmp_path / "src", with_good=False)
    result = rasm("index", str(src), "--index", str(tmp_path / "ix"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "rasm: skipped broken.json:1: malformed JSON at column 20: Expecting value",
        f"Error: nothing was indexed: no readable articles under {src}",
    ]


def test_index_broken_and_good_file_skips_the_broken_one(tmp_path):
    src = broken_folder(tmp_path / "src", with_good=True)
    result = rasm("index", str(src), "--index", str(tmp_path / "ix"))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "rasm: skipped broken.json:1: malformed JSON at column 20: Expecting value"]
    assert re.fullmatch(r"Indexed 1 articles from 1 records in [\d.]+ s; 1 error\n", result.stdout)
    assert ids(search_json(tmp_path / "ix", "Raqqa")) == {"good.json"}


def test_failed_index_run_keeps_the_previous_index(tmp_path):
    ix = tmp_path / "ix"
    assert rasm("index", str(NAMES), "--index", str(ix)).exit_code == 0
    src = broken_folder(tmp_path / "src", with_good=False)
    assert rasm("index", str(src), "--index", str(ix)).exit_code == 1
    assert ids(search_json(ix, "Raqqa")) == {R6}


# ------------------------------------------------------------------ rasm search --json
@pytest.mark.parametrize("limit", [1, 2, 10])
def test_search_json_shape(names_index, limit):
    data = search_json(names_index.path, "--limit", str(limit), "Mayadeen OR maiden")
    assert set(data) == {"query", "total", "hits"}
    assert data["query"] == "Mayadeen OR maiden"
    assert data["total"] == 4
    assert len(data["hits"]) == min(limit, 4)
    scores = [hit["score"] for hit in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert all(set(m) == MATCHED_KEYS for m in hit["matched"])
        assert hit["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["date"])


def test_search_json_undated_article_has_null_date(names_index):
    data = search_json(names_index.path, "maiden")
    assert [(h["id"], h["date"]) for h in data["hits"]] == [(MAIDEN, None)]


@pytest.fixture(scope="module")
def markup_index(tmp_path_factory) -> Path:
    """One article whose text, once its markup is read, holds "<", "&" and a literal <script>."""
    root = tmp_path_factory.mktemp("markup")
    (root / "src").mkdir()
    row = {"id": "m1", "title": "Markup", "source": "Wire A",
           "text": "Raqqa &amp; Homs: x < y, said the &lt;script&gt; report."}
    (root / "src" / "m.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert rasm("index", str(root / "src"), "--index", str(root / "ix")).exit_code == 0
    return root / "ix"


def test_search_json_snippet_is_escaped(markup_index):
    [hit] = search_json(markup_index, "Homs")["hits"]
    assert hit["snippet"] == "Raqqa &amp; <mark>Homs</mark>: x &lt; y, said the &lt;script&gt; report."


def test_human_output_decodes_the_snippet(markup_index):
    result = rasm("search", "--index", str(markup_index), "Homs")
    assert result.stdout.splitlines()[-1] == "    Raqqa & Homs: x < y, said the <script> report."


# (description, options, every hit)
OPTIONS = [
    ("one source", ["--source", "Wire A"], {R1, R4}),
    ("two sources", ["--source", "Wire A", "--source", "Arabic Wire"], {R1, R3, R4}),
    ("one day", ["--since", "2017-10-06", "--until", "2017-10-06"], {R2, R3}),
    ("a month", ["--since", "2017-10", "--until", "2017-10"], {R1, R2, R3}),
    ("a year", ["--since", "2016", "--until", "2016"], {R4}),
    ("until is inclusive", ["--until", "2017-10-05"], {R1, R4}),
    ("exact spelling", ["--exact"], {R2, R4}),
]


@pytest.mark.parametrize("options,expected", [r[1:] for r in OPTIONS], ids=[r[0] for r in OPTIONS])
def test_search_options(names_index, options, expected):
    data = search_json(names_index.path, *options, '"Dayr az-Zawr" OR Daraya')
    assert ids(data) == expected


def test_search_source_option_returns_only_that_source(names_index):
    data = search_json(names_index.path, "--source", "Wire A", "Mayadeen OR Raqqa OR Daesh OR Daraya")
    assert {h["source"] for h in data["hits"]} == {"Wire A"}
    assert ids(data) == {R1, R4, R6, R8}


def test_search_one_day_returns_only_that_day(names_index):
    data = search_json(names_index.path, "--since", "2017-10-06", "--until", "2017-10-06",
                       "date:[2000 to 2030]")
    assert {h["date"] for h in data["hits"]} == {"2017-10-06"}


def test_query_starting_with_a_dash_after_double_dash(names_index):
    assert ids(search_json(names_index.path, "--", "-Raqqa", "Daraa")) == {R5}
    assert rasm("search", "--index", str(names_index.path), "-Raqqa", "Daraa").exit_code == 2


def test_rasm_index_environment_variable(names_index):
    result = rasm("search", "--json", "Daraya", env={"RASM_INDEX": str(names_index.path)})
    assert result.exit_code == 0
    assert ids(json.loads(result.stdout)) == {R4}


# ------------------------------------------------------------------ errors
# (description, arguments after `rasm search --index DIR`, exit code, stderr's last line)
ERRORS = [
    ("malformed date range", ["date:[foo to bar]"], 2, "Error: invalid query: 'foo' is not a parseable date"),
    ("empty query", [""], 2, "Error: invalid query: empty query"),
    ("blank query", ["  "], 2, "Error: invalid query: empty query"),
    ("no query", [], 2, "Error: give a QUERY or --queries FILE (one of them)"),
    ("bad --since", ["--since", "someday", "Raqqa"], 2,
     "Error: Invalid value for --since: 'someday' is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    ("--limit 0", ["--limit", "0", "Raqqa"], 2,
     "Error: Invalid value for '--limit': 0 is not in the range 1<=x<=100000."),
]


@pytest.mark.parametrize("args,code,message", [r[1:] for r in ERRORS], ids=[r[0] for r in ERRORS])
def test_search_errors(names_index, args, code, message):
    result = rasm("search", "--index", str(names_index.path), *args)
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == message
    assert "Traceback" not in result.output


def test_invalid_query_is_one_line_on_stderr(names_index):
    result = rasm("search", "--index", str(names_index.path), "date:[foo to bar]")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: invalid query")


def test_missing_index(tmp_path):
    result = rasm("search", "--index", str(tmp_path / "none"), "Raqqa")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no index in {tmp_path / 'none'}: run `rasm index` first\n"


def test_index_of_another_version(tmp_path):
    ix = tmp_path / "ix"
    assert rasm("index", str(NAMES), "--index", str(ix)).exit_code == 0
    meta = next(ix.glob("gen-*/rasm.json"))
    meta.write_text(json.dumps({"analyzer_version": 0, "schema_version": 1}), encoding="utf-8")
    result = rasm("search", "--index", str(ix), "Raqqa")
    assert result.exit_code == 1
    assert "built with analyzer v0" in result.stderr
    assert "run `rasm index --rebuild` to rebuild it" in result.stderr


def test_bad_alias_file(names_index, tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("Raqqa\n", encoding="utf-8")
    result = rasm("search", "--index", str(names_index.path), "Raqqa", env={"RASM_ALIASES": str(mine)})
    assert result.exit_code == 1
    assert result.stderr == f"Error: {mine}:1: a group needs two or more names separated by '|'\n"


# ------------------------------------------------------------------ human output
def test_human_output(names_index):
    result = rasm("search", "--index", str(names_index.path), "--limit", "2", "Mayadeen")
    assert result.exit_code == 0
    # scores are the ranking's business (test_query); here only their format
    assert re.sub(r"score \d+\.\d\d$", "score N", result.stdout, flags=re.M).splitlines() == [
        "3 results for 'Mayadeen' (showing 2)",
        "",
        " 1. Army advances on al-Mayadin",
        "    2017-10-07 · mayadin.txt · score N",
        "    Syrian government forces reached the outskirts of al-Mayadin on Friday, the army said.",
        "",
        " 2. Fighting near Deir Ezzor",
        "    2017-10-05 · Wire A · reports.jsonl#r1 · score N",
        "    Clashes continued near Deir Ezzor and the Mayadeen road.",
    ]


def test_no_results(names_index):
    result = rasm("search", "--index", str(names_index.path), "Zanzibar")
    assert (result.exit_code, result.stdout) == (0, "No results for 'Zanzibar'.\n")


def test_human_output_piped_for_real(names_index, run_rasm):
    done = run_rasm("search", "--index", str(names_index.path), "Mayadeen")
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    assert "<mark>" not in done.stdout
    lines = done.stdout.splitlines()
    assert lines[0] == "3 results for 'Mayadeen'"
    assert "    Clashes continued near Deir Ezzor and the Mayadeen road." in lines
    assert "    قصفت الطائرات مواقع في مدينة دير الزور والميادين." in lines


def test_search_json_for_real(names_index, run_rasm):
    done = run_rasm("search", "--json", "--index", str(names_index.path), "دير الزور")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert done.stdout.count("\n") == 1
    assert ids(data) == {R1, R2, R3}
    assert [h["id"] for h in data["hits"]][0] == R3  # the Arabic spelling as typed ranks first


def test_invalid_query_for_real(names_index, run_rasm):
    done = run_rasm("search", "--index", str(names_index.path), "date:[foo to bar]")
    assert done.returncode == 2
    assert done.stderr == "Error: invalid query: 'foo' is not a parseable date\n"


def test_python_m_search_help(run_rasm):
    done = run_rasm("--help", module=True)
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: rasm [OPTIONS] COMMAND [ARGS]...")
    assert re.search(r"^  index\s", done.stdout, re.M) and re.search(r"^  search\s", done.stdout, re.M)


def test_explain_lists_aliases_and_what_each_hit_matched(names_index):
    result = rasm("search", "--index", str(names_index.path), "--explain", "ISIS")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Each name also matches its other spellings")
    assert lines[1].startswith("'ISIS' also matches, from the alias table and gazetteer: ISIL, IS, Daesh")
    assert "    matched: Daesh ×2 (alias)" in lines
    assert "    matched: ISIS (as typed)" in lines


def test_explain_with_exact_says_so(names_index):
    result = rasm("search", "--index", str(names_index.path), "--explain", "--exact", "Mayadeen")
    assert result.stdout.splitlines()[0] == "Spellings as typed only (--exact)."
    assert "    matched: Mayadeen (as typed)" in result.stdout.splitlines()


# ------------------------------------------------------------------ whose index may be (re)built
def older(index_dir: Path) -> None:
    """Makes the index look built by an older analyzer, as after an upgrade."""
    meta = next(index_dir.glob("gen-*/rasm.json"))
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["analyzer_version"] -= 1
    meta.write_text(json.dumps(data), encoding="utf-8")


def test_an_older_index_named_by_the_environment_is_not_rebuilt_from_the_demo_corpus(tmp_path):
    archive = tmp_path / "myarchive"
    archive.mkdir()
    (archive / "a.txt").write_text("Raqqa\n\nFighting in Raqqa.\n", encoding="utf-8")
    ix = tmp_path / "userix"
    assert rasm("index", str(archive), "--index", str(ix)).exit_code == 0
    older(ix)
    result = rasm("search", "Raqqa", env={"RASM_INDEX": str(ix)})
    assert result.exit_code == 1
    assert "run `rasm index --rebuild` to rebuild it" in result.stderr
    assert "rebuilding" not in result.stderr
    assert [p.name for p in ix.glob("gen-*")] == ["gen-000001"]  # untouched
    result = rasm("serve", env={"RASM_INDEX": str(ix)})
    assert result.exit_code == 1 and "run `rasm index --rebuild`" in result.stderr
    assert [p.name for p in ix.glob("gen-*")] == ["gen-000001"]


def test_a_mistyped_index_folder_is_not_made(tmp_path):
    typo = tmp_path / "userx"
    for args, env in [(["search", "Raqqa"], {"RASM_INDEX": str(typo)}),
                      (["search", "--index", str(typo), "Raqqa"], None),
                      (["add", str(NAMES / "mayadin.txt"), "--index", str(typo)], None),
                      (["watch", "--index", str(typo)], None)]:
        result = rasm(*args, env=env)
        assert result.exit_code == 1, (args, result.output)
        assert f"no index in {typo}" in result.stderr
        assert not typo.exists(), args
    result = rasm("add", str(NAMES / "mayadin.txt"), "--index", str(typo))
    assert f"create it first with `rasm index PATH --index {typo}`" in result.stderr
    # and `rasm index` with no PATH builds no demo corpus into a folder of the user's
    result = rasm("index", "--index", str(typo))
    assert result.exit_code == 2 and "records no sources: name the files or folders" in result.stderr
    assert not typo.exists()


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A source checkout of its own: corpus/ (the names fixtures) and its index/ folder."""
    from search import settings

    shutil.copytree(NAMES, tmp_path / "corpus")
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    return tmp_path


def test_the_checkouts_own_index_is_built_and_rebuilt_from_the_bundled_corpus(checkout):
    result = rasm("search", "--json", "Mayadeen")
    assert result.exit_code == 0, result.output
    assert "No index yet: indexing the bundled corpus" in result.stderr
    assert (checkout / "index" / "CURRENT").is_file()
    older(checkout / "index")
    result = rasm("search", "--json", "Mayadeen")
    assert result.exit_code == 0, result.output
    assert "built by another version of Rasm: rebuilding it" in result.stderr
    assert json.loads(result.stdout)["total"] == 3


def test_the_checkouts_own_index_holding_the_users_archive_is_not_rebuilt(checkout, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text("Raqqa\n\nFighting in Raqqa.\n", encoding="utf-8")
    assert rasm("index", str(archive)).exit_code == 0
    older(checkout / "index")
    result = rasm("search", "Raqqa")
    assert result.exit_code == 1 and "run `rasm index --rebuild`" in result.stderr
    result = rasm("index", "--rebuild")  # the command rebuilds the archive, not the corpus
    assert result.exit_code == 0 and result.stdout.startswith("Indexed 1 articles"), result.output


# ------------------------------------------------------------------ what a terminal is sent
ESCAPES = {"id": "x\u001b]0;PWNED\u0007", "title": "Raqqa \u001b[2J news\u0008\u0008",
           "text": "Fighting in Raqqa \u001b[31m red \u009b1m", "source": "s\u001b[5m"}


def test_the_terminal_is_sent_no_control_characters_from_the_data(tmp_path):
    """On a tty, titles, sources, ids and snippets printed ESC and OSC sequences verbatim."""
    import os
    import pty
    import subprocess
    import sys

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.jsonl").write_text(json.dumps(ESCAPES) + "\n", encoding="utf-8")
    bad = tmp_path / "b\u001b[2Jc"
    bad.mkdir()
    (bad / "x.txt").write_text("Raqqa\n\nMore on Raqqa.\n", encoding="utf-8")
    ix = tmp_path / "ix"
    assert rasm("index", str(src), str(bad), "--index", str(ix)).exit_code == 0
    for args, shown in ((["search", "--explain", "Raqqa"], "Raqqa [2J news"), (["stats"], "b[2Jc")):
        primary, secondary = pty.openpty()  # a real terminal: colours on
        proc = subprocess.Popen([str(Path(sys.executable).with_name("rasm")), *args, "--index", str(ix)],
                                stdout=secondary, stderr=secondary, close_fds=True)
        os.close(secondary)
        out = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.close(primary)
        assert proc.wait(timeout=60) == 0
        text = out.decode("utf-8")
        assert shown in re.sub(r"\x1b\[[0-9;]*m", "", text)
        # only the colours and styles Rasm itself sets: ESC [ digits m
        assert not re.findall(r"\x1b(?!\[[0-9;]*m)", text), text
        assert not re.findall(r"[\x00-\x08\x0b-\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]", text), text
