"""The words the editor highlights, taken from the language's own definitions.

Keywords come from the quoted literals of `grammar/ddm.lark`, element kinds from the SVG
vocabulary, functions and operations from their registries: a word added to the language
is highlighted without touching the page.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

_LITERAL = re.compile(r'"([a-z]+)"')


@cache
def vocabulary() -> dict[str, Any]:
    """Sorted word lists for the page's highlighter."""
    from ddm_lang.semantics import operations
    from ddm_lang.semantics.functions import FUNCTIONS
    from ddm_lang.semantics.svg_vocab import DDM_PROPERTIES, ELEMENT_TAGS
    grammar = resources.files("ddm_lang.grammar").joinpath("ddm.lark").read_text("utf-8")
    grammar = "\n".join(line for line in grammar.splitlines()
                        if not line.lstrip().startswith("//"))
    return {"keywords": sorted(set(_LITERAL.findall(grammar))),
            "elements": sorted(ELEMENT_TAGS),
            "functions": sorted(FUNCTIONS),
            "operations": operations.names(),
            "properties": sorted(DDM_PROPERTIES)}
