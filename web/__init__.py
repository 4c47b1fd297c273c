"""The Rasm web front end: a Flask app over the search library (no search logic here)."""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, abort, g, jsonify, render_template, request
from markupsafe import Markup, escape
from werkzeug.routing import PathConverter
from whoosh.scoring import BM25F

from search import settings
from search.generations import RasmIndexError, current_generation, damaged, read_meta
from search.highlight import match_spans
from search.index import DAMAGE_ERRORS, open_index
from search.lru import LRU, MISSING
from search.query import MAX_QUERY_CHARS, QueryError
from search.searcher import date_text, did_you_mean, parse_query, run_search
from web.form import BadRequest, search_form, search_url


class _IdConverter(PathConverter):
    """An article id, whatever characters it holds (Werkzeug's path matches no line break: an id
    with one was listed, and its article answered 404)."""

    regex = "[^/][\\s\\S]*?"

    def to_url(self, value: str) -> str:
        # a "." or ".." segment would be resolved away by the browser: then "/" is encoded too
        dotted = any(part in (".", "..") for part in value.split("/"))
        return quote(value, safe="!$&'()*+,:;=@" if dotted else "!$&'()*+,/:;=@")

CACHE_SIZE = 256  # answers kept per app (RASM_CACHE_SIZE; 0 turns the cache off)
FEW = 3  # below this many results, a close respelling is offered ("Did you mean")


