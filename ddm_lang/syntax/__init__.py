"""Source text: grammar-driven parser, AST, diagnostics, formatter.

The names below load on first use (PEP 562): the command line imports the diagnostics
before it knows whether it will parse anything."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diagnostics import Diagnostic, DiagnosticError
    from .parser import parse, parse_expression

_HOMES = {"Diagnostic": ".diagnostics", "DiagnosticError": ".diagnostics", "parse": ".parser",
          "parse_expression": ".parser"}
__all__ = ["Diagnostic", "DiagnosticError", "parse", "parse_expression"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'ddm_lang.syntax' has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
