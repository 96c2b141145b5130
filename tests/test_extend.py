"""extend: outpainting to a region's aspect ratio — the padding plan, the methods' fills,
the generated-image store, the ONNX inpainting contract and the compiled creative."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ddm_lang import template_from_string
from ddm_lang.ops import extend, outpaint
from ddm_lang.ops.context import OpContext
from ddm_lang.ops.outpaint import Pad
from ddm_lang.perception import models
from ddm_lang.perception.materials import load_material
from ddm_lang.renderer import render
from ddm_lang.scene import Box, ImageNode


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Generated images go to the test's own folder; no inpainting model unless a test
    sets one."""
    folder = tmp_path / "generated"
    monkeypatch.setenv("DDM_GENERATED", str(folder))
    monkeypatch.delenv("DDM_MODEL_INPAINT", raising=False)
    monkeypatch.setattr(extend, "_made", {})
    models.use_model("inpaint", None)
    yield folder
    models.use_model("inpaint", None)


def gradient(w: int, h: int) -> np.ndarray:
    """A studio backdrop lit from the top left: a smooth 2-D gradient."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 150 + 40 * x / w + 30 * y / h
    return np.clip(np.dstack([base, base + 10, base - 20]), 0, 255).round().astype(np.uint8)


def context(**record: object) -> OpContext:
    base = {"subject.found": True, "subject.box": [0.4, 0.4, 0.2, 0.2],
            "background.kind": "plain"}
    return OpContext({**base, **record}, b"", Box(0, 0, 1000, 1000),
                     Path(os.environ["DDM_GENERATED"]))  # the `store` fixture's folder


def node_for(path: Path) -> ImageNode:
    material = load_material(path, ())
    return ImageNode(material, Box(0, 0, 100, 100), Box(0, 0, material.width, material.height))


# ---- the plan ---------------------------------------------------------------------------

def test_plan_reaches_the_aspect_and_centres_the_subject():
    pad = outpaint.plan(400, 300, 2.0)
    assert (400 + pad.left + pad.right) / 300 == 2.0 and pad.left == pad.right == 100
    # A subject left of centre: most of the new width goes on the left, so its centre
    # (0.4 × 400 = 160 px) lands at the new image's centre (300 px).
    pad = outpaint.plan(400, 300, 2.0, (0.25, 0.3, 0.3, 0.3))
    assert (pad.left, pad.right) == (140, 60)
    # Further left than the new width can make up: all of it goes on the left.
    assert outpaint.plan(400, 300, 2.0, (0.05, 0.3, 0.2, 0.3)) == Pad(left=200)
    # A subject cut by the bottom edge: nothing is invented below it.
    pad = outpaint.plan(300, 300, 0.5, (0.3, 0.5, 0.4, 0.5))
    assert pad.bottom == 0 and pad.top == 300
    # Cut at both ends of the axis to grow: not grown around at all.
    assert outpaint.plan(300, 300, 0.5, (0.3, 0.0, 0.4, 1.0)).empty
    # Within 1 %: nothing; far beyond: at most three times the area.
    assert outpaint.plan(400, 300, 1.34).empty
    pad = outpaint.plan(100, 100, 10.0)
    assert (100 + pad.left + pad.right) * 100 <= 3 * 100 * 100


# ---- the methods --------------------------------------------------------------------------

def test_backdrop_continues_a_gradient_and_keeps_the_original():
    full = gradient(300, 200)
    part = full[:, 60:240].copy()
    part[60:140, 40:140] = (200, 30, 30)   # the product, away from the border
    pad = Pad(left=60, right=60)
    grown = outpaint.outpaint(part, pad, "backdrop")
    assert grown.shape == (200, 300, 3)
    assert np.array_equal(grown[:, 60:240], part)
    area = outpaint.new_area((200, 180), pad)
    error = np.abs(grown[area].astype(int) - full[area].astype(int)).mean()
    assert error < 2.0, error
    # The border's colour alone (the baseline) misses the gradient by far more.
    flat = outpaint.outpaint(part, pad, "constant")
    assert np.abs(flat[area].astype(int) - full[area].astype(int)).mean() > 5 * error


def test_backdrop_ignores_a_subject_touching_the_border():
    part = np.full((200, 200, 3), 240, np.uint8)
    part[:, :30] = (20, 20, 20)  # a dark product cut by the left edge
    grown = outpaint.outpaint(part, Pad(top=100, bottom=100), "backdrop")
    far = grown[:40, 100:]   # the new area above, away from the product
    assert np.abs(far.astype(int) - 240).max() <= 2


@pytest.mark.parametrize("method", ["backdrop", "scene"])
def test_the_seam_is_as_smooth_as_the_photo(method: str):
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 40, (60, 80, 3)).astype(np.float32)
    field = np.asarray(Image.fromarray(np.clip(128 + noise, 0, 255).astype(np.uint8)).resize(
        (320, 240), Image.Resampling.BICUBIC)).astype(np.float32)
    photo = np.clip(field + gradient(320, 240) - 180, 0, 255).astype(np.uint8)
    pad = Pad(left=90, right=70)
    grown = outpaint.outpaint(photo, pad, method).astype(float)
    natural = np.abs(np.diff(photo.astype(float), axis=1)).mean()
    left_step = np.abs(grown[:, 90] - grown[:, 89]).mean()
    right_step = np.abs(grown[:, 90 + 320] - grown[:, 89 + 320]).mean()
    assert max(left_step, right_step) <= 1.5 * natural
    # No hard edge anywhere near the seam either (two columns out).
    assert np.abs(grown[:, 88] - grown[:, 90]).mean() <= 3 * natural


def test_a_transparent_image_grows_transparent():
    logo = np.zeros((100, 100, 4), np.uint8)
    logo[20:80, 20:80] = (20, 40, 200, 255)
    grown = outpaint.outpaint(logo, Pad(left=50, right=50), "replicate")
    assert grown.shape == (100, 200, 4)
    assert (grown[:, :50, 3] == 0).all() and (grown[:, 150:, 3] == 0).all()
    assert np.array_equal(grown[:, 50:150], logo)


def test_extend_keeps_a_cut_out_file_transparent(tmp_path: Path):
    logo = np.zeros((100, 100, 4), np.uint8)
    logo[20:80, 20:80] = (20, 40, 200, 255)
    Image.fromarray(logo).save(tmp_path / "logo.png")
    grown = extend.resolve(node_for(tmp_path / "logo.png"),
                           context=context(**{"background.kind": "transparent"}),
                           to=Box(0, 0, 300, 100))
    assert grown.material.has_alpha and grown.material.format == "png"
    with Image.open(grown.material.path) as img:
        alpha = np.asarray(img)[..., 3]
    assert alpha.shape == (100, 300) and alpha[:, :100].max() == 0 and alpha[:, 200:].max() == 0


# ---- the operation ------------------------------------------------------------------------

def test_extend_makes_a_new_material_of_the_target_aspect(tmp_path: Path, store: Path):
    path = tmp_path / "photo.png"
    Image.fromarray(gradient(300, 200)).save(path)
    node = node_for(path)
    grown = extend.resolve(node, context=context(), to=Box(0, 0, 500, 500))
    m = grown.material
    assert m.format == "png" and Path(m.path).is_relative_to(store)
    assert abs(m.width / m.height - 1.0) <= 0.01
    assert grown.crop == Box(0, 0, m.width, m.height)
    with Image.open(m.path) as img:
        pixels = np.asarray(img.convert("RGB"))
    top = (m.height - 200) // 2
    assert np.array_equal(pixels[top:top + 200], gradient(300, 200))
    # Already the region's shape: unchanged.
    assert extend.resolve(node, context=context(), to=Box(0, 0, 600, 401)) is node


def test_the_store_returns_the_same_file_without_recomputing(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "photo.jpg"
    Image.fromarray(gradient(300, 200)).save(path, quality=90)
    node = node_for(path)
    ctx = context()
    first = extend.resolve(node, context=ctx, to=Box(0, 0, 300, 600)).material
    assert first.format == "jpeg" and first.path.endswith(".jpg")
    stamp = Path(first.path).stat().st_mtime_ns
    monkeypatch.setattr(extend, "_made", {})     # a new process: only the store remains

    def fail(*_: object) -> None:
        raise AssertionError("recomputed")
    monkeypatch.setattr(extend, "grow", fail)
    again = extend.resolve(node, context=ctx, to=Box(0, 0, 300, 600)).material
    assert again == first and Path(again.path).stat().st_mtime_ns == stamp
    # Another aspect is another file.
    monkeypatch.undo()
    other = extend.resolve(node, context=ctx, to=Box(0, 0, 300, 500)).material
    assert other.path != first.path


def test_extend_after_cutout_grows_the_matte(tmp_path: Path):
    path = tmp_path / "photo.png"
    Image.fromarray(gradient(200, 200)).save(path)
    buf = tmp_path / "matte.png"
    Image.new("L", (200, 200), 255).save(buf)
    node = node_for(path).with_(matte=buf.read_bytes())
    grown = extend.resolve(node, context=context(), to=Box(0, 0, 400, 200))
    with Image.open(__import__("io").BytesIO(grown.matte)) as img:
        matte = np.asarray(img)
    assert matte.shape == (200, 400)
    assert (matte[:, :90] == 0).all() and (matte[:, 110:290] == 255).all()


# ---- the ONNX inpainting contract --------------------------------------------------------

def fill_model(path: Path) -> Path:
    """An ONNX model honouring the contract: it paints the masked pixels one colour."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    colour = helper.make_tensor("colour", TensorProto.FLOAT, [1, 3, 1, 1], [0.25, 0.5, 0.75])
    one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
    nodes = [
        helper.make_node("Sub", ["one", "mask"], ["keep"]),
        helper.make_node("Mul", ["image", "keep"], ["kept"]),
        helper.make_node("Mul", ["colour", "mask"], ["painted"]),
        helper.make_node("Add", ["kept", "painted"], ["output"]),
    ]
    dims = [1, "c", "h", "w"]
    graph = helper.make_graph(
        nodes, "fill",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "h", "w"]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, "h", "w"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, dims)],
        initializer=[colour, one])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


