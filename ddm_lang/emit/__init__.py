"""emit: Scene → SVG text, the stage after bind.

Emit makes no decisions (bind settled every position, colour and line break); it writes
the scene as deterministic SVG that our renderer, resvg and a browser draw alike.
"""

from .svg import Href, data_uri, emit, emit_tree

__all__ = ["Href", "data_uri", "emit", "emit_tree"]
