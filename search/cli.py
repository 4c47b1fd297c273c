"""The ``rasm`` command: a thin shell over the library (index, search)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from search import settings
from search.aliases import AliasFileError
from search.dates import date_bound
from search.generations import (
    IndexVersionMismatch,
    RasmIndexError,
    current_generation,
    damaged,
    recorded_sources,
)
from search.index import DAMAGE_ERRORS, build_index, open_index
from search.ingest import IngestProblem
from search.query import QueryError
from search.searcher import MAX_LIMIT, SearchResult, search, search_many
from search.update import update_index

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
# What a terminal may act on (ESC and CSI sequences, BEL, backspace ...): never printed from data
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _terminal_text(text: str) -> str:
    """``text`` as a terminal can only show it: its control characters dropped (a title's
    ``ESC]0;...BEL`` would retitle the window, ``ESC[2J`` clear the screen), tabs and line
    breaks made spaces."""
    return _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)


def _scrubbed(value):
    """``value`` (a result, a hit, stats ...) with every string in it made ``_terminal_text``."""
    if isinstance(value, str):
        return _terminal_text(value)
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {_scrubbed(k): _scrubbed(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _scrubbed(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    return value


def _index_option(f):
    return click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help=settings.INDEX.help)(f)


def _date(value: str | None, end: bool = False, option: str = "--since") -> dt.datetime | None:
    """A --since/--until date: YYYY, YYYY-MM or a full date; --until is inclusive."""
    if value is None:
        return None
    try:
        return date_bound(value, end)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint=option) from e


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rasm-search")
def cli() -> None:
    """Rasm: search news archives for every spelling of a name, in Latin and Arabic script."""


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_index_option
@click.option("--rebuild", is_flag=True, help="build a new index from scratch, then swap it in")
def index_cmd(paths: tuple[Path, ...], index_dir: Path | None, rebuild: bool) -> None:
    """Bring the index up to date with PATHS (files or folders).

    Only new, changed and removed files are re-indexed.  Without PATHS, the index's own
    sources are used (the bundled corpus for a new index).  --rebuild builds a fresh index
    (needed after an upgrade changes the analyzer or schema) and swaps it in when complete.
    """
    index_dir = index_dir or settings.default_index_dir()
    live = current_generation(index_dir)
    if not paths and (rebuild or live is None):
        paths = _sources_to_build(index_dir)
    if live is not None and not rebuild:
        with _said(index_dir):
            open_index(index_dir)
    report = _write_with_progress(
        lambda **kw: build_index(paths, index_dir, **kw) if rebuild or live is None
        else update_index(paths or None, index_dir, **kw), index_dir)
    if report.articles == 0:
        under = ", ".join(str(p) for p in paths) if paths else "the index's sources"
        raise click.ClickException(f"nothing was indexed: no readable articles under {under}"
                                   + ("; the index was left as it was" if live is not None else ""))
    click.echo(report.summary())


def _sources_to_build(index_dir: Path) -> tuple[Path, ...]:
    """What a build given no PATH reads: the sources the index records, every one of them (a
    rebuild without a source that is missing would drop its articles), or the bundled corpus
    for the bundled default index; never another folder's."""
    recorded = recorded_sources(index_dir)
    missing = [str(p) for p in recorded if not p.exists()]
    if missing:
        raise click.ClickException(
            f"the index's source {missing[0]} is missing" + (f" (and {len(missing) - 1} more)" if
                                                             len(missing) > 1 else "")
            + ": mount it again, or name the paths to build from, as in `rasm index --rebuild PATH`")
    if recorded:
        return tuple(recorded)
    if settings.is_bundled_index(index_dir):
        return (settings.default_corpus(),)
    raise click.UsageError(f"no PATH given, and {index_dir} records no sources: name the files or "
                           f"folders to index, as in `rasm index PATH --index {index_dir}`")


@cli.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_index_option
def add_cmd(files: tuple[Path, ...], index_dir: Path | None) -> None:
    """Index FILES (or folders) now: new ones are added, changed ones re-indexed.

    Nothing else is touched.  A file outside the index's sources becomes one of them.
    """
    index_dir = index_dir or settings.default_index_dir()
    _require_index(index_dir)
    report = _write_with_progress(lambda **kw: update_index(files, index_dir, only=True, **kw), index_dir)
    click.echo(report.summary())


