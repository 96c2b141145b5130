"""place: crop, scale and position an image material in a box, never cutting its subject.

`contain` shows the whole image, `fill` stretches it; `cover` fills the box and crops, on
the `anchor` side, but slides the crop so the perceived subject stays whole whenever it
fits; `subject` crops to the subject itself (with a margin) and fills the box with it,
letterboxing only when the image runs out around it. With `fit subject`, an `anchor` other
than `center` sets the subject's own box against that side of the box (`bottom`: its base
on the box's bottom edge, a product standing on a floor line), at the same size. `avoid`
shrinks the region clear of named elements first.
"""

from __future__ import annotations

from ddm_lang.scene import Box, ImageNode

from .context import OpContext
from .registry import register

SUBJECT_MARGIN = 0.08   # `fit subject` keeps this much room around the subject, per side


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


def subject_pixels(box: list[float] | tuple[float, ...], w: float, h: float) -> Box:
    """A subject box given as fractions of the image, in source pixels."""
    return Box(box[0] * w, box[1] * h, box[2] * w, box[3] * h)


def keep_subject(crop: Box, subject: Box, src_w: float, src_h: float) -> Box:
    """Slide `crop` (same size) so it holds `subject` whole where it can, else centre it
    on the subject; the crop stays inside the image."""
    def slide(start: float, size: float, s0: float, s_size: float, limit: float) -> float:
        if s_size <= size:
            if s0 < start:
                start = s0
            elif s0 + s_size > start + size:
                start = s0 + s_size - size
        else:
            start = s0 + (s_size - size) / 2
        return min(max(start, 0.0), max(limit - size, 0.0))

    return Box(slide(crop.x, crop.width, subject.x, subject.width, src_w),
               slide(crop.y, crop.height, subject.y, subject.height, src_h),
               crop.width, crop.height)


def fit_subject(src_w: float, src_h: float, subject: Box, box: Box) -> tuple[Box, Box]:
    """The crop around the subject (plus margin) with the box's aspect ratio, scaled to fill
    the box; where the image is too small around the subject, the crop is what the image
    has and the rest of the box is left empty (centred on the subject)."""
    m = SUBJECT_MARGIN
    want_w, want_h = subject.width * (1 + 2 * m), subject.height * (1 + 2 * m)
    aspect = box.width / box.height
    if want_w / want_h < aspect:
        want_w = want_h * aspect
    else:
        want_h = want_w / aspect
    cw, ch = min(want_w, src_w), min(want_h, src_h)
    cx = subject.x + subject.width / 2 - cw / 2
    cy = subject.y + subject.height / 2 - ch / 2
    crop = Box(min(max(cx, 0.0), src_w - cw), min(max(cy, 0.0), src_h - ch), cw, ch)
    scale = min(box.width / cw, box.height / ch)
    dw, dh = cw * scale, ch * scale
    # Keep the subject where it would be in the full crop: centred in the box.
    sx = (subject.x + subject.width / 2 - crop.x) * scale
    sy = (subject.y + subject.height / 2 - crop.y) * scale
    dx = min(max(box.x + box.width / 2 - sx, box.x), box.right - dw)
    dy = min(max(box.y + box.height / 2 - sy, box.y), box.bottom - dh)
    return crop, Box(dx, dy, dw, dh)


def fit_subject_anchored(src_w: float, src_h: float, subject: Box, box: Box,
                         anchor: str) -> tuple[Box, Box]:
    """`fit subject` with an anchor: the subject at the size `fit_subject` gives it, its own
    box set against the anchor's sides of `box` (`bottom`: its base on the box's bottom
    edge) and centred along an axis the anchor does not name. The crop is the window of the
    image that fills `box` around it, cut to the image: where the image runs out, that part
    of the box stays empty rather than the subject moving."""
    fx, fy = _anchor_fraction(anchor)
    crop, dest = fit_subject(src_w, src_h, subject, box)
    scale = dest.width / crop.width if crop.width > 0 else 1.0
    ww, wh = box.width / scale, box.height / scale        # the window, in image px
    wx = subject.x + fx * (subject.width - ww)
    wy = subject.y + fy * (subject.height - wh)
    x0, y0 = max(wx, 0.0), max(wy, 0.0)
    x1, y1 = min(wx + ww, src_w), min(wy + wh, src_h)
    if x1 <= x0 or y1 <= y0:
        return crop, dest
    return (Box(x0, y0, x1 - x0, y1 - y0),
            Box(box.x + (x0 - wx) * scale, box.y + (y0 - wy) * scale,
                (x1 - x0) * scale, (y1 - y0) * scale))


def resolve(node: ImageNode, *, context: OpContext, region: Box | None = None,
            fit: str = "contain", anchor: str = "center", avoid: tuple[Box, ...] = ()) -> ImageNode:
    """Place the node's material into `region` (or its own box), clear of `avoid`."""
    target = clear_of(region or node.box, avoid)
    if target.width <= 0 or target.height <= 0:
        raise ValueError("no room is left for the image once the avoided elements are cleared")
    w, h = node.material.width, node.material.height
    record = context.record
    subject = subject_pixels(record["subject.box"], w, h) if record.get("subject.found") \
        else None
    if fit == "subject":
        if subject is None:
            crop, dest = fit_image(w, h, target, "cover", anchor)
        elif anchor == "center":
            crop, dest = fit_subject(w, h, subject, target)
        else:
            crop, dest = fit_subject_anchored(w, h, subject, target, anchor)
        return node.with_(box=dest, crop=crop)
    crop, dest = fit_image(w, h, target, fit, anchor)
    if fit == "cover" and subject is not None:
        crop = keep_subject(crop, subject, w, h)
    return node.with_(box=dest, crop=crop)


register("place", resolve)
