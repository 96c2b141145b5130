"""A small CSS engine for SVG `<style>` sheets and `style` attributes, and the cascade.

Only what static SVG needs: rules of selector lists and declarations (at-rules are skipped);
type, universal, #id, .class and [attribute] selectors (=, ~=, |=, ^=, $=, *=), the
descendant, child and sibling combinators, and `:first-child` (other pseudo-classes never
match, as in a static document). The cascade follows resvg: presentation attributes, then
sheet rules by ascending specificity (source order within one), then the `style` attribute;
a declaration marked `!important` is not overridden by a later one.

The result is written back into the tree as plain attributes, so the rest of the renderer
reads one source of truth (`el.get("fill")`, `el.get("transform")`). Work is bounded: the
sheet's rule count is capped, rules are indexed by their rightmost id/class/type, and
matching memoises (element, selector part), so a hostile sheet cannot go exponential.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from ..namespaces import SVG_TAG
from .errors import RenderError

MAX_RULES = 10_000
MAX_MATCH_STEPS = 5_000_000  # compound-selector tests across the whole document

# Properties a style sheet or a `style` attribute may set (resvg's presentation attributes;
# `transform` and friends are presentation attributes in SVG 2).
PRESENTATION = frozenset((
    "alignment-baseline", "baseline-shift", "background-color", "clip-path", "clip-rule",
    "color", "color-interpolation", "color-interpolation-filters", "color-rendering",
    "direction", "display", "dominant-baseline", "fill", "fill-opacity", "fill-rule",
    "filter", "flood-color", "flood-opacity", "font-family", "font-kerning",
    "font-optical-sizing", "font-size", "font-size-adjust", "font-stretch", "font-style",
    "font-variant", "font-weight", "font-variation-settings", "glyph-orientation-horizontal",
    "glyph-orientation-vertical", "image-rendering", "isolation", "letter-spacing",
    "lighting-color", "marker-end", "marker-mid", "marker-start", "mask", "mask-type",
    "mix-blend-mode", "opacity", "overflow", "paint-order", "shape-rendering", "stop-color",
    "stop-opacity", "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor",
    "text-decoration", "text-overflow", "text-rendering", "transform", "transform-origin",
    "unicode-bidi", "vector-effect", "visibility", "white-space", "word-spacing",
    "writing-mode"))
# Properties resvg honours only from CSS or a `style` attribute, never as XML attributes.
CSS_ONLY = ("mix-blend-mode", "isolation", "font-kerning")
CSS_ONLY_IMAGE_RENDERING = frozenset(("smooth", "high-quality", "crisp-edges", "pixelated"))
FONT_RESETS = (("font-style", "normal"), ("font-variant", "normal"), ("font-weight", "normal"),
               ("font-stretch", "normal"), ("font-size-adjust", "none"),
               ("font-kerning", "auto"))

Declaration = tuple[str, str, bool]  # name (lower case), value, important


@dataclass
class Compound:
    """One compound selector: `rect#a.b[x]:first-child`."""

    tag: str | None = None  # None: universal
    ids: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    attrs: list[tuple[str, str, str]] = field(default_factory=list)  # name, operator, value
    first_child: bool = False
    never: bool = False  # an unsupported pseudo-class: the selector matches nothing


@dataclass
class Selector:
    """Compounds right to left, each with the combinator that links it to the next one."""

    parts: list[Compound]
    combinators: list[str]  # combinators[i] links parts[i] to parts[i + 1] (leftwards)
    specificity: tuple[int, int, int]


@dataclass
class Rule:
    selector: Selector
    declarations: list[Declaration]
    order: int


# ---- parsing -----------------------------------------------------------------------------
def strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?(\*/|$)", " ", text, flags=re.S)


NAME_RE = re.compile(r"-?[a-z_][a-z0-9_-]*")
IMPORTANT_RE = re.compile(r"!\s*important\s*$", re.I)


def parse_declarations(text: str) -> list[Declaration]:
    """`a: b; c: d !important` → declarations; `;` inside quotes or brackets is kept."""
    if any(c in text for c in "\"'([/"):
        chunks = split_outside(strip_comments(text), ";")
    else:
        chunks = text.split(";")  # the common case, without the character scan
    out: list[Declaration] = []
    for chunk in chunks:
        name, sep, value = chunk.partition(":")
        name = name.strip().lower()
        if not sep or not NAME_RE.fullmatch(name):
            continue
        value = value.strip()
        important = False
        if "!" in value:
            m = IMPORTANT_RE.search(value)
            if m:
                important = True
                value = value[:m.start()].strip()
        if value:
            out.append((name, value, important))
    return out


def split_outside(text: str, sep: str) -> list[str]:
    """Split on `sep` where it is outside quotes and brackets."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def parse_sheet(text: str, order: int = 0) -> list[Rule]:
    """Rules of a style sheet; malformed rules and at-rules are skipped, as browsers do."""
    text = strip_comments(text).replace("<!--", " ").replace("-->", " ")
    rules: list[Rule] = []
    i, n = 0, len(text)
    while i < n:
        brace = text.find("{", i)
        if brace < 0:
            break
        prelude = text[i:brace].strip()
        end = block_end(text, brace)
        body = text[brace + 1:end]
        i = end + 1
        if prelude.startswith("@") or ";" in prelude:
            # at-rules (@media, @font-face, …) and garbage before a rule are skipped;
            # a statement at-rule (`@import x;`) before a rule leaves the rule intact
            head = prelude.rsplit(";", 1)[-1].strip()
            if prelude.startswith("@") and (";" not in prelude or head.startswith("@")):
                continue
            prelude = head
        declarations = parse_declarations(body)
        for sel_text in prelude.split(","):
            selector = parse_selector(sel_text)
            if selector is not None:
                rules.append(Rule(selector, declarations, order + len(rules)))
        if len(rules) > MAX_RULES:
            raise RenderError(f"style sheet has more than {MAX_RULES} rules")
    return rules


