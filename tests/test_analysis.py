"""Tokenizer and filters: (description, input, expected tokens with offsets), one row per rule."""

from pathlib import Path

import pytest

from search.analysis import (
    LATIN_PARTICLES,
    TOKEN_PATTERN,
    ArticleFilter,
    CharNormalizeFilter,
    ExactFoldFilter,
    FieldAnalyzer,
    PossessiveFilter,
    RasmTokenizer,
    exact_analyzer,
    fold_arabic,
    key_analyzer,
    key_terms,
)


def run(analyzer, text, mode="index"):
    return [(t.text, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True, mode=mode)]


def positions(analyzer, text, mode="index"):
    out = {}
    for t in analyzer(text, positions=True, mode=mode):
        out.setdefault(t.pos, []).append(t.text)
    return [out[p] for p in sorted(out)]


TOKENIZER = [
    ("plain words", "Deir Ezzor", [("Deir", 0, 4), ("Ezzor", 5, 10)]),
    ("hyphenated article stays with the name", "al-Mayadin city",
     [("al-Mayadin", 0, 10), ("city", 11, 15)]),
    ("sun-letter article", "Deir ez-Zor", [("Deir", 0, 4), ("ez-Zor", 5, 11)]),
    ("free-standing Al", "Al Raqqa", [("Al Raqqa", 0, 8)]),
    ("other hyphens split", "Mayadeen-Abu Kamal",
     [("Mayadeen", 0, 8), ("Abu", 9, 12), ("Kamal", 13, 18)]),
    ("inner apostrophe kept", "Da'ish and Dar’a", [("Da'ish", 0, 6), ("and", 7, 10), ("Dar’a", 11, 16)]),
    ("tashkeel stays inside the Arabic token", "إِدْلِب", [("إِدْلِب", 0, 7)]),
    ("Arabic words", "دير الزور", [("دير", 0, 3), ("الزور", 4, 9)]),
    ("punctuation dropped", "(Homs), Hama.", [("Homs", 1, 5), ("Hama", 8, 12)]),
    # the article in scholarly letters, and before a name's ʿayn
    ("scholarly article apart", "Aş Şūrah aş Şaghīrah", [("Aş Şūrah", 0, 8), ("aş Şaghīrah", 9, 20)]),
    ("scholarly article joined", "Aṭ-Ṭayyibah", [("Aṭ-Ṭayyibah", 0, 11)]),
    ("article before an ʿayn", "Al ‘Ashārah and al-‘Ashara",
     [("Al ‘Ashārah", 0, 11), ("and", 12, 15), ("al-‘Ashara", 16, 26)]),
    # the English-spelled sun-letter forms, before their own consonant and a small letter
    ("An before its N", "An Najaf and As Sukhnah",
     [("An Najaf", 0, 8), ("and", 9, 12), ("As Sukhnah", 13, 23)]),
    ("An before another letter, or an acronym", "An Raqqa, An NGO",
     [("An", 0, 2), ("Raqqa", 3, 8), ("An", 10, 12), ("NGO", 13, 16)]),
    ("As before an English word", "As Secretary, At Tuesday's",
     [("As", 0, 2), ("Secretary", 3, 12), ("At", 14, 16), ("Tuesday's", 17, 26)]),
    ("lower-case as is English", "such as Syria", [("such", 0, 4), ("as", 5, 7), ("Syria", 8, 13)]),
    ("lower-case ad, an inside a name", "Tall ad Daman, ‘Ayn an Nasr",
     [("Tall", 0, 4), ("ad Daman", 5, 13), ("Ayn", 16, 19), ("an Nasr", 20, 27)]),
    ("lower-case an before an acronym or another letter", "an NGO, an Raqqa",
     [("an", 0, 2), ("NGO", 3, 6), ("an", 8, 10), ("Raqqa", 11, 16)]),
    ("Āl (family) is no article", "Āl al Bayt", [("Āl", 0, 2), ("al Bayt", 3, 10)]),
]


