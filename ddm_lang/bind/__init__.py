"""bind: a checked template, one product and one format → Scene."""

from .binder import bind, bind_placed
from .placements import Placement, Selection, SourceMap

__all__ = ["Placement", "Selection", "SourceMap", "bind", "bind_placed"]
