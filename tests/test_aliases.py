"""The alias table: file parsing and its errors, acronyms, and $RASM_ALIASES read at query time."""

import os
import re

import pytest

from search.aliases import (
    DEFAULT_ALIASES,
    Alias,
    AliasFileError,
    AliasTable,
    default_aliases,
    parse_alias_file,
)
from search.searcher import parse_query, search


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def texts(aliases: list[Alias]) -> set[str]:
    return {a.text for a in aliases}


def test_parse_groups_comments_and_acronyms(tmp_path):
    file = write(tmp_path / "a.txt", "# comment\n\nHoms | حمص\n  Foo Bar|FB!|فو  \n")
    assert parse_alias_file(file) == [
        [Alias("Homs", False), Alias("حمص", False)],
        [Alias("Foo Bar", False), Alias("FB", True), Alias("فو", False)],
    ]


BAD_LINES = [
    ("one name", "Homs | حمص\n# note\nAleppo\n", 3),
    ("empty name", "Homs | | حمص\n", 1),
    ("trailing bar", "\nHoms |\n", 2),
]


@pytest.mark.parametrize("text,line", [r[1:] for r in BAD_LINES], ids=[r[0] for r in BAD_LINES])
def test_bad_group_names_file_and_line(tmp_path, text, line):
    file = write(tmp_path / "mine.txt", text)
    expected = rf"^{re.escape(str(file))}:{line}: a group needs two or more names"
    with pytest.raises(AliasFileError, match=expected):
        parse_alias_file(file)


UNREADABLE = [
    ("missing file", None),
    ("not UTF-8", b"Homs | \xff\xfe\n"),
]


@pytest.mark.parametrize("data", [r[1] for r in UNREADABLE], ids=[r[0] for r in UNREADABLE])
def test_unreadable_file_is_named(tmp_path, data):
    file = tmp_path / "mine.txt"
    if data is not None:
        file.write_bytes(data)
    with pytest.raises(AliasFileError, match=rf"^{re.escape(str(file))}: cannot read alias file"):
        parse_alias_file(file)


def test_bundled_table_parses():
    groups = parse_alias_file(DEFAULT_ALIASES)
    assert len(groups) > 40
    assert all(len(group) >= 2 for group in groups)


# (description, name looked up, aliases that must be among its others, aliases that must not)
OTHERS = [
    ("IS in capitals is the acronym", "IS", {"ISIS", "Daesh", "داعش"}, {"IS"}),
    ("lower-case is is a word", "is", set(), None),
    ("capitalised Is is a word", "Is", set(), None),
    ("ISIS brings the acronym IS", "ISIS", {"IS", "Daesh"}, {"ISIS"}),
    ("a spelling variant finds its group", "Tadmor", {"Palmyra", "تدمر"}, {"Tadmur"}),
    ("an Arabic name finds the Latin ones", "داعش", {"ISIS", "Daesh"}, {"داعش"}),
    ("HTS in capitals", "HTS", {"Hayat Tahrir al-Sham"}, set()),
    ("hts in lower case", "hts", set(), None),
]


@pytest.mark.parametrize("name,present,absent", [r[1:] for r in OTHERS], ids=[r[0] for r in OTHERS])
def test_others(name, present, absent):
    found = texts(default_aliases().others(name))
    if absent is None:
        assert found == set()
    else:
        assert present <= found
        assert not absent & found


def test_acronym_alias_is_flagged():
    assert Alias("IS", True) in default_aliases().others("ISIS")


def test_table_built_from_groups():
    table = AliasTable([[Alias("Foo", False), Alias("Qux", False)]])
    assert texts(table.others("foo")) == {"Qux"}
    assert table.others("Bar") == []


def _touch_later(path, seconds: int) -> None:
    # mtime decides when the file is read again; move it on explicitly so that
    # two writes within one clock tick of the file system still count as a change
    stamp = os.stat(path).st_mtime_ns + seconds * 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_rasm_aliases_file_is_read_again_when_it_changes(tmp_path, monkeypatch, names_index):
    mine = write(tmp_path / "mine.txt", "Raqqa | Zanzibar\n")
    monkeypatch.setenv("RASM_ALIASES", str(mine))
    assert texts(default_aliases().others("Zanzibar")) == {"Raqqa"}
    assert {h.id for h in search(names_index.path, "Zanzibar").hits} == {"reports.jsonl#r6"}

    write(mine, "Daraa | Zanzibar\n")
    _touch_later(mine, 1)
    assert texts(default_aliases().others("Zanzibar")) == {"Daraa"}
    assert {h.id for h in search(names_index.path, "Zanzibar").hits} == {"reports.jsonl#r5"}

    monkeypatch.delenv("RASM_ALIASES")
    assert default_aliases().others("Zanzibar") == []