@pytest.mark.parametrize("rule,text,expected", TOKENIZER, ids=[r[0] for r in TOKENIZER])
def test_tokenizer(rule, text, expected):
    assert run(RasmTokenizer(), text) == expected


FILTERS = [
    ("NFKC and tashkeel/tatweel removed", CharNormalizeFilter(), "إِدْلِـب",
     [("إدلب", 0, 8)]),
    ("Arabic presentation forms", CharNormalizeFilter(), "ﺣﻤﺺ", [("حمص", 0, 3)]),
    ("possessive 's", PossessiveFilter(), "Assad's army",
     [("Assad", 0, 7), ("army", 8, 12)]),
    ("curly possessive", PossessiveFilter(), "Assad’s", [("Assad", 0, 7)]),
    ("Latin article, offsets kept", ArticleFilter(), "al-Mayadin", [("Mayadin", 0, 10)]),
    ("ash- article", ArticleFilter(), "ash-Shaddadi", [("Shaddadi", 0, 12)]),
    ("free-standing El", ArticleFilter(), "El Assad", [("Assad", 0, 8)]),
    ("Arabic article", ArticleFilter(), "الرقة", [("رقة", 0, 5)]),
    ("wa + article", ArticleFilter(), "والرقة", [("رقة", 0, 6)]),
    ("li + article", ArticleFilter(), "للرقة", [("رقة", 0, 5)]),
    ("bi + article", ArticleFilter(), "بالميادين", [("ميادين", 0, 9)]),
    ("index time takes a word as written", ArticleFilter(clitics=True), "وحمص", [("وحمص", 0, 4)]),
    ("Latin folded", ExactFoldFilter(), "Ḥomṣ", [("homs", 0, 4)]),
    ("Arabic letter forms unified", ExactFoldFilter(), "أسد مؤتة إلى",
     [("اسد", 0, 3), ("موته", 4, 8), ("الي", 9, 12)]),
]


@pytest.mark.parametrize("rule,flt,text,expected", FILTERS, ids=[r[0] for r in FILTERS])
def test_filter(rule, flt, text, expected):
    assert run(RasmTokenizer() | flt, text) == expected


def test_arabic_query_word_also_looks_behind_clitics():
    got = [t for t, _, _ in run(RasmTokenizer() | ArticleFilter(clitics=True), "حمص", mode="query")]
    assert got[0] == "حمص" and {"وحمص", "بحمص", "لحمص", "فحمص", "كحمص", "وبحمص"} <= set(got)


def test_arabic_query_word_with_article_takes_no_clitic_guesses():
    # "الرقة" must not find "ورقة" (paper)
    assert run(RasmTokenizer() | ArticleFilter(clitics=True), "الرقة", mode="query") == [("رقة", 0, 5)]


KEY_TERMS = [
    ("Latin name: its key", "Homs", True, False, ("hams",)),
    ("English word, not a name", "homes", False, False, ("=homes",)),
    ("English word shown to be a name", "Sham", True, False, ("$am",)),
    ("acronym of capitals", "IS", False, False, ("#is",)),
    ("long capitals are a word", "ISIS", False, False, ("asas",)),
    ("digits are exact", "2017", False, False, ("=2017",)),
    ("Arabic: its key", "حمص", False, False, ("@hms",)),
    ("glued article read both ways", "Ezzor", True, False, ("azar", "zar")),
    ("not Ass-: Assad is no as-Sad", "Assad", True, False, ("asad",)),
    ("contraction is English", "don't", False, False, ("=don't",)),
    ("query: a Latin name brings its Arabic forms", "Homs", True, True,
     ("hams", "@hms", "@@hms", "@hums", "@@hums")),
    ("query: an Arabic word brings its Latin forms", "حمص", False, True,
     ("@hms", "hms", "hmas", "hams", "hamas")),
    ("query: an acronym brings none", "ISIS", False, True, ("asas",)),
]


@pytest.mark.parametrize("rule,text,named,query,expected", KEY_TERMS, ids=[r[0] for r in KEY_TERMS])
def test_key_terms(rule, text, named, query, expected):
    assert key_terms(text, named, query) == expected