def block_end(text: str, brace: int) -> int:
    """Index of the `}` closing the block opened at `brace` (nested blocks included)."""
    depth = 0
    for j in range(brace, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text)


TOKEN_RE = re.compile(r"""
    (?P<ws>\s*[>+~]\s*|\s+)                                  # combinator
  | (?P<type>\*|[A-Za-z_][\w-]*(?:\|[A-Za-z_][\w-]*)?)       # type or universal
  | \#(?P<id>[\w-]+)
  | \.(?P<cls>[\w-]+)
  | \[\s*(?P<attr>[\w:-]+)\s*(?:(?P<op>[~|^$*]?=)\s*
        (?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\]\s]+))\s*)?\]
  | ::?(?P<pseudo>[\w-]+(?:\([^)]*\))?)
""", re.X)


def parse_selector(text: str) -> Selector | None:
    """A complex selector, or None when it is invalid (the rule is then ignored)."""
    text = text.strip()
    if not text:
        return None
    compounds: list[Compound] = [Compound()]
    combinators: list[str] = []
    fresh = True  # no simple selector yet in the current compound
    pos = 0
    spec = [0, 0, 0]
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if m is None:
            return None
        pos = m.end()
        cur = compounds[-1]
        if m.group("ws") is not None:
            if fresh:
                return None
            combinators.append(m.group("ws").strip() or " ")
            compounds.append(Compound())
            fresh = True
            continue
        if m.group("type") is not None:
            if not fresh:
                return None
            name = m.group("type").rsplit("|", 1)[-1]
            if name != "*":
                cur.tag = name
                spec[2] += 1
        elif m.group("id") is not None:
            cur.ids.append(m.group("id"))
            spec[0] += 1
        elif m.group("cls") is not None:
            cur.classes.append(m.group("cls"))
            spec[1] += 1
        elif m.group("attr") is not None:
            value = next((v for v in (m.group("dq"), m.group("sq"), m.group("bare"))
                          if v is not None), "")
            cur.attrs.append((m.group("attr"), m.group("op") or "", value))
            spec[1] += 1
        else:
            pseudo = m.group("pseudo").lower()
            if pseudo == "first-child":
                cur.first_child = True
            else:
                cur.never = True
            spec[1] += 1
        fresh = False
    if fresh:
        return None
    compounds.reverse()
    combinators.reverse()
    return Selector(compounds, combinators, (spec[0], spec[1], spec[2]))


