"""Tests for search.ingest: every format, broken bytes, problems reported, the bundled corpus."""

import datetime as dt
from pathlib import Path

import pytest

from search.boilerplate import is_boilerplate, load_patterns
from search.dates import find_date, parse_date
from search.ingest import SUPPORTED_SUFFIXES, Article, IngestProblem, iter_articles, read_file

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
CORPUS = Path(__file__).parent.parent / "corpus"
EXPECTED_BODY_COLUMNS = "text, body, content, article_content"
NO_TITLE_NOR_BODY = f"row has neither title nor body (expected a body in one of: {EXPECTED_BODY_COLUMNS})"


def ingest(*paths: Path) -> tuple[list[Article], list[IngestProblem]]:
    problems: list[IngestProblem] = []
    return list(iter_articles(paths, problems.append)), problems


def ingest_bytes(tmp_path: Path, name: str, data: bytes) -> tuple[list[Article], list[IngestProblem]]:
    file = tmp_path / name
    file.write_bytes(data)
    return ingest(file)


@pytest.fixture(scope="module")
def fixtures() -> dict[str, Article]:
    articles, _ = ingest(FIXTURES)
    return {article.id: article for article in articles}


# One article per format: (doc id, field, expected value)
FORMAT_ROWS = [
    ("article.txt", "title", "Army Retakes Town Near Palmyra"),
    ("article.txt", "date", dt.datetime(2016, 3, 2)),
    ("article.txt", "author", "Jane Doe"),
    ("article.txt", "source", "SANA"),
    (
        "article.txt",
        "body",
        "The Syrian army retook the town of Al-Qaryatayn on Sunday,\nstate media said, after a week of "
        "fighting.\n\nResidents began returning to their homes, a local official told reporters.",
    ),
    ("article.md", "title", "Aid Convoy Reaches Madaya"),
    ("article.md", "date", dt.datetime(2017, 10, 5)),
    (
        "article.md",
        "body",
        "A convoy of UN trucks reached the besieged town of Madaya on Thursday.\n\nBackground\n\n"
        "The town has been under siege since July 2015, residents say.",
    ),
    ("article.html", "title", "Ceasefire holds in Aleppo"),
    ("article.html", "date", dt.datetime(2016, 9, 13, 5, 30)),
    ("article.html", "source", "Example Times"),
    ("article.html", "url", "https://example.org/aleppo-ceasefire"),
    ("article.html", "author", "Sam Reporter"),
    (
        "article.html",
        "body",
        "The truce brokered by Russia & the United States held on its first night.\n\n"
        "Residents of eastern Aleppo reported calm,\nthough aid had not yet arrived.\n\n"
        "Day one: calm\n\nDay two: sporadic shelling",
    ),
    ("object.json", "title", "Russian jets strike convoy near Deir Ezzor"),
    (
        "object.json",
        "body",
        "Russian aircraft struck an ISIS convoy, the ministry said.\n\nForty vehicles were destroyed.",
    ),
    ("object.json", "date", dt.datetime(2017, 4, 7, 4, 40)),
    ("object.json", "url", "https://example.org/tass-4562"),
    ("object.json", "author", "TASS staff"),
    ("object.json", "source", "TASS"),
    (
        "object.json",
        "meta",
        {
            "id": "tass-4562",
            "tags": '["Deir Ezzor","ISIS"]',
            "place": '{"city":"Deir Ezzor","verified":true}',
            "word_count": "12",
        },
    ),
    ("list.json#a1", "date", dt.datetime(2016, 3, 15)),
    ("list.json#a1", "path", "list.json"),
    ("list.json#2", "title", "Headline only, no body yet"),
    ("list.json#2", "body", ""),
    ("list.json#2", "meta", {"date": "not a date"}),
    ("rows.jsonl#j-1", "date", dt.datetime(2016, 1, 25, 9, 15)),
    ("rows.jsonl#4", "title", "Evacuation of eastern Aleppo"),
    ("rows.jsonl#4", "date", dt.datetime(2016, 12, 15)),
    (
        "rows.csv#102",
        "body",
        "First paragraph of the report.\n\nSecond paragraph, after a blank line inside the quotes.",
    ),
    ("rows.csv#102", "date", dt.datetime(2016, 7, 10)),
    ("rows.csv#102", "source", "sana"),
    ("rows.csv#102", "meta", {"Location": "aleppo"}),
    ("rows.csv#104", "body", ""),
]


