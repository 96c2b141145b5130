"""Encoders: each format decodes back to the pixels, JPEG flattens alpha onto white, files are
written atomically, and the one-call `render_to_bytes` ties rasterising and encoding."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ddm_lang.files import write_atomic
from ddm_lang.renderer import encode, render_to_bytes


def pixels() -> np.ndarray:
    """Left half opaque teal, right half half-transparent red, bottom rows fully clear."""
    img = np.zeros((40, 60, 4), dtype=np.uint8)
    img[:30, :30] = (0x33, 0x66, 0x99, 255)
    img[:30, 30:] = (255, 0, 0, 128)
    return img


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")).astype(int)


def test_png_is_lossless_with_alpha() -> None:
    data = encode(pixels(), "png")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert np.array_equal(decode(data), pixels())


def test_opaque_png_drops_the_alpha_channel_losslessly() -> None:
    img = pixels()
    img[..., 3] = 255
    data = encode(img, "png")
    assert Image.open(io.BytesIO(data)).mode == "RGB"
    assert np.array_equal(decode(data), img)


def test_jpeg_flattens_alpha_onto_white() -> None:
    for fmt in ("jpg", "JPEG"):
        data = encode(pixels(), fmt, 95)
        assert data.startswith(b"\xff\xd8")
        out = decode(data)
        assert np.abs(out[10, 10, :3] - [0x33, 0x66, 0x99]).max() <= 4
        assert np.abs(out[10, 50, :3] - [255, 127, 127]).max() <= 6  # 50% red over white
        assert np.abs(out[38, 10, :3] - [255, 255, 255]).max() <= 3  # clear → white
        assert (out[..., 3] == 255).all()


def test_webp_round_trips_approximately() -> None:
    data = encode(pixels(), "webp", 90)
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    out = decode(data)
    assert np.abs(out[10, 10] - [0x33, 0x66, 0x99, 255]).max() <= 8


def test_quality_trades_size() -> None:
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, (64, 64, 4), dtype=np.uint8)
    noisy[..., 3] = 255
    assert len(encode(noisy, "jpg", 20)) < len(encode(noisy, "jpg", 95))


@pytest.mark.parametrize(("fmt", "quality"), [("gif", 90), ("png", 0), ("jpg", 101)])
def test_bad_format_or_quality_is_a_value_error(fmt: str, quality: int) -> None:
    with pytest.raises(ValueError):
        encode(pixels(), fmt, quality)


def test_wrong_array_shape_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="RGBA"):
        encode(np.zeros((4, 4, 3), dtype=np.uint8), "png")


def test_write_atomic_replaces_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.png"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["a.png"]


def test_render_to_bytes_in_one_call() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
           '<rect width="20" height="10" fill="#f00"/></svg>')
    png = render_to_bytes(svg, "png", width=40)
    out = decode(png)
    assert out.shape == (20, 40, 4) and tuple(out[10, 20]) == (255, 0, 0, 255)
    jpg = render_to_bytes(svg, "jpeg", background="white", quality=80)
    assert jpg.startswith(b"\xff\xd8")
