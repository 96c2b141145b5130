"""shadow: drop or contact shadow matching the estimated light direction.

Registered with its signature so templates using it check; it resolves once the subject matte and light direction is available.
"""

from __future__ import annotations

from .registry import OpArgSpec, OperationSpec, register

SPEC = register(OperationSpec(
    name="shadow",
    applies_to=frozenset({"image"}),
    clauses={
    },
    args={
        "kind": OpArgSpec("kind", "word", ('drop', 'contact'), 'drop'),
        "blur": OpArgSpec("blur", "length", (), None),
        "opacity": OpArgSpec("opacity", "number", (), None),
    },
    needs=('subject', 'light'),
    doc="drop or contact shadow matching the estimated light direction",
    missing="it needs the subject matte and light direction",
))
