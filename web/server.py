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
import time
from collections.abc import Callable

from flask import Flask
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher, WSGITask

IDENT = "rasm"  # the Server header: no product version for anyone probing
WAITING = 1  # requests a worker takes beyond one per thread; the others wait for a free worker
READ_SECONDS = 10  # a request must have arrived in full this long after its connection
SETTLING = 0.05  # a new connection counts as a request this long: its request is on its way
MAX_OPEN = 500  # connections a worker holds open, slow ones included
_TIMEOUT_ANSWER = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n"
                   b"Server: " + IDENT.encode() + b"\r\n\r\n")


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def serve(make_app: Callable[[], Flask], sock: socket.socket, threads: int = 2, workers: int = 1,
          echo: Callable[[str], None] = print) -> None:
    """Serves ``make_app()`` on the listening socket ``sock`` until interrupted."""
    # with few threads per process, requests waiting for one is the design, not news: waitress
    # would warn of its queue on every burst
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("waitress").addFilter(_NoOverflowNews())
    if workers <= 1:
        with contextlib.suppress(KeyboardInterrupt):
            _serve_worker(_steady(make_app()), sock, threads)
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


class _Channel(HTTPChannel):
    task_class = _ClosingTask
    answered = False  # its request arrived and was served: what it sends now is the answer

    def service(self):
        self.answered = True
        return super().service()


class _Server(TcpWSGIServer):
    """A worker's server: it takes a connection only while it has fewer requests than threads +
    WAITING (so requests, not kept-alive connections, are shared out between the workers: one
    that happened to accept most clients kept them waiting while another idled; 8 clients on 2
    workers answered 45 to 102 requests/s by how their connections fell, 89 to 100 so).

    What counts is requests, not connections: a connection still sending its request holds no
    thread and must not stop the worker taking others (four idle sockets stopped every worker
    for 150 s).  A request that has not arrived READ_SECONDS after its connection is answered
    408 and its connection closed."""

    channel_class = _Channel

    def readable(self) -> bool:
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        if not self.accepting or len(self._map) >= MAX_OPEN:
            return False
        requests = sum(1 for ch in self.active_channels.values()
                       if ch.requests or now - ch.creation_time < SETTLING)
        return requests < self.adj.threads + WAITING

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # kept-alive connections idle past channel_timeout
        for channel in list(self.active_channels.values()):
            if (not channel.requests and not channel.answered and not channel.will_close
                    and not channel.close_when_flushed and now - channel.creation_time > READ_SECONDS):
                channel.write_soon(_TIMEOUT_ANSWER)
                channel.close_when_flushed = True


def _serve_worker(app: Flask, sock: socket.socket, threads: int) -> None:
    """One worker process's server on the shared listening socket (see ``_Server``)."""
    # poll, not select: select fails on a descriptor past 1023, and a worker holds up to
    # MAX_OPEN connections beside its index files
    adj = Adjustments(sockets=[sock], threads=threads, ident=IDENT, cleanup_interval=1,
                      channel_timeout=READ_SECONDS, connection_limit=MAX_OPEN, asyncore_use_poll=True)
    # the loop looks again at whether to accept this often (waitress's setting takes whole
    # seconds: a worker settling its new connections then took two a second)
    adj.asyncore_loop_timeout = SETTLING
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    server = _Server(app, {}, True, sock, dispatcher=dispatcher, adj=adj, bind_socket=False,
                     sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()))
    server.run()


class _NoOverflowNews(logging.Filter):
    """A worker at its limit is the design (the rest wait in the listen queue)."""

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