class Recording:
    """An onnxruntime session that remembers the shapes it was fed."""

    def __init__(self, session: object) -> None:
        self.session, self.shapes = session, []

    def get_inputs(self) -> list:
        return self.session.get_inputs()

    def run(self, names: object, feeds: dict) -> list:
        self.shapes.append({k: v.shape for k, v in feeds.items()})
        return self.session.run(names, feeds)


def test_inpaint_contract_pads_to_multiples_of_8_and_fills_only_the_mask(tmp_path: Path):
    session = Recording(models.onnx_session(fill_model(tmp_path / "fill.onnx")))
    rgb = gradient(101, 67)
    mask = np.zeros((67, 101), bool)
    mask[:, :30] = True
    out = outpaint.inpaint_onnx(session, rgb, mask)
    (shapes,) = session.shapes
    assert shapes["image"] == (1, 3, 72, 104) and shapes["mask"] == (1, 1, 72, 104)
    assert (out[mask] == (64, 128, 191)).all()
    assert np.array_equal(out[~mask], rgb[~mask])


def test_extend_uses_a_configured_inpaint_model(tmp_path: Path):
    with pytest.raises(models.ModelError, match="DDM_MODEL_INPAINT"):
        models.model_path("inpaint")
    path = tmp_path / "photo.png"
    Image.fromarray(gradient(120, 80)).save(path)
    node = node_for(path)
    models.use_model("inpaint", fill_model(tmp_path / "fill.onnx"))
    grown = extend.resolve(node, context=context(), to=Box(0, 0, 200, 80))
    with Image.open(grown.material.path) as img:
        pixels = np.asarray(img.convert("RGB"))
    assert pixels.shape == (80, 200, 3)
    assert (pixels[:, :40] == (64, 128, 191)).all() and (pixels[:, 160:] == (64, 128, 191)).all()
    assert np.array_equal(pixels[:, 40:160], gradient(120, 80))
    # A configured file that is missing is an error, never a silent fallback.
    models.use_model("inpaint", tmp_path / "missing.onnx")
    with pytest.raises(ValueError, match="not found"):
        extend.resolve(node, context=context(), to=Box(0, 0, 300, 80))