def test_bad_rasm_aliases_file_fails_the_query(tmp_path, monkeypatch):
    mine = write(tmp_path / "mine.txt", "Raqqa\n")
    monkeypatch.setenv("RASM_ALIASES", str(mine))
    with pytest.raises(AliasFileError, match=rf"{re.escape(str(mine))}:1:"):
        parse_query("Raqqa")
    monkeypatch.setenv("RASM_ALIASES", str(tmp_path / "missing.txt"))
    with pytest.raises(AliasFileError, match="missing.txt: cannot read alias file"):
        default_aliases()


def test_rasm_gazetteer_replaces_the_bundled_one_and_empty_is_none(tmp_path, monkeypatch):
    assert texts(default_aliases().others("Gaziantep")) >= {"عنتاب"}  # the bundled one
    mine = write(tmp_path / "places.tsv", "# my places\nZanzibar\tTZ\tزنجبار | زنزبار\n")
    monkeypatch.setenv("RASM_GAZETTEER", str(mine))
    assert texts(default_aliases().others("Zanzibar")) == {"زنجبار", "زنزبار"}
    assert {a.source for a in default_aliases().others("Zanzibar")} == {"gazetteer"}
    assert default_aliases().others("Gaziantep") == []
    monkeypatch.setenv("RASM_GAZETTEER", "")
    assert default_aliases().others("Zanzibar") == []
    assert default_aliases().others("Gaziantep") == []


@pytest.mark.parametrize("line", ["Zanzibar\tTZ", "Zanzibar\tTZ\t", "Zanzibar\tTZ\tزنجبار |"])
def test_bad_rasm_gazetteer_line_is_named_by_file_and_line(tmp_path, monkeypatch, line):
    mine = write(tmp_path / "places.tsv", "# my places\n" + line + "\n")
    monkeypatch.setenv("RASM_GAZETTEER", str(mine))
    with pytest.raises(AliasFileError, match=rf"^{re.escape(str(mine))}:2: a place needs"):
        default_aliases()


def test_missing_rasm_gazetteer_is_named_as_a_gazetteer(tmp_path, monkeypatch):
    monkeypatch.setenv("RASM_GAZETTEER", str(tmp_path / "places.tsv"))
    with pytest.raises(AliasFileError, match="places.tsv: cannot read gazetteer"):
        default_aliases()


def test_exact_queries_do_not_read_the_alias_file(tmp_path, monkeypatch):
    monkeypatch.setenv("RASM_ALIASES", str(tmp_path / "missing.txt"))
    assert parse_query("Raqqa", expand=False).patterns


def test_gazetteer_gives_places_their_arabic_names():
    table = default_aliases()
    gaz = {a.text for a in table.others("Gaziantep") if a.source == "gazetteer"}
    assert {"عنتاب", "غازي عنتاب"} <= gaz
    assert "Gaziantep" in {a.text for a in table.others("عنتاب")}


def test_gazetteer_arabic_name_found_unless_the_archive_uses_it_as_a_common_word(tmp_path):
    import json

    from search.index import build_index
    from search.searcher import search

    rows = [{"id": "ant", "title": "قصف", "text": "سقطت قذائف على عنتاب أمس."},
            {"id": "fields", "title": "رياضة", "text": "في جميع الميادين وميادين القتال."},
            {"id": "town", "title": "معارك", "text": "دخل الجيش الميادين."},
            {"id": "sq", "title": "احتفالات", "text": "امتلأت ميادين المدينة بالناس."},
            {"id": "sq2", "title": "مظاهرات", "text": "أغلقت الشرطة ميادين العاصمة."}]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                              encoding="utf-8")
    build_index([tmp_path / "src"], tmp_path / "ix")
    hit = {h.id: h for h in search(tmp_path / "ix", "Gaziantep").hits}
    assert set(hit) == {"a.jsonl#ant"}
    assert [(m.text, m.via) for m in hit["a.jsonl#ant"].matched] == [("عنتاب", "gazetteer")]
    # الميادين is written with and without the article here, in two articles each way: a common
    # word, not guessed from Latin
    mayadin = search(tmp_path / "ix", "Mayadin")
    assert mayadin.hits == []
    assert mayadin.expansions == {}  # and not claimed as searched
    # only the names the archive has are searched (and said to be): not غازي عنتاب
    assert search(tmp_path / "ix", "Gaziantep").expansions == {"Gaziantep": ["عنتاب"]}
