"""The search form: a request's arguments read and checked, and the address of the same search
with one thing changed (a page, a source, a spelling), so every link keeps all the rest."""

from __future__ import annotations

from flask import request, url_for

from search.dates import date_bound
from search.query import MAX_QUERY_CHARS

PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
MAX_SOURCES = 20


class BadRequest(ValueError):
    """A request parameter that cannot be used, said plainly."""


def search_form() -> dict:
    """The request's search: query, page, sources, dates, sort, exact."""
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise BadRequest(f"the query is too long ({len(q)} characters; the limit is {MAX_QUERY_CHARS})")
    sort = request.args.get("sort", "relevance")
    if sort not in ("relevance", "date"):
        raise BadRequest("sort must be relevance or date")
    sources = [s for s in request.args.getlist("source") if s.strip()]
    if len(sources) > MAX_SOURCES:
        raise BadRequest(f"too many source filters ({len(sources)}; the limit is {MAX_SOURCES})")
    since, until = request.args.get("since", "").strip(), request.args.get("until", "").strip()
    return {
        "q": q,
        "page": _int_arg("page", 1, 1, MAX_PAGE),
        "per_page": _int_arg("per_page", PAGE_SIZE, 1, MAX_PAGE_SIZE),
        "sources": sources,
        "since": since, "until": until,
        "since_dt": _date_arg("since", since, end=False), "until_dt": _date_arg("until", until, end=True),
        "sort": sort,
        "exact": request.args.get("exact") in ("1", "on", "true"),
    }


def search_url(form: dict, **changes) -> str:
    """The address of ``form``'s search with ``changes`` (None drops an argument): every link
    that keeps the search's state is built here, so none forgets part of it."""
    args = {
        "q": form["q"],
        "exact": "1" if form["exact"] else None,
        "source": form["sources"] or None,
        "since": form["since"] or None,
        "until": form["until"] or None,
        "sort": form["sort"] if form["sort"] != "relevance" else None,
        "per_page": form["per_page"] if form["per_page"] != PAGE_SIZE else None,
    }
    args.update(changes)
    return url_for("search_page", **{k: v for k, v in args.items() if v not in (None, "", [])})


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def _date_arg(name: str, raw: str, end: bool):
    """``since``/``until``: YYYY, YYYY-MM or YYYY-MM-DD, as ``rasm search --since`` takes them."""
    if not raw:
        return None
    try:
        return date_bound(raw, end)
    except ValueError as e:
        raise BadRequest(f"{name}: {e}") from None
