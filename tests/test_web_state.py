"""The web pages keep a search's state in every link, and say what they show: facets (the
articles without a source, one outlet however it is cased), pages past the end, dates written as
the CLI takes them, ids with any character, caching, the demo corpus's credit."""

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import CORPUS

from search.index import build_index
from web import create_app

ROWS = [
    {"id": "1", "title": "Raqqa news", "text": "Fighting in Raqqa.", "source": "TASS", "date": "2017-10-02"},
    {"id": "2", "title": "Raqqa more", "text": "Shelling near Raqqa.", "source": "tass ",
     "date": "2017-10-03"},
    {"id": "3", "title": "Raqqa again", "text": "Raqqa at night.", "source": "TASS", "date": "2018-01-04"},
    {"id": "4", "title": "Raqqa, no source", "text": "Raqqa, by nobody.", "date": "2017-05-05"},
    {"id": "5", "title": "Raqqa wire", "text": "Raqqa on the wire.", "source": "Wire", "author": "wire",
     "date": "2016-01-01"},
    {"id": "6", "title": "Homs wire", "text": "Homs on the wire.", "source": "South  Front"},
    {"id": "7", "title": "Homs wire again", "text": "Homs again.", "source": "south front"},
    {"id": "line\nbreak", "title": "Raqqa odd id", "text": "Raqqa with an odd id.", "source": "Wire"},
    {"id": "50% #1?", "title": "Raqqa odder id", "text": "Raqqa with an odder id.", "source": "Wire"},
    {"id": "a/../b", "title": "Raqqa dotted id", "text": "Raqqa with a dotted id.", "source": "Wire"},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("state")
    (root / "src").mkdir()
    (root / "src" / "w.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    build_index([root / "src"], root / "ix")
    return create_app({"RASM_INDEX": str(root / "ix"), "TESTING": True}).test_client()


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="(/search\?[^"]*)"', page)]


def test_every_link_keeps_the_searchs_state(client):
    """Facet links dropped exact=1: the facet's count and what it linked to differed."""
    state = {"q": "Raqqa", "exact": "1", "since": "2017", "until": "2018-06", "sort": "date",
             "per_page": "2"}
    page = client.get("/search", query_string=state).text
    found = links(page)
    assert len(found) >= 3  # facets, the next page
    for link in found:
        args = parse_qs(urlsplit(link).query)
        for key in ("exact", "since", "until", "sort", "per_page"):
            assert args.get(key) == [state[key]], (key, link)
    facet = next(link for link in found if "source=" in link and "&page=" not in link)
    followed = client.get(facet).text
    name = parse_qs(urlsplit(facet).query)["source"][0]
    count = re.search(rf'>{re.escape(html.escape(name))}</a> <span class="n">(\d+)</span>', page).group(1)
    assert re.search(rf"{count} results? for", followed)


def test_the_articles_without_a_source_are_one_facet_that_finds_them(client):
    data = client.get("/api/search", query_string={"q": "Raqqa"}).get_json()
    assert data["facets"]["source"]["(none)"] == 1
    found = client.get("/api/search", query_string={"q": "Raqqa", "source": "(none)"}).get_json()
    assert [h["id"] for h in found["hits"]] == ["w.jsonl#4"]


def test_one_outlet_however_its_name_is_cased_or_spaced(client):
    facets = client.get("/api/search", query_string={"q": "Raqqa"}).get_json()["facets"]["source"]
    assert facets == {"Wire": 4, "TASS": 3, "(none)": 1}
    found = client.get("/api/search", query_string={"q": "Raqqa", "source": "TASS"}).get_json()
    assert found["total"] == 3
    facets = client.get("/api/search", query_string={"q": "Homs"}).get_json()["facets"]["source"]
    assert facets == {"South Front": 2}


def test_a_page_past_the_end_says_so(client):
    page = client.get("/search", query_string={"q": "Raqqa", "page": "99"}).text
    assert "Page 99 is past the end: 8 hits fill 1 page." in page
    assert "Nothing found" not in page
    data = client.get("/api/search", query_string={"q": "Raqqa", "page": "99", "per_page": "3"}).get_json()
    assert (data["total"], data["pages"], data["hits"]) == (8, 3, [])


