"""A cut-out (a photo under a luminance matte of the same placement, as the compiler writes
it) is drawn as one image with the matte applied to its pixels: the same picture as the
general mask path, and any other mask still takes the general path."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

import ddm_lang.renderer.raster as raster
from ddm_lang.renderer import render


def _uri(array: np.ndarray, fmt: str) -> str:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, fmt)
    mime = "jpeg" if fmt == "JPEG" else "png"
    return f"data:image/{mime};base64," + base64.b64encode(buf.getvalue()).decode()


YY, XX = np.mgrid[0:240, 0:180]
PHOTO = _uri(np.stack([XX % 256, YY % 256, (XX * YY) % 256], -1).astype(np.uint8), "JPEG")
# The matte at another resolution (as the subject model writes it): a soft-edged ellipse.
MY, MX = np.mgrid[0:160, 0:120]
MATTE = _uri((np.clip(1.6 - ((MX - 60) / 45) ** 2 - ((MY - 80) / 60) ** 2, 0, 1) * 255)
             .astype(np.uint8), "PNG")


SIZE = 'width="180" height="240"'


def _cutout(place: str, matte_place: str = SIZE) -> str:
    photo = f'<image {SIZE} preserveAspectRatio="none" href="{PHOTO}"/>'
    matte = f'<image {matte_place} preserveAspectRatio="none" href="{MATTE}"/>'
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300">'
            '<rect width="300" height="300" fill="#e8efe9"/>'
            f'<mask id="m" maskUnits="userSpaceOnUse" {_xywh(place)}>'
            f'<svg {place}>{matte}</svg></mask>'
            f'<g mask="url(#m)"><svg {place}>{photo}</svg></g></svg>')


def _xywh(attrs: str) -> str:
    return " ".join(a for a in attrs.split() if a.split("=")[0] in ("x", "y", "width", "height"))


def _both(svg: str, monkeypatch: pytest.MonkeyPatch) -> tuple[np.ndarray, np.ndarray, int]:
    taken = {"n": 0}
    original = raster.Renderer.draw_matted

    def spy(self, *args):  # type: ignore[no-untyped-def]
        drew = original(self, *args)
        taken["n"] += drew
        return drew

    monkeypatch.setattr(raster.Renderer, "draw_matted", spy)
    fast = render(svg)
    monkeypatch.setattr(raster.Renderer, "draw_matted", lambda *_: False)
    return fast, render(svg), taken["n"]


@pytest.mark.parametrize("place", [
    'x="40.5" y="20.25" width="150.3" height="210.7" viewBox="0 20 180 200" '
    'preserveAspectRatio="none"',
    'x="10" y="10" width="270" height="280" viewBox="0 0 180 240" preserveAspectRatio="none"',
])
def test_cutout_matches_the_general_mask_path(place: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fast, general, taken = _both(_cutout(place), monkeypatch)
    assert taken == 1
    diff = np.abs(fast.astype(int) - general.astype(int)).max(axis=2)
    assert diff.mean() < 0.5 and (diff > 8).mean() < 0.001
    assert (fast[..., :3] != [0xE8, 0xEF, 0xE9]).any(axis=2).sum() > 5000  # drawn at all


def test_other_masks_take_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    place = 'x="40" y="20" width="150" height="210" viewBox="0 0 180 240" ' \
            'preserveAspectRatio="none"'
    moved = _cutout(place, matte_place='x="5" width="180" height="240"')
    fast, general, taken = _both(moved, monkeypatch)
    assert taken == 0 and np.array_equal(fast, general)
