"""Product separation: does each placed product stand out from what is right around it?

Text contrast is guaranteed (`layout/contrast.py`), but a product can vanish too: a black
tee cut out on a near-black field, a red fruit on the red field a template drew from the
fruit's own palette. This module measures that on composed pixels, the way a viewer sees
it, so `ddm check` can report it and the binder can repair it
(`layout/separation_repair.py`).

Definition. For every image whose subject is known (its cut-out matte, else the perceived
subject mask or box, mapped through crop → box and mirror exactly as the layout metrics
map it: `subject_map`), the creative is rendered without its text at ANALYSIS_SIDE px on
its long side, inside the windows around the subjects only. The subject's visible
silhouette is the subject map ≥ 0.5 on the canvas. Around it two bands of `d` px are
taken, one just inside and one just outside, each starting GAP px from the edge so the
anti-aliased edge pixels themselves (and a matte's light fringe) count on neither side;
`d` is BAND of the subject's shorter side, between BAND_MIN and BAND_MAX px. At every
edge pixel of the silhouette (a *position*; the canvas border is not an edge; at most
MAX_POSITIONS, thinned evenly) the mean colour of the inner band and of the outer band
within the local window (2·(GAP + d) + 1 px square) are compared as CIEDE2000 ΔE in
CIELAB (D65). The figure is the PERCENTILE-th (45th) percentile of ΔE over positions: up
to 45 % of the outline may be fainter (a white cap, a label running to the edge, the
side a shadow does not fall on), the rest must reach the threshold. A percentile of a
per-position difference, not the difference of the bands' median colours, is what makes
a black tee on a half-black field fail: half its outline is invisible whatever the
ring's median colour says.

Threshold. SEPARATION_THRESHOLD (18 ΔE00) was chosen by looking at real cases; the
figures are in its docstring. Dark on dark and red on red measure 1–16 and fail; products
that read clearly measure 19 and up.

Own backdrop. An opaque photo that is not cut out (a white-background packshot, a scene
photo) shows its own pixels around its subject: a white tee on its own white studio
backdrop measures ΔE 8, and nothing in the template can change that. When at least
OWN_BACKDROP_SHARE of the outer band lies on the image's own opaque pixels
(`own_backdrop`), the result does not apply (`applies` False, `passed` True): it reports
the photo's composition, not the template's field. The bind-time repair skips the same
images, by the same predicate.

Limits. An image counts only when its subject is known; a turned image (a collage card)
is not measured, as `subject_map` maps boxes, not rotations. The ground is everything
but text: a shape drawn over the product's edge counts as what is around it, and a scrim
that darkens the product counts on both sides. Products under MIN_POSITIONS edge pixels
on the analysis canvas are not measured. Photos are drawn from stand-ins PROXY_SIDE px
on their long side (see `render_windows`).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ddm_lang.layout.contrast import _fraction, _ground
from ddm_lang.layout.elements import (
    Compiled,
    Element,
    SubjectLookup,
    cached_lookup,
    flatten,
    library_subjects,
    subject_map,
)
from ddm_lang.scene import ImageNode, Material, Node, Scene, SceneItem, without_text

SEPARATION_THRESHOLD = 18.0
"""The figure a product must reach, in CIEDE2000 ΔE (2.3 is a just noticeable
difference). Chosen on these cases, each looked at as a PNG (1080² feed; figure as
designed → after the bind-time repair):

- must fail: a black jacket cut out on price_tag's near-black halo 1.9 → 18.6 (halo
  #0b0b0b → #545454), on text_led's field 1.0 → 18.6, on seasonal_sale's 1.1 → 18.6;
  a pomegranate (real photo) on text_led's red field 12.7 → 18.5, on spotlight's red
  disc 10.9 → 18.5; the sample catalogue's orange jacket on spotlight's orange disc 5.1,
  navy headphones on price_tag's navy field 13.7, the terracotta mug on text_led's red
  field 15.7 (the highest of the cases judged as vanishing);