def _require_index(index_dir: Path) -> None:
    """``add`` and ``watch`` change an index; only ``rasm index`` makes one (a mistyped --index
    must not quietly start a new one)."""
    if current_generation(index_dir) is None:
        raise click.ClickException(f"no index in {index_dir}: create it first with "
                                   f"`rasm index PATH --index {index_dir}`")


@cli.command("watch")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_index_option
@click.option("--delay", type=click.FloatRange(0.05, 60), default=1.0, show_default=True,
              help="seconds of quiet to wait for, so a burst of changes is indexed at once")
def watch_cmd(paths: tuple[Path, ...], index_dir: Path | None, delay: float) -> None:
    """Index files as they appear, change or go, until interrupted (Ctrl-C).

    Watches PATHS (default: the index's sources) after bringing the index up to date.
    """
    from search.watch import watch

    index_dir = index_dir or settings.default_index_dir()
    _require_index(index_dir)
    try:
        with _said(index_dir):
            watch(list(paths) or None, index_dir, delay=delay, echo=lambda line: click.echo(line),
                  on_problem=_echo_problem)
    except OSError as e:  # a read-only index folder ...
        raise click.ClickException(f"cannot write the index in {index_dir} ({e.strerror or e})") from e


@cli.command("stats")
@_index_option
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Show what the index holds: articles, sources, dates, size, last update, versions."""
    from search.searcher import index_stats

    index_dir = index_dir or settings.default_index_dir()
    with _said(index_dir):
        stats = index_stats(index_dir)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    stats = _scrubbed(stats)
    dates = stats["dates"]
    top = ", ".join(f"{name} {n}" for name, n in list(stats["sources"].items())[:8])
    more = len(stats["sources"]) - 8
    lines = [
        f"Index:        {stats['index']} ({stats['generation']}, {_size(stats['bytes'])}, "
        f"{stats['segments']} segment{'' if stats['segments'] == 1 else 's'})",
        f"Articles:     {stats['articles']} from {len(stats['sources'])} sources"
        + (f"; {stats['files']} files" if stats["files"] is not None else ""),
        f"Sources:      {top}" + (f" and {more} more" if more > 0 else ""),
        f"Dates:        {dates['first'] or '-'} to {dates['last'] or '-'}"
        + (f" ({dates['undated']} undated)" if dates["undated"] else ""),
        f"Last update:  {stats['updated'] or '-'} (built {stats['built'] or '-'})",
        f"Versions:     analyzer v{stats['analyzer_version']}, schema v{stats['schema_version']}",
        "Indexed from: " + (", ".join(stats["paths"]) or "-"),
    ]
    click.echo("\n".join(lines))


@contextmanager
def _said(index_dir: Path) -> Iterator[None]:
    """What goes wrong with the index inside, as the one line the user is shown: the index's own
    errors as they are, Whoosh's on a damaged file as "damaged: run `rasm index --rebuild`"."""
    try:
        yield
    except RasmIndexError as e:
        raise click.ClickException(str(e)) from e
    except DAMAGE_ERRORS as e:
        raise click.ClickException(str(damaged(index_dir, e))) from e


def _echo_problem(problem: IngestProblem) -> None:
    """One line on stderr per file or row passed over ("skipped") or article kept with a
    warning; file names and values are the data's, so no control character reaches the terminal."""
    what = "warning:" if problem.kept else "skipped"
    click.echo(f"rasm: {what} {_terminal_text(str(problem))}", err=True)


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


def _write_with_progress(write, index_dir: Path):
    """Runs an index write with the progress line (on a terminal) and skipped-file notes."""
    bar = _ProgressLine() if sys.stderr.isatty() else None

    def problem(p) -> None:
        if bar:
            bar.clear()
        _echo_problem(p)

    try:
        with _said(index_dir):
            return write(on_problem=problem, progress=bar)
    except OSError as e:  # disk full, read-only disk ...: the commit never happened
        raise click.ClickException(f"could not write the index in {index_dir} ({e.strerror or e}); "
                                   "it is as it was before this run") from e
    finally:
        if bar:
            bar.clear()


@cli.command("search")
@click.argument("query_words", nargs=-1, metavar="QUERY")
@_index_option
@click.option("--queries", "queries_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="run each line of this file (- for standard input) as a query, in order; with "
                   "--json, one JSON object per line")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True,
              help="most hits to show")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--source", "sources", multiple=True, help="only this source (repeatable)")
