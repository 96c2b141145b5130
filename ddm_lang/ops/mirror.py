"""mirror: flip the image so its subject faces the copy; never an image that carries text.

A product that points away from the headline leads the eye off the creative. The copy is
taken to be on the side of the canvas the image is not on (an image in the right half has
its copy on the left), or `toward: left|right` says where it is. Mirrored text reads
backwards, so an image in which perception found text is never flipped.
"""

from __future__ import annotations

from ddm_lang.scene import ImageNode
from ddm_lang.semantics.operations import MIRROR_SIDES

from .context import OpContext
from .registry import register

CENTRE_BAND = 0.05   # an image centred within ±5 % of the canvas width has no copy side


def copy_side(node: ImageNode, context: OpContext) -> str | None:
    centre = node.box.x + node.box.width / 2
    mid = context.canvas.x + context.canvas.width / 2
    if abs(centre - mid) <= CENTRE_BAND * context.canvas.width:
        return None
    return "left" if centre > mid else "right"


def resolve(node: ImageNode, *, context: OpContext, toward: str | None = None) -> ImageNode:
    if toward is not None and toward not in MIRROR_SIDES:
        raise ValueError(f"toward must be left or right, not {toward!r}")
    if context.record.get("text.found"):
        return node
    side = toward or copy_side(node, context)
    facing = context.record.get("subject.facing", "front")
    if side is None or facing not in MIRROR_SIDES:
        return node
    currently = facing if not node.flip else ("left" if facing == "right" else "right")
    if currently != side:
        return node.with_(flip=not node.flip)
    return node


register("mirror", resolve)
