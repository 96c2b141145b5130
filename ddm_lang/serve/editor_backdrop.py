"""The colour a text of a creative stands on: what the inspector's colour picker measures
contrast against while the author picks (the text itself left out, as the contrast check
measures it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ddm_lang.api import Creative
from ddm_lang.emit import emit
from ddm_lang.renderer import render
from ddm_lang.scene import TextNode, without_text
from ddm_lang.values import Color

from .editor_templates import EditorError

SIDE = 240
"""Longest side the backdrop is drawn at: enough for a median colour, cheap to draw."""


def text_backdrop(creative: Creative, element_start: int) -> dict[str, Any]:
    """`{backdrop, fill, ratio}` for the text whose source starts at `element_start`: the
    median colour under its lines' box with every text left out, its fill, and their
    WCAG contrast ratio."""
    placed = next((p for p in (creative.source_map.placements if creative.source_map else ())
                   if p.span.start == element_start and p.kind == "text"), None)
    if placed is None:
        raise EditorError("no text there in this creative (it is left out for this product "
                          "or format)", 404)
    fill = _fill(creative, placed.name)
    scene = without_text(creative.scene)
    scale = min(1.0, SIDE / max(scene.width, scene.height))
    w, h = max(1, round(scene.width * scale)), max(1, round(scene.height * scale))
    pixels = render(emit(scene, creative.environment.fonts), w, h, None,
                    allowed_roots=creative.environment.readable_roots(creative.base_dir),
                    fonts=creative.environment.fonts)
    box = placed.box
    x0, y0 = max(0, int(box.x * scale)), max(0, int(box.y * scale))
    x1, y1 = min(w, max(x0 + 1, int(box.right * scale))), min(h, max(y0 + 1, int(box.bottom * scale)))
    window = pixels[y0:y1, x0:x1, :3].reshape(-1, 3)
    rgb = np.median(window, axis=0) if window.size else np.array([255, 255, 255])
    backdrop = Color(*(float(c) / 255 for c in rgb)).hex()
    return {"backdrop": backdrop, "fill": fill,
            "ratio": round(Color.parse(fill).contrast(Color.parse(backdrop)), 2)
            if fill else None}


def _fill(creative: Creative, name: str | None) -> str | None:
    """The fill a named text was drawn with (after any contrast fix)."""
    def walk(items: Any) -> str | None:
        for item in items:
            if isinstance(item, TextNode) and item.name == name:
                fill = dict(item.attrs).get("fill")
                return fill if fill and fill.startswith("#") else None
            children = getattr(item, "children", ())
            found = walk(children) if children else None
            if found:
                return found
        return None
    return walk(creative.scene.children) if name else None
