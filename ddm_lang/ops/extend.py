"""extend: outpaint the image to the target region's aspect ratio.

`image hero | extend to slot(right 55%) | place in slot(right 55%) fit cover` grows the
photo on its sides (or top and bottom) until its aspect ratio is the slot's, so the cover
placement that follows fills the slot without cropping anything. Where the subject sits
decides how the new area is split: it ends up centred on the grown axis, a side it
touches gets nothing, and a subject the photo cuts at both ends of that axis is not grown
around at all (ops/outpaint.py `plan`): the placement's crop keeps it as the photo framed
it. Within 1 % of the aspect nothing changes.

The new pixels come from an ONNX inpainting model when one is configured (the optional
`inpaint` role: `DDM_MODEL_INPAINT` or `use_model("inpaint", path)`), else from the
numpy/Pillow methods in ops/outpaint.py chosen by the perceived background: `backdrop`
(a smooth fit of a plain studio backdrop), `scene` (border continued and increasingly
blurred), and transparency for a cut-out image. The result is a new material, a PNG (a
JPEG at quality 92 for an opaque photo that was a JPEG or WebP), kept in the generated
image store (perception/generated.py) under a key of the input's hash, the crop, the
target aspect and the method's version: compiling again, or another product using the same
photo, reuses the file. Growth is limited to 3× the original area (the placement crops
the rest) and the result to 4096 px per side (scaled down beyond).
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from ddm_lang.perception import generated, models
from ddm_lang.perception.materials import MaterialError, load_material
from ddm_lang.perception.pixels import decode_file
from ddm_lang.perception.record import mask_from_png, png_bytes
from ddm_lang.scene import Box, ImageNode, Material, Shadow

from . import outpaint
from .context import OpContext
from .outpaint import Pad
from .registry import register

MAX_SIDE = 4096          # the grown image's longest side
MAX_AREA = 3.0           # the grown image's area, times the original's
TOLERANCE = 0.01         # an aspect within 1 % needs no extension
JPEG_QUALITY = 92
PLAIN_UNIFORMITY = 0.7   # a border this uniform is a backdrop whatever the classifier says
OPAQUE_BORDER = 250      # mean border alpha from which an RGBA image counts as opaque

_made: dict[tuple[Path, str], Material] = {}   # (store, key) → material, for this process
_shapes: dict[str, tuple[int, ...]] = {}  # material hash → its decoded pixels' shape
MAX_SHAPES = 4096
_lock = threading.Lock()


def inpaint_model() -> Path | None:
    """The configured inpainting model's file, or None when the user set none (the role
    is optional); a configured file that is missing or unusable is an error."""
    if models.configured_path("inpaint") is None:
        return None
    return models.model_path("inpaint")


def decode(material: Material) -> np.ndarray:
    """The material's pixels at full size, oriented as perception sees them: (H, W, 3), or
    (H, W, 4) when the file carries alpha."""
    px = decode_file(Path(material.path), work_side=max(material.width, material.height))
    return px.rgb if px.alpha is None else np.dstack([px.rgb, px.alpha])


def _decode(material: Material) -> np.ndarray:
    try:
        return decode(material)
    except OSError as err:
        raise ValueError(f"{Path(material.path).name}: cannot read ({err})") from None


def method_for(record: dict) -> str:
    """`backdrop` for a plain background (the classifier's call, or a border mostly one
    colour: a product cut by the frame can make the classifier say scene), else `scene`."""
    plain = record.get("background.kind") == "plain" or \
        float(record.get("background.uniformity", 0.0)) >= PLAIN_UNIFORMITY
    return "backdrop" if plain else "scene"


def grow(pixels: np.ndarray, pad: Pad, method: str, model: Path | None) -> np.ndarray:
    """`pixels` grown by `pad`: transparent for a cut-out, else the model's fill or
    `method`'s."""
    h, w = pixels.shape[:2]
    if pixels.shape[2] == 4:
        alpha = pixels[..., 3]
        band = outpaint.border_band(pixels)
        if float(alpha[band].mean()) < OPAQUE_BORDER:  # a cut-out: grow transparent
            return outpaint.outpaint(pixels, pad, "replicate")
        rgb = np.ascontiguousarray(pixels[..., :3])
        alpha_full = np.pad(alpha, pad.widths(), constant_values=255)
        return np.dstack([grow(rgb, pad, method, model), alpha_full])
    filled = outpaint.outpaint(pixels, pad, method)
    if model is None:
        return filled
    mask = outpaint.new_area((h, w), pad)
    session = models.onnx_session(model)  # a ModelError names an unloadable file
    try:
        return outpaint.inpaint_onnx(session, filled, mask)
    except models.ModelError:
        raise
    except Exception as err:  # onnxruntime raises its own exception types
        raise models.ModelError(f"{model}: the inpaint model failed ({err})") from None


