"""Source text: grammar-driven parser, AST, diagnostics, formatter.

The names below load on first use (PEP 562): the command line imports the diagnostics
before it knows whether it will parse anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddm_lang.lazy import loader

if TYPE_CHECKING:
    from .diagnostics import Diagnostic, DiagnosticError
    from .parser import parse, parse_expression

_HOMES = {"Diagnostic": ".diagnostics", "DiagnosticError": ".diagnostics", "parse": ".parser",
          "parse_expression": ".parser"}
__all__ = ["Diagnostic", "DiagnosticError", "parse", "parse_expression"]

__getattr__ = loader(__name__, _HOMES, globals())
