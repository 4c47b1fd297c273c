"""The front matter of a markdown file: a block of ``key: value`` lines between ``---`` lines
at its top (Jekyll, Hugo and most static-site archives write their articles so).

Only the flat form archives use is read: ``key: value`` with the value plain or quoted, a list
written ``[a, b]`` or as ``- a`` lines under its key, lines indented under a key continuing its
value, ``#`` comments.  A block that is not closed, or holds a line of any other form, is no
front matter: the file is read as text, and nothing is lost.  (A YAML library would read more,
but would also turn values into dates, numbers and booleans that are then written back
differently; archives' front matter is this flat form.)
"""

from __future__ import annotations

import re

MAX_LINES = 200  # a front matter block is a few lines; past this it is text
_FENCE = re.compile(r"---[ \t]*")
_END = re.compile(r"(?:---|\.\.\.)[ \t]*")
# a key is one word ("title", "published-at"): "Fighting near Homs: dozens killed" is prose
_FIELD = re.compile(r"(?P<key>[A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(?P<value>.*?))?[ \t]*")
_ITEM = re.compile(r"[ \t]*-[ \t]+(?P<value>.*?)[ \t]*")


def front_matter(text: str) -> tuple[dict[str, str] | None, str]:
    """The front matter's fields (values as text; a list joined with ", ") and the rest of
    the text, or (None, text) when it has none."""
    lines = text.split("\n", MAX_LINES + 2)
    if not lines or not _FENCE.fullmatch(lines[0].lstrip("\ufeff").rstrip("\r")):
        return None, text
    fields: dict[str, list[str]] = {}
    key = None
    for n, raw in enumerate(lines[1:MAX_LINES + 2], 1):
        line = raw.rstrip("\r")
        if _END.fullmatch(line):
            body = "\n".join(lines[n + 1:])
            return {k: ", ".join(v for v in values if v) for k, values in fields.items()}, body
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _ITEM.fullmatch(line)
        field = _FIELD.fullmatch(line)
        if item and key is not None:
            fields[key].append(_unquoted(item["value"]))
        elif field and not line[0].isspace():
            key = field["key"]
            value = field["value"] or ""
            if value.startswith("[") and value.endswith("]"):
                fields[key] = [_unquoted(v.strip()) for v in value[1:-1].split(",")]
            else:
                fields[key] = [_unquoted(value)]
        elif line[0].isspace() and key is not None:  # a value continued on the next line
            fields[key][-1] = f"{fields[key][-1]} {line.strip()}".strip()
        else:
            return None, text
    return None, text


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace('\\"', '"') if value[0] == '"' else inner.replace("''", "'")
    return value
