"""The web front end against hostile articles and requests: script injection through every
field an article or a query can carry, path traversal through article ids, oversized requests,
and the security headers of the real server."""

import http.client
import json
import os
import re
import sys
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import served
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import web
from search.index import build_index
from web import create_app

# Ingest removes real tags from titles and bodies, so hostile markup arrives there as entities
# (which it decodes); source, author and url are kept as written.
SOURCE_PAYLOAD = '<script>alert("source")</script>'
AUTHOR_PAYLOAD = '"><img src=x onerror=alert("author")>'
ID_PAYLOAD = '"><script>alert("id")</script>'
HOSTILE = [
    {"id": "x1", "title": "&lt;script&gt;alert('title')&lt;/script&gt; Raqqa news",
     "text": "Fighting in &lt;b onmouseover=alert(1)&gt;Raqqa&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;.",
     "source": SOURCE_PAYLOAD, "author": AUTHOR_PAYLOAD, "url": "javascript:alert(1)"},
    {"id": ID_PAYLOAD, "title": "Raqqa &quot;&gt;&lt;svg onload=alert(2)&gt;",
     "text": "Raqqa {{7*7}} &lt;/mark&gt;&lt;b onmouseover=alert(5)&gt;x&lt;/b&gt;&lt;mark&gt; Raqqa.",
     "source": "' onmouseover='alert(3)", "url": " JaVaScRiPt:alert(2)"},
    {"id": "x3", "title": "Raqqa data url", "text": "Shelling in Raqqa.", "source": "Wire",
     "url": "data:text/html,<script>alert(1)</script>"},
    {"id": "x4", "title": "Raqqa tab url", "text": "Raqqa again.", "url": "java\tscript:alert(1)"},
    {"id": "x5", "title": "Raqqa quoted url", "text": "Raqqa at dawn.",
     "url": 'https://example.org/a?b="><script>alert(1)</script>'},
    {"id": "x6", "title": "Raqqa vbscript", "text": "In Raqqa.", "url": "vbscript:msgbox(1)"},
    {"id": "x7", "title": "\u202eRaqqa reversed", "url": "//evil.example/x",
     "text": "Raqqa \u202e&lt;/q&gt;&lt;script&gt;alert(8)&lt;/script&gt;"},
    {"id": "x8", "title": "Daraa report", "text": "Protests in Daraa.", "source": "Wire B",
     "url": "https://example.org/daraa"},
]
SAFE_URLS = {"x5": 'https://example.org/a?b="><script>alert(1)</script>', "x8": "https://example.org/daraa"}
QUERY_PAYLOADS = ['<script>alert("q")</script>', '"><svg onload=alert(1)>',
                  "Raqqa </q><script>alert(1)</script>", "' onfocus='alert(1)' autofocus='",
                  "javascript:alert(1)", "{{7*7}}", "Raqqa\u202e<b>"]