@click.option("--since", help="only articles dated on or after this date (YYYY-MM-DD, YYYY-MM or YYYY)")
@click.option("--until", help="only articles dated on or before this date (YYYY-MM-DD, YYYY-MM or YYYY)")
@click.option("--exact", is_flag=True, help="match the spelling as typed: no variants or aliases")
@click.option("--explain", is_flag=True, help="show which spellings each hit matched, and why")
@click.option("--group/--no-group", default=None,
              help="fold republished copies of a story under its best hit (default: on, off with --json)")
def search_cmd(query_words, index_dir, queries_file, limit, as_json, sources, since, until, exact, explain,
               group) -> None:
    """Search the index; QUERY uses Whoosh syntax (AND/OR/NOT, "phrases", field:value)."""
    if bool(query_words) == bool(queries_file):
        raise click.UsageError("give a QUERY or --queries FILE (one of them)")
    index_dir = index_dir or settings.default_index_dir()
    options = dict(limit=limit, sources=list(sources) or None, since=_date(since),
                   until=_date(until, end=True, option="--until"), expand=not exact,
                   group=not as_json if group is None else group)
    if queries_file:
        texts = _query_lines(queries_file)
        _build_bundled_index_if_needed(index_dir)
        with _said(index_dir), _alias_errors():
            for n, (text, result) in enumerate(zip(texts, search_many(index_dir, texts, **options),
                                                   strict=True), 1):
                if isinstance(result, QueryError):
                    click.echo(f"rasm: {_terminal_text(queries_file)}:{n}: invalid query: {result}", err=True)
                    if as_json:
                        click.echo(json.dumps({"query": text, "error": str(result)}, ensure_ascii=False))
                    else:
                        click.echo(f"Error: invalid query {_terminal_text(text)!r}: {result}\n")
                elif as_json:
                    click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
                else:
                    _print_result(_scrubbed(result), color=sys.stdout.isatty(), explain=explain, exact=exact)
                    click.echo("")
        return
    text = " ".join(query_words)
    _build_bundled_index_if_needed(index_dir)
    try:
        with _said(index_dir):
            result = search(index_dir, text, **options)
    except QueryError as e:
        click.echo(f"Error: invalid query: {e}", err=True)
        sys.exit(2)
    except AliasFileError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _print_result(_scrubbed(result), color=sys.stdout.isatty(), explain=explain, exact=exact)


@contextmanager
def _alias_errors() -> Iterator[None]:
    try:
        yield
    except AliasFileError as e:
        raise click.ClickException(str(e)) from e


MAX_QUERY_FILE = 16 * 2**20  # bytes of a --queries file
MAX_QUERY_LINES = 100_000


def _query_lines(path: str) -> list[str]:
    """The lines of a --queries file, each a query (an empty one is refused in its turn)."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_QUERY_FILE + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(MAX_QUERY_FILE + 1)
    except OSError as e:
        raise click.ClickException(f"cannot read {path}: {e.strerror or e}") from e
    if len(data) > MAX_QUERY_FILE:
        raise click.ClickException(f"{path}: more than {MAX_QUERY_FILE // 2**20} MB of queries; "
                                   "split the file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise click.ClickException(f"{path}: not UTF-8 text (byte {e.start})") from e
    lines = text.splitlines()
    if len(lines) > MAX_QUERY_LINES:
        raise click.ClickException(f"{path}: {len(lines)} queries; the limit is {MAX_QUERY_LINES} a run")
    return lines


class _ProgressLine:
    """A one-line progress display on stderr: a count while reading, a bar while writing."""

    WIDTH = 30

    def __init__(self) -> None:
        self.shown = False
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done != total:
            return
        self.last = now
        if total:
            filled = self.WIDTH * done // total
            line = f"indexing [{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{total}"
        else:
            line = f"reading: {done} records"
        click.echo("\r" + line.ljust(60), err=True, nl=False)
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r" + " " * 60 + "\r", err=True, nl=False)
            self.shown = False


@cli.command("serve")
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="threads per worker process (a search keeps a core busy: more threads in one "
                   "process only wait for each other)")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="worker processes (default: one per core, at most 8)")
def serve_cmd(index_dir: Path | None, host: str, port: int, threads: int, workers: int | None) -> None:
    """Serve the web front end (waitress) over the index; builds the bundled corpus's first."""
    from web import create_app
    from web.server import listening_socket, serve

    index_dir = index_dir or settings.default_index_dir()
    _build_bundled_index_if_needed(index_dir)
    with _said(index_dir):
        open_index(index_dir)  # what every request would be refused is refused now
    workers = workers or min(os.cpu_count() or 1, 8)
    try:  # listening first: nothing claims to serve on a port it cannot have
        sock = listening_socket(host, port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port} ({e.strerror or e})") from e
    click.echo(f"Rasm on http://{host}:{port}/ (index {index_dir}, {workers} worker"
               f"{'' if workers == 1 else 's'}); Ctrl-C stops it", err=True)
    serve(lambda: create_app({"RASM_INDEX": str(index_dir)}), sock, threads, workers,
          echo=lambda line: click.echo(line, err=True))


