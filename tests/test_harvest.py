"""Material harvesting (`ddm_lang.perception.harvest`): a saved product page's image
references and the rules that leave some out, local files kept inside the page's folder,
long detail images cut at their gaps, near-duplicates grouped, a video's key frames, and the
whole harvest writing pictures, `harvest.json` and a product file the catalogue loads.

The page fixture (`fixtures/harvest/headphones.html`) is written in the markup of a Shopify
theme's product page, saved by a browser with its `headphones_files/` folder; its pictures
are made from the sample catalogue's drawings (see fixtures/harvest/SOURCES.md). Videos and
long detail images are made here.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
import struct
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageFilter, ImageOps

from ddm_lang.perception.catalogue import load_catalogue, read_products
from ddm_lang.perception.harvest import (
    HarvestError,
    dedup,
    fingerprint,
    group_duplicates,
    harvest,
    harvest_command,
    key_frames,
    page_images,
    provenance,
    read_page,
    split_sections,
)
from ddm_lang.perception.harvest.page import largest_candidate, parse_srcset
from ddm_lang.perception.harvest.sections import is_long

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "harvest"
PAGE = FIXTURES / "headphones.html"
FILES = FIXTURES / "headphones_files"
SAMPLES = HERE.parent / "ddm_lang" / "stdlib_templates" / "samples" / "images"
PAGE_URL = "https://pulse-audio.example/products/anc-700-wireless-headphones"


def _sample(name: str, size: tuple[int, int] | None = None) -> Image.Image:
    with Image.open(SAMPLES / name) as img:
        rgb = img.convert("RGB")
    return ImageOps.fit(rgb, size, Image.Resampling.LANCZOS) if size else rgb


def _jpeg(img: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


# ---- page references ---------------------------------------------------------------------

def test_page_references_in_priority_order_with_their_origins() -> None:
    refs = page_images(PAGE.read_bytes(), page_url=PAGE_URL, shown="headphones.html")
    origins = [r.origin for r in refs]
    assert origins[:2] == ["schema.org Product image 1 (JSON-LD, line 140)",
                           "schema.org Product image 2 (JSON-LD, line 140)"]
    assert origins[2:4] == ["<meta og:image>", "<meta og:image:secure_url>"]
    assert refs[2].hint_width == 1200
    gallery = {r.raw: r.origin for r in refs[4:]}
    assert gallery == {
        "headphones_files/pulse-anc700-front_640x.jpg":
            'data-zoom-image of <img class="product-gallery__image image-magnify-lightbox">',
        "headphones_files/pulse-anc700-front_320x.jpg":
            'src of <img class="product-gallery__image image-magnify-lightbox">',
        "headphones_files/pulse-anc700-side_480x.jpg":
            'data-src of <img class="product-gallery__image lazyload">',
        "headphones_files/pulse-anc700-desk.webp":
            'srcset of <source> in <picture> of <img class="product-gallery__image"> '
            "(largest: 540w)",
        "headphones_files/pulse-anc700-desk.jpg": 'src of <img class="product-gallery__image">',
        "headphones_files/pulse-anc700-details.jpg":
            'src of <img> in <div class="product__description rte quick-add-hidden">',
    }
    # resolved against the page's address; the AVIF source is skipped (no reader for it)
    assert refs[4].url == ("https://pulse-audio.example/products/headphones_files/"
                           "pulse-anc700-front_640x.jpg")
    assert not any("avif" in r.url for r in refs)
    assert len({r.url for r in refs}) == len(refs)


def test_page_rules_leave_out_logos_pixels_icons_and_other_products() -> None:
    page = read_page(PAGE.read_bytes(), shown="headphones.html")
    why = {d.url[:14] if d.url.startswith("data:") else d.url.rsplit("/", 1)[-1].split("?")[0]:
           d.why for d in page.dropped}
    assert why == {
        "pulse-logo.png": "its class says 'logo' (not the product)",
        "data:image/gif": "a data: URI under 2048 bytes (a placeholder)",
        "payment-klarna.png": "its class says 'payment' (not the product)",
        "pulse-buds_360x.jpg": 'inside <product-recommendations class="related-products '
                               'page-width section-template--related-paddi…"> (other products)',
        "visa.svg": "an SVG image (icons and logos; not a format the catalogue takes)",
        "pixel.gif": "declared 1×1 px (a tracking pixel)",
    }
    assert page.title == "ANC-700 Wireless Noise-Cancelling Headphones"
    assert page.product is not None and page.product.brand == "Pulse Audio"


def test_microdata_product_image_is_kept_whatever_its_alt_text_says() -> None:
    """The schema.org sample's product image has the alt text "Executive Anvil logo": the
    shop states it as the product's image, so the logo rule does not apply to it."""
    html = (HERE / "fixtures" / "feeds" / "schema_microdata.html").read_bytes()
    page = read_page(html, page_url="https://acme.example/anvils/executive")
    assert [(r.url, r.origin) for r in page.refs] == [
        ("https://acme.example/anvils/anvil_executive.jpg",
         "schema.org Product image 1 (microdata, line 8)")]
    assert page.title == "Executive Anvil"
    assert page.dropped == ()