def encode(pixels: np.ndarray, source_format: str) -> tuple[bytes, str]:
    """(bytes, format): JPEG for an opaque photo, PNG otherwise."""
    buf = io.BytesIO()
    image = Image.fromarray(pixels)
    if pixels.shape[2] == 3 and source_format in ("jpeg", "webp"):
        image.save(buf, "JPEG", quality=JPEG_QUALITY)
        return buf.getvalue(), "jpeg"
    image.save(buf, "PNG", compress_level=6)
    return buf.getvalue(), "png"


def subject_in(record: dict, crop: tuple[int, int, int, int], size: tuple[int, int]
               ) -> tuple[float, float, float, float] | None:
    """The perceived subject box as fractions of the cropped part (None: no subject)."""
    box = record.get("subject.box")
    if not record.get("subject.found") or not box:
        return None
    (x0, y0, x1, y1), (full_w, full_h) = crop, size
    w, h = x1 - x0, y1 - y0
    left = min(max((box[0] * full_w - x0) / w, 0.0), 1.0)
    top = min(max((box[1] * full_h - y0) / h, 0.0), 1.0)
    right = min(max(((box[0] + box[2]) * full_w - x0) / w, 0.0), 1.0)
    bottom = min(max(((box[1] + box[3]) * full_h - y0) / h, 0.0), 1.0)
    if right <= left or bottom <= top:
        return None
    return left, top, right - left, bottom - top


def resolve(node: ImageNode, *, context: OpContext, to: Box | None = None) -> ImageNode:
    """The node showing its material grown to the aspect ratio of `to` (default: its box)."""
    target = to if to is not None else node.box
    if not isinstance(target, Box):
        raise ValueError("`to` must be a region, e.g. slot(right 50%)")
    if target.width <= 0 or target.height <= 0:
        raise ValueError("cannot extend to an empty region")
    aspect = target.width / target.height
    material = node.material
    if material.format == "svg":
        raise ValueError("an SVG image cannot be extended")
    crop = node.crop
    if crop.width <= 0 or crop.height <= 0:
        raise ValueError("the image shows an empty crop")
    if abs(crop.width / crop.height / aspect - 1.0) <= TOLERANCE:
        return node

    try:
        model = inpaint_model()
        model_version = models.model_version("inpaint") if model is not None else "none"
    except models.ModelError as err:
        raise ValueError(str(err)) from None
    method = method_for(context.record)
    # The pixels are decoded only when the grown image is not stored yet: its key and
    # plan need only the decoded shape, remembered per content hash.
    pixels: np.ndarray | None = None
    shape = _shapes.get(material.sha256)
    if shape is None:
        pixels = _decode(material)
        shape = pixels.shape
        with _lock:
            if len(_shapes) >= MAX_SHAPES:
                _shapes.pop(next(iter(_shapes)))
            _shapes[material.sha256] = shape
    full_h, full_w = shape[:2]
    if (full_w, full_h) == (material.width, material.height):
        x0, y0 = max(round(crop.x), 0), max(round(crop.y), 0)
        x1 = min(max(round(crop.right), x0 + 1), full_w)
        y1 = min(max(round(crop.bottom), y0 + 1), full_h)
    else:  # EXIF-rotated: the crop's frame is not the pixels'; the whole image is grown
        x0, y0, x1, y1 = 0, 0, full_w, full_h
    subject = subject_in(context.record, (x0, y0, x1, y1), (full_w, full_h))
    w, h = max(0, min(x1, full_w) - x0), max(0, min(y1, full_h) - y0)  # the part's size

    key = generated.key(material.sha256, f"{x0},{y0},{x1},{y1}", f"{aspect:.4f}", method,
                        outpaint.VERSION, model_version, f"{MAX_SIDE}/{MAX_AREA}")
    pad = outpaint.plan(w, h, aspect, subject, tolerance=TOLERANCE, max_area=MAX_AREA)
    if pad.empty:
        return node
    scale = min(1.0, MAX_SIDE / max(w + pad.left + pad.right, h + pad.top + pad.bottom))
    if scale < 1.0:
        w, h = max(1, round(w * scale)), max(1, round(h * scale))
        pad = outpaint.plan(w, h, aspect, subject, tolerance=TOLERANCE, max_area=MAX_AREA)

    def part() -> np.ndarray:
        """The cropped pixels the image grows from (at the reduced size, if any)."""
        px = pixels if pixels is not None else _decode(material)
        cut = np.ascontiguousarray(px[y0:y1, x0:x1])
        if scale < 1.0:
            cut = np.asarray(Image.fromarray(cut).resize((w, h), Image.Resampling.LANCZOS))
        return cut

    made = _store(context.generated, key, material, part, len(shape) > 2 and shape[2] == 4, pad, method, model)
    return node.with_(material=made, crop=Box(0, 0, made.width, made.height),
                      matte=_grown_matte(node.matte, (x0, y0, x1, y1), (full_w, full_h),
                                         (w, h), pad),
                      shadow=_grown_shadow(node.shadow, (x0, y0, x1, y1), (full_w, full_h),
                                           (w, h), pad))