# ---- matching ----------------------------------------------------------------------------
def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def attr_matches(el: etree._Element, name: str, op: str, value: str) -> bool:
    actual = el.get(name)
    if actual is None:
        return False
    if op == "":
        return True
    if op == "=":
        return actual == value
    if op == "~=":
        return value in actual.split()
    if op == "|=":
        return actual == value or actual.startswith(value + "-")
    if op == "^=":
        return bool(value) and actual.startswith(value)
    if op == "$=":
        return bool(value) and actual.endswith(value)
    if op == "*=":
        return bool(value) and value in actual
    return False


def element_siblings(el: etree._Element) -> list[etree._Element]:
    """Preceding sibling elements, nearest first (comments and PIs are not elements)."""
    return [s for s in el.itersiblings(preceding=True) if isinstance(s.tag, str)]


class Matcher:
    """Matches selectors against elements with a shared work budget."""

    def __init__(self) -> None:
        self.steps = 0

    def compound(self, el: etree._Element, c: Compound) -> bool:
        self.steps += 1
        if self.steps > MAX_MATCH_STEPS:
            raise RenderError("style sheet is too expensive to match")
        if c.never or (c.tag is not None and local(el) != c.tag):
            return False
        if c.ids and any(el.get("id") != i for i in c.ids):
            return False
        if c.classes:
            have = (el.get("class") or "").split()
            if any(k not in have for k in c.classes):
                return False
        if any(not attr_matches(el, *a) for a in c.attrs):
            return False
        return not (c.first_child and element_siblings(el))

    def matches(self, el: etree._Element, sel: Selector) -> bool:
        memo: dict[tuple[int, int], bool] = {}
        chain = [el, *(a for a in el.iterancestors() if isinstance(a.tag, str))]

        def at(i: int, part: int) -> bool:  # is chain[i] matched by parts[part:]?
            key = (i, part)
            hit = memo.get(key)
            if hit is not None:
                return hit
            result = self.compound(chain[i], sel.parts[part])
            if result and part + 1 < len(sel.parts):
                comb = sel.combinators[part]
                if comb == ">":
                    result = i + 1 < len(chain) and at(i + 1, part + 1)
                elif comb == " ":
                    result = any(at(j, part + 1) for j in range(i + 1, len(chain)))
                else:
                    result = self.sibling(chain[i], sel, part + 1, comb == "+")
            memo[key] = result
            return result

        return at(0, 0)

    def sibling(self, el: etree._Element, sel: Selector, part: int, adjacent: bool) -> bool:
        """Sibling combinators: matched without memo, against a fresh ancestor chain."""
        sibs = element_siblings(el)
        if adjacent:
            sibs = sibs[:1]
        rest = Selector(sel.parts[part:], sel.combinators[part:], sel.specificity)
        return any(self.matches(s, rest) for s in sibs)


class StyleSheet:
    """All rules of a document's sheets, indexed by their rightmost compound's key."""

    def __init__(self, rules: list[Rule]) -> None:
        # resvg's order: by ascending specificity, source order within equal specificity
        rules = sorted(rules, key=lambda r: (r.selector.specificity, r.order))
        self.by_id: dict[str, list[Rule]] = {}
        self.by_class: dict[str, list[Rule]] = {}
        self.by_tag: dict[str, list[Rule]] = {}
        self.rest: list[Rule] = []
        for rule in rules:
            key = rule.selector.parts[0]
            if key.ids:
                self.by_id.setdefault(key.ids[0], []).append(rule)
            elif key.classes:
                self.by_class.setdefault(key.classes[0], []).append(rule)
            elif key.tag is not None:
                self.by_tag.setdefault(key.tag, []).append(rule)
            else:
                self.rest.append(rule)
        self.matcher = Matcher()

    def declarations(self, el: etree._Element) -> list[Declaration]:
        """The declarations of every matching rule, in cascade order."""
        candidates = list(self.rest)
        candidates += self.by_tag.get(local(el), [])
        ident = el.get("id")
        if ident:
            candidates += self.by_id.get(ident, [])
        for cls in set((el.get("class") or "").split()):
            candidates += self.by_class.get(cls, [])
        if not candidates:
            return []
        candidates.sort(key=lambda r: (r.selector.specificity, r.order))
        out: list[Declaration] = []
        for rule in candidates:
            if self.matcher.matches(el, rule.selector):
                out.extend(rule.declarations)
        return out


