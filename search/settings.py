"""Settings declared once -- name, default, help -- for the CLI, the web app and the docs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    help: str


INDEX = Setting("index", "RASM_INDEX", "index folder (default: $RASM_INDEX, else the project's index/)")
ALIASES = Setting("aliases", "RASM_ALIASES", "extra alias file, read beside the bundled table")
GAZETTEER = Setting("gazetteer", "RASM_GAZETTEER",
                    "gazetteer file in place of the bundled one (GeoNames places of Syria and its "
                    "neighbours); empty for none")


def default_index_dir() -> Path:
    """$RASM_INDEX, else ``index/`` of the source checkout, else ``./index``."""
    env = os.environ.get(INDEX.env)
    if env:
        return Path(env)
    if (PROJECT_ROOT / "corpus").is_dir():
        return PROJECT_ROOT / "index"
    return Path.cwd() / "index"


def is_bundled_index(index_dir: str | Path) -> bool:
    """Whether ``index_dir`` is the source checkout's own ``index/``: the only index Rasm builds
    (from the bundled corpus) or rebuilds without being told to."""
    return default_corpus() is not None and Path(index_dir).resolve() == (PROJECT_ROOT / "index").resolve()


def default_corpus() -> Path | None:
    """The bundled demo corpus of a source checkout, if there is one."""
    corpus = PROJECT_ROOT / "corpus"
    return corpus if corpus.is_dir() else None
