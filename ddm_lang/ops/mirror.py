"""mirror: horizontal flip when the subject faces away from the copy; never an image that carries text.

Registered with its signature so templates using it check; it resolves once subject facing and text detection (perception models) is available.
"""

from __future__ import annotations

from .registry import OperationSpec, register

SPEC = register(OperationSpec(
    name="mirror",
    applies_to=frozenset({"image"}),
    clauses={
    },
    args={
    },
    needs=('subject', 'ocr'),
    doc="horizontal flip when the subject faces away from the copy; never an image that carries text",
    missing="it needs subject facing and text detection (perception models)",
))
