"""The shipped suitability model on images built here (no external data): each head fires
on a clear case of its kind, features keep their documented shape, and a model that does
not honour the contract is refused before it can answer wrongly."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

pytest.importorskip("onnxruntime")

from ddm_lang.perception.features import FEATURE_DIM, FEATURE_NAMES, image_features
from ddm_lang.perception.models import ModelError
from ddm_lang.perception.suitability import (
    DEFAULT_CONTRACT,
    HEADS,
    VERSION,
    SuitabilityModel,
    default_model,
    suitability,
)

# An ONNX graph `probabilities = Sigmoid(features)` whose input is float32 [N, 7] instead of
# [N, D]: a file that loads fine but does not honour the contract.
WRONG_WIDTH_ONNX = (
    "CAk6agoiCghmZWF0dXJlcxINcHJvYmFiaWxpdGllcyIHU2lnbW9pZBIFd3JvbmdaGwoIZmVhdHVyZXMSDwoN"
    "CAESCQoDEgFOCgIIB2IgCg1wcm9iYWJpbGl0aWVzEg8KDQgBEgkKAxIBTgoCCAdCBAoAEBE=")


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _clutter(seed: int, w: int = 480, h: int = 360) -> np.ndarray:
    """A busy scene: multi-scale coloured texture under many overlapping sharp shapes and
    lines."""
    rng = _rng(seed)
    img = np.zeros((h, w, 3), np.float32)
    for cell in (1, 4, 16):
        small = rng.random((h // cell + 2, w // cell + 2, 3)).astype(np.float32)
        up = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize(
            (w + 2 * cell, h + 2 * cell), Image.BICUBIC), np.float32)[:h, :w] / 255
        img += up / 3
    pil = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(150):
        x, y = rng.integers(0, w), rng.integers(0, h)
        sw, sh = rng.integers(6, w // 5), rng.integers(6, h // 5)
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        kind = rng.random()
        if kind < 0.4:
            draw.rectangle((x, y, x + sw, y + sh), fill=colour)
        elif kind < 0.8:
            draw.ellipse((x, y, x + sw, y + sh), fill=colour)
        else:
            draw.line((x, y, x + sw, y + sh), fill=colour, width=int(rng.integers(1, 4)))
    return np.asarray(pil)


def _product_on_flat() -> np.ndarray:
    """A shaded object centred on a flat studio background."""
    h, w = 400, 400
    img = np.full((h, w, 3), 242, np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    inside = ((xx - 200) / 110.0) ** 2 + ((yy - 210) / 140.0) ** 2 <= 1
    shade = np.clip(0.55 + 0.45 * (xx - 90) / 220.0, 0, 1)
    body = np.stack([200 * shade, 60 * shade + 20, 40 * shade + 10], axis=-1)
    img[inside] = body[inside].astype(np.uint8)
    pil = Image.fromarray(img)
    ImageDraw.Draw(pil).rectangle((190, 60, 210, 80), fill=(70, 110, 40))
    return np.asarray(pil)


def _font(size: int) -> ImageFont.FreeTypeFont:
    import fontpkg_inter
    files = sorted(Path(fontpkg_inter.__file__).parent.rglob("*.ttf"),
                   key=lambda p: "Italic" in p.name)
    return ImageFont.truetype(str(files[0]), size)


def _text_card() -> np.ndarray:
    pil = Image.new("RGB", (600, 400), (250, 246, 235))
    draw = ImageDraw.Draw(pil)
    lines = [("WEEKEND SALE", 64), ("50% OFF", 90), ("Fresh fruit & vegetables", 34),
             ("Only while stocks last", 34)]
    y = 30
    for text, size in lines:
        font = _font(size)
        tw = draw.textlength(text, font=font)
        draw.text(((600 - tw) / 2, y), text, font=font, fill=(20, 30, 90))
        y += int(size * 1.25)
    return np.asarray(pil)


def _grid() -> np.ndarray:
    """Four distinct busy tiles in a 2x2 grid with white gutters."""
    g, tile = 14, 240
    canvas = np.full((2 * tile + 3 * g, 2 * tile + 3 * g, 3), 255, np.uint8)
    tints = [(1.0, 0.6, 0.5), (0.5, 0.9, 0.6), (0.5, 0.6, 1.0), (0.9, 0.9, 0.4)]
    for i, tint in enumerate(tints):
        t = (_clutter(10 + i, tile, tile) * np.array(tint)).astype(np.uint8)
        y, x = g + (i // 2) * (tile + g), g + (i % 2) * (tile + g)
        canvas[y:y + tile, x:x + tile] = t
    return canvas


def _blurred() -> np.ndarray:
    img = Image.fromarray(_clutter(3, 640, 480))
    return np.asarray(img.filter(ImageFilter.GaussianBlur(9)))


def test_features_are_finite_with_documented_width() -> None:
    assert len(FEATURE_NAMES) == FEATURE_DIM
    contract = json.loads(DEFAULT_CONTRACT.read_text())
    assert contract["feature_dim"] == FEATURE_DIM
    assert contract["feature_names"] == list(FEATURE_NAMES)
    for img in (_clutter(1), _product_on_flat(), np.zeros((9, 700, 3), np.uint8),
                np.full((300, 200, 3), 255, np.uint8)):
        f = image_features(img)
        assert f.shape == (FEATURE_DIM,) and f.dtype == np.float32
        assert np.isfinite(f).all()
    alpha = np.zeros((360, 480), np.uint8)
    alpha[100:260, 150:330] = 255
    assert np.isfinite(image_features(_clutter(2), alpha)).all()
    with pytest.raises(ValueError):
        image_features(np.zeros((10, 10), np.uint8))


def test_features_are_fast() -> None:
    img = _clutter(4, 825, 550)
    image_features(img)
    t0 = time.perf_counter()
    for _ in range(5):
        image_features(img)
    assert (time.perf_counter() - t0) / 5 < 0.1  # generous: shared CI machines


@pytest.mark.model
def test_plain_background() -> None:
    r = suitability(_product_on_flat())
    assert r["background"] == "plain", r
    assert not r["pure_text"] and not r["collage"] and not r["low_quality"], r


@pytest.mark.model
def test_cut_out_reads_as_plain() -> None:
    img = _clutter(5)
    alpha = np.zeros(img.shape[:2], np.uint8)
    alpha[90:270, 160:320] = 255
    assert suitability(img, alpha)["background"] == "plain"


@pytest.mark.model
def test_cluttered_scene() -> None:
    r = suitability(_clutter(6))
    assert r["background"] == "scene" and r["background_scene"] > 0.5, r
    assert not r["pure_text"] and not r["low_quality"] and not r["collage"], r


@pytest.mark.model
def test_pure_text() -> None:
    r = suitability(_text_card())
    assert r["pure_text"], r
    assert r["background"] == "plain", r


@pytest.mark.model
def test_collage() -> None:
    r = suitability(_grid())
    assert r["collage"], r
    assert not r["pure_text"] and not r["low_quality"], r


@pytest.mark.model
def test_low_quality() -> None:
    r = suitability(_blurred())
    assert r["low_quality"], r
    assert not r["collage"] and not r["pure_text"], r


@pytest.mark.model
def test_batched_predict_matches_single() -> None:
    model = default_model()
    imgs = [_clutter(7), _product_on_flat(), _text_card()]
    feats = np.stack([image_features(i) for i in imgs])
    batch = model.predict(feats)
    assert len(batch) == 3
    for img, row in zip(imgs, batch, strict=True):
        single = suitability(img, model=model)
        assert set(single["probabilities"]) == set(HEADS)
        for h in HEADS:
            assert abs(single["probabilities"][h] - row["probabilities"][h]) < 1e-5
    assert model.predict(np.zeros((0, FEATURE_DIM), np.float32)) == []
    assert VERSION.startswith("suitability-") and model.version == VERSION


def test_wrong_input_width_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wrong.onnx"
    path.write_bytes(base64.b64decode(WRONG_WIDTH_ONNX))
    with pytest.raises(ModelError, match=rf"\[N, {FEATURE_DIM}\]"):
        SuitabilityModel(path, contract=DEFAULT_CONTRACT)
    with pytest.raises(ModelError, match="features"):
        default_model().predict(np.zeros((2, FEATURE_DIM + 1), np.float32))


def test_contract_mismatch_is_refused(tmp_path: Path) -> None:
    contract = json.loads(DEFAULT_CONTRACT.read_text())
    for change, message in ((("feature_version", "0"), "features version"),
                            (("feature_dim", FEATURE_DIM + 3), "features"),
                            (("heads", ["scene"]), "heads")):
        bad = dict(contract)
        bad[change[0]] = change[1]
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad))
        with pytest.raises(ModelError, match=message):
            SuitabilityModel(contract=path)
    with pytest.raises(ModelError, match="not found"):
        SuitabilityModel(tmp_path / "missing.onnx")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx file")
    with pytest.raises(ModelError):
        SuitabilityModel(broken, contract=DEFAULT_CONTRACT)