def test_the_pages_are_counted_in_hits_with_the_copies_folded(corpus_index):
    """ISIS: 372 results, but copies of a story fold under one hit: pages counted from the
    results (38) ended in empty ones beside "372 results"."""
    client = create_app({"RASM_INDEX": str(corpus_index.path), "TESTING": True}).test_client()
    first = client.get("/api/search", query_string={"q": "ISIS"}).get_json()
    pages = first["pages"]
    assert first["total"] == 372 and pages < 38
    last = client.get("/api/search", query_string={"q": "ISIS", "page": pages}).get_json()
    assert last["hits"]
    past = client.get("/search", query_string={"q": "ISIS", "page": pages + 1}).text
    assert f"Page {pages + 1} is past the end:" in past and f"fill {pages} pages (the 372 results" in past
    assert f'page={pages}"' in past.replace("&amp;", "&")


def test_since_and_until_take_a_year_or_a_month_as_the_cli_does(client):
    dates = {"q": "Raqqa", "since": "2017", "until": "2017-10"}
    data = client.get("/api/search", query_string=dates).get_json()
    assert sorted(h["id"] for h in data["hits"]) == ["w.jsonl#1", "w.jsonl#2", "w.jsonl#4"]
    page = client.get("/search", query_string=dates).text
    assert 'name="since" value="2017-01-01"' in page and 'name="until" value="2017-10-31"' in page


def test_an_author_who_is_the_source_is_named_once(client):
    page = client.get("/article/w.jsonl%235").text
    assert page.count(">Wire</bdi>") == 1 and "wire</bdi>" not in page


def test_an_article_with_any_characters_in_its_id_opens(client):
    """An id holding a line break was listed, but its link answered 404."""
    page = client.get("/search", query_string={"q": "Raqqa", "per_page": "10"}).text
    hrefs = [html.unescape(h) for h in re.findall(r'href="(/article/[^"]*)"', page)]
    assert len(hrefs) == 8
    titles = {re.search(r"<h1[^>]*>([^<]*)</h1>", client.get(h).text).group(1) for h in hrefs}
    assert {"Raqqa odd id", "Raqqa odder id", "Raqqa dotted id"} <= titles
    dotted = next(h for h in hrefs if "dotted" not in h and "%2F..%2F" in h)  # a browser keeps it
    assert "/../" not in dotted
    for doc_id in ("w.jsonl#line\nbreak", "w.jsonl#50% #1?", "w.jsonl#a/../b"):
        api = client.get("/api/article/" + quote(doc_id, safe=""))
        assert api.status_code == 200 and api.get_json()["id"] == doc_id


def test_answers_say_how_they_may_be_cached(client):
    """The API sent no Cache-Control: a proxy could keep an answer the index has since changed."""
    assert client.get("/api/search?q=Raqqa").headers["Cache-Control"] == "no-store"
    assert client.get("/api/article/w.jsonl%231").headers["Cache-Control"] == "no-store"
    assert client.get("/search?q=Raqqa").headers["Cache-Control"] == "no-cache"
    static = client.get("/static/rasm.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_the_demo_corpus_is_credited_only_where_it_is_served(client, tmp_path):
    assert "FA-KES" not in client.get("/search?q=Raqqa").text
    build_index([CORPUS], tmp_path / "demo")
    demo = create_app({"RASM_INDEX": str(tmp_path / "demo"), "TESTING": True}).test_client()
    assert "Demo corpus: FA-KES (CC BY 4.0)" in demo.get("/search?q=Raqqa").text


def test_the_cli_says_1_result(tmp_path):
    from click.testing import CliRunner

    from search.cli import cli

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Qamishli\n\nNews from Qamishli.\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["index", str(src), "--index", str(tmp_path / "ix")]).exit_code == 0
    done = CliRunner().invoke(cli, ["search", "--index", str(tmp_path / "ix"), "Qamishli"])
    assert done.stdout.startswith("1 result for 'Qamishli'\n")
    assert Path(tmp_path / "ix").is_dir()
