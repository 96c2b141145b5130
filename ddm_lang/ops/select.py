"""select: which material fills an abstract object, from its `where` and `prefer`.

Candidates that satisfy every condition are ranked by the `prefer` keys (ascending unless
`desc`), ties keeping catalogue order so the choice is deterministic. A file listed twice
(a feed repeating `image_link` in `additional_image_link`) is one candidate, so `images[2]`
never shows the same picture twice. A required object with no candidate is an error that
says which images failed and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from ddm_lang.scene import Material
from ddm_lang.semantics.ir import AbstractObject
from ddm_lang.values import Length


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
    seen: set[str] = set()
    for i, m in enumerate(candidates):
        if m.sha256 in seen:
            continue  # a feed repeating its main image: several of a kind are distinct
        seen.add(m.sha256)
        ok, why = accepts(m)
        if ok:
            chosen.append((i, m))
        else:
            rejections.append(Rejection(m, why))
    if not chosen:
        if obj.optional:
            return [] if obj.count else None
        raise NoCandidate(obj, rejections, len(candidates))
    ranked = _rank(chosen, keys, obj)
    materials = [m for _, m in ranked]
    return materials[: obj.count] if obj.count else materials[0]


def _rank(chosen: list[tuple[int, Material]], keys: Callable[[Material], list[Any]],
          obj: AbstractObject) -> list[tuple[int, Material]]:
    """Stable sort by the prefer keys; each key is evaluated once per candidate."""
    keyed = [(_key_values(keys(m)), i, m) for i, m in chosen]

    def compare(a: tuple, b: tuple) -> int:
        for va, vb, key in zip(a[0], b[0], obj.prefer, strict=True):
            c = _compare(va, vb, bool(key.descending))  # None: not written, ascending
            if c:
                return c
        return a[1] - b[1]  # ties keep catalogue order

    return [(i, m) for _, i, m in sorted(keyed, key=cmp_to_key(compare))]


def _key_values(values: list[Any]) -> tuple:
    """Each key as (rank class, value): numbers (bools as 0/1), then text, then unknown."""
    out: list[tuple[int, float | str]] = []
    for v in values:
        if isinstance(v, int | float):  # bools included: true ranks as 1, false as 0
            out.append((0, float(v)))
        elif isinstance(v, Length):
            out.append((0, float(v.value)))
        elif isinstance(v, str):
            out.append((1, v))
        else:  # none, a missing value, anything unorderable: always last
            out.append((2, 0))
    return tuple(out)


def _compare(a: tuple, b: tuple, descending: bool) -> int:
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1  # the class order holds in both directions
    if a[1] == b[1]:
        return 0
    less = a[1] < b[1]
    return (1 if less else -1) if descending else (-1 if less else 1)
