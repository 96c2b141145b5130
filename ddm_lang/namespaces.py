"""XML namespaces of SVG documents, and the characters XML cannot hold, written once.

Parsing (renderer/document.py, renderer/css.py) and sanitising (semantics/raw_svg.py) must
agree on what an SVG element is: a typo in one copy of the URI would let an element pass one
check and miss another. lxml names a namespaced element or attribute in Clark notation,
`{uri}local`, so each namespace comes as its bare URI (`*_NS`, for `xmlns=` and
`QName.namespace`) and as that tag prefix (`*_TAG`, for `el.tag` and `el.get`). This module
imports nothing from ddm_lang, so any module can use it.
"""

from __future__ import annotations

SVG_NS = "http://www.w3.org/2000/svg"
SVG_TAG = "{" + SVG_NS + "}"
XLINK_NS = "http://www.w3.org/1999/xlink"
XLINK_TAG = "{" + XLINK_NS + "}"
XML_NS = "http://www.w3.org/XML/1998/namespace"  # the `xml:` prefix (xml:space, xml:lang)
XML_TAG = "{" + XML_NS + "}"

NOT_XML_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
"""The characters an XML 1.0 document cannot hold, as the body of a regular-expression
class: C0 controls but tab and line breaks, lone surrogates, U+FFFE and U+FFFF."""
