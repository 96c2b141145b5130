"""caption: copy for a text box, written from the product's data.

Registered with its signature so `text t = caption(kind: headline)` checks; it resolves
once the copy model and text fitting provide it.
"""

from __future__ import annotations

from .registry import OpArgSpec, OperationSpec, register

KINDS = ("headline", "selling_point", "cta", "price", "brand")

SPEC = register(OperationSpec(
    name="caption",
    applies_to=frozenset({"text"}),
    args={
        "kind": OpArgSpec("kind", "word", KINDS, "headline"),
        "max_lines": OpArgSpec("max_lines", "number", (), 2),
        "lang": OpArgSpec("lang", "string", (), None),
    },
    needs=("copy",),
    doc="copy for a text box from the product data: only facts present in it",
    missing="it needs the copy writer (caption kinds, factuality check)",
))
