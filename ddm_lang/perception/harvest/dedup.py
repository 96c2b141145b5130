"""Near-duplicate images: a 64-bit DCT perceptual hash, a coarse colour layout, and grouping
by Hamming distance.

A product page shows the same photo many times over: a 360 px thumbnail, a 1600 px gallery
image, the og:image share copy, a zoom copy, the same shot in the video. They differ in size,
compression and sometimes a few pixels of crop, so byte or URL equality misses them; the
pHash (Zauner, "Implementation and benchmarking of perceptual image hash functions", 2010)
does not: the image in grey at 32×32, its 2-D DCT, and one bit per coefficient of the 8×8
lowest frequencies saying whether it is above their median. Resizing, re-encoding and small
brightness changes move few bits; an unrelated photo moves about half of them.

A bit is only as good as its coefficient's distance from the median. A symmetric picture (a
bottle, a pair of headphones head-on, as packshots are) has coefficients that are zero but
for rounding: every odd frequency across the axis of symmetry, half the 64. The median then
sits among them and their bits are noise (a 640 px packshot and its 320 px copy differ in 14
bits). So each fingerprint also records which bits are stable (their coefficient is more
than `STABLE_SHARE` of the mean deviation away from the median), two fingerprints are
compared on the bits stable in both, and the count is scaled back to 64 bits.

The hash is grey, and one brand's cartons or one shoe's colourways differ mostly in colour
(on the grocery benchmark, four Tropicana juices are 5 to 9 bits apart), so two images are
copies only when their colour layouts also agree: the mean of each cell of a 4×4 grid in two
opponent channels (red–green, yellow–blue), which leave brightness out.

Written here with numpy and Pillow (the DCT is a 32×32 matrix product) rather than taken from
a package: the whole of it is a few lines, and a dependency would be one more to pin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

_SIDE = 32          # the grey copy the DCT is taken of
_LOW = 8            # the 8×8 lowest frequencies make the 64 bits
_GRID = 4           # the colour layout's cells per side
STABLE_SHARE = 0.02
"""A bit is stable when its coefficient is further than this share of the mean absolute
deviation (of the 63 non-DC coefficients from the median) from the median."""
MIN_COMPARED = 16
"""Fingerprints with fewer stable bits in common than this are not compared (a blank
picture has almost none): they are never copies of one another."""

THRESHOLD = 8
"""Two images are copies of one another at most this many bits apart (`bits_apart`), their
colour layouts within `COLOUR_THRESHOLD`.

Chosen on `benchmarks/dedup_precision.py` (81 grocery photos, each with 8 altered copies:
resized to 50 % and 200 %, JPEG at quality 40 and 70, WebP, a 5 % one-sided crop, 10 % more
brightness, a small watermark; `benchmarks/results/dedup_precision.md`). Resizing and
re-encoding move no stable bit, brightness and the watermark up to about 10, the crop 11 in
the median; the nearest distinct products (look-alike cartons of one brand) are 5 to 9 bits
apart. At 8 bits pair precision is 1.0 and recall 0.81, the best F1 of the sweep (0.89), and
no two distinct products are merged; at 10, recall gains 0.04 and precision loses 0.08 (four
pairs of look-alike cartons merged). What is missed is mostly the crop: the pHash shifts with
the picture, so cropped copies beyond a few per cent stay apart (65 of 81 at 5 %).
"""

COLOUR_THRESHOLD = 5.0
"""The largest mean difference (in 8-bit levels) of the colour layouts of two copies.

Re-encoding moves it by under 1, 10 % more brightness by up to 5, a 5 % crop by up to 8;
distinct products within the pHash threshold differ by 3 to 15 (same benchmark). At 8 bits
the colour check loses no copy (recall 0.807, 0.803 without it) and keeps apart 8 pairs of
distinct products that the pHash alone merges.
"""


@dataclass(frozen=True)
class Fingerprint:
    """What an image is compared by: its pHash, which of its bits are stable, and its
    colour layout (4×4 cells × 2 opponent channels, row by row)."""

    phash: int
    stable: int
    colour: tuple[float, ...]

    @property
    def hex(self) -> str:
        """The pHash as the 16 hex digits reports show."""
        return f"{self.phash:016x}"


@cache
def _dct_matrix(n: int = _SIDE) -> np.ndarray:
    """The orthonormal DCT-II matrix: `C @ x` is the DCT of the column vector x."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    c = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    c[0] /= np.sqrt(2.0)
    return c