def test_srcset_lazy_attributes_and_base_href() -> None:
    html = b"""<!doctype html><html><head>
      <base href="https://cdn.example/shop/">
      <title>Stoneware mug &ndash; Kiln &amp; Co</title></head><body>
      <img class="lazy" data-srcset="m-400.jpg 400w, m-1600.jpg 1600w, m-800.jpg 800w"
           data-src="m-400.jpg">
      <img srcset="c/w_400,h_400/mug.jpg 1x, c/w_800,h_800/mug.jpg 2x">
      <img data-src="//cdn.example/mug_{width}x.jpg" data-widths="[180, 360, 1080]">
      <img data-original="/img/mug-handle.jpg" width="600" height="600">
      <img data-lazy-src="mug-top.jpg">
      <div class="woocommerce-product-gallery__image"><a href="mug-full.jpg">
        <img src="mug-600.jpg" data-large_image="mug-full.jpg" data-large_image_width="2000"></a>
      </div></body></html>"""
    refs = page_images(html)
    assert [(r.url, r.origin, r.hint_width) for r in refs] == [
        ("https://cdn.example/shop/m-1600.jpg",
         'data-srcset of <img class="lazy"> (largest: 1600w)', 1600),
        ("https://cdn.example/shop/m-400.jpg", 'data-src of <img class="lazy">', None),
        ("https://cdn.example/shop/c/w_800,h_800/mug.jpg", "srcset of <img> (largest: 2x)", None),
        ("https://cdn.example/mug_1080x.jpg", "data-src of <img>", 1080),
        ("https://cdn.example/img/mug-handle.jpg", "data-original of <img>", 600),
        ("https://cdn.example/shop/mug-top.jpg", "data-lazy-src of <img>", None),
        ("https://cdn.example/shop/mug-full.jpg",
         'href of <a> around <img> in <div class="woocommerce-product-gallery__image">', None),
        ("https://cdn.example/shop/mug-600.jpg",
         'src of <img> in <div class="woocommerce-product-gallery__image">', None),
    ]
    assert read_page(html).title == "Stoneware mug – Kiln & Co"
    assert parse_srcset("a.jpg, b.jpg 2x,c.jpg 3x") == [("a.jpg", None, None),
                                                        ("b.jpg", None, 2.0),
                                                        ("c.jpg", None, 3.0)]
    assert largest_candidate("a.jpg 100w, b.jpg") == ("a.jpg", 100, None)


def test_hint_words_are_whole_words() -> None:
    html = b"""<html><body>
      <img src="Granny-Smith_Iconic.jpg" class="flagship-product">
      <img src="siteLogo.png"> <img src="a.jpg" alt="Trust badges"> <img src="b.jpg" id="avatar">
      <div class="recently-viewed"><img src="c.jpg"></div></body></html>"""
    page = read_page(html)
    assert [r.url for r in page.refs] == ["Granny-Smith_Iconic.jpg"]
    assert [d.why for d in page.dropped] == [
        "its file name says 'logo' (not the product)",
        "its alt text says 'badge' (not the product)",
        "its id says 'avatar' (not the product)",
        'inside <div class="recently-viewed"> (other products)']


def test_a_page_that_is_not_html_or_too_large_is_one_clear_error() -> None:
    with pytest.raises(HarvestError, match=r"^p\.html: cannot be read as HTML"):
        read_page(b"", shown="p.html")
    with pytest.raises(HarvestError, match=r"^p\.html: 33,554,433 bytes; the most read"):
        read_page(b" " * (32 * 1024 * 1024 + 1), shown="p.html")


# ---- long detail images ------------------------------------------------------------------