def test_capitals_at_sentence_start_are_not_names():
    # "Homes" opens a sentence: an English word; "Hums" inside one: a name
    got = positions(key_analyzer(), "Homes burned. The Hums front.")
    assert got[0] == ["=homes"]
    assert got[3] == ["hams"]


def test_titles_treat_capitals_as_headline_case():
    assert positions(key_analyzer(headline=True), "Homes Destroyed In Homs")[0] == ["=homes"]


def test_query_capitals_mean_a_name():
    assert positions(key_analyzer(), "Hums", mode="query")[0][0] == "hams"
    assert positions(key_analyzer(), "hums", mode="query") == [["=hums"]]


@pytest.mark.parametrize("article", [f"near {name} city" for name in (
    "Deir ez-Zor", "Dayr az-Zawr", "Deir Ezzor", "Deir ez Zor", "Deir al-Zour", "Deir Ezour")])
def test_variant_spellings_meet_in_the_key_field(article):
    query = positions(key_analyzer(), "Deir ez-Zor", mode="query")
    got = positions(key_analyzer(), article)[1:3]
    assert all(set(q) & set(d) for q, d in zip(query, got, strict=True))


def test_a_word_before_an_article_word_is_marked():
    # "Bab" in "Bab al-Hawa" is not the town al-Bab
    assert positions(key_analyzer(), "Bab al-Hawa near al-Bab")[0] == [">bab"]
    assert positions(key_analyzer(), "al-Bab", mode="query")[0][:1] == ["bab"]
    assert ">bab" not in positions(key_analyzer(), "al-Bab", mode="query")[0]
    assert ">bab" in positions(key_analyzer(), "Bab", mode="query")[0]


def test_arabic_and_latin_meet_across_scripts():
    lat = positions(key_analyzer(), "near al-Mayadin", mode="query")[1]
    ar = positions(key_analyzer(), "قرب الميادين")[1]
    assert ar == ["@@myadin"] and "@@myadin" in lat
    assert "@myadin" not in lat  # "al-" asks for the form with the article


def test_arabic_article_is_kept_apart():
    assert positions(key_analyzer(), "القريتين قريتين") == [["@@kritin"], ["@kritin"]]
    assert positions(exact_analyzer(), "القريتين قريتين") == [["القريتين"], ["قريتين"]]
    assert positions(exact_analyzer(), "والقريتين") == [["القريتين"]]  # the clitic goes, the article stays
    assert positions(exact_analyzer(), "القريتين", mode="query") == [["القريتين"]]
    # typed without the article, a word looks for both forms (and behind a clitic)
    assert {"قريتين", "القريتين", "وقريتين"} <= set(positions(exact_analyzer(), "قريتين", mode="query")[0])


@pytest.mark.parametrize("text,kept", [
    ("the Bank of Japan said", ["bank", "japan"]),
    ("The Hague", ["the", "hague"]),  # capitalised: kept
    ("قصف في حمص على الطريق", ["قصف", "حمص", "الطريق"]),
    ("علي", ["علي"]),  # Ali, not على ("on")
])
def test_common_words_take_no_position(text, kept):
    for analyzer in (exact_analyzer(), key_analyzer(), FieldAnalyzer()):
        for mode in ("index", "query"):
            taken = {t.pos for t in analyzer(text, positions=True, mode=mode)}
            assert taken == set(range(len(kept))), (analyzer, mode)
    assert [p[0] for p in positions(exact_analyzer(), text)] == [fold_arabic(w) for w in kept]


def test_exact_analyzer_positions_match_key_analyzer():
    text = "Homs, al-Mayadin and والرقة وحمص on 5 Oct"
    assert len(positions(exact_analyzer(), text)) == len(positions(key_analyzer(), text))


def test_key_fields_take_no_clitic_guesses():
    assert positions(key_analyzer(), "فرقة") == [["@frka"]]


def test_a_slipped_vowel_never_lands_on_an_english_word():
    # "Qaryatan" one vowel short is "kartan", the key of "certain"
    assert "kartan" not in key_terms("Qaryatayn", True, True)