@pytest.mark.parametrize(("doc_id", "attribute", "expected"), FORMAT_ROWS)
def test_each_format_reads_its_fields(fixtures, doc_id, attribute, expected):
    assert getattr(fixtures[doc_id], attribute) == expected


def test_html_leaves_out_scripts_navigation_and_page_furniture(fixtures):
    body = fixtures["article.html"].body
    for furniture in ("Mayadin", "font-family", "Home", "Most read", "Search the site", "Copyright"):
        assert furniture not in body


def test_fixture_folder_yields_every_row_and_reports_the_bad_ones():
    articles, problems = ingest(FIXTURES)
    assert [article.id for article in articles] == [
        "article.html",
        "article.md",
        "article.txt",
        "list.json#a1",
        "list.json#2",
        "object.json",
        "rows.csv#101",
        "rows.csv#102",
        "rows.csv#104",
        "rows.csv#101",  # a repeated id is yielded again: the indexer keeps the later row
        "rows.jsonl#j-1",
        "rows.jsonl#4",
    ]
    assert [str(problem) for problem in problems] == [
        "list.json:3: the date 'not a date' is not understood: the article is kept undated",
        f"list.json:4: item 3: {NO_TITLE_NOR_BODY}",
        "list.json:5: item 4: expected a JSON object, found str",
        f"rows.csv:6: {NO_TITLE_NOR_BODY}",
        "rows.jsonl:3: malformed JSON at column 37: Unterminated string starting at",
    ]
    assert [p.kept for p in problems] == [True, False, False, False, False]  # a warning: indexed


def test_malformed_json_file_names_the_line(tmp_path):
    articles, problems = ingest_bytes(tmp_path, "bad.json", b'{\n  "title": "x",\n  "body": \n}\n')
    assert articles == []
    assert [(problem.path, problem.line) for problem in problems] == [("bad.json", 4)]
    assert problems[0].reason.startswith("malformed JSON")


def test_csv_without_title_column_takes_title_from_body(tmp_path):
    long_sentence = "Government forces " + "and allied militias " * 12 + "advanced on Mayadin"
    data = f'id,text\n1,The army entered the city on Friday. Residents fled.\n2,"{long_sentence}"\n'
    articles, problems = ingest_bytes(tmp_path, "no_title.csv", data.encode())
    assert problems == []
    assert articles[0].title == "The army entered the city on Friday"
    assert articles[1].title.endswith("…")
    assert len(articles[1].title) <= 121
    assert long_sentence.startswith(articles[1].title[:-1])
    assert articles[1].title[-2] != " "


def test_csv_without_body_column_is_one_problem(tmp_path):
    articles, problems = ingest_bytes(tmp_path, "no_body.csv", b"id,title\n1,Only a title\n2,Another\n")
    assert articles == []
    assert [str(problem) for problem in problems] == [
        f"no_body.csv: no body column (expected one of: {EXPECTED_BODY_COLUMNS})"
    ]