- must pass: the pomegranate on price_tag's deep red halo 22.8, the aubergine on
  price_tag's olive halo 19.9 and on gradient_wash 21.1 (the lowest of the cases judged
  as reading clearly), the sample sneaker on studio_minimal's near-white 40.7 (its
  white sole is the 45 % the percentile forgives);
- a white bottle on a pale grey #e8e8e8 field with a drop shadow: 11.4, fails, and the
  repair darkens the field to #c2c2c2 (18.6). Judged on the pixels, deliberately: the
  top and the side the shadow does not fall on are white on #e8e8e8 (ΔE 3–5), so more
  than half the outline is carried by the shadow alone; the repaired field is still a
  light neutral grey, and a template that wants the airy look can choose a field a step
  darker itself.

Over the sample catalogue (10 products) on every stdlib template in its 1080² format,
about a quarter of the product images measure below 18 as designed (at 15 it would be a
fifth); every logo passes."""
PERCENTILE = 45.0
ANALYSIS_SIDE = 300
BAND = 0.04          # band width, as a share of the subject's shorter side (analysis px)
BAND_MIN, BAND_MAX = 2, 8
GAP = 1              # px at analysis scale skipped on each side of the edge
MIN_POSITIONS = 24   # fewer edge pixels than this: too small to measure
PROXY_SIDE = 512     # long side of the stand-ins product photos are drawn from
MAX_POSITIONS = 256  # more are thinned evenly: a percentile needs no more, ΔE costs per pair
OWN_BACKDROP_SHARE = 0.5   # share of the outer band on the image's own opaque pixels from
#                            which the figure measures the photo, not the field


@dataclass(frozen=True)
class SeparationResult:
    """One product image's separation: `value` (ΔE00, the PERCENTILE-th percentile over
    its outline) against `threshold`; `inner` / `outer` are the median colours of the
    bands, for messages ("#1c1c1c on #111111"). `applies` is False when the outer band
    lies on the photo's own backdrop (`own_backdrop`): the figure then says how the photo
    was shot, which no field can change, and `passed` is True."""

    element: str          # "image `hero`", as layout metrics label elements
    name: str | None
    value: float
    threshold: float
    passed: bool
    positions: int
    inner: str
    outer: str
    applies: bool = True   # False: measured against the photo's own backdrop (not judged)

    def describe(self) -> str:
        if not self.applies:
            return (f"{self.element} is measured against its own photo's backdrop: ΔE "
                    f"{self.value:.1f} ({self.inner} on {self.outer}) says how the photo was "
                    f"shot, not how the template placed it; not applicable")
        verdict = "stands out" if self.passed else "does not stand out"
        return (f"{self.element} {verdict}: ΔE {self.value:.1f} between its edge and what "
                f"is around it ({self.inner} on {self.outer}; the threshold is "
                f"{self.threshold:g})")


@dataclass(frozen=True)
class Probe:
    """Where one product's outline is measured, at analysis scale: the window of the
    canvas (rows r0:r1, columns c0:c1), the inner and outer bands in it (0/1 floats), the
    edge positions (window rows and columns), the local window size `k` and how many
    pixels of each band every position's local window holds; `own_backdrop` whether the
    outer band lies mostly on the image's own opaque pixels (see `own_backdrop`)."""

    element: Element
    window: tuple[int, int, int, int]
    inner: np.ndarray
    outer: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    k: int
    n_in: np.ndarray
    n_out: np.ndarray
    own_backdrop: bool = False

    def sums(self, pixels: np.ndarray, band: np.ndarray) -> np.ndarray:
        """Σ of `pixels` (window shape, with or without a channel axis) over `band` in the
        local window of every position: a box filter, read at the positions only."""
        values = pixels * (band[..., None] if pixels.ndim == 3 else band)
        summed = cv2.boxFilter(values.astype(np.float32, copy=False), -1, (self.k, self.k),
                               normalize=False, borderType=cv2.BORDER_CONSTANT)
        return summed[self.rows, self.cols]


