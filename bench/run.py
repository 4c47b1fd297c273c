"""Rasm against stock Whoosh (StandardAnalyzer) on the same articles, in the same run.

    python -m bench [--n 20000] [--rounds 3] [--skip-web] [--keep DIR]

Builds a corpus of N real articles (the bundled corpus, ../shared/data/arabic and
../shared/data/reuters21578, repeated with new ids past their 22,198 articles), then measures
indexing (articles/s, MB/s, peak RSS, size on disk), query latency (p50/p95/p99 over
bench/queries.txt, warm, and the cold open; the engines take turns for --rounds passes and the
pass with the median p95 is reported), an incremental add of 10 articles against a full
rebuild, and `rasm serve` under 8 concurrent clients from a second process.  Prints a table
and writes bench/results/<time>-n<N>.json with the machine's description.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
REUTERS = SHARED / "data" / "reuters21578" / "reuters21578.jsonl"
ARABIC = SHARED / "data" / "arabic" / "saudinewsnet-syria.jsonl"
CORPUS = ROOT / "corpus"
QUERIES = HERE / "queries.txt"
RESULTS = HERE / "results"


# ------------------------------------------------------------------ the corpus
def make_corpus(n: int, work: Path) -> Path:
    """A folder of n articles: the bundled corpus, the Arabic set, then Reuters (repeated under
    new ids when more are wanted).  Files keep their formats, so Rasm's ingest is measured too."""
    src = work / "src"
    shutil.copytree(CORPUS, src / "corpus")
    have = 797  # distinct articles in the bundled corpus
    arabic = ARABIC.read_text(encoding="utf-8").splitlines()[: max(0, n - have)]
    (src / "arabic.jsonl").write_text("\n".join(arabic) + "\n", encoding="utf-8")
    have += len(arabic)
    reuters = REUTERS.read_text(encoding="utf-8").splitlines()
    rows, copy = [], 0
    while have < n:
        for line in reuters[: n - have]:
            if copy:
                row = json.loads(line)
                row["id"] = f"{row['id']}-copy{copy}"
                line = json.dumps(row, ensure_ascii=False)
            rows.append(line)
        have += min(len(reuters), n - have)
        copy += 1
    (src / "reuters.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


# ------------------------------------------------------------------ measurements in child processes
def child(*args: str) -> dict:
    """Runs ``python -m bench.child ARGS`` and returns the JSON it prints (with its peak RSS)."""
    done = subprocess.run([sys.executable, "-m", "bench.child", *args], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"bench.child {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {"p50": at(50), "p95": at(95), "p99": at(99), "mean": statistics.fmean(ordered),
            "max": ordered[-1], "n": len(ordered)}


def middle_run(runs: list[dict]) -> dict:
    """Of several query passes, the one with the median p95 (its other figures with it)."""
    ordered = sorted(runs, key=lambda r: r["latency"]["p95"])
    return ordered[(len(ordered) - 1) // 2]


# ------------------------------------------------------------------ web load
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_load(index: Path, requests: int, clients: int, cache: bool) -> dict:
    """`rasm serve` under ``clients`` concurrent clients (a second process) sending ``requests``
    searches from bench/queries.txt in turn, after one unmeasured pass over the queries;
    ``cache`` off sets RASM_CACHE_SIZE=0."""
    port = free_port()
    rasm = shutil.which("rasm", path=str(Path(sys.executable).parent)) or "rasm"
    env = {**os.environ, "RASM_CACHE_SIZE": "256" if cache else "0"}
    server = subprocess.Popen([rasm, "serve", "--index", str(index), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        # warm: each worker process has opened the index and learnt the words once, as a server
        # that has been up a while has, but not answered these requests (a filter from 1900 on
        # makes them other requests to the answer cache); then the measured run
        warm = Path(tempfile.mkdtemp(prefix="rasm-bench-")) / "warm.txt"
        lines = [line if "since=" in line else line + ("\t" if "\t" not in line else " ") + "since=1900-01-01"
                 for line in QUERIES.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
        warm.write_text("\n".join(lines) + "\n", encoding="utf-8")
        child("load", url, str(warm), str(len(lines)), str(clients))
        shutil.rmtree(warm.parent)
        return child("load", url, str(QUERIES), str(requests), str(clients))
    finally:
        server.terminate()
        server.wait(timeout=30)


# ------------------------------------------------------------------ the run
def _proc_field(path: str, name: str) -> str:
    """A field of /proc/meminfo or /proc/cpuinfo ("" where there is none)."""
    try:
        with open(path, encoding="utf-8") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith(name)), "")
    except OSError:
        return ""


def machine() -> dict:
    from importlib.metadata import version

    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "cpu": _proc_field("/proc/cpuinfo", "model name"),
            "memory": _proc_field("/proc/meminfo", "MemTotal"),
            "whoosh": version("whoosh-reloaded")}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="articles (default 20000)")
    ap.add_argument("--requests", type=int, default=1000, help="web requests (default 1000)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent web clients (default 8)")
    ap.add_argument("--rounds", type=int, default=3, help="query passes per engine, taking turns (default 3)")
    ap.add_argument("--skip-web", action="store_true")
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    args = ap.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="rasm-bench-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder {work}", file=sys.stderr)
    src = make_corpus(args.n, work)
    out: dict = {"n": args.n, "when": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine()}

    print("building: stock Whoosh ...", file=sys.stderr)
    out["stock_build"] = child("build-stock", str(src), str(work / "stock"))
    print("building: Rasm ...", file=sys.stderr)
    out["rasm_build"] = child("build-rasm", str(src), str(work / "rasm"))
    for name in ("stock", "rasm"):
        out[f"{name}_build"]["bytes"] = folder_bytes(work / name)

    # the two engines take turns, round after round: this machine's speed drifts by a third over
    # minutes, and one pass of each, one after the other, measured the drift as much as them
    print(f"querying ({args.rounds} rounds) ...", file=sys.stderr)
    runs: dict[str, list[dict]] = {"stock": [], "rasm": []}
    for _ in range(args.rounds):
        for name in ("stock", "rasm"):
            runs[name].append(child(f"query-{name}", str(work / name), str(QUERIES)))
    for name, done in runs.items():
        out[f"{name}_query"] = {**middle_run(done), "rounds": done}

    print("incremental add ...", file=sys.stderr)
    out["incremental"] = child("incremental", str(src), str(work / "rasm"))

    if not args.skip_web:
        print("web load ...", file=sys.stderr)
        out["web"] = web_load(work / "rasm", args.requests, args.clients, cache=False)
        out["web_cached"] = web_load(work / "rasm", args.requests, args.clients, cache=True)

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-n{args.n}.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(report(out))
    print(f"\nwritten to {path}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def report(r: dict) -> str:
    sb, rb = r["stock_build"], r["rasm_build"]
    sq, rq = r["stock_query"], r["rasm_query"]
    inc = r["incremental"]
    lines = [f"Rasm vs stock Whoosh, {r['n']} articles; {r['machine']['cpus']} cpus, {r['machine']['cpu']}, "
             f"Python {r['machine']['python']}", ""]
    row = "{:<34} {:>14} {:>14} {:>9}  {}"
    lines.append(row.format("", "stock Whoosh", "Rasm", "ratio", "target"))

    def add(name, s, v, fmt, target="", lower_is_better=True):
        ratio = v / s if s else float("nan")
        lines.append(row.format(name, fmt.format(s), fmt.format(v), f"{ratio:.2f}x", target))

    if "read_seconds" in sb:  # Rasm's build reads the files; stock Whoosh is handed the articles
        add("index build, files read (s)", sb["seconds"] + sb["read_seconds"], rb["seconds"], "{:.1f}",
            "<= 1.0x")
        add("  articles handed over (s)", sb["seconds"], rb["seconds"] - rb["read_seconds"], "{:.1f}")
        add("  Rasm reading, stock handed (s)", sb["seconds"], rb["seconds"], "{:.1f}")
    else:
        add("index build (s)", sb["seconds"], rb["seconds"], "{:.1f}", "<= 1.0x")
    stock_seconds = sb["seconds"] + sb.get("read_seconds", 0.0)  # both read the files
    add("articles/s", sb["articles"] / stock_seconds, rb["articles"] / rb["seconds"], "{:.0f}")
    add("MB/s of text", sb["mb"] / stock_seconds, rb["mb"] / rb["seconds"], "{:.2f}")
    add("peak RSS (MB)", sb["maxrss_mb"], rb["maxrss_mb"], "{:.0f}")
    if "writer_maxrss_mb" in rb:  # Rasm writes in two more processes, each up to its limitmb
        writer = f"{rb['writer_maxrss_mb']:.0f}"
        lines.append(row.format("  and of each writer process (MB)", "", writer, "", ""))
    add("index size (MB)", sb["bytes"] / 2**20, rb["bytes"] / 2**20, "{:.1f}", "<= 1.5x")
    for p in ("p50", "p95", "p99"):
        add(f"query {p} (ms)", sq["latency"][p] * 1000, rq["latency"][p] * 1000, "{:.1f}",
            "<= 1.5x, <= 50 ms" if p == "p95" else "")
    add("cold open + first query (ms)", sq["cold"] * 1000, rq["cold"] * 1000, "{:.0f}")
    add("hits per query (mean)", sq["hits_mean"], rq["hits_mean"], "{:.0f}")
    if "rounds" in sq:
        lines.append(row.format("  query p95 by round (ms)", " ".join(f"{x['latency']['p95'] * 1000:.0f}"
                                                                      for x in sq["rounds"]),
                                " ".join(f"{x['latency']['p95'] * 1000:.0f}" for x in rq["rounds"]), "", ""))
    lines.append("")
    lines.append(f"incremental: add 10 articles (new file) {inc['add_file']:.2f} s, append 10 rows to a "
                 f"{inc['jsonl_rows']}-row JSONL {inc['append_rows']:.2f} s; full rebuild "
                 f"{rb['seconds']:.1f} s -> {100 * inc['add_file'] / rb['seconds']:.2f}% and "
                 f"{100 * inc['append_rows'] / rb['seconds']:.2f}% (target <= 5%)")
    for name, label in (("web", "no cache"), ("web_cached", "answer cache on")):
        if name in r:
            w = r[name]
            lines.append(f"web /search ({label}): {w['requests']} requests from {w['clients']} clients: "
                         f"{w['rps']:.0f} req/s, p50 {w['latency']['p50'] * 1000:.0f} ms, "
                         f"p95 {w['latency']['p95'] * 1000:.0f} ms, {w['errors']} errors "
                         f"(target >= 50 req/s, p95 <= 150 ms)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