# Bytes that are not plain UTF-8: (file name, bytes, expected title, expected body)
ENCODING_ROWS = [
    (
        "cp1252_bytes.csv",
        b'id,title,text\n7,Strike\x92s toll,"Residents said \x95 the toll rose to 40."\n',
        "Strike’s toll",
        "Residents said • the toll rose to 40.",
    ),
    (
        "cp1252_bytes.txt",
        b"Convoy Hit Near Homs\n\nThe army\x92s convoy \x95 was hit on Monday.\n",
        "Convoy Hit Near Homs",
        "The army’s convoy • was hit on Monday.",
    ),
    (
        "utf16.txt",
        "قصف على حلب\n\nقالت مصادر محلية إن الطائرات قصفت المدينة.\n".encode("utf-16"),
        "قصف على حلب",
        "قالت مصادر محلية إن الطائرات قصفت المدينة.",
    ),
    (
        "utf8_bom.csv",
        "id,title,text\n1,Bom header,Body text.\n".encode("utf-8-sig"),
        "Bom header",
        "Body text.",
    ),
    (
        "cp1256.txt",
        (
            "قصف على حلب\n\nقالت مصادر محلية إن الطائرات قصفت الأحياء الشرقية من مدينة حلب صباح اليوم، "
            "وأدى القصف إلى سقوط عدد من الضحايا بين المدنيين.\n"
        ).encode("cp1256"),
        "قصف على حلب",
        "قالت مصادر محلية إن الطائرات قصفت الأحياء الشرقية من مدينة حلب صباح اليوم، "
        "وأدى القصف إلى سقوط عدد من الضحايا بين المدنيين.",
    ),
    (
        "latin1.txt",
        "Réfugiés à Alep\n\nLes habitants déplacés espèrent rentrer bientôt à Alep, où la sécurité "
        "reste fragile après les bombardements.\n".encode("latin-1"),
        "Réfugiés à Alep",
        "Les habitants déplacés espèrent rentrer bientôt à Alep, où la sécurité reste fragile après "
        "les bombardements.",
    ),
    (
        "decomposed.txt",
        "Cafe\u0301 in Homs\n\nNFC joins e and its accent.\n".encode(),
        "Café in Homs",
        "NFC joins e and its accent.",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "title", "body"), ENCODING_ROWS, ids=[row[0] for row in ENCODING_ROWS]
)
def test_encodings_are_decoded_and_bad_bytes_repaired(tmp_path, name, data, title, body):
    articles, problems = ingest_bytes(tmp_path, name, data)
    assert problems == []
    assert [(article.title, article.body) for article in articles] == [(title, body)]


# Files with nothing to index: (file name, bytes, reason)
UNREADABLE_ROWS = [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"  \n\n\t\n", "empty file"),
    ("empty.csv", b"", "empty file"),
    ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary file, skipped"),
    ("scalar.json", b"42", "JSON holds neither an object nor a list of objects"),
]


@pytest.mark.parametrize(("name", "data", "reason"), UNREADABLE_ROWS, ids=[row[0] for row in UNREADABLE_ROWS])
def test_unreadable_files_are_reported_once(tmp_path, name, data, reason):
    articles, problems = ingest_bytes(tmp_path, name, data)
    assert articles == []
    assert [str(problem) for problem in problems] == [f"{name}: {reason}"]


