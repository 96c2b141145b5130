"""place: crop, scale and position an image material in a box.

Without perception the crop is geometric (contain, cover, fill, anchored); subject-aware
placement and `avoid` plug into the same resolver once perception provides a subject box.
"""

from __future__ import annotations

from ddm_lang.scene import Box, ImageNode

from .registry import ClauseSpec, OperationSpec, register

FITS = ("contain", "cover", "fill")
ANCHORS = ("center", "top", "bottom", "left", "right", "top-left", "top-right",
           "bottom-left", "bottom-right")


def _anchor_fraction(anchor: str) -> tuple[float, float]:
    fx = 0.0 if "left" in anchor else 1.0 if "right" in anchor else 0.5
    fy = 0.0 if "top" in anchor else 1.0 if "bottom" in anchor else 0.5
    return fx, fy


def fit_image(src_w: float, src_h: float, box: Box, fit: str = "contain",
              anchor: str = "center") -> tuple[Box, Box]:
    """(crop in source pixels, destination box) for showing a src_w×src_h image in `box`."""
    fx, fy = _anchor_fraction(anchor)
    if fit == "fill" or src_w <= 0 or src_h <= 0:
        return Box(0, 0, src_w, src_h), box
    if fit == "cover":
        scale = max(box.width / src_w, box.height / src_h)
        cw, ch = box.width / scale, box.height / scale
        return Box((src_w - cw) * fx, (src_h - ch) * fy, cw, ch), box
    scale = min(box.width / src_w, box.height / src_h)
    w, h = src_w * scale, src_h * scale
    dest = Box(box.x + (box.width - w) * fx, box.y + (box.height - h) * fy, w, h)
    return Box(0, 0, src_w, src_h), dest


def clear_of(region: Box, avoid: tuple[Box, ...]) -> Box:
    """The largest part of `region` left, right, above or below each box it must avoid."""
    for box in avoid:
        if not region.intersects(box):
            continue
        options = [
            Box(region.x, region.y, box.x - region.x, region.height),
            Box(box.right, region.y, region.right - box.right, region.height),
            Box(region.x, region.y, region.width, box.y - region.y),
            Box(region.x, box.bottom, region.width, region.bottom - box.bottom),
        ]
        region = max((o for o in options if o.width > 0 and o.height > 0),
                     key=lambda o: o.width * o.height,
                     default=Box(region.x, region.y, 0, 0))
    return region


def resolve(node: ImageNode, *, region: Box | None = None, fit: str = "contain",
            anchor: str = "center", avoid: tuple[Box, ...] = ()) -> ImageNode:
    """Place the node's material into `region` (or its own box), clear of `avoid`."""
    target = clear_of(region or node.box, avoid)
    if target.width <= 0 or target.height <= 0:
        raise ValueError("no room is left for the image once the avoided elements are cleared")
    crop, dest = fit_image(node.material.width, node.material.height, target, fit, anchor)
    return node.with_(box=dest, crop=crop)


SPEC = register(OperationSpec(
    name="place",
    applies_to=frozenset({"image"}),
    clauses={
        "in": ClauseSpec("in", "region", doc="the region to place into (default: the element's box)"),
        "fit": ClauseSpec("fit", "word", FITS, "contain (whole image), cover (fill, crop), fill (stretch)"),
        "anchor": ClauseSpec("anchor", "word", ANCHORS, "which side to keep when cropping or letterboxing"),
        "avoid": ClauseSpec("avoid", "names", doc="elements whose boxes the image must not cover"),
    },
    doc="crop, scale and position the image in a box",
    resolve=resolve,
))