# Tags no page of Rasm has and no hostile string may create.
FORBIDDEN_TAGS = {"iframe", "object", "embed", "img", "svg", "math", "base", "style", "frame", "frameset",
                  "video", "audio", "source", "template", "textarea", "b", "applet"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


class PageAudit(HTMLParser):
    """Everything in a page that could run script or load from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False
        self.links: dict[str, str] = {}  # href -> link text start, for the "Original article" link
        self._href = None

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in URL_ATTRIBUTES and value is not None:
                if urlsplit(value.strip()).scheme.lower() not in ("", "http", "https"):
                    self.problems.append(f"<{tag} {name}={value!r}>")
                if re.match(r"\s*//", value):
                    self.problems.append(f"<{tag} {name}={value!r}> (another host)")
        attributes = dict(attrs)
        if tag == "script":
            self.in_script = True
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script src={attributes.get('src')!r}>")
        if tag == "link" and not (attributes.get("href") or "").startswith("/static/"):
            self.problems.append(f"<link href={attributes.get('href')!r}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append("<meta http-equiv>")
        if tag == "form" and not (attributes.get("action") or "/").startswith("/"):
            self.problems.append(f"<form action={attributes.get('action')!r}>")
        if tag == "a":
            self._href = attributes.get("href")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")
        if self._href is not None and data.strip():
            self.links.setdefault(self._href, data.strip())


def audit(html: str) -> PageAudit:
    page = PageAudit()
    page.feed(html)
    page.close()
    assert page.problems == [], page.problems
    return page


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "src").mkdir()
    (root / "src" / "h.jsonl").write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
    (root / "secret.txt").write_text("TOP-SECRET-3f9c do not serve\n", encoding="utf-8")
    report = build_index([root / "src"], root / "ix")
    assert report.articles == len(HOSTILE) and not report.problems
    return root / "ix"


@pytest.fixture(scope="module")
def client(hostile_index):
    return create_app({"RASM_INDEX": str(hostile_index), "TESTING": True}).test_client()


def doc_id(record_id: str) -> str:
    return f"h.jsonl#{record_id}"


def article_path(record_id: str, api: bool = False) -> str:
    return ("/api/article/" if api else "/article/") + quote(doc_id(record_id), safe="")


# ---------------------------------------------------------------- script injection


def test_results_page_escapes_every_article_field(client):
    r = client.get("/search", query_string={"q": "Raqqa", "per_page": 100})
    assert r.status_code == 200
    audit(r.text)
    # the hostile strings are shown, as text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in r.text
    assert "&lt;script&gt;alert(&#34;source&#34;)&lt;/script&gt;" in r.text


def test_source_facet_links_carry_hostile_source_names_as_data(client):
    sources = [SOURCE_PAYLOAD, "' onmouseover='alert(3)"]
    r = client.get("/search", query_string={"q": "Raqqa", "source": sources})
    assert r.status_code == 200
    audit(r.text)
    assert 'value="&lt;script&gt;alert(&#34;source&#34;)&lt;/script&gt;"' in r.text


@pytest.mark.parametrize("record", HOSTILE, ids=[r["id"][:8] for r in HOSTILE])
@pytest.mark.parametrize("q", ["", "Raqqa", *QUERY_PAYLOADS])
def test_article_page_escapes_fields_and_links_only_http(client, record, q):
    r = client.get(article_path(record["id"]), query_string={"q": q} if q else None)
    assert r.status_code == 200
    page = audit(r.text)
    originals = [href for href, text in page.links.items() if text == "Original article"]
    expected = SAFE_URLS.get(record["id"])
    assert originals == ([expected] if expected else [])


def test_article_page_shows_the_hostile_id_and_author_as_text(client):
    r = client.get(article_path(ID_PAYLOAD))
    assert r.status_code == 200
    audit(r.text)
    assert "&#34;&gt;&lt;script&gt;alert(&#34;id&#34;)&lt;/script&gt;" in r.text
    assert "{{7*7}}" in r.text
    r = client.get(article_path("x1"))
    assert "&#34;&gt;&lt;img src=x onerror=alert(&#34;author&#34;)&gt;" in r.text


@pytest.mark.parametrize("q", QUERY_PAYLOADS)
def test_search_page_reflects_the_query_as_text(client, q):
    r = client.get("/search", query_string={"q": q})
    assert r.status_code in (200, 400)
    audit(r.text)


@pytest.mark.parametrize("params", [{"page": "<script>alert(1)</script>"},
                                    {"per_page": '"><svg onload=alert(1)>'},
                                    {"since": "<img src=x onerror=alert(1)>"}, {"sort": "<script>"}])
def test_error_pages_escape_the_bad_parameter(client, params):
    r = client.get("/search", query_string={"q": "Raqqa", **params})
    assert r.status_code == 400
    audit(r.text)
    r = client.get("/api/search", query_string={"q": "Raqqa", **params})
    assert r.status_code == 400 and r.mimetype == "application/json"
    assert set(r.get_json()) == {"error"}


def test_not_found_page_does_not_reflect_the_id_as_markup(client):
    r = client.get("/article/" + quote('<script>alert("404")</script>', safe=""))
    assert r.status_code == 404
    audit(r.text)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(q=st.one_of(st.text(max_size=60),
                   st.lists(st.sampled_from(['<', '>', '"', "'", "&", "script", "alert(1)", "onerror=", "/",
                                             "=", " ", "Raqqa", "</mark>", "<mark>", "javascript:", "`"]),
                            max_size=15).map("".join)))
def test_any_query_reflected_anywhere_stays_text(client, q):
    for path in ("/search", article_path("x1"), article_path(ID_PAYLOAD)):
        r = client.get(path, query_string={"q": q})
        assert r.status_code in (200, 400)
        audit(r.text)


def test_json_api_is_json_with_escaped_snippets(client):
    r = client.get("/api/search", query_string={"q": "Raqqa", "per_page": 100})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    hits = r.get_json()["hits"]
    assert {h["id"] for h in hits} >= {doc_id("x1"), doc_id(ID_PAYLOAD)}
    for hit in hits:
        assert "<" not in re.sub(r"</?mark>", "", hit["snippet"]), hit["snippet"]
    by_id = {h["id"]: h for h in hits}
    assert by_id[doc_id("x1")]["source"] == SOURCE_PAYLOAD  # data, exactly as stored
    r = client.get(article_path(ID_PAYLOAD, api=True))
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json()["id"] == doc_id(ID_PAYLOAD)


# ---------------------------------------------------------------- path traversal

TRAVERSALS = [
    "../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252f..%252fetc%252fpasswd", "....//....//etc/passwd",
    "..\\..\\etc\\passwd", "/etc/passwd",
    "%2fetc%2fpasswd", "../secret.txt", "..%2fsecret.txt", "%2e%2e%2fsecret.txt", "../src/h.jsonl",
    "%00", "a%00b", "h.jsonl%23x1%00", "h.jsonl%23x1/../../secret.txt", "file:%2f%2f%2fetc%2fpasswd",
    "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "..%c0%af..%c0%afetc%c0%afpasswd", "." * 2000,
]
_opened: list[str] | None = None  # files opened while recording_opens() runs
_hook_installed = False


def _record_open(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


@contextmanager
def recording_opens():
    """The files the process opens inside the block, by an audit hook: it sees every open,
    whichever library makes it.  (A hook cannot be removed; outside the block it does nothing.)"""
    global _opened, _hook_installed
    if not _hook_installed:
        sys.addaudithook(_record_open)
        _hook_installed = True
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def _inside(path: str, *roots: Path) -> bool:
    resolved = Path(path).resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


@pytest.mark.parametrize("api", [False, True])
@pytest.mark.parametrize("attempt", TRAVERSALS)
def test_article_ids_never_reach_the_file_system(client, hostile_index, attempt, api):
    client.get(article_path("nothing-here"))  # templates and index files loaded before recording
    with recording_opens() as opened:
        r = client.get(("/api/article/" if api else "/article/") + attempt)
    assert r.status_code == 404, r.status_code  # "//" is not merged into another article's id
    assert "TOP-SECRET" not in r.text and "root:" not in r.text
    assert [f for f in opened if not _inside(f, hostile_index, Path(web.__file__).parent)] == []


@pytest.fixture(scope="module")
def live_server(hostile_index):
    with served(hostile_index) as url:
        yield urlsplit(url)


def raw_get(server, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET with the path sent exactly as given (no client-side normalisation)."""
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/article/../../etc/passwd", "/article/..%2f..%2fetc%2fpasswd",
                                  "/article/%2e%2e/%2e%2e/etc/passwd", "/api/article/../../secret.txt",
                                  "/static/../../../../etc/passwd", "/static/..%2f..%2f__init__.py",
                                  "/static/%2e%2e/__init__.py", "/../secret.txt", "/article/%00"])
