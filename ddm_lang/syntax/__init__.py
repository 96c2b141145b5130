"""Source text: grammar-driven parser, AST, diagnostics, formatter."""

from .diagnostics import Diagnostic, DiagnosticError
from .parser import parse, parse_expression

__all__ = ["Diagnostic", "DiagnosticError", "parse", "parse_expression"]