def test_folders_are_walked_sorted_skipping_hidden_unsupported_and_corpus_docs(tmp_path):
    for name in ("b.txt", "a/c.md", "a/z/d.txt", ".hidden/x.txt", ".secret.txt", "notes.docx", "README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"Title of {name}\n\nBody of {name}.\n", encoding="utf-8")
    articles, problems = ingest(tmp_path)
    assert problems == []
    assert [(article.id, article.path) for article in articles] == [
        ("a/c.md", "a/c.md"),
        ("a/z/d.txt", "a/z/d.txt"),
        ("b.txt", "b.txt"),
    ]
    # A file given directly is relative to its own folder, and is read even if unsupported.
    articles, problems = ingest(tmp_path / "a" / "c.md", tmp_path / "notes.docx", tmp_path / "missing")
    assert [article.id for article in articles] == ["c.md"]
    assert [str(problem) for problem in problems] == [
        f"notes.docx: unsupported file type (expected one of: {', '.join(SUPPORTED_SUFFIXES)})",
        f"{(tmp_path / 'missing').as_posix()}: no such file or folder",
    ]


def test_read_file_reads_one_file_relative_to_a_root():
    articles = list(read_file(FIXTURES / "rows.jsonl", FIXTURES.parent))
    assert [article.id for article in articles] == ["ingest/rows.jsonl#j-1", "ingest/rows.jsonl#4"]


def test_problem_reads_as_path_line_reason():
    assert str(IngestProblem("a/b.csv", 12, "row has no body")) == "a/b.csv:12: row has no body"
    assert str(IngestProblem("a/b.csv", None, "empty file")) == "a/b.csv: empty file"


DATE_ROWS = [
    ("4/5/17", dt.datetime(2017, 4, 5)),
    ("12/31/2016", dt.datetime(2016, 12, 31)),
    ("2015-07-21 02:51:32", dt.datetime(2015, 7, 21, 2, 51, 32)),
    ("2017-10-08T12:00:00Z", dt.datetime(2017, 10, 8, 12)),
    ("2016-09-13T08:30:00+03:00", dt.datetime(2016, 9, 13, 5, 30)),
    ("2017/10/08", dt.datetime(2017, 10, 8)),
    ("Wed, 05 Apr 2017 10:00:00 +0000", dt.datetime(2017, 4, 5, 10)),
    ("Global Research, October 07, 2017", dt.datetime(2017, 10, 7)),
    ("date 2017-10-08 Posted on by martyrashrakat", dt.datetime(2017, 10, 8)),
    ("Fri 07 Apr 2017 at 0914 Homs governor says", dt.datetime(2017, 4, 7)),
    ("[South Front] 5 October 2017", dt.datetime(2017, 10, 5)),
    ("Sept. 5, 2017", dt.datetime(2017, 9, 5)),
    ("5th of October 2017", dt.datetime(2017, 10, 5)),
    ("", None),
    ("12345", None),
    ("version 2.0.1", None),
    ("killed 70, wounded 2017", None),
    ("1/2", None),
    ("on March 5", None),
    ("13/45/17", None),
    ("February 30, 2017", None),
    ("1 January 2150", None),
    ("Page 3 of 12", None),
    ("20,000 people fled", None),
]


@pytest.mark.parametrize(("value", "expected"), DATE_ROWS)
def test_parse_date_accepts_only_explicit_dates(value, expected):
    assert parse_date(value) == expected


def test_find_date_gives_the_span_it_read():
    line = "Global Research, October 07, 2017"
    found = find_date(line)
    assert found is not None
    assert line[found.start : found.end] == "October 07, 2017"
    assert find_date("300 ISIS members came from Rukban on September 28") is None


BOILERPLATE_ROWS = [
    # (line, is boilerplate)
    ("If you’re able, and if you like our content and approach, please support the project. Our work", True),
    (
        "wouldn't be possible without your help: PayPal: southfront@list.ru or via: <http://x.org/donate/>",
        True,
    ),
    ("Disclaimer: The contents of this article are of sole responsibility of the author(s).", True),
    ("Copyright © South Front, South Front, 2017", True),
    ("Support Russia Insider - Go Ad-Free!", True),
    ("Our commenting rules: You can say pretty much anything except the F word.", True),
    ("Share this page with your friends on your favorite social network:", True),
    ("Join us on our Social Networks:", True),
    ("For media inquiries: publications@globalresearch.ca", True),
    ("www.globalresearch.ca contains copyrighted material the use of which has not always been", True),
    ("The original source of this article is South Front", True),
    ("Comment on Global Research Articles on our Facebook page", True),
    ("Become a Member of Global Research", True),
    ("Articles by: South Front", True),
    ("VISIT MY NEW WEB SITE: (Home - Stephen Lendman). Contact at", True),
    ('My newest book as editor and contributor is titled "Flashpoint in Ukraine".', True),
    (
        "Listen to cutting-edge discussions with distinguished guests on the Progressive Radio News Hour.",
        True,
    ),
    ("Region: Middle East & North Africa", True),
    ("Theme: Terrorism, US NATO War Agenda", True),
    ("In-depth Report: SYRIA", True),
    ("Featured image is from Zero Hedge.", True),
    ("Read more: Madaya timeline", True),
    ("Related:", True),
    ("Follow us on Twitter", True),
    ("Sign up for our newsletter", True),
    ("• Tags: Syria, Aleppo", True),
    ("Separately, the SAA pushed towards the ISIS-held town of Mayadin in the Euphrates Valley.", False),
    ("Copyright law in Syria was amended in 2013, the minister said.", False),
    ("Donated food reached Madaya on Thursday.", False),
    ("Related reports said 40 people died.", False),
    ("Please note that the army denied the report.", False),
    ("Regional officials said the road was reopened.", False),
    ("Homes were destroyed in the shelling.", False),
    ("Sources: a senior commander and two residents", False),
    ("Wed 05 Apr 2017 Follow Copyright © 2018 TRT " + "news " * 300, False),
]


@pytest.mark.parametrize(("line", "expected"), BOILERPLATE_ROWS)
def test_boilerplate_lines(line, expected):
    assert is_boilerplate(line) is expected


def test_boilerplate_file_rejects_a_pattern_that_matches_everything(tmp_path):
    patterns = tmp_path / "patterns.txt"
    patterns.write_text("# comment\ndisclaimer:\n.*\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"patterns.txt:3: pattern '\.\*' matches an empty line"):
        load_patterns(patterns)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Article], list[IngestProblem]]:
    return ingest(CORPUS)


