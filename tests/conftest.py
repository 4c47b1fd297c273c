"""Shared fixtures: real indexes built once per session, and the paths of the real test data."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from search.index import BuildReport, build_index

TESTS = Path(__file__).parent
NAMES = TESTS / "fixtures" / "names"
CORPUS = TESTS.parent / "corpus"
# The installed console script of the venv running the tests (not whatever `rasm` is on PATH).
RASM = str(Path(sys.executable).with_name("rasm"))


@dataclass(frozen=True)
class BuiltIndex:
    path: Path
    report: BuildReport


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch):
    """The user's own alias file, gazetteer or index folder must not leak into any test."""
    monkeypatch.delenv("RASM_ALIASES", raising=False)
    monkeypatch.delenv("RASM_GAZETTEER", raising=False)
    monkeypatch.delenv("RASM_INDEX", raising=False)


@pytest.fixture(scope="session")
def names_index(tmp_path_factory) -> BuiltIndex:
    """tests/fixtures/names indexed once; tests must only read it."""
    folder = tmp_path_factory.mktemp("names-index")
    return BuiltIndex(folder, build_index([NAMES], folder))


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> BuiltIndex:
    """The bundled corpus/ indexed once (about 6 s); tests must only read it."""
    folder = tmp_path_factory.mktemp("corpus-index")
    return BuiltIndex(folder, build_index([CORPUS], folder))


def _run_rasm(*args: str, module: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "search"] if module else [RASM]
    env = {k: v for k, v in os.environ.items() if k not in ("RASM_ALIASES", "RASM_GAZETTEER", "RASM_INDEX")}
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="session")
def run_rasm():
    """Runs the real installed ``rasm`` (or ``python -m search`` with module=True) in a subprocess."""
    return _run_rasm


class ServedURL(str):
    """A served app's base URL, knowing the server's process id."""

    pid: int


@contextlib.contextmanager
def served(index: Path):
    """A real ``rasm serve`` over ``index`` on a free loopback port; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # its messages go to a file: a pipe nobody reads would stop the server once full
    errors = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([RASM, "serve", "--index", str(index), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=errors, text=True)
    url = ServedURL(f"http://127.0.0.1:{port}")
    url.pid = proc.pid
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None, errors.seek(0) or errors.read()
                assert time.monotonic() < deadline, "rasm serve did not come up in 30 s"
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        errors.close()


class TookTooLong(BaseException):
    """Not an Exception: code under test that catches every Exception must not swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Fails the test (instead of hanging it) when the block runs longer than ``seconds``."""
    def expire(_signum, _frame):
        raise TookTooLong(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def names_copy(tmp_path) -> tuple[Path, Path]:
    """A copy of tests/fixtures/names (in src/) indexed into ix/: a test may change both."""
    src = tmp_path / "src"
    shutil.copytree(NAMES, src)
    build_index([src], tmp_path / "ix")
    return src, tmp_path / "ix"
