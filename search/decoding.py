"""Turning a news file's bytes and markup into plain text, without losing an article to one bad
byte: character decoding first, then reading HTML and markdown as text."""

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import charset_normalizer

# UTF-32 before UTF-16: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Git's binary test: a NUL byte near the start.
_BINARY_PROBE = 8000
# A file is "mostly not UTF-8" when invalid bytes are at least this share of it (cp1256 Arabic is
# most of its bytes; FA-KES, with 123 stray cp1252 bytes in 1.6 MB, is far below) ...
_INVALID_SHARE_FOR_DETECTION = 0.01
# ... and there are enough of them for charset-normalizer's guess to be better than cp1252.
_MIN_INVALID_FOR_DETECTION = 8
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASCII = bytes(range(128))
_CP1252_FALLBACK = "rasm-cp1252-fallback"


class NotText(ValueError):
    """The file holds no text to index (empty or binary); str() is the reason."""


def _decode_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; they are noise, so they go.
    return bytes(bad).decode("cp1252", errors="ignore"), error.end


codecs.register_error(_CP1252_FALLBACK, _decode_as_cp1252)


def decode_text(raw: bytes, nfc: bool = True) -> str:
    """Decodes a file's bytes to text, NFC-normalised unless ``nfc`` is off (JSON: a newline
    escape before a combining mark would compose into another letter and break the syntax;
    its strings are normalised once parsed).

    A UTF-8/16/32 byte-order mark is honoured. Otherwise the bytes are read as UTF-8, with any
    rare invalid byte read as cp1252 (so 0x95 becomes "•" and 0x92 "’"); a file that is mostly
    not UTF-8 (cp1256 Arabic, latin-1 throughout) is decoded as charset-normalizer detects.
    Raises NotText("empty file") or NotText("binary file, skipped").
    """
    text = _decode(raw)
    if "\x00" in text:  # a stray NUL past the binary probe is noise, not text
        text = text.replace("\x00", "")
    if not text.strip():
        raise NotText("empty file")
    return _nfc(text) if nfc else text