def _build_bundled_index_if_needed(index_dir: Path) -> None:
    """First run on a fresh checkout: index the bundled corpus into the checkout's own index/;
    after an upgrade that changed the analyzer or schema, rebuild it the same way.  Only that
    index, and only while it holds just the bundled corpus: any other is the user's, and is
    never rebuilt without their command."""
    if not settings.is_bundled_index(index_dir):
        return
    corpus = settings.default_corpus()
    if current_generation(index_dir) is not None:
        try:
            open_index(index_dir)
            return
        except IndexVersionMismatch as e:
            if recorded_sources(index_dir) != [corpus.absolute()]:
                raise click.ClickException(str(e)) from e
            click.echo("The bundled corpus's index was built by another version of Rasm: "
                       "rebuilding it ...", err=True)
        except RasmIndexError as e:
            raise click.ClickException(str(e)) from e
    else:
        click.echo(f"No index yet: indexing the bundled corpus into {index_dir} ...", err=True)
    report = _write_with_progress(lambda **kw: build_index([corpus], index_dir, **kw), index_dir)
    click.echo(report.summary(), err=True)


def _terminal_snippet(snippet: str, color: bool) -> str:
    parts = []
    last = 0
    for m in _MARK.finditer(snippet):
        parts.append(_terminal_text(html.unescape(snippet[last:m.start()])))
        word = _terminal_text(html.unescape(m.group(1)))
        parts.append(click.style(word, fg="yellow", bold=True) if color else word)
        last = m.end()
    parts.append(_terminal_text(html.unescape(snippet[last:])))
    return "".join(parts)


_VIA_WORDS = {"exact": "as typed", "variant": "spelling variant", "cross-script": "other script",
              "alias": "alias", "gazetteer": "gazetteer"}


def _matched_line(hit) -> str:
    several = len({m.query for m in hit.matched}) > 1
    parts = []
    for m in hit.matched:
        times = f" ×{m.count}" if m.count > 1 else ""
        of = f" of {m.query!r}" if several else ""
        # "name model 0.34 through beirut, beyrouth": the close spellings that found it, if any
        why = f"; name model {m.score:.2f}{m.why.removeprefix('name model')}" if m.score is not None else ""
        parts.append(f"{m.text}{times} ({_VIA_WORDS[m.via]}{why}{of})")
    return "matched: " + "; ".join(parts)


def _print_expansions(result: SearchResult, exact: bool) -> None:
    if exact:
        click.echo("Spellings as typed only (--exact).")
        return
    click.echo("Each name also matches its other spellings (Latin spelling rules, Arabic script).")
    for words, aliases in result.expansions.items():
        click.echo(f"{words!r} also matches, from the alias table and gazetteer: " + ", ".join(aliases))


def _print_result(result: SearchResult, color: bool, explain: bool = False, exact: bool = False) -> None:
    if explain:
        _print_expansions(result, exact)
    if not result.hits:
        click.echo(f"No results for {result.query!r}.")
        return
    shown = len(result.hits)
    click.echo(f"{result.total} result{'' if result.total == 1 else 's'} for {result.query!r}"
               + (f" (showing {shown})" if shown < result.total else ""))
    for rank, hit in enumerate(result.hits, 1):
        click.echo("")
        title = hit.title or "(untitled)"
        click.echo(f"{rank:2}. " + (click.style(title, bold=True) if color else title))
        meta = " · ".join(x for x in (hit.date, hit.source, hit.id, f"score {hit.score:.2f}") if x)
        click.echo("    " + (click.style(meta, dim=True) if color else meta))
        click.echo("    " + _terminal_snippet(hit.snippet, color))
        if explain:
            click.echo("    " + _matched_line(hit))
        if hit.similar:
            more = f" (+{len(hit.similar) - 3} more)" if len(hit.similar) > 3 else ""
            click.echo(f"    + {len(hit.similar)} similar: " + ", ".join(hit.similar[:3]) + more)


def main() -> None:
    cli(prog_name="rasm")
