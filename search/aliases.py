"""The alias table: groups of names for one thing that no spelling rule connects.

The table is data (``search/data/aliases.txt``, plus the file named by
``$RASM_ALIASES``), read at query time, so editing it needs no rebuild.  A name
is compared by its variant keys, so one spelling per form stands for all its
transliterations.  Beside it, the gazetteer (``search/data/gazetteer.tsv``, from
GeoNames) gives places their Arabic-script names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from search import settings
from search.analysis import (
    DATA,
    ArticleFilter,
    CharNormalizeFilter,
    PossessiveFilter,
    RasmTokenizer,
    key_terms,
)

DEFAULT_ALIASES = DATA / "aliases.txt"
GAZETTEER = DATA / "gazetteer.tsv"
_words = RasmTokenizer() | CharNormalizeFilter() | PossessiveFilter() | ArticleFilter()


class AliasFileError(ValueError):
    """A line of an alias file that cannot be used, with file and line number."""


@dataclass(frozen=True)
class Alias:
    text: str        # the spelling as written in the table
    acronym: bool    # matched only in capitals
    source: str = "alias"  # "alias" (the alias table) or "gazetteer"


def signature(text: str, acronym: bool = False) -> tuple[str, ...]:
    """The key sequence that identifies a name whatever its spelling ("ISIS" == "Isis")."""
    if acronym:
        return ("#" + text.lower(),)
    # a word that is only marks (a tatweel, a lone combining accent) has no key: it names nothing
    return tuple(keys[0] for t in _words(text, mode="query") if (keys := key_terms(t.text, True)))


class AliasTable:
    """Looks up the other names of a name."""

    def __init__(self, groups: list[list[Alias]]):
        self.groups = groups
        self._by_signature: dict[tuple[str, ...], list[int]] = {}
        for i, group in enumerate(groups):
            for alias in group:
                self._by_signature.setdefault(signature(alias.text, alias.acronym), []).append(i)

    def others(self, text: str) -> list[Alias]:
        """Every alias of the name ``text`` (in any of its spellings), itself excluded."""
        sigs = {signature(text)}
        if _looks_like_acronym(text):
            sigs.add(signature(text, acronym=True))
        found: list[Alias] = []
        for sig in sigs:
            for i in self._by_signature.get(sig, []):
                for alias in self.groups[i]:
                    if (signature(alias.text, alias.acronym) not in sigs
                            and all(alias.text != f.text for f in found)):
                        found.append(alias)
        return found

    @classmethod
    def from_files(cls, paths: list[Path], gazetteer: Path | None = GAZETTEER) -> AliasTable:
        groups: list[list[Alias]] = []
        for path in paths:
            groups.extend(parse_alias_file(path))
        if gazetteer is not None:
            groups.extend(parse_gazetteer(gazetteer))
        return cls(groups)


def _looks_like_acronym(text: str) -> bool:
    return 2 <= len(text) <= 5 and text.isalpha() and text.isupper()


def parse_alias_file(path: Path) -> list[list[Alias]]:
    """Reads one alias file; raises AliasFileError naming the file and line of a bad group."""
    groups = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise AliasFileError(f"{path}: cannot read alias file: {e}") from e
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names = [n.strip() for n in line.split("|")]
        if len(names) < 2 or not all(names):
            raise AliasFileError(f"{path}:{number}: a group needs two or more names separated by '|'")
        group = [Alias(n[:-1].strip(), True) if n.endswith("!") else Alias(n, False) for n in names]
        groups.append(group)
    return groups


def parse_gazetteer(path: Path) -> list[list[Alias]]:
    """Reads the gazetteer: ``name <TAB> country <TAB> Arabic names separated by |``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise AliasFileError(f"{path}: cannot read gazetteer: {e}") from e
    groups = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        names = [fields[0], *fields[2].split("|")] if len(fields) == 3 else []
        if not all(n.strip() for n in names) or len(names) < 2:
            raise AliasFileError(f"{path}:{number}: a place needs: name <TAB> country <TAB> "
                                 "names separated by '|'")
        groups.append([Alias(n.strip(), False, "gazetteer") for n in names])
    return groups


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...], gazetteer: str, stamps: tuple[float, ...]) -> AliasTable:
    return AliasTable.from_files([Path(p) for p in paths], Path(gazetteer) if gazetteer else None)


def default_aliases() -> AliasTable:
    """The bundled table plus ``$RASM_ALIASES``, with the bundled gazetteer or
    ``$RASM_GAZETTEER`` (set empty: none); re-read when a file changes."""
    paths = [DEFAULT_ALIASES]
    extra = os.environ.get(settings.ALIASES.env)
    if extra:
        paths.append(Path(extra))
    gazetteer = os.environ.get(settings.GAZETTEER.env, str(GAZETTEER))
    files = [(p, "alias file") for p in paths] + ([(Path(gazetteer), "gazetteer")] if gazetteer else [])
    stamps = []
    for p, what in files:
        try:
            stamps.append(p.stat().st_mtime)
        except OSError as e:
            raise AliasFileError(f"{p}: cannot read {what}: {e.strerror}") from e
    return _load(tuple(str(p) for p in paths), gazetteer, tuple(stamps))
