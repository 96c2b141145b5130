"""select: which material fills an abstract object, from its `where` and `prefer`.

Candidates that satisfy every condition are ranked by the `prefer` keys (ascending unless
`desc`), ties keeping catalogue order so the choice is deterministic. A required object
with no candidate is an error that says which images failed and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ddm_lang.scene import Material
from ddm_lang.semantics.ir import AbstractObject


@dataclass(frozen=True)
class Rejection:
    material: Material
    reason: str


class NoCandidate(Exception):
    def __init__(self, obj: AbstractObject, rejections: Sequence[Rejection], total: int):
        self.obj = obj
        self.rejections = tuple(rejections)
        self.total = total
        super().__init__(obj.name)


def select(obj: AbstractObject, candidates: Sequence[Material],
           accepts: Callable[[Material], tuple[bool, str]],
           keys: Callable[[Material], list[Any]]) -> Material | list[Material] | None:
    """The chosen material (or up to `obj.count` of them); None for an empty optional object."""
    chosen: list[tuple[int, Material]] = []
    rejections: list[Rejection] = []
    for i, m in enumerate(candidates):
        ok, why = accepts(m)
        if ok:
            chosen.append((i, m))
        else:
            rejections.append(Rejection(m, why))
    if not chosen:
        if obj.optional:
            return [] if obj.count else None
        raise NoCandidate(obj, rejections, len(candidates))
    ranked = sorted(chosen, key=lambda im: (_sort_key(keys(im[1]), obj), im[0]))
    materials = [m for _, m in ranked]
    return materials[: obj.count] if obj.count else materials[0]


def _sort_key(values: list[Any], obj: AbstractObject) -> tuple:
    out = []
    for value, key in zip(values, obj.prefer, strict=True):
        v = value if isinstance(value, int | float) and not isinstance(value, bool) else (
            float(bool(value)) if isinstance(value, bool) else 0.0)
        out.append(-v if key.descending else v)
    return tuple(out)