def measure_separation(target: Compiled | Scene, *,
                       subjects: SubjectLookup | None = library_subjects,
                       threshold: float = SEPARATION_THRESHOLD) -> list[SeparationResult]:
    """How far each product image with a known subject stands out from what is right
    around it, in paint order (see the module docstring). `target` is a compiled
    `Creative` or a bound `Scene`; `subjects` says where each image's subject is (the
    material library by default, computing perception it lacks)."""
    scene = target if isinstance(target, Scene) else target.scene
    lookup = cached_lookup(subjects) if subjects is not None else None
    if lookup is None:
        return []
    probes = list(find_probes(scene, lookup))
    if not probes:
        return []
    ground = render_windows(scene, [p.window for p in probes])
    return [judge(p, window_pixels(ground, p), threshold) for p in probes]


# ---- where to look ------------------------------------------------------------------------

def analysis_size(scene: Scene) -> tuple[int, int, float]:
    """(width, height, scale) of the analysis canvas: ANALYSIS_SIDE on its long side."""
    scale = min(1.0, ANALYSIS_SIDE / max(scene.width, scene.height))
    return max(1, round(scene.width * scale)), max(1, round(scene.height * scale)), scale


def find_probes(scene: Scene, lookup: SubjectLookup) -> Iterator[Probe]:
    """A probe for every image whose subject is known and big enough to measure."""
    w, h, scale = analysis_size(scene)
    elements = flatten(without_text(scene), lookup)   # texts: no fonts to measure
    for element in elements:
        if not isinstance(element.item, ImageNode) or lookup(element.item) is None:
            continue
        if element.matrix[1] or element.matrix[3]:
            continue   # turned (a collage card): `subject_map` maps boxes, not rotations
        silhouette = subject_map([element], lookup, scene.width, scene.height, scale) >= 0.5
        probe = _probe(element, silhouette, (h, w))
        if probe is not None:
            yield replace(probe, own_backdrop=own_backdrop(probe, scale))


def opaque_photo(node: ImageNode) -> bool:
    """Whether the image paints every pixel of its box itself: not cut out (no matte), a
    raster without alpha, not faded or masked. Only then is what lies around its subject
    inside the box the photo's own backdrop, which no field behind it can change."""
    attrs = dict(node.attrs)
    return (node.matte is None and not node.material.has_alpha
            and node.material.format != "svg" and "mask" not in attrs
            and _fraction(attrs.get("opacity")) >= 1.0)


def own_backdrop(probe: Probe, scale: float) -> bool:
    """Whether at least OWN_BACKDROP_SHARE of the probe's outer band lies on its image's
    own opaque pixels (inside the image's visible box, the image an `opaque_photo`): the
    one predicate by which the figure does not apply and the repair leaves it alone."""
    node = probe.element.item
    if not isinstance(node, ImageNode) or not opaque_photo(node):
        return False
    r0, _, c0, _ = probe.window
    box = probe.element.box
    rows, cols = probe.outer.shape
    top, bottom = _span(box.y * scale - r0, box.bottom * scale - r0, rows)
    left, right = _span(box.x * scale - c0, box.right * scale - c0, cols)
    total = float(probe.outer.sum())
    own = float(probe.outer[top:bottom, left:right].sum())
    return total > 0 and own >= OWN_BACKDROP_SHARE * total


def _span(start: float, end: float, size: int) -> tuple[int, int]:
    """The whole pixels of [start, end) clamped to 0..size (a partly covered pixel shows
    what is behind the image too, so it does not count as the image's own)."""
    return max(0, min(size, math.ceil(start))), max(0, min(size, math.floor(end)))



