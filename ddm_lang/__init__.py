"""ddm_lang: DDM templates (SVG plus abstract objects and operations) compiled to creatives.

The names below are loaded on first use (PEP 562), so that importing one stage — the
parser for `ddm fmt`, say — does not import the renderer and its imaging libraries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import loader

if TYPE_CHECKING:
    from .api import (
        Creative,
        ProductError,
        Template,
        load_product,
        load_template,
        template_from_string,
    )
    from .environment import Environment, Limits, default_environment
    from .renderer import RenderError, RenderOptions, render, render_to_bytes
    from .syntax.diagnostics import Diagnostic, DiagnosticError
    from .version import __version__ as __version__

_HOMES = {
    "Creative": ".api", "ProductError": ".api", "Template": ".api",
    "load_product": ".api", "load_template": ".api", "template_from_string": ".api",
    "Environment": ".environment", "Limits": ".environment",
    "default_environment": ".environment",
    "RenderError": ".renderer", "RenderOptions": ".renderer", "render": ".renderer",
    "render_to_bytes": ".renderer",
    "Diagnostic": ".syntax.diagnostics", "DiagnosticError": ".syntax.diagnostics",
}
# Loaded the same way, though not in __all__: the version is read from the installed
# metadata (importlib.metadata) on first use, not at import.
_DUNDER_HOMES = {"__version__": ".version"}
__all__ = ["Creative", "Diagnostic", "DiagnosticError", "Environment", "Limits",
           "ProductError", "RenderError", "RenderOptions", "Template", "default_environment",
           "load_product", "load_template", "render", "render_to_bytes",
           "template_from_string"]

__getattr__ = loader(__name__, {**_HOMES, **_DUNDER_HOMES}, globals())
