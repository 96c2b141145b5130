"""Errors the renderer reports about its input (never a Python traceback for bad SVG)."""


class RenderError(Exception):
    """The SVG or an image it references cannot be drawn; the message says which and why."""
