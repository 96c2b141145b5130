"""The operations' resolvers, by name: what the binder calls for each step of a pipeline.

Signatures live in `semantics/operations.py` (the checker needs them without loading any
operation's code); each module of this package registers its resolver under a name that
table has, and is imported the first time the binder asks for one.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from typing import Any

from ddm_lang.semantics.operations import OPERATIONS

Resolver = Callable[..., Any]
RESOLVERS: dict[str, Resolver] = {}


def register(name: str, resolve: Resolver) -> Resolver:
    if name not in OPERATIONS:
        raise ValueError(f"operation {name!r} has no signature in semantics/operations.py")
    if name in RESOLVERS:
        raise ValueError(f"operation {name!r} registered twice")
    RESOLVERS[name] = resolve
    return resolve


def resolver(name: str) -> Resolver:
    """The resolver of a checked operation (the checker has refused unknown names)."""
    _load_builtin_operations()
    return RESOLVERS[name]


_LOADED = False
_LOCK = threading.Lock()


def _load_builtin_operations() -> None:
    """Import every operation module in this package once; each registers itself. Under
    a lock, and marked done only when all are in: previews compile in threads, and one
    must not look up a resolver while another is still importing the modules."""
    global _LOADED
    if _LOADED:
        return
    with _LOCK:
        if _LOADED:
            return
        from ddm_lang import ops
        for info in pkgutil.iter_modules(ops.__path__):
            if info.name not in ("registry", "context"):
                importlib.import_module(f"ddm_lang.ops.{info.name}")
        missing = sorted(set(OPERATIONS) - set(RESOLVERS))
        if missing:
            raise ImportError(f"no resolver registered for operation(s) {', '.join(missing)}")
        _LOADED = True
