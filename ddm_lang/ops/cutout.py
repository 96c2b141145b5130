"""cutout: the subject without its background, through the subject matte.

The matte (U²-Net-p's, or the file's own alpha for an image that is already cut out) masks
the image in the emitted SVG, so the creative's backdrop shows around the product. An image
in which perception found no subject cannot be cut out: that is an error for the product,
not a silently unmasked photo.
"""

from __future__ import annotations

from pathlib import Path

from ddm_lang.scene import ImageNode

from .context import OpContext
from .registry import register


def resolve(node: ImageNode, *, context: OpContext) -> ImageNode:
    record = context.record
    if record.get("subject.source") == "alpha":
        return node  # its own transparency already is the cutout
    if not record.get("subject.found"):
        raise ValueError(f"no subject was found in {Path(node.material.path).name} to cut out")
    return node.with_(matte=context.matte)


register("cutout", resolve)
