"""The registry of abstract operations: one module per operation registers its signature.

The checker validates pipelines against these signatures; the binder calls `resolve`.
An operation whose resolver is not installed yet (`resolve is None`) is a compile error
naming the missing capability, so no template ever gets a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClauseSpec:
    """A clause keyword the operation accepts, the type of its values and how many."""

    keyword: str
    type: str                  # region | name | names | word | expr
    choices: tuple[str, ...] = ()  # allowed words for type "word"
    doc: str = ""


@dataclass(frozen=True)
class OpArgSpec:
    name: str
    type: str                  # number | length | color | string | word | bool
    choices: tuple[str, ...] = ()
    default: Any = None
    doc: str = ""


@dataclass(frozen=True)
class OperationSpec:
    name: str
    applies_to: frozenset[str]          # element kinds, e.g. {"image"}
    clauses: dict[str, ClauseSpec] = field(default_factory=dict)
    args: dict[str, OpArgSpec] = field(default_factory=dict)
    needs: tuple[str, ...] = ()          # perception providers it relies on
    doc: str = ""
    resolve: Callable[..., Any] | None = None
    missing: str = ""                    # why it is unavailable when resolve is None

    @property
    def available(self) -> bool:
        return self.resolve is not None


OPERATIONS: dict[str, OperationSpec] = {}


def register(spec: OperationSpec) -> OperationSpec:
    if spec.name in OPERATIONS:
        raise ValueError(f"operation {spec.name!r} registered twice")
    OPERATIONS[spec.name] = spec
    return spec


def get(name: str) -> OperationSpec | None:
    _load_builtin_operations()
    return OPERATIONS.get(name)


def names() -> list[str]:
    _load_builtin_operations()
    return sorted(OPERATIONS)


_LOADED = False


def _load_builtin_operations() -> None:
    """Import every operation module in this package once; each registers itself."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import importlib
    import pkgutil

    from ddm_lang import ops
    for info in pkgutil.iter_modules(ops.__path__):
        if info.name not in ("registry",):
            importlib.import_module(f"ddm_lang.ops.{info.name}")
