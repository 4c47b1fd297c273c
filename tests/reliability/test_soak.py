"""A bounded soak on loopback: 8 clients search `rasm serve` while `rasm watch` indexes new
articles as they are written.  No request may fail, the server's memory must level off, and
every article written must be searchable at the end.

Runs RASM_SOAK_SECONDS (default 20; the issue's full soak is 300) as a ``slow`` test.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest
from conftest import NAMES, RASM, served

from search.index import build_index

SECONDS = float(os.environ.get("RASM_SOAK_SECONDS", "20"))
CLIENTS = 8
QUERIES = ["Mayadeen", "Deir ez-Zor", "دير الزور", "Raqqa OR Daraa", "Daesh", "\"Deir Ezzor\"",
           "Soakville", "title:Raqqa", "Homs NOT Hama", "Dayr az-Zawr"]


def rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its worker processes, in KiB."""
    with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as f:
        pids = [pid, *map(int, f.read().split())]
    total = 0
    for p in pids:
        with open(f"/proc/{p}/status", encoding="utf-8") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return total


@pytest.mark.slow
def test_soak_search_while_watch_adds_articles(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(NAMES, src)
    ix = tmp_path / "ix"
    build_index([src], ix)
    env = {k: v for k, v in os.environ.items() if k not in ("RASM_ALIASES", "RASM_INDEX")}
    errors = open(tmp_path / "watch.err", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    watcher = subprocess.Popen([RASM, "watch", "--delay", "0.3", "--index", str(ix)],
                               stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
    failures: list[str] = []
    latencies: list[float] = []
    written: list[str] = []
    lines: list[str] = []  # read as it comes: a full pipe would stop the watcher at its next line
    reader = threading.Thread(target=lambda: lines.extend(watcher.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any(line.startswith("Watching") for line in lines):
            assert watcher.poll() is None and time.monotonic() < deadline, lines
            time.sleep(0.05)
        assert lines[0].startswith("Updated the index")
        with served(ix) as url:
            pid = url.pid
            stop = threading.Event()

            def client(seed: int) -> None:
                rng = random.Random(seed)
                while not stop.is_set():
                    q = rng.choice(QUERIES)
                    path = rng.choice(["/search", "/api/search"])
                    t = time.monotonic()
                    address = f"{url}{path}?q={urllib.parse.quote(q)}"
                    try:
                        with urllib.request.urlopen(address, timeout=30) as r:
                            r.read()
                            if r.status != 200:
                                failures.append(f"{r.status} {path} {q}")
                    except Exception as e:  # noqa: BLE001 - every failed request is the finding
                        failures.append(f"{e!r} {path} {q}")
                    latencies.append(time.monotonic() - t)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for t in threads:
                t.start()
            started = time.monotonic()
            memory = []
            n = 0
            while time.monotonic() - started < SECONDS:
                name = f"soak/{n:04d}.txt"
                (src / name).parent.mkdir(exist_ok=True)
                (src / name).write_text(f"Soakville report {n}\n\nNews number {n} from Soakville.\n",
                                        encoding="utf-8")
                written.append(name)
                n += 1
                if pid:
                    memory.append(rss_kb(pid))
                time.sleep(0.5)
            stop.set()
            for t in threads:
                t.join()

            deadline = time.monotonic() + 30
            while True:  # the watcher catches up with the last file written
                found = f"{url}/api/search?q=Soakville&per_page=100&page=1"
                with urllib.request.urlopen(found, timeout=30) as r:
                    total = json.load(r)["total"]
                if total == len(written) or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
    finally:
        watcher.send_signal(signal.SIGTERM)  # SIGINT is ignored where the test runs in the background
        watcher.wait(timeout=30)
        reader.join(timeout=10)
        errors.close()
    err = (tmp_path / "watch.err").read_text(encoding="utf-8")

    latencies = sorted(latencies) or [0.0]
    fifths = [memory[len(memory) * k // 5] // 1024 for k in range(5)] + [memory[-1] // 1024] if memory else []
    print(f"\nsoak: {SECONDS:.0f} s, {CLIENTS} clients, {len(latencies)} requests, "
          f"{len(failures)} failed, p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
          f"{len(written)} articles added, {total} found; "
          f"server RSS at each fifth of the run: {fifths} MiB")
    assert not failures, failures[:5]
    assert total == len(written) > 10, lines[-3:]
    assert len(latencies) > 100
    assert watcher.returncode == 0 and "Traceback" not in err, err
    if pid and len(memory) >= 8:
        settled = memory[len(memory) // 4]
        assert memory[-1] < settled * 1.5 + 20_000, memory  # levels off: no growth with each request