def test_bundled_corpus_reads_every_row_and_seed(corpus):
    articles, problems = corpus
    assert problems == []
    assert len(articles) == 809
    assert len({article.id for article in articles}) == 797
    assert sum(article.id.startswith("fakes.csv#") for article in articles) == 804
    assert all(article.date is not None for article in articles if article.path == "fakes.csv")
    assert all(article.title and article.body == article.body.strip() for article in articles)
    assert not any("\n\n\n" in article.body for article in articles)


def test_fakes_row_fields(corpus):
    article = next(article for article in corpus[0] if article.id == "fakes.csv#1914947530")
    assert article.title == "Syria attack symptoms consistent with nerve agent use WHO"
    assert article.date == dt.datetime(2017, 4, 5)
    assert article.source == "nna"
    assert article.path == "fakes.csv"
    assert article.body.startswith(
        "Wed 05 Apr 2017 Syria attack symptoms consistent with nerve agent use WHO."
    )
    assert article.meta["location"] == "idlib"
    assert article.meta["nb_civilians"] == "70"
    assert set(article.meta) == {
        "location",
        "actor",
        "cause_of_death",
        "nb_children",
        "nb_civilians",
        "nb_noncivilians",
        "nb_women",
        "label",
    }


def test_fakes_invalid_bytes_are_read_as_cp1252(corpus):
    article = next(article for article in corpus[0] if article.id == "fakes.csv#1923102873")
    assert "medical attention. •Time is" in article.body


