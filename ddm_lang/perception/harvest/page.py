"""The product images a saved product page refers to, best first, each with where it came from.

A shop's product page names its photos in many places: the schema.org Product it states for
search engines (JSON-LD or microdata), the `og:image` and `twitter:image` share cards, a
`<link rel="image_src">`, and the gallery itself, where a theme spreads one photo over
`src`, a `srcset` of sizes, `<picture><source>`, lazy-loading attributes (`data-src`,
`data-srcset`, `data-original`, `data-lazy-src`) and zoom copies (`data-zoom-image`,
WooCommerce's `data-large_image`). Every such reference is returned, in that order (what
the shop declares to be the product's image first), resolved against `<base href>` or the
page's address and de-duplicated by URL; duplicates among different URLs (a thumbnail and
its zoom copy) are left to the perceptual hash, which sees the pixels.

The page is parsed with lxml's HTML parser, which fetches nothing and expands no entity
definitions (HTML has none; an XML declaration is dropped first). It is bounded like any
HTML page the feed readers take (`feeds.detect.MAX_HTML_BYTES`).

What is left out, and why (`DROP_RULES` words each rule as reports show it):

1. `data:` URIs of fewer than `MIN_DATA_URI_BYTES` bytes: lazy-loading placeholders and
   spacers, never a product photo.
2. Images declared at most 2 px wide or high: tracking pixels.
3. SVG images: icons and logos, and not a format the catalogue takes.
4. Images whose class, id, alt text or file name has one of `HINT_WORDS` (logo, icon,
   sprite, avatar, payment, badge...) as a word (`header__logo`, `siteLogo`, `icons.png`;
   not `Granny-Smith_Iconic.jpg`): the shop's and payment providers' marks.
5. Images inside the page's `<header>`, `<footer>` or `<nav>`, or inside an element whose
   class or id holds one of `OTHER_PRODUCT_WORDS` (related, recommended, upsell...): the
   shop's chrome and other products.

The schema.org Product's own images are never dropped by rules 2, 4 and 5: the shop states
them as the product's, whatever the markup around them says.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from ddm_lang.perception import records
from ddm_lang.perception.feeds.detect import MAX_HTML_BYTES

# The feed reader's own schema.org parsing (JSON-LD nodes, microdata items, the Product
# draft) and page decoding, so a page reads the same as a feed and as a harvest source.
from ddm_lang.perception.feeds.rows import Draft, plain_text
from ddm_lang.perception.feeds.schema_html import (
    _TYPES,
    _XML_DECLARATION,
    _decoded,
    _draft,
    _ld_products,
    _microdata_item,
    _type_name,
)

from .errors import HarvestError

MIN_DATA_URI_BYTES = 2048
"""A `data:` URI shorter than this is a placeholder (a 1×1 GIF is 70 bytes as base64)."""

HINT_WORDS = frozenset({"logo", "icon", "sprite", "avatar", "payment", "badge", "placeholder",
                        "spinner", "loader", "flag"})
"""Words (or their plurals) in an image's class, id, alt text or file name that mark it as
not the product."""

OTHER_PRODUCT_WORDS = ("related", "recommend", "upsell", "up-sell", "cross-sell",
                       "crosssell", "recently-viewed", "also-like")
"""Parts of an enclosing element's class or id (its words joined by "-") that mark a block
of other products."""

CHROME_TAGS = frozenset({"header", "footer", "nav"})

DROP_RULES = {
    "data-uri": "a data: URI under {n} bytes (a placeholder)",
    "pixel": "declared {w}×{h} px (a tracking pixel)",
    "svg": "an SVG image (icons and logos; not a format the catalogue takes)",
    "hint": "{where} says {word!r} (not the product)",
    "chrome": "inside the page's <{tag}> (the shop's own images)",
    "others": "inside {where} (other products)",
}
"""How each rule of the module docstring reads in a report."""

LAZY_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-lazy")
ZOOM_ATTRIBUTES = ("data-zoom-image", "data-large_image", "data-large-image", "data-zoom-src")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
SOURCE_TYPES = frozenset({"", "image/jpeg", "image/jpg", "image/png", "image/webp",
                          "image/gif"})
"""`<source type>` values whose images can be read (AVIF and JPEG XL sources are skipped: a
`<picture>` always carries a JPEG or PNG fallback)."""
_META_IMAGES = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                "twitter:image:src")
_NUMBER = re.compile(r"\s*(\d+)")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z]+|[0-9]+")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_URL_WHITESPACE = re.compile(r"[\t\n\r]")


@dataclass(frozen=True)
class ImageRef:
    """One image reference of a page.

    `url` is the reference resolved against `<base href>` or the page's address (still
    relative when the page has neither); `raw` is the reference as the page wrote it (a page
    saved with its files refers to them relatively, which resolves to a file next to the
    page first); `origin` says where it was found, e.g. `srcset of <img
    class="product-gallery"> (largest: 1600w)`; `hint_width` is the width the page states
    for it, if any; `schema` says the page's schema.org Product names it."""

    url: str
    origin: str
    hint_width: int | None = None
    raw: str = ""
    schema: bool = False


