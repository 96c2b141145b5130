"""feDiffuseLighting and feSpecularLighting, vectorised over the filter region.

The surface is the input's alpha channel; normals use the Sobel kernels of the SVG
specification (with its edge and corner variants), and the light vector, spot-light cone
and colour follow resvg's lighting.rs so the shading matches the reference renderer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Light:
    """A light source in filter-region pixel coordinates (z scaled like x and y)."""
    kind: str  # "distant", "point" or "spot"
    azimuth: float = 0.0
    elevation: float = 0.0
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    at_x: float = 0.0
    at_y: float = 0.0
    at_z: float = 0.0
    exponent: float = 1.0
    cone: float | None = None


def _normals(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surface normal x/y components scaled by the kernel factors (before surfaceScale).
    Missing neighbour rows (columns) drop out of the x (y) derivative, and at an edge the
    derivative takes the centre pixel for the missing side, as the specification's edge
    kernels do."""
    a = alpha.astype(np.float32)
    h, w = a.shape
    # Horizontal differences with the edge pixel standing in for its missing neighbour.
    dx = np.empty_like(a)
    dx[:, 1:-1] = a[:, 2:] - a[:, :-2]
    dx[:, 0] = a[:, 1] - a[:, 0]
    dx[:, -1] = a[:, -1] - a[:, -2]
    dy = np.empty_like(a)
    dy[1:-1] = a[2:] - a[:-2]
    dy[0] = a[1] - a[0]
    dy[-1] = a[-1] - a[-2]
    nx = 2 * dx
    nx[1:] += dx[:-1]
    nx[:-1] += dx[1:]
    ny = 2 * dy
    ny[:, 1:] += dy[:, :-1]
    ny[:, :-1] += dy[:, 1:]
    xedge = np.zeros((h, w), bool)
    xedge[:, [0, -1]] = True
    yedge = np.zeros((h, w), bool)
    yedge[[0, -1], :] = True
    fx = np.where(xedge, np.where(yedge, 2 / 3, 1 / 2), np.where(yedge, 1 / 3, 1 / 4))
    fy = np.where(yedge, np.where(xedge, 2 / 3, 1 / 2), np.where(xedge, 1 / 3, 1 / 4))
    return -nx * fx, -ny * fy


def lighting(alpha: np.ndarray, light: Light, surface_scale: float,
             color: tuple[int, int, int], specular: bool, constant: float,
             exponent: float) -> np.ndarray:
    """The lit surface as premultiplied RGBA8 (opaque for diffuse; alpha = max(r, g, b)
    for specular)."""
    h, w = alpha.shape
    out = np.zeros((h, w, 4), np.uint8)
    if w < 3 or h < 3:
        return out
    nx, ny = _normals(alpha)
    nx, ny = nx * (surface_scale / 255.0), ny * (surface_scale / 255.0)
    if light.kind == "distant":
        az, el = math.radians(light.azimuth), math.radians(light.elevation)
        lx = np.full((h, w), math.cos(az) * math.cos(el))
        ly = np.full((h, w), math.sin(az) * math.cos(el))
        lz = np.full((h, w), math.sin(el))
    else:
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        lx, ly = light.x - xs, light.y - ys
        lz = light.z - alpha.astype(np.float32) / 255.0 * surface_scale
        length = np.sqrt(lx * lx + ly * ly + lz * lz)
        nonzero = length > 1e-12
        safe = np.where(nonzero, length, 1.0)
        lx, ly, lz = lx / safe, ly / safe, lz / safe
    norm = np.sqrt(nx * nx + ny * ny + 1.0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if specular:
            hx, hy, hz = lx, ly, lz + 1.0
            hlen = np.sqrt(hx * hx + hy * hy + hz * hz)
            n_dot_h = (nx * hx + ny * hy + hz) / norm / np.where(hlen > 1e-12, hlen, 1.0)
            k = n_dot_h if exponent == 1.0 else np.power(n_dot_h, exponent)
            factor = np.where(hlen > 1e-12, constant * k, 0.0)
        else:
            factor = constant * (nx * lx + ny * ly + lz) / norm
        factor = np.nan_to_num(factor, nan=0.0, posinf=0.0, neginf=0.0)
        base = np.broadcast_to(np.array(color, np.float32), (h, w, 3)).copy()
        if light.kind == "spot":
            sx, sy, sz = light.at_x - light.x, light.at_y - light.y, light.at_z - light.z
            slen = math.sqrt(sx * sx + sy * sy + sz * sz)
            if slen > 1e-12:
                sx, sy, sz = sx / slen, sy / slen, sz / slen
            minus_l_dot_s = -(lx * sx + ly * sy + lz * sz)
            dark = minus_l_dot_s <= 0.0
            if light.cone is not None:
                dark |= minus_l_dot_s < math.cos(math.radians(light.cone))
            spot = np.power(np.maximum(minus_l_dot_s, 0.0), light.exponent)
            base = np.floor(np.clip(base * spot[..., None], 0, 255) + 0.5)
            base[dark] = 0.0
    rgb = np.floor(np.clip(np.nan_to_num(base * factor[..., None]), 0, 255) + 0.5)
    out[..., :3] = rgb.astype(np.uint8)
    out[..., 3] = out[..., :3].max(axis=2) if specular else 255
    return out
