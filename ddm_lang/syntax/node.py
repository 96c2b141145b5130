"""`@node`: the AST's frozen record classes, built for a cheap start.

Every command that reads a template (`ddm check`, `ddm fmt`, the language server) imports
the AST's three dozen classes before it does anything else. As frozen dataclasses they
cost about 1 ms each to create (six generated methods compiled per class, and a signature
for each docstring-less one): a third of what `ddm fmt` spent before parsing. `@node`
gives the same behaviour from one compiled `__init__` per class and the rest from the
`Node` base: keyword or positional construction with defaults, immutability, equality and
hashing over the compared fields (spans are left out by `field(compare=False)`), a repr of
the shown ones, pattern matching by position, pickling and copying.

Type checkers see `@node` classes as frozen dataclasses (`dataclass_transform`), so
constructor calls are checked as before. Walkers iterate `node_fields(value)`.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any, ClassVar, TypeVar, dataclass_transform

_T = TypeVar("_T", bound=type)

_MISSING = dataclasses.MISSING


class Node:
    """The base of every `@node` class: equality, hashing, repr and immutability."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    _shown: ClassVar[tuple[str, ...]] = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._compared)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self._compared))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def node(cls: _T) -> _T:
    """Make `cls` (a subclass of `Node`) a frozen record of its annotated fields, in order;
    a field's default is its class attribute, written plainly or as
    `dataclasses.field(default=..., compare=..., repr=...)`."""
    names = tuple(inspect.get_annotations(cls))  # its own, not inherited
    compared, shown, params = [], [], []
    defaults: dict[str, Any] = {}
    for name in names:
        default = cls.__dict__.get(name, _MISSING)
        compare = show = True
        if isinstance(default, dataclasses.Field):
            compare, show, default = default.compare, default.repr, default.default
        if default is _MISSING:
            if defaults:
                raise TypeError(f"{cls.__name__}: field {name!r} without a default follows "
                                "one with a default")
            params.append(name)
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            defaults[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
            setattr(cls, name, default)
        if compare:
            compared.append(name)
        if show:
            shown.append(name)
    body = "".join(f"    fields[{name!r}] = {name}\n" for name in names) or "    pass\n"
    source = (f"def __init__(self, {', '.join(params)}):\n"
              "    fields = self.__dict__\n" + body)
    namespace: dict[str, Any] = dict(defaults)
    exec(compile(source, f"<node {cls.__name__}>", "exec"), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    for attribute, value in (("__init__", init), ("__match_args__", names), ("_fields", names),
                             ("_compared", tuple(compared)), ("_shown", tuple(shown))):
        setattr(cls, attribute, value)
    return cls


def node_fields(value: Node) -> Iterator[tuple[str, Any]]:
    """A node's fields and values, in declaration order."""
    for name in value._fields:
        yield name, getattr(value, name)
