"""A luminance mask that is one raster image placed exactly over one other: an alpha channel.

The compiler writes a cut-out product as its photo in a group masked by the matte, both
placed by the same markup (emit.py `_image`). Drawn as SVG says, that is two resampled
images, a layer for the content, a layer for the mask with a luminance colour filter and a
DstIn composite: the largest cost of a cut-out creative. When the mask's only content and
the group's only content are the same placement of two raster images of one size, the
mask multiplies each photo pixel by its matte pixel's luminance; doing that once on the
decoded pixels (cached with them) and drawing the result as one image gives the same
picture within resampling rounding, for the cost of drawing one image.
"""

from __future__ import annotations

import cv2
import numpy as np
import skia
from lxml import etree

from .document import href_of, local_name
from .images import IMAGES

# skia's LumaColorFilter weights (Rec. 709), as the general mask path applies them, on the
# premultiplied RGBA of the matte.
_LUMA = np.array([[0.2126, 0.7152, 0.0722, 0.0]], np.float32)
# Attributes a placement may carry for the two to count as the same placement.
_PLACEMENT = {"x", "y", "width", "height", "viewBox", "preserveAspectRatio"}
_HREFS = {"href", "{http://www.w3.org/1999/xlink}href"}


def matted_image(mask: etree._Element, group: etree._Element
                 ) -> tuple[etree._Element, str, str, bool] | None:
    """(the group's <image>, its href, the matte's href, whether both are stretched over
    their box) when `group` masked by `mask` is one image under a matte of the same
    placement; None for anything else."""
    if set(mask.attrib) - {"id", "maskUnits", "x", "y", "width", "height"} or \
            mask.get("maskUnits") != "userSpaceOnUse" or \
            set(group.attrib) - {"id", "mask"}:
        return None
    inner, outer = _only_child(mask), _only_child(group)
    if inner is None or outer is None or local_name(inner) != local_name(outer):
        return None
    placed = inner  # the element whose x, y, width and height place the image
    if local_name(inner) == "svg":
        if not _same_placement(inner, outer, set()):
            return None
        inner, outer = _only_child(inner), _only_child(outer)
        if inner is None or outer is None or local_name(inner) != "image" or \
                local_name(outer) != "image":
            return None
    elif local_name(inner) != "image":
        return None
    if not _same_placement(inner, outer, _HREFS):
        return None
    # The mask's region is the placement's box, so it clips nothing of the image.
    if any(mask.get(k) != placed.get(k) for k in ("x", "y", "width", "height")):
        return None
    photo, matte = href_of(outer), href_of(inner)
    if not photo or not matte:
        return None
    return outer, photo, matte, (inner.get("preserveAspectRatio") or "").strip() == "none"


def combined(photo: skia.Image, matte: skia.Image, stretched: bool) -> skia.Image | None:
    """The photo's premultiplied pixels scaled by the matte's luminance (cached while both
    decoded images are). A matte of another pixel size covers the same box when both are
    stretched over it (`stretched`: preserveAspectRatio none) and is resampled to the
    photo's pixels (mattes come at the subject model's resolution); None otherwise."""
    same = (photo.width(), photo.height()) == (matte.width(), matte.height())
    if not same and not stretched:
        return None
    cache_key = f"matted:{photo.uniqueID()}:{matte.uniqueID()}"
    hit = IMAGES.lookup(cache_key)
    if isinstance(hit, skia.Image):
        return hit
    rgba = skia.ColorType.kRGBA_8888_ColorType
    premul = skia.AlphaType.kPremul_AlphaType
    pixels = photo.toarray(colorType=rgba, alphaType=premul)
    weights = matte.toarray(colorType=rgba, alphaType=premul)
    if pixels is None or weights is None:
        return None
    if not same:
        weights = cv2.resize(weights, (photo.width(), photo.height()),
                             interpolation=cv2.INTER_LINEAR)
    luma = cv2.transform(weights, _LUMA)  # one rounded 8-bit luminance per pixel
    out = cv2.multiply(pixels, cv2.merge([luma] * 4), scale=1 / 255.0)
    image = skia.Image.fromarray(out, colorType=rgba, alphaType=premul)
    IMAGES.store(cache_key, image)
    return image


def _only_child(el: etree._Element) -> etree._Element | None:
    children = [c for c in el if isinstance(c.tag, str)]
    return children[0] if len(children) == 1 else None


def _same_placement(a: etree._Element, b: etree._Element, skip: set[str]) -> bool:
    """Both carry only placement attributes (and hrefs/ids) and the same ones."""
    keys_a = set(a.attrib) - skip - {"id"}
    keys_b = set(b.attrib) - skip - {"id"}
    return keys_a == keys_b and keys_a <= _PLACEMENT and \
        all(a.get(k) == b.get(k) for k in keys_a)