# ---- the compiled creative ----------------------------------------------------------------

TEMPLATE = """template wide "A wide product in a tall slot"
formats feed 400x400

object hero = image from product.images
rect background {{ box: 0 0 100% 100%; fill: #102030 }}
image hero {ops}| place in slot(right 50%) fit cover
"""


@pytest.mark.model
def test_compiled_extend_then_cover_shows_the_whole_subject(tmp_path: Path):
    photo = np.full((300, 400, 3), 235, np.uint8)
    photo[120:180, 50:350] = (210, 20, 20)   # a wide red product, 300 px of the 400
    Image.fromarray(photo).save(tmp_path / "wide.png")
    product = {"id": "wide", "title": "Wide", "images": ["wide.png"]}

    def red_width(ops: str) -> int:
        svg = template_from_string(TEMPLATE.format(ops=ops)).compile(product, "feed",
                                                              base_dir=tmp_path).svg
        rgb = render(svg, 400, 400, allowed_roots=(tmp_path,))[..., :3].astype(int)
        red = (rgb[..., 0] > 150) & (rgb[..., 1] < 80)
        cols = np.flatnonzero(red.any(axis=0))
        return int(cols.max() - cols.min() + 1) if cols.size else 0

    # Cover alone fills the 200×400 slot with a 150×300 crop: the product is cut by both
    # sides of the slot.
    assert red_width("") >= 199
    # Extended to the slot's shape first, the whole product shows (300 px × 200/400).
    assert abs(red_width("| extend to slot(right 50%) ") - 150) <= 3
