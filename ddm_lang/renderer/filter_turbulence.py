"""feTurbulence: the SVG specification's Perlin noise, vectorised over the filter region.

The lattice, gradients and seeding follow the reference code in the SVG 1.1 specification
(as resvg's turbulence.rs does), so a given seed gives the same pattern as other renderers.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

RAND_M, RAND_A, RAND_Q, RAND_R = 2147483647, 16807, 127773, 2836
B_SIZE = 0x100
PERLIN_N = 0x1000
MAX_OCTAVES = 10  # later octaves add under one 8-bit level in all
OCTAVE_BUDGET = 12_000_000  # pixels × octaves: huge regions get fewer (finest) octaves
CHUNK_PIXELS = 1 << 18  # rows are computed in blocks of about this many pixels


def _random(seed: int) -> int:
    result = RAND_A * (seed % RAND_Q) - RAND_R * int(seed / RAND_Q)
    return result + RAND_M if result <= 0 else result


def _c_mod(a: int, b: int) -> int:
    """C's % (truncating), which the reference generator relies on."""
    return int(np.fmod(a, b))


@lru_cache(maxsize=16)
def lattice(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutation table and the 4 gradient tables for a seed."""
    selector = list(range(B_SIZE + B_SIZE + 2))
    grad = np.zeros((4, B_SIZE + B_SIZE + 2, 2), np.float64)
    if seed <= 0:
        seed = _c_mod(-seed, RAND_M - 1) + 1
    seed = min(seed, RAND_M - 1)
    for k in range(4):
        for i in range(B_SIZE):
            selector[i] = i
            for j in range(2):
                seed = _random(seed)
                grad[k, i, j] = (_c_mod(seed, B_SIZE * 2) - B_SIZE) / B_SIZE
            norm = np.hypot(grad[k, i, 0], grad[k, i, 1])
            grad[k, i] /= norm
    for i in range(B_SIZE - 1, 0, -1):
        kept = selector[i]
        seed = _random(seed)
        j = _c_mod(seed, B_SIZE)
        selector[i] = selector[j]
        selector[j] = kept
    for i in range(B_SIZE + 2):
        selector[B_SIZE + i] = selector[i]
        grad[:, B_SIZE + i] = grad[:, i]
    return np.array(selector, np.int64), grad


def _noise2(x: np.ndarray, y: np.ndarray, sel: np.ndarray, grad: np.ndarray,
            stitch: list | None) -> np.ndarray:
    """The spec's noise2 for all four channels at once (they share the lattice and differ
    only in gradients): shape (4, *x.shape)."""
    tx = x + PERLIN_N
    bx0 = tx.astype(np.int64)
    rx0 = tx - np.trunc(tx)
    ty = y + PERLIN_N
    by0 = ty.astype(np.int64)
    ry0 = ty - np.trunc(ty)
    bx1, by1 = bx0 + 1, by0 + 1
    rx1, ry1 = rx0 - 1.0, ry0 - 1.0
    if stitch is not None:
        width, height, wrap_x, wrap_y = stitch
        bx0 = np.where(bx0 >= wrap_x, bx0 - width, bx0)
        bx1 = np.where(bx1 >= wrap_x, bx1 - width, bx1)
        by0 = np.where(by0 >= wrap_y, by0 - height, by0)
        by1 = np.where(by1 >= wrap_y, by1 - height, by1)
    bx0, bx1, by0, by1 = bx0 & 0xFF, bx1 & 0xFF, by0 & 0xFF, by1 & 0xFF
    i, j = sel[bx0], sel[bx1]
    sx = rx0 * rx0 * (3.0 - 2.0 * rx0)
    sy = ry0 * ry0 * (3.0 - 2.0 * ry0)
    q = grad[:, sel[i + by0]]
    u = rx0 * q[..., 0] + ry0 * q[..., 1]
    q = grad[:, sel[j + by0]]
    v = rx1 * q[..., 0] + ry0 * q[..., 1]
    a = u + sx * (v - u)
    q = grad[:, sel[i + by1]]
    u = rx0 * q[..., 0] + ry1 * q[..., 1]
    q = grad[:, sel[j + by1]]
    v = rx1 * q[..., 0] + ry1 * q[..., 1]
    b = u + sx * (v - u)
    return a + sy * (b - a)


def turbulence(width: int, height: int, offset: tuple[float, float], scale: tuple[float, float],
               freq: tuple[float, float], octaves: int, seed: int, stitch_tiles: bool,
               fractal: bool) -> np.ndarray:
    """The noise as straight-alpha RGBA8 for a width×height pixel grid; pixel (x, y) samples
    user space at ((x + offset) / scale). Computed in row blocks to bound memory."""
    octaves = min(octaves, MAX_OCTAVES, max(1, OCTAVE_BUDGET // max(1, width * height)))
    fx, fy = freq
    stitch_size = None
    if stitch_tiles:
        # Stitching is relative to the tile (the region) in pixels, as resvg does it.
        if fx != 0:
            lo, hi = np.floor(width * fx) / width, np.ceil(width * fx) / width
            fx = lo if lo > 0 and fx / lo < hi / fx else hi
        if fy != 0:
            lo, hi = np.floor(height * fy) / height, np.ceil(height * fy) / height
            fy = lo if lo > 0 and fy / lo < hi / fy else hi
        stitch_size = (int(width * fx + 0.5), int(height * fy + 0.5))
    sel, grad = lattice(seed)
    out = np.empty((height, width, 4), np.uint8)
    step = max(1, CHUNK_PIXELS // max(1, width))
    for top in range(0, height, step):
        rows = min(step, height - top)
        ys, xs = np.mgrid[top:top + rows, 0:width].astype(np.float64)
        stitch = None
        if stitch_size is not None:
            sw, sh = stitch_size
            # resvg passes each pixel's own position as the tile origin.
            stitch = [sw, sh, (xs * fx + PERLIN_N + sw).astype(np.int64),
                      (ys * fy + PERLIN_N + sh).astype(np.int64)]
        ux = (xs + offset[0]) / scale[0] * fx
        uy = (ys + offset[1]) / scale[1] * fy
        x, y, st = ux, uy, stitch
        total = np.zeros((4, rows, width), np.float64)
        ratio = 1.0
        for _ in range(octaves):
            n = _noise2(x, y, sel, grad, st)
            total += (n if fractal else np.abs(n)) / ratio
            x, y, ratio = x * 2.0, y * 2.0, ratio * 2.0
            if st is not None:
                st = [st[0] * 2, st[1] * 2, 2 * st[2] - PERLIN_N, 2 * st[3] - PERLIN_N]
        block = np.moveaxis(total, 0, -1)
        block = (block * 255.0 + 255.0) / 2.0 if fractal else block * 255.0
        out[top:top + rows] = (np.clip(block, 0.0, 255.0) + 0.5).astype(np.uint8)
    return out
