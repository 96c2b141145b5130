"""Merchant Center RSS 2.0 and Atom feeds, streamed with lxml's `iterparse`.

Memory stays bounded whatever the feed's size: each `<item>` (`<entry>`) is turned into a row
as soon as it ends, then cleared and unlinked from its parent, so the parsed tree never
holds more than the channel's head and one product. The parser resolves no entities, loads
no DTD and reads nothing from the network, and a feed whose DTD declares entities (the
"billion laughs" expansion) is refused before its first item. Encodings are the parser's:
a byte order mark or the XML declaration (`encoding="ISO-8859-1"`) is honoured. Broken XML
ends the feed with a `FeedError` naming the line; the items before the break were yielded.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from .detect import ATOM_NS, G_NS
from .merchant import merchant_draft
from .rows import FeedError, FeedRow, Options, finish

PROLOG_BYTES = 1024 * 1024
"""Bytes scanned for entity declarations before the root element."""

_ATOM = f"{{{ATOM_NS}}}"
_G = f"{{{G_NS}}}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_RSS_CORE = frozenset({"title", "link", "description", "guid", "pubDate", "category", "author",
                       "comments", "enclosure", "source"})
"""RSS's own item elements; any other element without a namespace is read as the Merchant
Center attribute of its name (feeds written for Meta or Pinterest drop the `g:` prefix)."""


def read_xml(path: Path, shown: str, kind: str, options: Options) -> Iterator[FeedRow]:
    """Rows of a Merchant Center RSS (`kind` "gmc-rss") or Atom ("gmc-atom") feed."""
    atom = kind == "gmc-atom"
    item_tag = f"{_ATOM}entry" if atom else "item"
    root_tag = f"{_ATOM}feed" if atom else "rss"
    noun = "entry" if atom else "item"
    if _declares_entities(path):
        raise FeedError(_ENTITIES.format(shown=shown), shown)
    context = etree.iterparse(
        str(path), events=("start", "end"), tag=[item_tag, root_tag, "language"],
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        remove_comments=True, remove_pis=True)
    feed_lang: str | None = None
    count = 0
    try:
        for event, elem in context:
            tag = elem.tag
            if event == "start":
                if tag == root_tag:
                    _refuse_entities(elem, shown)
                    feed_lang = elem.get(_XML_LANG)
                continue
            if tag == "language":
                parent = elem.getparent()
                if parent is not None and parent.tag == "channel" and elem.text:
                    feed_lang = elem.text.strip()
                continue
            if tag != item_tag:
                continue
            count += 1
            where = f"{shown}:{noun} {count} (line {elem.sourceline})"
            draft = merchant_draft(_fields(elem), split_images=False)
            if draft.lang is None:
                draft.lang = elem.get(_XML_LANG) or feed_lang
            yield finish(draft, where, options)
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as err:
        line, reason = _syntax_error(err, str(path))
        if "amplification" in reason or "amplification" in str(err):
            raise FeedError(_ENTITIES.format(shown=shown), shown) from None  # past the scan
        after = f" (after {noun} {count})" if count else ""
        raise FeedError(f"{shown}:{line}: broken XML{after}: {reason}", shown) from None
    if count == 0:
        raise FeedError(f"{shown}: no <{noun}> elements: the feed has no products", shown)


_ENTITIES = ("{shown}: the feed declares entities in a DTD (<!ENTITY ...>); they are "
             "refused, not expanded (a product feed needs none)")
_ROOT = re.compile(rb"<(?:rss|feed|[A-Za-z_][\w.-]*:(?:rss|feed))[\s>/]")


def _declares_entities(path: Path) -> bool:
    """Whether the document's prolog (what comes before its root element) declares
    entities. Checked before parsing: libxml2 parses a DTD's declarations even when it
    will not expand them, and a "billion laughs" DTD should cost nothing to refuse."""
    with path.open("rb") as f:
        head = f.read(PROLOG_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    root = _ROOT.search(head)
    prolog = head[:root.start()] if root else head
    return b"<!ENTITY" in prolog


def _refuse_entities(root: Any, shown: str) -> None:
    """Refuse a document whose DTD declares entities (a prolog longer than the scan above
    reaches): nothing a product feed needs, and the way to make a small file expand into
    gigabytes."""
    docinfo = root.getroottree().docinfo
    for dtd in (docinfo.internalDTD, docinfo.externalDTD):
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise FeedError(_ENTITIES.format(shown=shown), shown)


def _fields(item: Any) -> dict[str, list[str]]:
    """An item's children as Merchant Center name → values: `g:` elements by their name,
    RSS's own `title`/`link`/`description` as "rss:title"..., Atom's as "atom:title"...;
    an Atom link is its `href` (rel "alternate" or none)."""
    fields: dict[str, list[str]] = {}
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        key = _KEYS.get(tag)
        if key is None:
            key = _key(tag)
            if len(_KEYS) < 4096:  # a feed has a few dozen element names
                _KEYS[tag] = key
        if not key:
            continue
        if key == "atom:link":
            if child.get("rel", "alternate") != "alternate":
                continue
            text = child.get("href")
        else:
            text = child.text if len(child) == 0 else "".join(child.itertext())
        values = fields.get(key)
        if values is None:
            fields[key] = [text or ""]
        else:
            values.append(text or "")
    return fields


_KEYS: dict[str, str] = {}


def _key(tag: str) -> str:
    """The field name of an item's child element ("" for one that is not read)."""
    if tag.startswith(_G):
        return tag[len(_G):]
    if tag.startswith(_ATOM):
        return "atom:" + tag[len(_ATOM):]
    if tag[0] != "{":
        return "rss:" + tag if tag in _RSS_CORE else tag
    return ""


def _syntax_error(err: etree.XMLSyntaxError, filename: str) -> tuple[int, str]:
    """(line, reason) of a parse error: libxml2's error for this file, the last in the log
    (the log is the thread's, so it may hold other files' errors, and the exception's own
    message is a generic "no element found" when entities are not resolved); else the
    exception's message, its trailing position dropped since the prefix states the line."""
    entries = [e for e in err.error_log
               if e.level >= etree.ErrorLevels.ERROR and e.filename == filename]
    if entries:
        return entries[-1].line, str(entries[-1].message).strip()
    msg = str(err.msg or err).strip()
    cut = msg.rfind(", line ")
    line = err.lineno or (err.position[0] if err.position else 0)
    return line, msg[:cut] if cut > 0 else msg