@dataclass(frozen=True)
class Dropped:
    """A reference left out by one of the rules, and the rule's words."""

    url: str
    origin: str
    why: str


@dataclass(frozen=True)
class PageImages:
    """What a page gives a harvest: its image references best first, those the rules left
    out, the product's title (schema.org name, else og:title, else `<title>`) and the
    schema.org Product as the feed reader drafts it (None without one)."""

    refs: tuple[ImageRef, ...]
    dropped: tuple[Dropped, ...]
    title: str | None
    product: Draft | None = None
    notes: tuple[str, ...] = ()


def page_images(html: bytes, *, page_url: str | None = None, shown: str = "page"
                ) -> list[ImageRef]:
    """Every candidate product image reference of a saved page, best first (see
    `read_page`)."""
    return list(read_page(html, page_url=page_url, shown=shown).refs)


def read_page(html: bytes, *, page_url: str | None = None, shown: str = "page"
              ) -> PageImages:
    """The image references, title and schema.org Product of a saved product page.

    `page_url` is the address the page was saved from; it resolves relative references
    when the page has no `<base href>`. `shown` names the page in messages. Raises
    `HarvestError` when the page is too large or not HTML at all."""
    if len(html) > MAX_HTML_BYTES:
        raise HarvestError(f"{shown}: {len(html):,} bytes; the most read of an HTML page is "
                           f"{MAX_HTML_BYTES:,}")
    text = _XML_DECLARATION.sub("", _decoded(html), count=1)  # lxml refuses it in a str
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True,
                                  remove_pis=True)
    try:
        root = lxml.html.fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise HarvestError(f"{shown}: cannot be read as HTML: {err}") from None
    page = root.getroottree().getroot()
    return _Reader(page, page_url, shown).read()


