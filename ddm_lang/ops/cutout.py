"""cutout: replace the background by transparency using the subject matte.

Registered with its signature so templates using it check; it resolves once the subject segmentation model is available.
"""

from __future__ import annotations

from .registry import OperationSpec, register

SPEC = register(OperationSpec(
    name="cutout",
    applies_to=frozenset({"image"}),
    clauses={
    },
    args={
    },
    needs=('subject',),
    doc="replace the background by transparency using the subject matte",
    missing="it needs the subject segmentation model",
))