def document_sheet(root: etree._Element) -> StyleSheet | None:
    """The rules of every `<style>` element of type text/css (or no type), in order."""
    rules: list[Rule] = []
    for el in root.iter(f"{SVG_TAG}style", "style"):
        kind = el.get("type")
        if kind not in (None, "", "text/css"):
            continue
        text = "".join(el.itertext())
        if text.strip():
            rules += parse_sheet(text, len(rules))
            if len(rules) > MAX_RULES:
                raise RenderError(f"style sheet has more than {MAX_RULES} rules")
    return StyleSheet(rules) if rules else None


# ---- cascade -----------------------------------------------------------------------------
WATCHED = frozenset(("style", *CSS_ONLY, "image-rendering"))


def cascade(root: etree._Element) -> etree._Element:
    """Resolve `<style>` sheets and `style` attributes into presentation attributes, in
    place, and drop the properties resvg accepts only from CSS when given as attributes."""
    sheet = document_sheet(root)
    for el in root.iter():
        if sheet is None and WATCHED.isdisjoint(el.keys()):
            continue  # the common case: nothing to cascade on this element
        attrib = el.attrib
        if not isinstance(el.tag, str):
            continue
        for name in CSS_ONLY:
            if name in attrib:
                del attrib[name]
        if attrib.get("image-rendering", "").strip() in CSS_ONLY_IMAGE_RENDERING:
            del attrib["image-rendering"]
        decls = sheet.declarations(el) if sheet is not None else []
        inline = attrib.get("style")
        if inline is not None:
            decls = decls + parse_declarations(inline)
            del attrib["style"]
        if decls:
            apply(el, decls)
    return root


def apply(el: etree._Element, decls: list[Declaration]) -> None:
    """Write declarations over the element's attributes; an important value stays."""
    important: set[str] = set()

    def put(name: str, value: str, imp: bool) -> None:
        if name in important:
            return
        el.set(name, value)
        if imp:
            important.add(name)

    for name, value, imp in decls:
        if name == "marker":
            for side in ("marker-start", "marker-mid", "marker-end"):
                put(side, value, imp)
        elif name == "font":
            font_shorthand(value, imp, put)
        elif name in PRESENTATION:
            put(name, value, imp)


def font_shorthand(value: str, imp: bool, put: Callable[[str, str, bool], None]) -> None:
    """`font: [style] [variant] [weight] [stretch] size[/line-height] family`."""
    m = re.match(r"\s*((?:[\w-]+\s+)*?)([\d.]+[a-z%]*|xx-small|x-small|small|medium|large|"
                 r"x-large|xx-large|larger|smaller)(?:\s*/\s*[^\s]+)?\s+(.+)$", value, re.I)
    if m is None:
        return
    for name, default in FONT_RESETS:
        put(name, default, imp)
    for word in m.group(1).split():
        w = word.lower()
        if w in ("italic", "oblique"):
            put("font-style", w, imp)
        elif w == "small-caps":
            put("font-variant", w, imp)
        elif w in ("bold", "bolder", "lighter") or w.isdigit():
            put("font-weight", w, imp)
        elif w.endswith(("condensed", "expanded")):
            put("font-stretch", w, imp)
    put("font-size", m.group(2), imp)
    put("font-family", m.group(3).strip(), imp)


def needs_cascade(root: etree._Element) -> bool:
    """Whether `cascade` would change anything (a sheet, a style attribute, or a
    CSS-only property given as an attribute)."""
    return any(local(el) == "style" or not WATCHED.isdisjoint(el.keys()) for el in root.iter())
