"""extend: outpaint the image to the target region's aspect ratio.

Registered with its signature so templates using it check; it resolves once background estimation or an inpainting model is available.
"""

from __future__ import annotations

from .registry import ClauseSpec, OperationSpec, register

SPEC = register(OperationSpec(
    name="extend",
    applies_to=frozenset({"image"}),
    clauses={
        "to": ClauseSpec("to", "region", (), "the region whose aspect ratio to reach"),
    },
    args={
    },
    needs=('background',),
    doc="outpaint the image to the target region's aspect ratio",
    missing="it needs background estimation or an inpainting model",
))
