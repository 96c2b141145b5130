"""ddm_lang: DDM templates (SVG plus abstract objects and operations) compiled to creatives."""

from .api import Creative, ProductError, Template, load_product, load_template
from .syntax.diagnostics import Diagnostic, DiagnosticError

__all__ = ["Creative", "Diagnostic", "DiagnosticError", "ProductError", "Template",
           "load_product", "load_template"]
__version__ = "0.1.0"
