"""bind: a checked template, one product and one format → Scene."""

from .binder import bind

__all__ = ["bind"]