def _strip(panels: list[int], gap: int, width: int = 300) -> tuple[np.ndarray, list[tuple]]:
    """A detail strip of scene photos `panels` px tall, `gap` px of white between and around
    them; and the rows each panel covers."""
    scenes = ["coffee-scene.jpg", "lamp-scene.jpg", "tea-scene.jpg", "jacket-scene.jpg"]
    height = gap + sum(h + gap for h in panels)
    strip = Image.new("RGB", (width, height), (255, 255, 255))
    rows, y = [], gap
    for i, h in enumerate(panels):
        strip.paste(_sample(scenes[i % len(scenes)], (width, h)), (0, y))
        rows.append((y, y + h))
        y += h + gap
    return np.asarray(strip), rows


def test_long_detail_image_is_cut_at_its_gaps() -> None:
    rgb, rows = _strip([420, 260, 500, 330], gap=24)
    assert is_long(rgb.shape[1], rgb.shape[0])
    found = split_sections(rgb)
    assert [(s.top, s.bottom, s.cut) for s in found] == [(t, b, "gap") for t, b in rows]


def test_a_thin_caption_joins_its_panel_and_a_strip_without_gaps_is_windowed() -> None:
    rgb, rows = _strip([400, 40, 400], gap=16)      # 40 px: a caption line under a panel
    found = split_sections(rgb)
    assert [(s.top, s.bottom) for s in found] == [(rows[0][0], rows[1][1]), rows[2]]
    touching, _ = _strip([500, 500, 500], gap=0)    # panels that touch: no gap to cut at
    windows = split_sections(touching)
    assert {s.cut for s in windows} == {"window"}
    assert windows[0].top == 0 and windows[-1].bottom == 1500
    assert all(s.height == 300 for s in windows)
    assert all(a.bottom > b.top for a, b in itertools.pairwise(windows))  # overlap
    square = np.zeros((300, 300, 3), np.uint8)
    assert [(s.top, s.bottom) for s in split_sections(square)] == [(0, 300)]


# ---- near-duplicates ---------------------------------------------------------------------

def test_a_resized_reencoded_copy_is_a_duplicate_and_another_product_is_not() -> None:
    photo = _sample("headphones.jpg")
    copy = Image.open(io.BytesIO(_jpeg(photo.resize((300, 300), Image.Resampling.BILINEAR),
                                       quality=55)))
    side = _sample("headphones-side.jpg")
    other = _sample("sneaker.jpg")
    prints = [fingerprint(copy), fingerprint(photo), fingerprint(side), fingerprint(other)]
    assert dedup.distance(prints[0], prints[1]) is not None
    assert dedup.distance(prints[1], prints[2]) is None
    assert dedup.distance(prints[1], prints[3]) is None
    sizes = [300 * 300, photo.width * photo.height, side.width * side.height,
             other.width * other.height]
    # the larger copy is kept, even though the smaller came first
    assert group_duplicates(prints, sizes) == [1, None, None, None]


def test_every_sample_photo_is_distinct() -> None:
    prints = [fingerprint(_sample(p.name)) for p in sorted(SAMPLES.glob("*.jpg"))]
    assert group_duplicates(prints, [1] * len(prints)) == [None] * len(prints)


# ---- video -------------------------------------------------------------------------------

def _video(path: Path, segments: list[Image.Image | None], fps: int = 10,
           size: tuple[int, int] = (320, 320)) -> None:
    """A video of one-second segments (None: black), a key frame forced at each start and
    none elsewhere."""
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    options = ({"g": "1000", "keyint_min": "1000", "sc_threshold": "0", "preset": "ultrafast"}
               if codec == "libx264" else {"g": "1000", "sc_threshold": "1000000000"})
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.bit_rate = 4_000_000   # mpeg4's default rate is blocky enough to look sharp
        for segment in segments:
            picture = (np.zeros((size[1], size[0], 3), np.uint8) if segment is None
                       else np.asarray(ImageOps.fit(segment, size)))
            for i in range(fps):
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                if i == 0:
                    frame.pict_type = av.video.frame.PictureType.I
                for packet in stream.encode(frame):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "anc700-clip.mp4"
    front = _sample("headphones.jpg")
    desk = _sample("headphones-scene.jpg")
    blurred = _sample("coffee-scene.jpg").filter(ImageFilter.GaussianBlur(8))
    _video(path, [None, front, desk, blurred, front])
    return path


