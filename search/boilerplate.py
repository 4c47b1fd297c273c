"""Recognising lines that are site furniture (donation appeals, disclaimers, share prompts)
rather than the article, using the patterns in data/boilerplate.txt."""

import functools
import re
from pathlib import Path

PATTERNS_PATH = Path(__file__).parent / "data" / "boilerplate.txt"
# A whole article squeezed onto one line (as in FA-KES) is never boilerplate, however it begins.
MAX_BOILERPLATE_CHARS = 1200


@functools.cache
def load_patterns(path: Path = PATTERNS_PATH) -> re.Pattern[str]:
    """Compiles the patterns file (one regex a line; blank lines and '#' comments ignored) into
    one case-insensitive regex that matches at the start of a line, after any leading
    punctuation. Raises ValueError naming the line of a pattern that is invalid or matches
    an empty line."""
    alternatives = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"{path}:{number}: invalid pattern {pattern!r}: {exc}") from None
        if compiled.match(""):
            raise ValueError(f"{path}:{number}: pattern {pattern!r} matches an empty line")
        alternatives.append(f"(?:{pattern})")
    # "(?!)" never matches: an empty file means no line is boilerplate.
    return re.compile(r"[\W_]*(?:" + ("|".join(alternatives) or "(?!)") + ")", re.IGNORECASE)


def is_boilerplate(line: str) -> bool:
    """True when the line (markdown links already reduced to their text) is boilerplate."""
    return len(line) <= MAX_BOILERPLATE_CHARS and load_patterns().match(line) is not None
