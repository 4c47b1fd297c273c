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
import gc
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable

import waitress
from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask

IDENT = "rasm"  # the Server header: no product version for anyone probing
WAITING = 1  # connections a worker holds beyond one per thread; the others wait for a free worker
_WAITRESS_OWN = 2  # waitress counts its listening socket and its wake-up pipe as connections


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
    logging.getLogger("waitress").addFilter(_NoOverflowNews())
    sock = listening_socket(host, port)
    if workers <= 1:
        waitress.serve(_steady(make_app()), sockets=[sock], threads=threads, ident=IDENT, _quiet=True)
        return
    children: set[int] = set()

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # a worker: the first process stops it with SIGTERM
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = 0
            try:
                _serve_worker(_steady(make_app()), sock, threads)
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


class _ClosingTask(WSGITask):
    def build_response_header(self):
        self.set_close_on_finish()  # "Connection: close" (an application may not send it)
        return super().build_response_header()


class _ClosingChannel(HTTPChannel):
    task_class = _ClosingTask


def _serve_worker(app: Flask, sock: socket.socket, threads: int) -> None:
    """One worker: each answer closes its connection and the worker takes a new connection only
    while it has a thread free (``connection_limit``), so requests, not kept-alive connections,
    are shared out between the workers: one that happened to accept most of the clients does
    not keep them waiting while another idles (8 clients on 2 workers answered 45 to 102
    requests/s, by how their connections fell; 89 to 100 so)."""
    server = create_server(app, sockets=[sock], threads=threads, ident=IDENT,
                           connection_limit=threads + WAITING + _WAITRESS_OWN)
    server.channel_class = _ClosingChannel
    server.run()


class _NoOverflowNews(logging.Filter):
    """A worker at its connection limit is the design (the rest wait in the listen queue)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "connection limit" not in record.getMessage()


def _steady(app: Flask) -> Flask:
    """The app, with what was made to start it (modules, templates, the app) kept out of the
    cyclic garbage collector's scans, and the collector run less often: on a warm server a full
    collection paused every request in the process for over 100 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
    return app


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"
