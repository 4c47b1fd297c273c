"""Finding publication dates in metadata values and article headers.

dateutil reads a date well but will also build one out of any stray number, so it only ever
sees text that already matched one of the explicit date shapes below.
"""

import datetime as dt
import email.utils
import functools
import re
from typing import NamedTuple

from dateutil import parser as dateutil_parser

MIN_YEAR, MAX_YEAR = 1900, 2100

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DATE_SHAPES = re.compile(
    "|".join(
        (
            r"(?P<iso>\b\d{4}[-/.](?:1[0-2]|0?[1-9])[-/.](?:[12]\d|3[01]|0?[1-9])"
            r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?)(?![\d:])",
            rf"\b{_MONTH}\s+{_DAY},?\s+\d{{4}}\b",  # October 07, 2017
            rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}\b",  # 5 October 2017, Fri 07 Apr 2017
            r"(?<![\d/])\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})(?![\d/])",  # 4/5/17, US month first
        )
    ),
    re.IGNORECASE,
)
# Everything dateutil leaves unset stays at midnight on the first of the month.
_DEFAULT = dt.datetime(2000, 1, 1)


class FoundDate(NamedTuple):
    """A date found in a text, with the span of characters it was read from."""

    value: dt.datetime
    start: int
    end: int


# Archives repeat the same few thousand date strings; dateutil is the slow part of ingesting a row.
@functools.lru_cache(maxsize=4096)
def parse_date(value: str) -> dt.datetime | None:
    """Reads a metadata value (a CSV/JSON date field, an HTML meta tag) as a datetime.

    ISO 8601 and RFC 2822 values keep their time of day; otherwise the first explicit date in
    the value is used, at midnight. Aware datetimes are converted to naive UTC. Returns None
    when the value holds no explicit date with a year in 1900..2100.
    """
    value = value.strip()
    if not value:
        return None
    try:
        return _checked(dt.datetime.fromisoformat(value))
    except ValueError:
        pass
    if value[:1].isalpha() and "," in value[:5]:
        try:
            return _checked(email.utils.parsedate_to_datetime(value))
        except (TypeError, ValueError):
            pass
    found = find_date(value)
    return found.value if found else None


def find_date(text: str) -> FoundDate | None:
    """Finds the first explicit date in text: ISO (2017-10-08), "October 07, 2017",
    "5 October 2017", "Fri 07 Apr 2017" or US numeric "4/5/17" (month first).

    Bare numbers and dates without a year are never taken for dates.
    """
    for match in _DATE_SHAPES.finditer(text):
        value = _read(match)
        if value is not None:
            return FoundDate(value, match.start(), match.end())
    return None


def _read(match: re.Match[str]) -> dt.datetime | None:
    if match.group("iso"):
        try:
            return _checked(dt.datetime.fromisoformat(match.group("iso")))
        except ValueError:
            pass
    try:
        return _checked(dateutil_parser.parse(match.group(0), default=_DEFAULT, yearfirst=bool(match["iso"])))
    except (ValueError, OverflowError):
        return None


def _checked(value: dt.datetime) -> dt.datetime | None:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def date_bound(value: str, end: bool = False) -> dt.datetime:
    """A date filter's bound as given by a user: ``YYYY``, ``YYYY-MM`` or a full date; an end
    bound (``until``) takes in the whole year, month or day.  Raises ValueError, saying why."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            day = dt.datetime(int(value), 12 if end else 1, 31 if end else 1)
        elif re.fullmatch(r"\d{4}-\d{1,2}", value):
            year, month = map(int, value.split("-"))
            day = dt.datetime(year, month, 1)
            if end:
                day = (day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        else:
            day = dateutil_parser.parse(value, yearfirst=True, dayfirst=False)
    except (ValueError, OverflowError) as e:
        raise ValueError(f"{value[:40]!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)") from e
    day = day.replace(tzinfo=None)
    return day.replace(hour=23, minute=59, second=59, microsecond=999999) if end else day
