"""Golden renderings of the stdlib templates: which creatives are kept, how they are drawn,
and how a fresh rendering is compared with the stored one.

Each template is kept in every format it serves for one sample product (the products
taken in turn across templates, so every product appears), drawn small (GOLDEN_SIDE px on
the long side) and stored as JPEG: the point is to notice a layout or colour change, not a
one-level difference in a pixel, so the comparison is perceptual (SSIM on luma) with a
tolerance, never bytes. `make goldens` (tools/update_goldens.py) rewrites them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from ddm_lang import load_template
from ddm_lang.demo import sample_catalogue
from ddm_lang.renderer import render
from ddm_lang.stdlib_templates import stdlib_dir

GOLDENS = Path(__file__).resolve().parent / "goldens"
MANIFEST = GOLDENS / "manifest.json"
GOLDEN_SIDE = 256
MIN_SSIM = 0.95
MAX_MEAN_DIFF = 0.02  # mean absolute luma difference, 0..1
WINDOW = 7


def cases() -> list[tuple[str, str, str]]:
    """(template, product id, format) for every stdlib template × its formats."""
    products, _ = sample_catalogue()
    out = []
    for i, path in enumerate(sorted(stdlib_dir().glob("*.ddm"))):
        product = products[i % len(products)]
        out += [(path.stem, product["id"], fmt.name) for fmt in load_template(path).formats]
    return out


def file_name(template: str, product_id: str, fmt: str) -> str:
    return f"{template}/{product_id}-{fmt}.jpg"


def draw(template: str, product_id: str, fmt: str) -> np.ndarray:
    """The creative at golden size, RGB uint8."""
    products, base = sample_catalogue()
    product = next(p for p in products if p["id"] == product_id)
    creative = load_template(stdlib_dir() / f"{template}.ddm").compile(product, fmt, base_dir=base)
    w, h = creative.format.width, creative.format.height
    k = GOLDEN_SIDE / max(w, h)
    pixels = render(creative.svg, max(1, round(w * k)), max(1, round(h * k)),
                    background="#ffffff", allowed_roots=(base,))
    return pixels[..., :3]


def encode_jpeg(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, "JPEG", quality=90, optimize=True)
    return buf.getvalue()


def load(template: str, product_id: str, fmt: str) -> np.ndarray | None:
    path = GOLDENS / file_name(template, product_id, fmt)
    if not path.exists():
        return None
    return np.asarray(Image.open(path).convert("RGB"))


def _luma(rgb: np.ndarray) -> np.ndarray:
    return (rgb[..., :3].astype(np.float64) @ [0.299, 0.587, 0.114]) / 255.0


def _box(a: np.ndarray, r: int) -> np.ndarray:
    """Mean over (2r+1)² windows (valid part only), by summed-area tables."""
    s = np.pad(a, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    n = 2 * r + 1
    return (s[n:, n:] - s[:-n, n:] - s[n:, :-n] + s[:-n, :-n]) / (n * n)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean structural similarity of two RGB images' luma (Wang et al. 2004, uniform
    7 × 7 windows, the usual constants for a 0..1 range)."""
    x, y = _luma(a), _luma(b)
    r = WINDOW // 2
    mx, my = _box(x, r), _box(y, r)
    vx = _box(x * x, r) - mx * mx
    vy = _box(y * y, r) - my * my
    cxy = _box(x * y, r) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


def compare(fresh: np.ndarray, stored: np.ndarray) -> tuple[float, float]:
    """(SSIM, mean absolute luma difference) of a fresh rendering against the golden."""
    if fresh.shape != stored.shape:
        return 0.0, 1.0
    return ssim(fresh, stored), float(np.abs(_luma(fresh) - _luma(stored)).mean())


def write_manifest(entries: list[tuple[str, str, str]]) -> None:
    MANIFEST.write_text(json.dumps([{"template": t, "product": p, "format": f,
                                     "file": file_name(t, p, f)} for t, p, f in entries],
                                   indent=1, ensure_ascii=False) + "\n")
