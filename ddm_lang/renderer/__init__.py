"""SVG emitter, our own Skia rasteriser, encoders and fonts."""

from __future__ import annotations

from pathlib import Path

from .allocator import keep_freed_memory
from .encode import encode
from .errors import RenderError
from .fonts import FontRegistry
from .options import RenderOptions
from .raster import render

keep_freed_memory()

__all__ = ["FontRegistry", "RenderError", "RenderOptions", "encode", "render", "render_to_bytes"]


def render_to_bytes(svg: str | bytes, fmt: str = "png", width: int | None = None,
                    height: int | None = None, background: str | None = None, quality: int = 90,
                    allowed_roots: tuple[Path, ...] = (), base_dir: Path | None = None,
                    fonts: FontRegistry | None = None) -> bytes:
    """Rasterise and encode in one call."""
    pixels = render(svg, width, height, background, allowed_roots=allowed_roots,
                    base_dir=base_dir, fonts=fonts)
    return encode(pixels, fmt, quality)
