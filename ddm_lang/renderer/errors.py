"""Errors the renderer reports about its input (never a Python traceback for bad SVG)."""

from ddm_lang.errors import UserError


class RenderError(UserError):
    """The SVG or an image it references cannot be drawn; the message says which and why."""