SEED_ROWS = [
    # (file, title, date, source, kept in body, dropped from body)
    (
        "000_e7b07514ae8db21d.txt",
        "Video: Syrian Army Strikes ISIS Near Mayadin City. Russia Accuses US of Supporting ISIS Terrorists",
        dt.datetime(2017, 10, 7),
        "South Front",
        [
            "The main obstacle faced by anti-terrorist forces",
            "near Tulul al Hayl.",
            "Voiceover by Harold Hoover",
        ],
        ["PayPal", "please support", "Disclaimer", "Global Research, October", "Region:", "Copyright", "(#)"],
    ),
    (
        "001_88469007dc2eaed0.txt",
        "ISIS terrorists have withdrawn from the city of Mayadin in the province of Deir Ezzor aimd the "
        "ongoing advance of the…",
        dt.datetime(2017, 10, 8),
        "martyrashrakat",
        ["ISIS terrorists have withdrawn from the city of Mayadin", "BEIRUT, LEBANON", "By this advance"],
        ["Posted on by", "date 2017-10-08"],
    ),
    (
        "002_94ad7819cc370785.txt",
        "Video: Syrian Army Repels Major ISIS Advance, Launches Counter-attack",
        dt.datetime(2017, 10, 3),
        "South Front",
        [
            "Separately, the SAA pushed towards the ISIS-held town of Mayadin",
            "On October 1, Omid Kabar an SDF",
        ],
        ["PayPal", "**", "contains copyrighted material", "Articles by", "For media inquiries"],
    ),
    (
        "003_3f91a585c2c884fe.txt",
        "Russia Again Says US Is Helping ISIS in Syria, Threatens to Put an End to It",
        None,
        "TASS",
        [
            "Russia claims ISIS took advantage",
            "The US support for terrorists is the main obstacle",
            "50-km zone",
        ],
        ["Source: TASS", "Support Russia Insider", "commenting rules"],
    ),
    (
        "004_0f7be89ed1860172.txt",
        "Syrian Forces Enter ISIS Stronghold in Deir Ezzor",
        None,
        "Stephen Lendman",
        ["On Friday, according to Syrian Al-Khabar television", "Russia is combating it effectively."],
        [
            "Syrian Forces Enter ISIS",
            "Written by",
            "VISIT MY NEW WEB SITE",
            "My newest book",
            "Share this page",
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "title", "date", "source", "kept", "dropped"), SEED_ROWS, ids=[r[0] for r in SEED_ROWS]
)
def test_seed_articles(corpus, name, title, date, source, kept, dropped):
    article = next(article for article in corpus[0] if article.id == f"seeds/{name}")
    assert (article.title, article.date, article.source, article.path) == (
        title,
        date,
        source,
        f"seeds/{name}",
    )
    for text in kept:
        assert text in article.body
    for text in dropped:
        assert text not in article.body


def test_seed_paragraphs_are_not_repeated(corpus):
    for article in corpus[0]:
        if article.path.startswith("seeds/"):
            paragraphs = article.body.split("\n\n")
            assert len(paragraphs) == len(set(paragraphs)), article.id


# ------------------------------------------------------------------ warnings: kept, and said so
def test_a_date_not_understood_is_said_and_the_article_kept(tmp_path):
    """`not-a-date` and `32/13/2017` became no date with "0 errors": date filters dropped them."""
    from click.testing import CliRunner

    from search.cli import cli

    src = tmp_path / "src"
    src.mkdir()
    (src / "news.csv").write_text("id,title,text,date\n1,Raqqa,Fighting in Raqqa.,not-a-date\n"
                                  "2,Homs,Shelling in Homs.,32/13/2017\n3,Hama,News from Hama.,2017-10-05\n",
                                  encoding="utf-8")
    done = CliRunner().invoke(cli, ["index", str(src), "--index", str(tmp_path / "ix")])
    assert done.exit_code == 0
    assert done.stdout.startswith("Indexed 3 articles from 3 records")
    assert "; 0 errors, 2 warnings" in done.stdout
    assert done.stderr == (
        "rasm: warning: news.csv:2: the date 'not-a-date' is not understood: the article is kept undated\n"
        "rasm: warning: news.csv:3: the date '32/13/2017' is not understood: the article is kept undated\n")
    articles = {a.id: a for a in ingest(src)[0]}
    assert articles["news.csv#1"].date is None and articles["news.csv#1"].meta["date"] == "not-a-date"
    # a warning is no error: the file is not read again and again
    done = CliRunner().invoke(cli, ["index", "--index", str(tmp_path / "ix")])
    assert "0 files read" in done.stdout and done.stderr == ""


FRONT_MATTER = """---
title: "Shelling near Deir ez-Zor"
date: 2017-10-08
source: SANA
url: https://example.org/deir
author: Jane Doe
tags: [war, deir ez-zor]
places:
  - Mayadin
  - Deir ez-Zor
---
The army advanced on Mayadin overnight, a military source said.

Fighting continued on Sunday.
"""


def test_markdown_front_matter_is_metadata_not_text(tmp_path):
    (tmp_path / "deir.md").write_text(FRONT_MATTER, encoding="utf-8")
    [article], problems = ingest(tmp_path / "deir.md")
    assert problems == []
    assert (article.title, article.date, article.source, article.url, article.author) == (
        "Shelling near Deir ez-Zor", dt.datetime(2017, 10, 8), "SANA", "https://example.org/deir", "Jane Doe")
    assert article.meta == {"tags": "war, deir ez-zor", "places": "Mayadin, Deir ez-Zor"}
    assert article.body.startswith("The army advanced on Mayadin") and "---" not in article.body
    assert "title:" not in article.body and "tags" not in article.body


# (description, the file: its second line must stay text)
NOT_FRONT_MATTER = [
    ("not closed", "---\ntitle: x\n\nThe army advanced.\n"),
    ("a rule, then prose with a colon", "---\nFighting near Homs: dozens killed\n---\nMore.\n"),
]


@pytest.mark.parametrize("text", [r[1] for r in NOT_FRONT_MATTER], ids=[r[0] for r in NOT_FRONT_MATTER])
def test_what_only_looks_like_front_matter_stays_text(tmp_path, text):
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    [article], problems = ingest(tmp_path / "a.md")
    words = text.split("\n")[1]
    assert words in article.title + "\n" + article.body


def test_a_front_matter_date_not_understood_is_a_warning(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: Raqqa\ndate: someday\n---\nFighting in Raqqa.\n",
                                   encoding="utf-8")
    [article], problems = ingest(tmp_path / "a.md")
    assert article.date is None and article.meta == {"date": "someday"}
    assert [(p.line, p.kept) for p in problems] == [(1, True)]
