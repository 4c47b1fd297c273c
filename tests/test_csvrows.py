"""search.csvrows: one broken quote costs its row, never the rows after it."""

import csv
import io

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.csvrows import csv_rows
from search.ingest import iter_articles


def rows_of(text: str) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    problems: list[tuple[int, str]] = []
    return list(csv_rows(text, lambda line, why, kept=False: problems.append((line, why)))), problems


def table(rows: list[list[str]], quoting=csv.QUOTE_MINIMAL) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, quoting=quoting, lineterminator="\n").writerows(rows)
    return out.getvalue()


HEADER = ["id", "title", "text", "date"]
ROWS = [[str(n), f"Title {n}", f"Fighting in Raqqa on day {n}.", f"2017-10-{n:02d}"] for n in range(1, 21)]


def broken(text: str, line: int, at: str) -> str:
    """``text`` with a quote opened before ``at`` on (1-based) ``line`` and never closed."""
    lines = text.split("\n")
    lines[line - 1] = lines[line - 1].replace(at, '"' + at, 1)
    return "\n".join(lines)


# (description, the CSV, lines whose rows are read, lines reported)
CASES = [
    ("unquoted rows after it", broken(table([HEADER, *ROWS]), 6, "Title 5"),
     [n for n in range(1, 22) if n != 6], [6]),
    ("every field quoted: a doubled quote read leniently, with a warning",
     broken(table([HEADER, *ROWS], csv.QUOTE_ALL), 6, "Title 5"), list(range(1, 22)), [6]),
    ("every field quoted: a closing quote lost",
     table([HEADER, *ROWS], csv.QUOTE_ALL).replace('"Title 5"', '"Title 5', 1), list(range(1, 22)), [6]),
    ("in the last row: read leniently, with a warning",
     broken(table([HEADER, *ROWS]), 21, "Title 20"), list(range(1, 22)), [21]),
    ("a stray quote inside one cell", table([HEADER, *ROWS]).replace("Title 3", 'Title "3" x', 1),
     list(range(1, 22)), []),
    ("a quote closed too early: read leniently, with a warning",
     table([HEADER, *ROWS], csv.QUOTE_ALL).replace('"Title 3"', '"Title "3"', 1), list(range(1, 22)), [4]),
]


@pytest.mark.parametrize("text,read,reported", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_runaway_quote_costs_one_row(text, read, reported):
    rows, problems = rows_of(text)
    assert [line for line, _ in rows] == read
    assert [line for line, _ in problems] == reported
    assert all(len(cells) == 4 for line, cells in rows if line not in reported), rows


def test_multi_line_cells_are_read_whole():
    """Paragraphs inside a quoted cell: one row across several lines, as it should be."""
    rows = [HEADER, ["1", "Raqqa", "First paragraph, with commas, a, b, c.\n\nSecond, para.", "2017"],
            ["2", "Homs", 'He said "yes".\nThen left.', "2018"]]
    read, problems = rows_of(table(rows, csv.QUOTE_ALL))
    assert problems == []
    assert [cells for _, cells in read] == rows
    assert [line for line, _ in read] == [1, 2, 5]


def test_multi_line_cells_after_a_runaway_quote_are_read():
    rows = [HEADER] + [[str(n), f"T{n}", f"Para {n}.\nMore {n}.", "2017"] for n in range(1, 8)]
    text = table(rows, csv.QUOTE_ALL).replace('"T3"', '"T3', 1)
    read, problems = rows_of(text)
    assert [cells[0] for _, cells in read] == ["id", "1", "2", "4", "5", "6", "7"]
    assert [line for line, _ in problems] == [6]


def test_a_twenty_row_csv_with_an_unclosed_quote_in_row_five(tmp_path):
    """The issue's case: "Indexed 5 articles from 5 records … 0 errors", #5's title held rows 5-20."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "news.csv").write_text(broken(table([HEADER, *ROWS]), 6, "Title 5"), encoding="utf-8")
    done = CliRunner().invoke(cli, ["index", str(src), "--index", str(tmp_path / "ix")])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Indexed 19 articles from 19 records") and "; 1 error" in done.stdout
    assert done.stderr == ("rasm: skipped news.csv:6: a quote opened in this row runs on into line 7: "
                           "the row is skipped, the rows from line 7 on are read\n")
    titles = {a.id: a.title for a in iter_articles([src])}
    assert titles["news.csv#6"] == "Title 6" and "news.csv#5" not in titles
