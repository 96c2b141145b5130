"""recolor: derive colours from the material and keep text contrast at WCAG AA.

Registered with its signature so templates using it check; it resolves once palette perception is available.
"""

from __future__ import annotations

from .registry import ClauseSpec, OperationSpec, register

SPEC = register(OperationSpec(
    name="recolor",
    applies_to=frozenset({"image"}),
    clauses={
        "with": ClauseSpec("with", "expr", (), "the colour scheme"),
    },
    args={
    },
    needs=('palette',),
    doc="derive colours from the material and keep text contrast at WCAG AA",
    missing="it needs palette perception",
))
