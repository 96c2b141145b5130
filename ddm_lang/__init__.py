"""ddm_lang: DDM templates (SVG plus abstract objects and operations) compiled to creatives."""

from .api import Creative, ProductError, Template, load_product, load_template
from .renderer import RenderError, RenderOptions, render, render_to_bytes
from .syntax.diagnostics import Diagnostic, DiagnosticError

__all__ = ["Creative", "Diagnostic", "DiagnosticError", "ProductError", "RenderError",
           "RenderOptions", "Template", "load_product", "load_template", "render",
           "render_to_bytes"]
__version__ = "0.1.0"