def test_a_long_name_also_finds_its_possessive_without_apostrophe():
    assert key_terms("Hezbollahs", True)[0] in key_terms("Hezbollah", True, True)
    # not for short names: "Hama" must not find "Hamas"
    assert key_terms("Hamas", True)[0] not in key_terms("Hama", True, True)


def test_an_arabic_query_word_finds_latin_words_in_construct_state():
    # "دير الزور" must find "Deir el-Zour", where Deir stands before an article-word
    assert ">dar" in positions(key_analyzer(), "دير", mode="query")[0]


@pytest.mark.parametrize("make", [exact_analyzer, key_analyzer])
@pytest.mark.parametrize("headline", [False, True])
def test_remembered_words_give_the_tokens_of_the_composed_filters(make, headline):
    """The index-mode shortcut (each distinct word through the filters once) must give exactly
    what running the tokenizer and every filter over the text gives."""
    from whoosh.analysis import CompositeAnalyzer

    from search.ingest import iter_articles

    fast = make(headline)
    slow = CompositeAnalyzer(*fast.items)
    articles = list(iter_articles([Path(__file__).parent.parent / "corpus" / "seeds"]))
    texts = [a.body for a in articles] + [a.title for a in articles] + [
        "Deir ez-Zor. Bab al-Hawa and Al Raqqa; Deir ez Zor", "والرقة القريتين حمص الحمص", "Assad's ISIS"]
    for text in texts * 2:  # the second time from what was remembered
        for kw in ({"positions": True, "chars": True}, {"positions": True}):
            got = [(t.text, t.pos, getattr(t, "startchar", None)) for t in fast(text, mode="index", **kw)]
            want = [(t.text, t.pos, getattr(t, "startchar", None)) for t in slow(text, mode="index", **kw)]
            assert got == want


def test_every_latin_article_starts_with_the_letters_the_token_pattern_looks_for():
    # TOKEN_PATTERN tries the article forms only before a, e, i or u
    assert all(p[0] in "aeiu" for p in LATIN_PARTICLES)
    words = [m.group() for m in TOKEN_PATTERN.finditer("Ash-Sham, Ez-Zor, ul-Haq and Ud-Din; al Raqqa")]
    assert words == ["Ash-Sham", "Ez-Zor", "ul-Haq", "and", "Ud-Din", "al Raqqa"]


def test_field_analyzer_holds_each_words_exact_terms_and_keys_at_its_position():
    got = positions(FieldAnalyzer(), "They left their homes in Homs and الرقة, near IS.")
    exact = positions(exact_analyzer(), "They left their homes in Homs and الرقة, near IS.")
    assert len(got) == len(exact) == 7  # "their", "in", "and": not indexed
    for terms, exact_terms in zip(got, exact, strict=True):
        assert set(exact_terms) <= set(terms)
    assert got[2] == ["homes"]  # a common word's key is the word: indexed once
    assert any(t.startswith("~") for t in got[3])  # "Homs": its sound key beside its spelling
    assert any(t.startswith("@@") for t in got[4]) and "الرقه" in got[4]
    assert "#is" in got[6]  # the acronym, apart from the word "is"
    # a query is analysed as the exact analyzer does
    query = positions(FieldAnalyzer(), "al-Homs", mode="query")
    assert query == positions(exact_analyzer(), "al-Homs", mode="query")


@pytest.mark.parametrize("text,expected", [
    ("Aş Şūrah", [["surah"]]),          # the article in scholarly letters is stripped
    ("Al ‘Ashārah", [["asharah"]]),     # and the ʿayn after it, however it is written
    ("Al ʿAshara", [["ashara"]]),
    ("An Najaf", [["najaf"]]),          # an English-spelled sun-letter article
    ("As Secretary", [["as"], ["secretary"]]),  # no article before an English word
    ("Tall ad Daman", [[">tall"], ["daman"]]),  # small, inside a name
])
def test_the_article_is_stripped_however_it_is_written(text, expected):
    assert positions(exact_analyzer(), text) == expected