def _probe(element: Element, silhouette: np.ndarray, shape: tuple[int, int]) -> Probe | None:
    rows = np.flatnonzero(silhouette.any(axis=1))
    cols = np.flatnonzero(silhouette.any(axis=0))
    if len(rows) == 0:
        return None
    side = min(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    d = int(min(BAND_MAX, max(BAND_MIN, round(BAND * side))))
    reach = GAP + d + 1
    r0, r1 = max(0, rows[0] - reach), min(shape[0], rows[-1] + reach + 1)
    c0, c1 = max(0, cols[0] - reach), min(shape[1], cols[-1] + reach + 1)
    mask = silhouette[r0:r1, c0:c1].astype(np.uint8)
    # Outside the canvas counts as subject: the canvas border is not an edge of it.
    edge = mask & ~_erode(mask, 1) & 1
    inner = _erode(mask, GAP).astype(bool) & ~_erode(mask, GAP + d).astype(bool)
    outer = _dilate(mask, GAP + d).astype(bool) & ~_dilate(mask, GAP).astype(bool)
    pr, pc = np.nonzero(edge)
    if len(pr) < MIN_POSITIONS or not outer.any():
        return None
    step = math.ceil(len(pr) / MAX_POSITIONS)
    k = 2 * (GAP + d) + 1
    inside, around = inner.astype(np.float32), outer.astype(np.float32)
    probe = Probe(element, (int(r0), int(r1), int(c0), int(c1)), inside, around,
                  pr[::step], pc[::step], k, np.zeros(0), np.zeros(0))
    return replace(probe, n_in=probe.sums(np.ones_like(inside), inside),
                   n_out=probe.sums(np.ones_like(around), around))


def _erode(mask: np.ndarray, r: int) -> np.ndarray:
    if r <= 0:
        return mask
    kernel = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    return cv2.erode(mask, kernel, borderType=cv2.BORDER_REPLICATE)


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    if r <= 0:
        return mask
    kernel = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    return cv2.dilate(mask, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)


def render_windows(scene: Scene, windows: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The scene without text at analysis scale, as float RGB over white, drawn inside
    the windows only, by the contrast check's ground renderer. Raster materials and
    mattes are drawn from stand-ins PROXY_SIDE px on their long side: at analysis scale
    they give the same pixels, and a full-size photo (with its matte applied at full
    size) would cost a decode and a multiply per render once a batch's photos outgrow
    the renderer's image cache."""
    w, h, _ = analysis_size(scene)
    small = replace(scene, children=_small_mattes(scene.children))
    return _ground(small, w, h, windows, _proxy_href)


def _small_mattes(items: tuple[SceneItem, ...]) -> tuple[SceneItem, ...]:
    out: list[SceneItem] = []
    for item in items:
        if isinstance(item, ImageNode) and item.matte is not None:
            item = item.with_(matte=_small_matte(item.matte))
        elif isinstance(item, Node) and item.children:
            item = replace(item, children=_small_mattes(item.children))
        out.append(item)
    return tuple(out)


@lru_cache(maxsize=128)
def _small_matte(png: bytes) -> bytes:
    """The matte PNG at stand-in size (it is stretched over the image's box either way)."""
    grey = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    if grey is None or max(grey.shape) <= PROXY_SIDE:
        return png
    ok, data = cv2.imencode(".png", _shrunk(grey), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    return data.tobytes() if ok else png


def _proxy_href(material: Material) -> str:
    if material.format == "svg":
        from ddm_lang.emit import data_uri
        return data_uri(material)
    return _proxy(material)


@lru_cache(maxsize=128)
def _proxy(material: Material) -> str:
    """A data URI of the material at stand-in size (JPEG, or PNG when it has alpha),
    decoded at a reduced scale where the format allows it; its file when OpenCV cannot
    decode it (the renderer then reads it as it always does)."""
    data = np.frombuffer(Path(material.path).read_bytes(), np.uint8)
    reduce = 1
    while reduce < 8 and max(material.width, material.height) // (2 * reduce) >= PROXY_SIDE:
        reduce *= 2
    flags = cv2.IMREAD_UNCHANGED if material.has_alpha else {
        1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
        8: cv2.IMREAD_REDUCED_COLOR_8}[reduce]
    pixels = cv2.imdecode(data, flags | cv2.IMREAD_IGNORE_ORIENTATION)
    if pixels is None:
        return Path(material.path).as_uri()
    if pixels.dtype != np.uint8:   # 16-bit PNG
        pixels = (pixels // 257).astype(np.uint8)
    pixels = _shrunk(pixels)
    alpha = pixels.ndim == 3 and pixels.shape[2] == 4
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1] if alpha else [cv2.IMWRITE_JPEG_QUALITY, 92]
    encoded = cv2.imencode(".png" if alpha else ".jpg", pixels, params)[1]
    mime = "image/png" if alpha else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


def _shrunk(pixels: np.ndarray) -> np.ndarray:
    h, w = pixels.shape[:2]
    k = PROXY_SIDE / max(h, w)
    if k >= 1:
        return pixels
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


def window_pixels(ground: np.ndarray, probe: Probe) -> np.ndarray:
    r0, r1, c0, c1 = probe.window
    return ground[r0:r1, c0:c1]


# ---- judging ------------------------------------------------------------------------------

def judge(probe: Probe, pixels: np.ndarray, threshold: float) -> SeparationResult:
    """The probe's figure on these pixels (its window of the ground)."""
    inner = probe.sums(pixels, probe.inner)
    outer = probe.sums(pixels, probe.outer)
    return result(probe, inner, outer, probe.n_in, probe.n_out, threshold)


def result(probe: Probe, inner: np.ndarray, outer: np.ndarray, n_in: np.ndarray,
           n_out: np.ndarray, threshold: float) -> SeparationResult:
    """The result from the band sums at every position (and their pixel counts)."""
    value, inner_rgb, outer_rgb = figure(inner, outer, n_in, n_out)
    element = probe.element
    applies = not probe.own_backdrop
    return SeparationResult(element.label, element.name, round(value, 2), threshold,
                            value >= threshold or not applies, len(inner_rgb),
                            _hex(inner_rgb), _hex(outer_rgb), applies)


def figure(inner: np.ndarray, outer: np.ndarray, n_in: np.ndarray,
           n_out: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(PERCENTILE-th percentile of ΔE00, the inner and outer mean colours per position)
    over the positions where both bands have pixels."""
    valid, a, b = _means(inner, outer, n_in, n_out)
    if not valid.any():
        return math.inf, a, b
    delta = delta_e2000(to_lab(a), to_lab(b))
    return float(np.percentile(delta, PERCENTILE)), a, b


def position_deltas(inner: np.ndarray, outer: np.ndarray, n_in: np.ndarray,
                    n_out: np.ndarray) -> np.ndarray:
    """ΔE00 at every position (NaN where a band has no pixel in its local window)."""
    valid, a, b = _means(inner, outer, n_in, n_out)
    out = np.full(len(n_in), np.nan)
    if valid.any():
        out[valid] = delta_e2000(to_lab(a), to_lab(b))
    return out


def _means(inner: np.ndarray, outer: np.ndarray, n_in: np.ndarray,
           n_out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    valid = (n_in > 0) & (n_out > 0)
    return valid, inner[valid] / n_in[valid, None], outer[valid] / n_out[valid, None]


def _hex(rgb: np.ndarray) -> str:
    if len(rgb) == 0:
        return "-"
    r, g, b = (round(float(v)) for v in np.clip(np.median(rgb, axis=0), 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65; L 0..100) of N × 3 sRGB colours 0..255."""
    pixels = np.clip(rgb, 0, 255).astype(np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2Lab).reshape(-1, 3).astype(np.float64)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference of N × 3 CIELAB pairs (kL = kC = kH = 1; Sharma, Wu
    and Dalal's formulation, which their published test pairs check)."""
    l1, a1, b1 = lab1[:, 0], lab1[:, 1], lab1[:, 2]
    l2, a2, b2 = lab2[:, 0], lab2[:, 1], lab2[:, 2]
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl = l2 - l1
    dc = c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dhh = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    hsum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180,
                     np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2), hsum / 2)
    h_bar = np.where(c1p * c2p == 0, hsum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25.0 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2
                   + r_t * (dc / s_c) * (dhh / s_h))