def _store(store: Path, key: str, material: Material, part: Callable[[], np.ndarray], has_alpha: bool,
           pad: Pad, method: str, model: Path | None) -> Material:
    """The grown image's material: from this process's memo, the store, or computed from
    the pixels `part` gives."""
    with _lock:
        hit = _made.get((store, key))
    if hit is not None and Path(hit.path).is_file():
        return hit
    suffix = "png" if has_alpha or material.format not in ("jpeg", "webp") else "jpg"
    path = generated.lookup(store, key, suffix)
    try:
        if path is not None:  # made by an earlier run: probed like any other image file
            made = load_material(path, (path.parent,))
        else:
            grown = grow(part(), pad, method, model)
            data, fmt = encode(grown, material.format)
            height, width = grown.shape[:2]
            path = generated.put(store, key, suffix, data)
            made = Material(str(path.resolve()), hashlib.sha256(data).hexdigest(), width,
                            height, fmt, has_alpha)
    except (models.ModelError, MaterialError) as err:
        raise ValueError(str(err)) from None
    except OSError as err:
        raise ValueError(str(err)) from None
    with _lock:
        _made[(store, key)] = made
    return made


def _grown_matte(matte: bytes | None, crop: tuple[int, int, int, int], full: tuple[int, int],
                 size: tuple[int, int], pad: Pad) -> bytes | None:
    """A cutout's matte (covering the old material) cropped and grown like the image:
    the new area is outside the subject."""
    if matte is None:
        return None
    m = Image.fromarray(mask_from_png(matte))
    fx, fy = m.width / full[0], m.height / full[1]
    part = m.crop((round(crop[0] * fx), round(crop[1] * fy), max(round(crop[2] * fx), 1),
                   max(round(crop[3] * fy), 1))).resize(size, Image.Resampling.BILINEAR)
    grown = np.pad(np.asarray(part), pad.widths())
    out = Image.fromarray(grown)
    if max(out.size) > 1024:  # the matte is kept at perception's working size
        out.thumbnail((1024, 1024), Image.Resampling.BILINEAR)
    return png_bytes(np.asarray(out))


def _grown_shadow(shadow: Shadow | None, crop: tuple[int, int, int, int],
                  full: tuple[int, int], size: tuple[int, int], pad: Pad) -> Shadow | None:
    """A shadow's subject box (fractions of the material) moved into the grown image."""
    if shadow is None:
        return None
    w, h = size
    new_w, new_h = w + pad.left + pad.right, h + pad.top + pad.bottom
    sx, sy = w / (crop[2] - crop[0]), h / (crop[3] - crop[1])
    x, y, bw, bh = shadow.subject
    nx = (pad.left + (x * full[0] - crop[0]) * sx) / new_w
    ny = (pad.top + (y * full[1] - crop[1]) * sy) / new_h
    return Shadow(shadow.kind, shadow.dx, shadow.dy, shadow.blur, shadow.opacity, shadow.color,
                  (round(nx, 4), round(ny, 4), round(bw * full[0] * sx / new_w, 4),
                   round(bh * full[1] * sy / new_h, 4)))


register("extend", resolve)
