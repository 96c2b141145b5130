"""Package names loaded on first use (PEP 562), so importing a package costs only what is used.

`ddm fmt` imports the syntax package, the checker imports the copy package's price
formatter: neither should pay for the modules a package's public names come from until one
of those names is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def loader(package: str, homes: Mapping[str, str],
           namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `homes` maps each public name to the module
    (relative to the package) that defines it; a loaded name is kept in `namespace`."""
    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, package), name)
        namespace[name] = value
        return value
    return __getattr__
