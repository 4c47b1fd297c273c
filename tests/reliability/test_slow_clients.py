"""Slow clients: sockets that send nothing, or a byte a second, while 8 clients search a real
`rasm serve`.  Four idle sockets used to stop every worker for 150 s; now every search must be
answered, and every slow socket be answered 408 and closed once its request is overdue.

Runs RASM_SLOW_CLIENT_SECONDS (default 15) as a ``slow`` test, with 64 slow sockets.
"""

import os
import random
import socket
import threading
import time
import urllib.parse
import urllib.request

import pytest
from conftest import served

from web.server import READ_SECONDS

SECONDS = float(os.environ.get("RASM_SLOW_CLIENT_SECONDS", "15"))
SLOW, IDLE, CLIENTS = 64, 8, 8
QUERIES = ["Mayadeen", "Deir ez-Zor", "دير الزور", "Raqqa OR Daraa", "Daesh", "Homs NOT Hama"]
REQUEST = b"GET /search?q=Raqqa HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def dribble(port: int, stop: threading.Event, answers: list[tuple[float, bytes]], per_byte: float) -> None:
    """One slow client after another: each connects, sends a byte every ``per_byte`` seconds
    (never, if 0), and notes what the server answered when it closed the connection."""
    while not stop.is_set():
        with socket.create_connection(("127.0.0.1", port), timeout=READ_SECONDS + 30) as s:
            s.settimeout(per_byte or 1.0)
            got = b""
            sent = 0
            while not stop.is_set():
                if per_byte and sent < len(REQUEST):
                    try:
                        s.sendall(REQUEST[sent:sent + 1])
                    except OSError:
                        break
                    sent += 1
                try:
                    chunk = s.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                got += chunk
            if not stop.is_set():
                answers.append((per_byte, got))


@pytest.mark.slow
def test_slow_sockets_keep_no_search_waiting(corpus_index):
    with served(corpus_index.path) as url:
        port = int(url.rsplit(":", 1)[1])
        stop = threading.Event()
        answers: list[tuple[float, bytes]] = []
        slow = [threading.Thread(target=dribble, args=(port, stop, answers, 1.0), daemon=True)
                for _ in range(SLOW)]
        slow += [threading.Thread(target=dribble, args=(port, stop, answers, 0.0), daemon=True)
                 for _ in range(IDLE)]
        for t in slow:
            t.start()
        time.sleep(1.0)  # every slow socket connected first
        latencies: list[float] = []
        failures: list[str] = []

        def client(seed: int) -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                q = rng.choice(QUERIES)
                started = time.monotonic()
                try:
                    with urllib.request.urlopen(f"{url}/api/search?q={urllib.parse.quote(q)}",
                                                timeout=READ_SECONDS + 20) as r:
                        r.read()
                        if r.status != 200:
                            failures.append(f"{r.status} {q}")
                except Exception as e:  # noqa: BLE001 - every failed search is the finding
                    failures.append(f"{e!r} {q}")
                latencies.append(time.monotonic() - started)

        clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in clients:
            t.start()
        time.sleep(SECONDS)
        stop.set()
        for t in clients:
            t.join()
    latencies.sort()
    timed_out = sum(got.startswith(b"HTTP/1.1 408") for _, got in answers)
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    print(f"\nslow clients: {SLOW} sockets at a byte a second and {IDLE} idle, {CLIENTS} clients "
          f"searching {SECONDS:.0f} s: {len(latencies)} searches, {len(failures)} failed, "
          f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
          f"{len(answers)} slow sockets closed, {timed_out} with 408")
    assert not failures, failures[:5]
    assert len(latencies) > CLIENTS * SECONDS  # searches kept flowing: more than one a second each
    assert latencies[-1] < READ_SECONDS  # none waited behind a slow socket's deadline
    if SECONDS > READ_SECONDS + 2:  # each was closed at its deadline; those that sent, with a 408
        assert len(answers) >= SLOW + IDLE
        assert all(got.startswith(b"HTTP/1.1 408") for per_byte, got in answers if per_byte), answers[:3]