def test_key_frames_at_their_times_without_black_blurred_or_repeated_ones(clip: Path) -> None:
    found = key_frames(clip, shown="anc700-clip.mp4")
    assert [round(f.time, 2) for f in found.frames] == [1.0, 2.0]
    assert [(round(s.time, 2), s.why.split(" (")[0]) for s in found.skipped] == [
        (0.0, "near-black"), (3.0, "blurred"), (4.0, "a copy of the frame at 1.00 s")]
    assert found.frames[0].rgb.shape == (320, 320, 3)
    assert (found.width, found.height) == (320, 320)


def test_a_video_over_the_pixel_limit_is_refused_before_decoding(clip: Path) -> None:
    with pytest.raises(HarvestError) as err:
        key_frames(clip, shown="anc700-clip.mp4", max_pixels=100_000)
    assert str(err.value) == ("anc700-clip.mp4: frames of 320x320 are more than 0.1 "
                              "megapixels; the video is not read")


def test_a_file_that_is_not_a_video_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"not a video at all" * 10)
    with pytest.raises(HarvestError, match=r"^clip\.mp4: not a readable video"):
        key_frames(bad, shown="clip.mp4")


# ---- the whole harvest -------------------------------------------------------------------

def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` and holds almost nothing: only its header is read
    before it is refused."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


def test_harvest_writes_pictures_manifest_and_a_product_the_catalogue_loads(
        tmp_path: Path, clip: Path) -> None:
    bomb = tmp_path / "huge.png"
    bomb.write_bytes(_png_header(8000, 8000))
    extra = tmp_path / "anc700-fold.jpg"
    extra.write_bytes(_jpeg(_sample("headphones-side.jpg").rotate(90)))
    out = tmp_path / "out"
    report = harvest([PAGE, clip, extra, bomb], out, product_id="pulse/anc-700",
                     page_url=PAGE_URL)
    manifest = json.loads((out / "harvest.json").read_text())
    entries = {c["origin"]: c for c in manifest["candidates"]}
    kept = {c["origin"]: c["file"] for c in manifest["candidates"] if c["kept"]}
    assert kept == {
        'data-zoom-image of <img class="product-gallery__image image-magnify-lightbox"> in '
        "headphones.html": "image-01.jpg",
        'data-src of <img class="product-gallery__image lazyload"> in headphones.html':
            "image-02.jpg",
        'srcset of <source> in <picture> of <img class="product-gallery__image"> '
        "(largest: 540w) in headphones.html": "image-03.webp",
        "section 3 of pulse-anc700-details.jpg, y 560–860": "image-04.jpg",
        "frame at 2.00 s of anc700-clip.mp4": "image-05.jpg",
        "anc700-fold.jpg": "image-06.jpg",
    }
    assert [c.file for c in report.kept] == [f"image-0{i}{s}" for i, s in
                                             zip(range(1, 7), [".jpg", ".jpg", ".webp", ".jpg",
                                                               ".jpg", ".jpg"], strict=True)]
    # copies point at the copy kept: the thumbnail, the JPEG fallback, the strip's repeat
    # of the desk photo and the video's head-on frame
    index = {c["index"]: c for c in manifest["candidates"]}
    for origin, kept_origin in [
            ('src of <img class="product-gallery__image image-magnify-lightbox"> in '
             "headphones.html", 'data-zoom-image of <img class="product-gallery__image '
                                'image-magnify-lightbox"> in headphones.html'),
            ('src of <img class="product-gallery__image"> in headphones.html',
             'srcset of <source> in <picture> of <img class="product-gallery__image"> '
             "(largest: 540w) in headphones.html"),
            ("section 2 of pulse-anc700-details.jpg, y 279–521",
             'srcset of <source> in <picture> of <img class="product-gallery__image"> '
             "(largest: 540w) in headphones.html"),
            ("frame at 1.00 s of anc700-clip.mp4",
             'data-zoom-image of <img class="product-gallery__image image-magnify-lightbox"> '
             "in headphones.html")]:
        assert index[entries[origin]["duplicate_of"]]["origin"] == kept_origin
        assert entries[origin]["why"].startswith("a copy of #")
    detail = entries['src of <img> in <div class="product__description rte quick-add-hidden"> '
                     "in headphones.html"]
    assert detail["why"] == "a long detail image: split into 3 sections at background gaps"
    assert detail["reference"] == "headphones_files/pulse-anc700-details.jpg"
    assert entries["frame at 0.00 s of anc700-clip.mp4"]["why"] == "near-black"
    assert entries["<meta og:image> in headphones.html"]["why"] == (
        "not downloaded (no downloader given)")
    assert "8000x8000 is more than 50 megapixels" in entries["huge.png"]["why"]
    assert all(len(c["phash"]) == 16 for c in manifest["candidates"] if c["kept"])
    # the page's own file is written byte for byte; the others are real images
    assert (out / "image-01.jpg").read_bytes() == \
        (FILES / "pulse-anc700-front_640x.jpg").read_bytes()
    with Image.open(out / "image-04.jpg") as section:
        assert section.size == (360, 300)
    assert report.problems == ()

    products, base = read_products(out / "product.json")
    (product,) = products
    assert product.id == "pulse/anc-700"
    assert product.title == "ANC-700 Wireless Noise-Cancelling Headphones"
    assert list(product.images) == [c.file for c in report.kept]
    assert product.brand is not None and product.brand.name == "Pulse Audio"
    assert product.price is not None and product.price.currency == "SEK"
    assert base == out.resolve()
    catalogue = load_catalogue(out / "product.json")    # what `ddm materials add` reads
    assert [p.id for p in catalogue.products] == ["pulse/anc-700"]

    assert provenance(out / "image-02.jpg") == (
        f"harvested from {PAGE}: data-src of <img class=\"product-gallery__image lazyload\"> "
        "in headphones.html (headphones_files/pulse-anc700-side_480x.jpg)")
    assert provenance(out / "image-05.jpg") == (
        f"harvested from {clip}: frame at 2.00 s of anc700-clip.mp4")
    assert provenance(out / "product.json") is None
    assert provenance(FILES / "pulse-anc700-desk.jpg") is None

    # a second harvest into the same folder leaves no picture of the first behind
    harvest([extra], out, product_id="pulse/anc-700")
    assert sorted(p.name for p in out.iterdir()) == ["harvest.json", "image-01.jpg",
                                                      "product.json"]
    products, _ = read_products(out / "product.json")
    assert products[0].title == "pulse/anc-700"


@pytest.mark.model
def test_the_suitability_classifier_keeps_a_text_panel_out(tmp_path: Path) -> None:
    report = harvest([FILES / "pulse-anc700-details.jpg"], tmp_path / "out",
                     product_id="anc-700")
    text_panel, desk, jacket = report.candidates[1:]
    assert text_panel.origin == "section 1 of pulse-anc700-details.jpg, y 40–240"
    assert text_panel.why == "unsuitable: pure text (suitability classifier)"
    assert text_panel.suitability is not None and text_panel.suitability["pure_text"]
    assert desk.kept and jacket.kept
    assert desk.suitability is not None and desk.suitability["background"] == "scene"


def test_a_downloader_brings_the_remote_references(tmp_path: Path) -> None:
    served = {
        "https://pulse-audio.example/cdn/shop/files/pulse-anc700-front.jpg?v=1712741532"
        "&width=1920": FILES / "pulse-anc700-front_640x.jpg",
    }
    asked: list[str] = []

    def fetch(url: str) -> Path | None:
        asked.append(url)
        return served.get(url)

    report = harvest([PAGE], tmp_path / "out", product_id="anc-700", fetch=fetch)
    first = report.candidates[0]
    assert first.origin == "schema.org Product image 1 (JSON-LD, line 140) in headphones.html"
    assert first.kept and first.file == "image-01.jpg"
    assert first.reference == next(iter(served))
    second = report.candidates[1]
    assert not second.kept and second.why == "download failed"
    gallery = next(c for c in report.candidates if c.origin.startswith("data-zoom-image"))
    assert gallery.duplicate_of == 1
    # only remote references are downloaded; the recommended product is never asked for
    assert len(asked) == 4 and not any("pulse-buds" in u for u in asked)


def test_local_references_stay_inside_the_page_folder(tmp_path: Path) -> None:
    site = tmp_path / "saved"
    (site / "shoe_files").mkdir(parents=True)
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(_jpeg(_sample("sneaker.jpg")))
    (site / "shoe_files" / "shoe.jpg").write_bytes(_jpeg(_sample("lamp.jpg")))
    (site / "shoe_files" / "link.jpg").symlink_to(secret)
    (site / "shoe.html").write_text(
        "<html><head><title>Trail Runner</title></head><body>"
        '<img src="shoe_files/shoe.jpg">'
        '<img src="../secret.jpg">'
        '<img src="shoe_files/../../secret.jpg">'
        '<img src="shoe_files/link.jpg">'
        f'<img src="file://{secret}">'
        '<img src="shoe_files/missing.jpg">'
        "</body></html>")
    report = harvest([site / "shoe.html"], tmp_path / "out", product_id="trail")
    why = {c.reference: c.why for c in report.candidates}
    assert why == {
        "shoe_files/shoe.jpg": None,
        "../secret.jpg": "refused: the path leaves the page's folder",
        "shoe_files/../../secret.jpg": "refused: the path leaves the page's folder",
        "shoe_files/link.jpg": "refused: the path leaves the page's folder",
        str(secret): "refused: the path leaves the page's folder",
        "shoe_files/missing.jpg": "not found next to the page",
    }
    assert [c.file for c in report.kept] == ["image-01.jpg"]
    assert report.title == "Trail Runner"


def test_the_command_reports_and_sources_are_checked_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = harvest_command([PAGE], tmp_path / "out", product_id="anc-700")
    printed = capsys.readouterr()
    assert status == 0
    lines = printed.out.splitlines()
    assert lines[0] == (f"{tmp_path / 'out'}: 19 candidates, 4 kept for product \"anc-700\" "
                        "(ANC-700 Wireless Noise-Cancelling Headphones)")
    assert lines[1].startswith("  image-01.jpg   640×640  data-zoom-image of")
    assert lines[5] == ("left out: 6 by the page rules, 4 not downloaded, 3 copies, "
                        "1 long images split, 1 unsuitable")
    assert printed.err == ""

    with pytest.raises(HarvestError, match=r"^nope\.html: not found$"):
        harvest([PAGE, Path("nope.html")], tmp_path / "o2", product_id="x")
    with pytest.raises(HarvestError, match=r"notes\.txt: unknown kind of source '\.txt'"):
        notes = tmp_path / "notes.txt"
        notes.write_text("hello")
        harvest([notes], tmp_path / "o2", product_id="x")
    with pytest.raises(HarvestError, match=r'^product id "\.\./x": '):
        harvest([PAGE], tmp_path / "o2", product_id="../x")
    assert not (tmp_path / "o2").exists()

    # nothing usable: no product file, a problem, exit status 1
    blank = tmp_path / "blank.png"
    Image.new("RGB", (100, 100), (255, 255, 255)).save(blank)
    assert harvest_command([blank], tmp_path / "o3", product_id="x") == 1
    assert "no product picture was kept" in capsys.readouterr().err
    assert not (tmp_path / "o3" / "product.json").exists()


def test_a_page_saved_elsewhere_still_harvests(tmp_path: Path) -> None:
    """The page and its folder copied elsewhere: references are relative, so the harvest
    does not depend on where the page was saved."""
    shutil.copy(PAGE, tmp_path / PAGE.name)
    shutil.copytree(FILES, tmp_path / FILES.name)
    report = harvest([tmp_path / PAGE.name], tmp_path / "out", product_id="anc-700")
    assert len(report.kept) == 4


def test_a_long_image_given_directly_is_cut_into_sections(tmp_path: Path) -> None:
    """A long image given directly is cut too; its sections name the file and rows."""
    rgb, rows = _strip([400, 360, 420], gap=30, width=360)
    path = tmp_path / "detail.png"
    Image.fromarray(rgb).save(path)
    report = harvest([path], tmp_path / "out", product_id="lamp")
    origins = [c.origin for c in report.candidates]
    assert origins == ["detail.png"] + [f"section {i} of detail.png, y {t}–{b}"
                                        for i, (t, b) in enumerate(rows, 1)]
    assert [c.file for c in report.kept] == ["image-01.png", "image-02.png", "image-03.png"]


def test_ddm_materials_harvest_writes_the_pictures_and_refuses_downloads_unasked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ddm_lang.cli import main
    out = tmp_path / "hp"
    assert main(["materials", "harvest", str(FIXTURES / "headphones.html"), "--out", str(out),
                 "--id", "hp-1"]) == 0
    printed = capsys.readouterr().out
    assert "4 kept" in printed and "not downloaded" in printed
    assert not (out / "downloads").exists()
    products, _ = read_products(out / "product.json")
    assert products[0].id == "hp-1" and len(products[0].images) == 4
    # with --fetch, the page's remote pictures go through the download policy: the page's
    # host is a reserved .example name, which never resolves: each is reported, and the
    # pictures saved with the page are still kept
    assert main(["materials", "harvest", str(FIXTURES / "headphones.html"), "--out",
                 str(tmp_path / "hp2"), "--id", "hp-1", "--fetch", "--max-image-mb", "1"]) == 0
    captured = capsys.readouterr()
    assert "4 kept" in captured.out and "ddm: warning: https://" in captured.err
