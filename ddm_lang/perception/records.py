"""The limits every product record obeys, wherever it comes from.

A product reaches the binder from a catalogue file, a folder of photos, one product file
(`ddm compile --product`) or a server's catalogue; all of them are checked by the catalogue's
checker, which takes its bounds from here. The bounds exist so that one bad record fails
with its product and field named instead of much later and elsewhere: a title of a million
characters costs the text layout minutes, a control character breaks the SVG writer with a
message that names neither, JSON nested a hundred thousand deep overflows Python's decoder.

The limits are documented in docs/materials.md ("Record limits"); keep the two in step.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ddm_lang.namespaces import NOT_XML_CHARS

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects a catalogue or product JSON text may have. A catalogue
needs five (`{"products": [{"brand": {"logos": [...]}}]}`); a deeper text is an error located
at the bracket that passes the bound, never Python's RecursionError."""

MAX_INT_DIGITS = 18   # JSON integers longer than this are read as floats
MAX_ID = 200
"""Characters in a product id: ids name output files, and file names are short."""

MAX_TEXT = 2_000
"""Characters in a short text: title, category, brand name, a selling point, an attribute
value, a currency. Longer text is a feed mistake (a description pasted into the title)."""

MAX_DESCRIPTION = 20_000
"""Characters in `description`, the one long text of a product."""

MAX_LANG = 35
"""Characters in a language tag (BCP 47 advises 35 for the longest useful tag)."""

MAX_CURRENCY = 16
"""Characters in `price.currency` (an ISO code such as USD, or a symbol)."""

MAX_KEY = 100
"""Characters in an attribute key."""

MAX_PATH = 1_024
"""Characters in an image or logo path."""

MAX_IMAGES = 100
"""Entries in `images`."""

MAX_LOGOS = 20
"""Entries in `brand.logos`."""

MAX_SELLING_POINTS = 50
"""Entries in `selling_points`."""

MAX_ATTRIBUTES = 200
"""Keys in `attributes`."""

_SPECIAL = re.compile(r'[\[\]{}"\\]')
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_PAIRS = re.compile(r"[\[{][\]}]")
_FORBIDDEN = re.compile(f"[{NOT_XML_CHARS}\x7f]")
"""Characters no record text may hold: C0 controls other than tab, line feed and carriage
return, and DEL (invisible, and mostly refused by XML), lone surrogates (JSON can spell them;
UTF-8 cannot encode them) and the two non-characters XML refuses. Tab and line ends are kept:
they are ordinary whitespace in a description read from a text file; so are U+0085 and
U+2028, which feeds use as line breaks."""


class JSONTextError(ValueError):
    """A JSON text that cannot be read as a record: where (1-based line and column) and why."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        self.line, self.column, self.reason = line, column, reason
        super().__init__(f"{line}:{column}: {reason}")


def decode_json(text: str) -> Any:
    """`json.loads`, with nesting bounded to `MAX_JSON_DEPTH` and every failure located.

    Python's decoder recurses per level, so a deep text raises RecursionError (caught here
    and located); a text it can take is then checked against the documented bound, which
    costs little because a valid text's strings can be skipped by one regular expression.
    """
    place: tuple[int, int] | None
    try:
        value = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as err:
        raise JSONTextError(err.lineno, err.colno, f"invalid JSON: {err.msg}") from None
    except RecursionError:
        place = _locate_depth(text) or (1, 1)
    else:
        place = _too_deep(text)
    if place is not None:
        raise JSONTextError(*place, f"JSON nested deeper than {MAX_JSON_DEPTH} levels "
                                    "(arrays and objects); a catalogue needs five")
    return value


def _integer(digits: str) -> int | float:
    """An integer as Python reads it, but one longer than any real quantity becomes a
    float (infinite past 1e308), so a 5,000-digit price is refused as a non-finite
    number naming its field instead of failing in int()'s digit limit."""
    return int(digits) if len(digits) <= MAX_INT_DIGITS else float(digits)


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) of the first bracket past `MAX_JSON_DEPTH` in a *valid* JSON text.

    Most texts are shallow, so the common case is decided at C speed: strings and everything
    but brackets are removed and innermost pairs stripped `MAX_JSON_DEPTH` times; only if an
    opening bracket survives is the text walked to find the place. (The string pattern is
    linear only because the text is known to be valid; `_locate_depth` is linear on any text.)
    """
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    for _ in range(MAX_JSON_DEPTH):
        brackets, stripped = _PAIRS.subn("", brackets)
        if not stripped:
            break
    if "[" not in brackets and "{" not in brackets:
        return None
    return _locate_depth(text)


def _locate_depth(text: str) -> tuple[int, int] | None:
    """(line, column) of the first bracket past `MAX_JSON_DEPTH`, walking brackets, quotes and
    backslashes once; brackets inside strings do not count."""
    depth, in_string, escaped_at = 0, False, -1
    for token in _SPECIAL.finditer(text):
        char, at = token.group(), token.start()
        if in_string:
            if at == escaped_at:
                continue
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def text_problem(value: str, limit: int) -> str | None:
    """Why `value` cannot be a record's text (too long, a control character), or None.

    The message names the character by its code point and 1-based position: a control
    character is invisible wherever the feed is viewed, so naming it is the only way to find it.
    """
    if len(value) > limit:
        return f"is {len(value):,} characters long; the most is {limit:,}"
    bad = _FORBIDDEN.search(value)
    if bad is None:
        return None
    char = bad.group()
    kind = {"Cc": "control character", "Cs": "unpaired surrogate"}.get(
        unicodedata.category(char), "non-character")
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "")
    shown = f"U+{ord(char):04X}" + (f" ({name})" if name else "")
    return f"contains the {kind} {shown} at character {bad.start() + 1}; remove it from the feed"


_CONTROL_NAMES = {0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x1B: "ESCAPE", 0x7F: "DELETE"}


def list_problem(count: int, limit: int) -> str | None:
    """Why a list of `count` entries is too long, or None."""
    return f"has {count:,} entries; the most is {limit:,}" if count > limit else None


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """The known field closest to a misspelt `name` (`imgaes` → `images`), if one is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None
