"""ddm_lang: DDM templates (SVG plus abstract objects and operations) compiled to creatives.

The names below are loaded on first use (PEP 562), so that importing one stage — the
parser for `ddm fmt`, say — does not import the renderer and its imaging libraries."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Creative, ProductError, Template, load_product, load_template
    from .renderer import RenderError, RenderOptions, render, render_to_bytes
    from .syntax.diagnostics import Diagnostic, DiagnosticError

_HOMES = {
    "Creative": ".api", "ProductError": ".api", "Template": ".api",
    "load_product": ".api", "load_template": ".api",
    "RenderError": ".renderer", "RenderOptions": ".renderer", "render": ".renderer",
    "render_to_bytes": ".renderer",
    "Diagnostic": ".syntax.diagnostics", "DiagnosticError": ".syntax.diagnostics",
}
__all__ = ["Creative", "Diagnostic", "DiagnosticError", "ProductError", "RenderError",
           "RenderOptions", "Template", "load_product", "load_template", "render",
           "render_to_bytes"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'ddm_lang' has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