def _flat(image: Image.Image | np.ndarray) -> Image.Image:
    """The image as opaque RGB, transparent pixels as white: a cut-out and the same photo on a
    white backdrop (shops publish both) then compare alike."""
    img = Image.fromarray(image) if isinstance(image, np.ndarray) else image
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def _hash_bits(image: Image.Image | np.ndarray) -> tuple[int, int]:
    """(pHash, stable bits) of an image."""
    grey = _flat(image).convert("L").resize((_SIDE, _SIDE), Image.Resampling.LANCZOS)
    c = _dct_matrix()
    dct = c @ np.asarray(grey, dtype=np.float64) @ c.T
    low = dct[:_LOW, :_LOW].ravel()
    deviation = low - np.median(low)
    spread = float(np.mean(np.abs(deviation[1:])))
    stable = np.abs(deviation) > STABLE_SHARE * spread
    return _pack(deviation > 0), _pack(stable)


def _pack(bits: np.ndarray) -> int:
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def phash(image: Image.Image | np.ndarray) -> int:
    """The 64-bit perceptual hash of an image (a Pillow image or an (h, w[, 3|4]) uint8
    array)."""
    return _hash_bits(image)[0]


def colour_layout(image: Image.Image | np.ndarray) -> tuple[float, ...]:
    """The mean red–green and yellow–blue opponent colour of each cell of a 4×4 grid."""
    cells = np.asarray(_flat(image).resize((_GRID, _GRID), Image.Resampling.BOX),
                       dtype=np.float64)
    r, g, b = cells[..., 0], cells[..., 1], cells[..., 2]
    opponent = np.stack([(r - g) / np.sqrt(2.0), (r + g - 2.0 * b) / np.sqrt(6.0)], axis=-1)
    return tuple(round(float(v), 2) for v in opponent.ravel())


def fingerprint(image: Image.Image | np.ndarray) -> Fingerprint:
    """The pHash and colour layout of an image."""
    flat = _flat(image)
    return Fingerprint(*_hash_bits(flat), colour_layout(flat))


def hamming(a: int, b: int) -> int:
    """The number of bits two hashes differ in."""
    return (a ^ b).bit_count()


def bits_apart(a: Fingerprint, b: Fingerprint) -> int:
    """How many of 64 bits two fingerprints differ in, counted on the bits stable in both
    and scaled to 64; 64 when fewer than `MIN_COMPARED` are."""
    both = a.stable & b.stable
    n = both.bit_count()
    if n < MIN_COMPARED:
        return 64
    return round(((a.phash ^ b.phash) & both).bit_count() * 64 / n)


def colour_distance(a: Fingerprint, b: Fingerprint) -> float:
    """The mean absolute difference of two colour layouts."""
    return float(np.mean(np.abs(np.subtract(a.colour, b.colour))))


def distance(a: Fingerprint, b: Fingerprint, *, threshold: int = THRESHOLD,
             colour_threshold: float = COLOUR_THRESHOLD) -> int | None:
    """The pHash distance of two copies of one image (`bits_apart`), or None when they are
    not copies."""
    d = bits_apart(a, b)
    if d > threshold or colour_distance(a, b) > colour_threshold:
        return None
    return d


def group_duplicates(prints: Sequence[Fingerprint], pixels: Sequence[int], *,
                     threshold: int = THRESHOLD,
                     colour_threshold: float = COLOUR_THRESHOLD) -> list[int | None]:
    """For each image, the index of the copy it duplicates, or None for an image kept.

    Images are taken best first (most pixels, then the earlier in the list); each joins the
    nearest already kept image that it is a copy of, or is kept. So every group keeps its
    largest copy, and an image never joins a group through a chain of near neighbours: it
    must be near the kept copy itself.
    """
    if len(prints) != len(pixels):
        raise ValueError("prints and pixels differ in length")
    order = sorted(range(len(prints)), key=lambda i: (-pixels[i], i))
    kept: list[int] = []
    duplicate_of: list[int | None] = [None] * len(prints)
    for i in order:
        best: tuple[int, int] | None = None
        for k in kept:
            d = distance(prints[i], prints[k], threshold=threshold,
                         colour_threshold=colour_threshold)
            if d is not None and (best is None or d < best[0]):
                best = (d, k)
        if best is None:
            kept.append(i)
        else:
            duplicate_of[i] = best[1]
    return duplicate_of