def clean_value(text: str) -> str:
    """A string from parsed JSON or CSV, made safe to index: a lone surrogate (an escaped
    "\\ud800" with no pair) becomes U+FFFD, and the text is NFC-normalised."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return _nfc(text)


def _nfc(text: str) -> str:
    # Normalising only the lines that need it is several times faster on large Arabic files.
    if unicodedata.is_normalized("NFC", text):
        return text
    lines = text.split("\n")
    return "\n".join(
        line if unicodedata.is_normalized("NFC", line) else unicodedata.normalize("NFC", line)
        for line in lines
    )


def _decode(raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding, errors="replace")
    if b"\x00" in raw[:_BINARY_PROBE]:
        raise NotText("binary file, skipped")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    invalid = len(_ESCAPED_BYTE.findall(raw.decode("utf-8", errors="surrogateescape")))
    non_ascii = len(raw.translate(None, _ASCII))
    mostly_invalid = invalid * 2 > non_ascii and invalid >= _INVALID_SHARE_FOR_DETECTION * len(raw)
    arabic = _cp1256_arabic(raw) if mostly_invalid else None
    if arabic is not None:  # too short for charset-normalizer to tell Arabic from CJK or Cyrillic
        return arabic
    if mostly_invalid and invalid >= _MIN_INVALID_FOR_DETECTION:
        guess = _detected(raw)
        if guess is not None:
            return guess
    return raw.decode("utf-8", errors=_CP1252_FALLBACK)


def _cp1256_arabic(raw: bytes) -> str | None:
    """``raw`` read as cp1256 (Windows Arabic) if that makes its non-ASCII letters Arabic ones
    (at least 4, and 90 %); None otherwise (a latin-1 file keeps its accented Latin letters)."""
    try:
        text = raw.decode("cp1256")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text if not c.isascii() and c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    return text if arabic >= 4 and arabic >= 0.9 * len(letters) else None


def _detected(raw: bytes) -> str | None:
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        return None
    # Latin-1 text fits cp1250 and cp1252 equally well; on a tie the web's commonest wins.
    tied = [match for match in matches if (match.chaos, match.coherence) == (best.chaos, best.coherence)]
    western = [match for match in tied if "cp1252" in match.could_be_from_charset]
    return str(western[0] if western else best)


# Markup: what is left of HTML and markdown once they are read as plain text.

_SKIPPED_TAGS = frozenset(
    {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "iframe"}
    | {"button", "select"}
)
_BLOCK_TAGS = frozenset(
    {"address", "article", "blockquote", "body", "dd", "div", "dl", "dt", "figcaption", "figure", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "li", "main", "ol", "p", "pre", "section", "ul"}
    | {"table", "tbody", "td", "th", "thead", "tr"}
)
_BLOCK_TAG = re.compile(r"<(?:" + "|".join(sorted(_BLOCK_TAGS | {"br"})) + r")\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<!--.*?-->|</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+|mailto:[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S.*$", re.MULTILINE)
_HEADING_MARKS = re.compile(r"^#{1,6} +|(?<=\S) +#+$")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")


@dataclass
class HTMLPage:
    """The readable text of an HTML page (paragraphs separated by blank lines) and its metadata."""

    text: str = ""
    title: str = ""
    h1: str = ""
    time: str = ""
    canonical: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def html_page(markup: str) -> HTMLPage:
    """Reads an HTML page or fragment: the text of its body with scripts, styles, navigation,
    headers, footers, asides and forms left out, block elements as paragraph breaks and entities
    unescaped; plus its <title>, first <h1>, first <time datetime>, canonical link and <meta>
    values (by lower-cased property, name or itemprop; the first of each wins)."""
    parser = _PageParser()
    parser.feed(markup)
    parser.close()
    parser.page.text = "".join(parser.parts)
    parser.page.title = _SPACES.sub(" ", parser.page.title).strip()
    parser.page.h1 = _SPACES.sub(" ", parser.page.h1).strip()
    return parser.page


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HTMLPage()
        self.parts: list[str] = []
        self.skip_depth = 0
        self.in_title = False
        self.h1_state = "before"  # "before", "inside", then "after" the first <h1>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
            if key and attributes.get("content"):
                self.page.meta.setdefault(key.strip().lower(), attributes["content"].strip())
        elif tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            self.page.canonical = self.page.canonical or attributes.get("href", "").strip()
        elif tag == "time" and not self.page.time:
            self.page.time = attributes.get("datetime", "").strip()
        elif tag == "title":
            self.in_title = True
        elif tag == "h1" and self.h1_state == "before":
            self.h1_state = "inside"
        if tag in _SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "h1" and self.h1_state == "inside":
            self.h1_state = "after"
        if tag in _SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
            return
        if self.h1_state == "inside":
            self.page.h1 += data
        if not self.skip_depth:
            self.parts.append(_SPACES.sub(" ", data))


def strip_markup(text: str) -> str:
    """Plain text from text that may hold HTML: with block tags it is read as a page (see
    html_page); otherwise stray tags are removed and entities such as "&amp;" unescaped."""
    if "<" in text and _BLOCK_TAG.search(text):
        return html_page(text).text
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = _ENTITY.sub(lambda entity: html.unescape(entity.group()), text)
    return text


def plain_line(line: str) -> str:
    """One line with markdown links and images reduced to their text ("[X](url)" -> "X"),
    autolinks to their address, **bold** and __bold__ markers and a heading's #s removed, and
    whitespace collapsed to single spaces."""
    if "[" in line:
        line = _MD_LINK.sub(r"\1", line)
    if "<" in line:
        line = _AUTOLINK.sub(r"\1", line)
    if "**" in line or "__" in line:
        line = _EMPHASIS.sub(r"\2", line)
    line = " ".join(_INVISIBLE.sub("", line).split())
    return _HEADING_MARKS.sub("", line) if line.startswith("#") else line


def paragraphs(text: str) -> list[list[str]]:
    """Splits plain text into paragraphs at blank lines (a markdown heading is a paragraph of its
    own), each a list of its non-empty lines cleaned by plain_line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "#" in text:
        text = _MD_HEADING.sub(lambda heading: f"\n\n{heading.group()}\n\n", text)
    blocks = []
    for chunk in _BLANK_LINE.split(text):
        lines = [line for line in map(plain_line, chunk.split("\n")) if line]
        if lines:
            blocks.append(lines)
    return blocks