class _Reader:
    """One page's references, gathered in priority order."""

    def __init__(self, page: Any, page_url: str | None, shown: str) -> None:
        self.page = page
        self.shown = shown
        self.base = _base_url(page, page_url)
        self.refs: list[ImageRef] = []
        self.dropped: list[Dropped] = []
        self.seen: set[str] = set()
        self.notes: list[str] = []

    def read(self) -> PageImages:
        product = self._schema()
        self._meta()
        self._gallery()
        title = (plain_text(product.title) if product is not None and product.title else None)
        title = title or self._og_title() or self._title_element()
        return PageImages(tuple(self.refs), tuple(self.dropped), title, product,
                          tuple(self.notes))

    # ---- adding ------------------------------------------------------------------------
    def add(self, raw: str | None, origin: str, *, width: int | None = None,
            schema: bool = False, element: Any = None) -> None:
        """Add a reference unless it is empty, seen, not an image address or dropped by a
        rule (rules 2, 4 and 5 look at `element`, which schema images skip)."""
        if raw is None:
            return
        raw = _URL_WHITESPACE.sub("", raw).strip()
        if not raw or raw.startswith("#"):
            return
        url = self.resolve(raw)
        if url is None:
            return
        key = url.split("#", 1)[0]
        if key in self.seen:
            return
        self.seen.add(key)
        why = self._rule(url, element if not schema else None)
        if why is not None:
            self.dropped.append(Dropped(_short(url), origin, why))
            return
        self.refs.append(ImageRef(url, origin, width, raw, schema))

    def resolve(self, raw: str) -> str | None:
        """The reference made absolute where the page allows; None for a scheme that names
        no image (javascript:, blob:, about:, mailto:)."""
        if raw.lower().startswith("data:"):
            return raw
        scheme = urlsplit(raw).scheme.lower()
        if scheme in ("http", "https", "file"):
            return raw
        if scheme and len(scheme) > 1:     # a Windows drive letter is not a scheme
            return None
        if raw.startswith("//"):
            base_scheme = urlsplit(self.base).scheme if self.base else ""
            return f"{base_scheme or 'https'}:{raw}"
        return urljoin(self.base, raw) if self.base else raw

    def _rule(self, url: str, element: Any) -> str | None:
        """Why a reference is dropped (the module docstring's rules), or None."""
        if url.lower().startswith("data:"):
            if len(url) < MIN_DATA_URI_BYTES:
                return DROP_RULES["data-uri"].format(n=MIN_DATA_URI_BYTES)
            return (DROP_RULES["svg"] if url[5:].lower().startswith("image/svg")
                    else None)
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).lower()
        if name.endswith((".svg", ".svgz")):
            return DROP_RULES["svg"]
        if element is None:
            return None
        target = element
        if element.tag == "source":  # a <source>'s own attributes say little: ask its <img>
            picture = _picture(element)
            target = _picture_img(picture) if picture is not None else element
        w, h = _number(target.get("width")), _number(target.get("height"))
        if (w is not None and w <= 2) or (h is not None and h <= 2):
            return DROP_RULES["pixel"].format(w=w if w is not None else "?",
                                              h=h if h is not None else "?")
        stem = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).rsplit(".", 1)[0]
        for where, value in (("its class", target.get("class")), ("its id", target.get("id")),
                             ("its alt text", target.get("alt")), ("its file name", stem)):
            word = _hint(value)
            if word:
                return DROP_RULES["hint"].format(where=where, word=word)
        for ancestor in target.iterancestors():
            tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
            if tag in CHROME_TAGS:
                return DROP_RULES["chrome"].format(tag=tag)
            marks = "-".join(_words(f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"))
            if any(w in marks for w in OTHER_PRODUCT_WORDS):
                return DROP_RULES["others"].format(where=_describe(ancestor))
        return None

    # ---- the places a page names images ------------------------------------------------
    def _schema(self) -> Draft | None:
        """The first schema.org Product's images (JSON-LD first, then microdata), and its
        draft for the product record."""
        drafts: list[tuple[Draft, str]] = []
        lang = self.page.get("lang")
        for script in self.page.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            try:
                value = records.decode_json(script.text or "")
            except records.JSONTextError:
                continue
            drafts += [(_draft(node, lang), f"JSON-LD, line {script.sourceline}")
                       for node in _ld_products(value)]
        for elem in self.page.iter():
            if (isinstance(elem.tag, str) and elem.get("itemscope") is not None
                    and elem.get("itemprop") is None
                    and _type_name(elem.get("itemtype")) in _TYPES):
                drafts.append((_draft(_microdata_item(elem), lang),
                               f"microdata, line {elem.sourceline}"))
        if not drafts:
            return None
        product, where = drafts[0]
        if len(drafts) > 1:
            self.notes.append(f"{self.shown}: {len(drafts)} schema.org Products; the images of "
                              f"the first ({where}) are taken")
        for i, image in enumerate(product.images):
            self.add(image, f"schema.org Product image {i + 1} ({where})", schema=True)
        return product

    def _meta(self) -> None:
        width = None
        for meta in self.page.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").strip().lower()
            if key == "og:image:width":
                width = width or _number(meta.get("content"))
        for meta in self.page.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").strip().lower()
            if key in _META_IMAGES:
                self.add(meta.get("content"), f"<meta {key}>",
                         width=width if key.startswith("og:") else None, element=meta)
        for link in self.page.iter("link"):
            if "image_src" in (link.get("rel") or "").lower().split():
                self.add(link.get("href"), '<link rel="image_src">', element=link)

    def _gallery(self) -> None:
        for elem in self.page.iter("img", "source", "a"):
            if elem.tag == "img":
                self._img(elem)
            elif elem.tag == "source":
                picture = _picture(elem)
                if picture is None:
                    continue
                if (elem.get("type") or "").strip().lower() not in SOURCE_TYPES:
                    continue
                where = f"<source> in <picture> of {_describe(_picture_img(picture))}"
                for attr in ("srcset", "data-srcset"):
                    self._srcset(elem, attr, where)
            else:
                self._link(elem)

    def _img(self, img: Any) -> None:
        where = _describe(img)
        large_width = _number(img.get("data-large_image_width"))
        for attr in ZOOM_ATTRIBUTES:
            self.add(img.get(attr), f"{attr} of {where}", element=img,
                     width=large_width if "large" in attr else None)
        for attr in ("srcset", "data-srcset"):
            self._srcset(img, attr, where)
        width = _number(img.get("width"))
        for attr in LAZY_ATTRIBUTES:
            value = img.get(attr)
            if value and "{width}" in value:   # Shopify themes: data-widths="[180, 360, ...]"
                widest = _widest(img.get("data-widths"))
                if widest is None:
                    continue
                value, width = value.replace("{width}", str(widest)), widest
            self.add(value, f"{attr} of {where}", width=width, element=img)
        self.add(img.get("src"), f"src of {where}", width=width, element=img)

    def _srcset(self, elem: Any, attr: str, where: str) -> None:
        value = elem.get(attr)
        if not value:
            return
        best = largest_candidate(value)
        if best is None:
            return
        url, w, x = best
        size = f"{w}w" if w is not None else f"{x:g}x"
        self.add(url, f"{attr} of {where} (largest: {size})", width=w, element=elem)

    def _link(self, a: Any) -> None:
        """A gallery link around an image that opens the full-size file (lightboxes)."""
        href = a.get("href") or ""
        if not any(True for _ in a.iter("img")):
            return
        path = urlsplit(_URL_WHITESPACE.sub("", href).strip()).path.lower()
        if path.endswith(IMAGE_SUFFIXES):
            img = next(a.iter("img"))
            self.add(href, f"href of <a> around {_describe(img)}", element=img)

    def _og_title(self) -> str | None:
        for meta in self.page.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").strip().lower()
            if key in ("og:title", "twitter:title") and (meta.get("content") or "").strip():
                return plain_text(meta.get("content"))
        return None

    def _title_element(self) -> str | None:
        for title in self.page.iter("title"):
            text = _SPACE.sub(" ", title.text_content()).strip()
            if text:
                return text
        return None


def _words(text: str | None) -> list[str]:
    """The lower-case words of a class, id, alt text or file name: split at anything not a
    letter or digit and between camelCase parts."""
    return [w.lower() for w in _WORD.findall(_CAMEL.sub(r"\1 \2", text or ""))]


def _hint(text: str | None) -> str | None:
    """The first of `HINT_WORDS` that is a word of `text` (or whose plural is)."""
    for word in _words(text):
        base = word[:-1] if word.endswith("s") and word[:-1] in HINT_WORDS else word
        if base in HINT_WORDS:
            return base
    return None


def _base_url(page: Any, page_url: str | None) -> str:
    """`<base href>` resolved against the page's address, else that address, else ""."""
    for base in page.iter("base"):
        href = _URL_WHITESPACE.sub("", base.get("href") or "").strip()
        if href:
            return urljoin(page_url or "", href)
    return page_url or ""


def parse_srcset(value: str) -> list[tuple[str, int | None, float | None]]:
    """The candidates of a `srcset` as (url, width descriptor, density descriptor), parsed
    as the HTML standard does: a URL runs to the next whitespace (so a comma inside it, as in
    `w_400,h_300` of image CDNs, stays), and its descriptors run to the next comma."""
    out: list[tuple[str, int | None, float | None]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start = i
            depth = 0
            while i < n and (value[i] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[i], 0)
                i += 1
            descriptors = value[start:i]
        if not url:
            continue
        w: int | None = None
        x: float | None = None
        for token in descriptors.split():
            try:
                if token.endswith("w"):
                    w = int(token[:-1])
                elif token.endswith("x"):
                    x = float(token[:-1])
            except ValueError:
                continue
        out.append((url, w, x))
    return out


def largest_candidate(value: str) -> tuple[str, int | None, float | None] | None:
    """The largest candidate of a `srcset`: by width descriptor when any has one, else by
    density (a candidate without descriptors is 1x)."""
    candidates = parse_srcset(value)
    if not candidates:
        return None
    if any(w is not None for _, w, _ in candidates):
        return max(candidates, key=lambda c: c[1] or 0)
    url, _, x = max(candidates, key=lambda c: c[2] if c[2] is not None else 1.0)
    return url, None, x if x is not None else 1.0


def _widest(value: str | None) -> int | None:
    try:
        widths = json.loads(value or "")
    except ValueError:
        return None
    if isinstance(widths, list):
        numbers = [w for w in widths if isinstance(w, int) and not isinstance(w, bool)]
        return max(numbers) if numbers else None
    return None


def _number(value: str | None) -> int | None:
    m = _NUMBER.match(value or "")
    return int(m.group(1)) if m else None


def _picture(source: Any) -> Any:
    """The `<picture>` a `<source>` belongs to, or None (a `<video>`'s source). lxml's HTML
    parser does not know `<source>` is empty, so a second source nests in the first: the
    nearest enclosing picture is asked for, not the parent."""
    nearest = next((a for a in source.iterancestors()
                    if a.tag in ("picture", "video", "audio")), None)
    return nearest if nearest is not None and nearest.tag == "picture" else None


def _picture_img(picture: Any) -> Any:
    return next(picture.iter("img"), picture)


def _describe(elem: Any, *, place: bool = True) -> str:
    """An element as a report names it: `<img class="product-gallery__image">`, by its
    class, else its id, else its alt text; one with none of them by the nearest enclosing
    element that has a class or id (`<img> in <div class="product__description">`)."""
    tag = elem.tag if isinstance(elem.tag, str) else "element"
    for attr in ("class", "id", "alt"):
        value = _SPACE.sub(" ", elem.get(attr) or "").strip()
        if value:
            return f'<{tag} {attr}="{_clip(value, 60)}">'
    if place:
        for ancestor in elem.iterancestors():
            if ancestor.get("class") or ancestor.get("id"):
                return f"<{tag}> in {_describe(ancestor, place=False)}"
    return f"<{tag}>"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _short(url: str) -> str:
    """A reference as reports show it: data: URIs cut to their start."""
    return _clip(url, 60) if url.lower().startswith("data:") else url