def create_app(config: dict | None = None) -> Flask:
    """The app; ``config`` may set RASM_INDEX (the index folder) and Flask's own keys."""
    app = Flask(__name__)
    app.url_map.merge_slashes = False  # "/article//x" is no other article's address
    app.json.sort_keys = False  # facets keep their order: most articles first
    app.json.ensure_ascii = False
    app.config["RASM_INDEX"] = str(settings.default_index_dir())
    if os.environ.get("RASM_CACHE_SIZE", "").isdigit():
        app.config["RASM_CACHE_SIZE"] = int(os.environ["RASM_CACHE_SIZE"])
    app.config.update(config or {})
    app.url_map.converters["id"] = _IdConverter
    app.jinja_env.globals["max_query_chars"] = MAX_QUERY_CHARS
    app.jinja_env.globals["search_url"] = search_url

    @app.context_processor
    def _demo_credit() -> dict:
        return {"bundled_corpus": _serves_bundled_corpus(app)}

    @app.before_request
    def _open_searcher() -> None:
        if request.endpoint == "static":
            return
        g.searcher = _searcher(app)

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":  # static files keep Flask's conditional caching
            # an answer holds what the index held a moment ago: never kept, and asked anew
            response.headers["Cache-Control"] = ("no-store" if request.path.startswith("/api/")
                                                 else "no-cache")
        return response

    @app.errorhandler(BadRequest)
    def _bad_request(e):
        if request.path.startswith("/api/"):
            return jsonify({"error": str(e)}), 400
        return render_template("error.html", message=str(e), status=400), 400

    @app.errorhandler(404)
    def _not_found(_e):
        if request.path.startswith("/api/"):
            return jsonify({"error": "not found"}), 404
        return render_template("error.html", message="There is no such page or article.", status=404), 404

    @app.errorhandler(500)
    def _server_error(_e):
        if request.path.startswith("/api/"):
            return jsonify({"error": "internal error"}), 500
        return render_template("error.html", message="Something went wrong on our side.", status=500), 500

    for error in DAMAGE_ERRORS:
        app.register_error_handler(error, lambda e: _no_index(damaged(app.config["RASM_INDEX"], e)))

    @app.errorhandler(RasmIndexError)
    def _no_index(e):
        if request.path.startswith("/api/"):
            return jsonify({"error": str(e)}), 503
        return render_template("error.html", message=str(e), status=503), 503

    @app.get("/")
    @app.get("/search")
    def search_page():
        form = search_form()
        if not form["q"]:
            return render_template("search.html", form=form, result=None)
        started = dt.datetime.now()
        try:
            result = _run(app, form)
        except QueryError as e:
            return render_template("search.html", form=form, result=None, error=str(e)), 400
        suggestion = None
        if result.total < FEW:
            key = ("did-you-mean", form["q"], form["exact"], result.total)
            suggestion = _cached(app, key, lambda: did_you_mean(
                g.searcher, form["q"], not form["exact"], than=result.total))
        seconds = (dt.datetime.now() - started).total_seconds()
        pages = max(1, math.ceil(result.listed / form["per_page"]))
        return render_template("search.html", form=form, result=result, seconds=seconds, pages=pages,
                               suggestion=suggestion, past_end=form["page"] > pages and result.total > 0)

    @app.get("/api/search")
    def api_search():
        form = search_form()
        if not form["q"]:
            raise BadRequest("missing parameter q (the query)")
        try:
            result = _run(app, form)
        except QueryError as e:
            raise BadRequest(f"invalid query: {e}") from e
        data = result.to_dict()
        data.update(page=form["page"], per_page=form["per_page"],
                    pages=max(1, math.ceil(result.listed / form["per_page"])),
                    facets={"source": result.facets},
                    expansions=result.expansions, spellings=[asdict(s) for s in result.spellings])
        return jsonify(data)

    @app.get("/article/<id:doc_id>")
    def article_page(doc_id: str):
        stored = _article(doc_id)
        q = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
        body = _marked(stored.get("body", ""), q)
        return render_template("article.html", article=stored, body=body, q=q,
                               url=_safe_url(stored.get("url", "")), date=date_text(stored.get("date")))

    @app.get("/api/article/<id:doc_id>")
    def api_article(doc_id: str):
        stored = _article(doc_id)
        return jsonify({"id": stored["id"], "title": stored.get("title", ""),
                        "date": date_text(stored.get("date")),
                        "source": stored.get("source", ""), "url": stored.get("url", ""),
                        "author": stored.get("author", ""), "body": stored.get("body", ""),
                        "meta": stored.get("meta") or {}, "similar_group": stored.get("group", "")})

    description = (Path(__file__).parent / "openapi.json").read_bytes()

    @app.get("/api/openapi.json")
    def api_description():
        """The OpenAPI description of this JSON API."""
        return app.response_class(description, mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok", "articles": g.searcher.doc_count()})

    return app


def _index(app: Flask):
    """The index, opened once per app and reopened when a rebuild made a new one live."""
    folder = Path(app.config["RASM_INDEX"])
    cached = app.extensions.get("rasm_index")
    gen = current_generation(folder)
    if cached is None or cached[0] != gen:
        cached = (gen, open_index(folder))
        app.extensions["rasm_index"] = cached
    return cached[1]


def _serves_bundled_corpus(app: Flask) -> bool:
    """Whether the index served was built from the bundled demo corpus (its credit is shown)."""
    corpus = settings.default_corpus()
    opened = app.extensions.get("rasm_index")  # (generation, index) as this request opened it
    gen = opened[0] if opened else None
    if corpus is None or gen is None:
        return False
    key = ("bundled", str(gen))
    known = app.extensions.get("rasm_bundled")
    if known is None or known[0] != key:
        known = (key, str(corpus.absolute()) in read_meta(gen).get("sources", []))
        app.extensions["rasm_bundled"] = known
    return known[1]


def _searcher(app: Flask):
    """This thread's searcher, kept between requests (opening one reads every segment's files)
    and opened anew when an update committed or a rebuild swapped in a new index.  (Not with
    Whoosh's ``Searcher.refresh()``: reusing readers, it counts merged segments twice.)"""
    ix = _index(app)
    local = app.extensions.setdefault("rasm_searchers", threading.local())
    searcher = getattr(local, "searcher", None)
    if searcher is not None and getattr(local, "ix", None) is ix and searcher.up_to_date():
        return searcher
    if searcher is not None:
        searcher.close()
    local.searcher, local.ix = ix.searcher(weighting=BM25F()), ix
    return local.searcher


def _run(app: Flask, form: dict):
    def run():
        per_page = form["per_page"]
        parsed = parse_query(form["q"], not form["exact"], g.searcher.reader())
        return run_search(g.searcher, parsed, limit=per_page, offset=(form["page"] - 1) * per_page,
                          sources=form["sources"] or None, since=form["since_dt"], until=form["until_dt"],
                          group=True, by_date=form["sort"] == "date", facets=True, spellings=True,
                          listed=True)

    key = ("search", form["q"], form["page"], form["per_page"], tuple(form["sources"]), form["since"],
           form["until"], form["sort"], form["exact"])
    return _cached(app, key, run)


def _cached(app: Flask, key: tuple, compute):
    """``compute()``, or what it gave for the same ``key`` on the same index version: the
    answers to the last RASM_CACHE_SIZE requests are kept until the index changes."""
    size = app.config.get("RASM_CACHE_SIZE", CACHE_SIZE)
    if not size:
        return compute()
    reader = g.searcher.reader()
    key = (str(_index(app).storage.folder), reader.generation(), *key)
    cache = app.extensions.setdefault("rasm_cache", LRU(size))
    value = cache.get(key)
    if value is MISSING:
        value = compute()  # QueryError propagates and is not kept
        cache.put(key, value)
    return value


def _article(doc_id: str) -> dict:
    if len(doc_id) > 1000:
        abort(404)
    stored = g.searcher.document(id=doc_id)
    if stored is None:
        abort(404)
    return stored


def _marked(body: str, q: str) -> Markup:
    """The article body, escaped, with every match of the query marked and numbered."""
    if not q:
        return escape(body)
    try:
        patterns = parse_query(q, True, g.searcher.reader()).patterns
    except QueryError:
        return escape(body)
    out, cursor = [], 0
    for n, (s, e) in enumerate(match_spans(body, patterns), 1):
        out.append(escape(body[cursor:s]))
        out.append(Markup('<mark id="m{}">{}</mark>').format(n, body[s:e]))
        cursor = e
    out.append(escape(body[cursor:]))
    return Markup("").join(out)


def _safe_url(url: str) -> str:
    """Only http(s) links are shown as links: never javascript: or data: URLs."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


