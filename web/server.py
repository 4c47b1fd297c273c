"""Serving the app: waitress in one process, or in several sharing one listening socket.

Whoosh search is pure Python, so one process uses one core whatever its thread count, and
threads busy searching in one process slow each other down (8 threads in each of 2 processes
answered 19 searches/s where 2 in each of 4 answered 40, on 2 cores); ``workers`` processes
(forked after the socket is bound, each with its own app, searchers and caches) let every
core answer.  The first process only watches them: a worker that dies
is replaced, and Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable

import waitress
from flask import Flask

IDENT = "rasm"  # the Server header: no product version for anyone probing


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def serve(make_app: Callable[[], Flask], host: str, port: int, threads: int = 2, workers: int = 1,
          echo: Callable[[str], None] = print) -> None:
    """Serves ``make_app()`` on host:port until interrupted."""
    # with few threads per process, requests waiting for one is the design, not news: waitress
    # would warn of its queue on every burst
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    sock = listening_socket(host, port)
    if workers <= 1:
        waitress.serve(make_app(), sockets=[sock], threads=threads, ident=IDENT, _quiet=True)
        return
    children: set[int] = set()

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # a worker: the first process stops it with SIGTERM
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = 0
            try:
                waitress.serve(make_app(), sockets=[sock], threads=threads, ident=IDENT, _quiet=True)
            except BaseException:  # noqa: BLE001 - a worker reports and ends; it is replaced
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children.add(pid)

    def stop(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    for _ in range(workers):
        spawn()
    try:
        while True:
            pid, status = os.wait()
            children.discard(pid)
            echo(f"rasm: worker {pid} ended ({_how(status)}); starting another")
            spawn()
    except KeyboardInterrupt:
        pass
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        sock.close()


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"