def test_real_server_refuses_raw_traversal_paths(live_server, path):
    status, _, body = raw_get(live_server, path)
    assert status == 404
    assert b"TOP-SECRET" not in body and b"root:" not in body and b"import" not in body


# ---------------------------------------------------------------- oversized requests


def test_very_long_query_is_a_clear_400(client):
    for path in ("/api/search", "/search"):
        r = client.get(path, query_string={"q": "Raqqa " * 20_000})
        assert r.status_code == 400
        assert "too long" in r.text and "the limit is 2000" in r.text


@pytest.mark.parametrize(("name", "value"), [("per_page", "101"), ("per_page", "0"), ("page", "1001"),
                                             ("page", "9" * 400), ("per_page", "1e9"), ("until", "9" * 400)])
def test_out_of_range_parameters_are_a_clear_400(client, name, value):
    r = client.get("/api/search", query_string={"q": "Raqqa", name: value})
    assert r.status_code == 400
    assert r.get_json()["error"].startswith(name)


def test_many_unknown_parameters_are_ignored_quickly(client):
    query = "q=Raqqa&" + "&".join(f"x{i}={i}" for i in range(20_000))
    r = client.get("/api/search?" + query)
    assert r.status_code == 200 and r.get_json()["total"] == 7


def test_too_many_sources_are_refused_not_silently_dropped(client):
    """Found by this suite: only the first 20 source= parameters were kept, the rest dropped
    without a word (a request naming 21 sources got the results of 20)."""
    params = "&".join(f"source=nope{i}" for i in range(20)) + "&source=Wire"
    r = client.get("/api/search?q=Raqqa&" + params)
    assert r.status_code == 400 or r.get_json()["total"] == 1


def test_real_server_answers_a_huge_request_line_with_431(live_server):
    status, headers, body = raw_get(live_server, "/api/search?q=" + "a" * 300_000)
    assert status == 431
    assert b"exceeds max_header" in body
    assert not re.search(rb"waitress|\d+\.\d+", body, re.I)


# ---------------------------------------------------------------- headers


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


def assert_security_headers(headers) -> None:
    csp = csp_directives(headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in scripts
    assert csp.get("object-src") == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"]
    assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"])
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/search?q=Raqqa", "/search?q=%22", "/search?page=x&q=a",
                                  "/api/search?q=Raqqa", "/api/search", "/article/nope", "/api/article/nope",
                                  "/healthz", "/static/rasm.css", "/static/rasm.js", "/nowhere"])
def test_every_response_has_the_security_headers(client, path):
    r = client.get(path)
    assert r.status_code in (200, 400, 404)
    assert_security_headers(r.headers)


def test_real_server_sends_no_version(live_server):
    for path in ("/", "/api/search?q=Raqqa", "/article/nope", "/static/rasm.js"):
        status, headers, _ = raw_get(live_server, path)
        assert status in (200, 404)
        assert headers.get("server") == "rasm"  # waitress's ident; never "waitress/3.0.2"
        assert "x-powered-by" not in headers
        assert_security_headers({
            "Content-Security-Policy": headers["content-security-policy"],
            "X-Content-Type-Options": headers["x-content-type-options"]})
