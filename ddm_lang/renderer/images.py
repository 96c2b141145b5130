"""Raster and SVG images: safe loading, decoding with size limits, a shared cache."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import threading
import urllib.parse
from collections import OrderedDict
from pathlib import Path

import skia
from lxml import etree

from .document import MAX_BYTES, MAX_IMAGE_NESTING, MAX_PIXELS, href_of, intrinsic_size, parse_svg
from .errors import RenderError
from .units import Viewport, num, view_box_matrix


class ImageCache:
    """Decoded images (and recorded SVG images) by content hash, bounded by count, shared
    across renders in a process: a catalogue reuses the same logo thousands of times."""

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self.items: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def lookup(self, key: str) -> object | None:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def store(self, key: str, value: object) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.limit:
                self.items.popitem(last=False)

    def raster(self, data: bytes, source: str) -> skia.Image:
        key = "img:" + hashlib.sha256(data).hexdigest()
        hit = self.lookup(key)
        if isinstance(hit, skia.Image):
            return hit
        lazy = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(data))
        if lazy is None:
            raise RenderError(f"cannot decode image {source}")
        if lazy.width() * lazy.height() > MAX_PIXELS:
            raise RenderError(f"image {source} is {lazy.width()}x{lazy.height()}, more than "
                              f"{MAX_PIXELS // 1_000_000} megapixels")
        image = lazy.makeRasterImage()
        if image is None:
            raise RenderError(f"cannot decode image {source}")
        self.store(key, image)
        return image


IMAGES = ImageCache()


class ImageMixin:
    """The <image> element for the renderer."""

    def image(self, canvas: skia.Canvas, el: etree._Element, vp: Viewport,
              alpha: float = 1.0) -> None:
        """Draw a raster or SVG image into its viewport with preserveAspectRatio."""
        href = href_of(el)
        if not href:
            return
        data, mime, name = self.load(href)
        x, y = num(el.get("x"), 0, vp[0]), num(el.get("y"), 0, vp[1])
        if is_svg(data, mime, name):
            picture, iw, ih = self.svg_image(data, name)
        else:
            raster = IMAGES.raster(data, name)
            picture, iw, ih = raster, float(raster.width()), float(raster.height())
        w, h = self.image_size(el, iw, ih, vp)
        if w <= 0 or h <= 0 or iw <= 0 or ih <= 0:
            return
        m, slice_ = view_box_matrix([0, 0, iw, ih], w, h, el.get("preserveAspectRatio"))
        canvas.save()
        canvas.translate(x, y)
        if slice_:
            canvas.clipRect(skia.Rect.MakeWH(w, h), doAntiAlias=True)
        canvas.concat(m)
        if isinstance(picture, skia.Image):
            paint = skia.Paint(AntiAlias=True)
            paint.setAlphaf(alpha)
            canvas.drawImageRect(picture, skia.Rect.MakeWH(iw, ih),
                                 skia.SamplingOptions(skia.CubicResampler.Mitchell()), paint)
        else:
            canvas.clipRect(skia.Rect.MakeWH(iw, ih))
            paint = skia.Paint()
            paint.setAlphaf(alpha)
            canvas.drawPicture(picture, None, paint if alpha < 1.0 else None)
        canvas.restore()

    @staticmethod
    def image_size(el: etree._Element, iw: float, ih: float, vp: Viewport) -> tuple[float, float]:
        """width/height, where a missing one follows the image's aspect ratio (SVG 2 auto)."""
        ws, hs = el.get("width"), el.get("height")
        w = num(ws, -1.0, vp[0]) if ws not in (None, "auto") else None
        h = num(hs, -1.0, vp[1]) if hs not in (None, "auto") else None
        if w is None and h is None:
            return iw, ih
        if w is None:
            return (h * iw / ih if ih else 0.0), h  # type: ignore[operator]
        if h is None:
            return w, (w * ih / iw if iw else 0.0)
        return w, h

    def svg_image(self, data: bytes, name: str) -> tuple[skia.Picture, float, float]:
        """An SVG image recorded once as a picture, cached by content hash."""
        if self.nesting >= MAX_IMAGE_NESTING:
            raise RenderError(f"SVG images nest deeper than {MAX_IMAGE_NESTING} levels ({name})")
        key = f"svg:{self.nesting}:{hashlib.sha256(data).hexdigest()}"
        hit = IMAGES.lookup(key)
        if isinstance(hit, tuple):
            return hit
        root = parse_svg(data)
        iw, ih = intrinsic_size(root)
        rec = skia.PictureRecorder()
        pc = rec.beginRecording(skia.Rect.MakeWH(iw, ih))
        self.draw_document(root, pc, iw, ih)
        result = (rec.finishRecordingAsPicture(), iw, ih)
        IMAGES.store(key, result)
        return result

    def load(self, href: str) -> tuple[bytes, str, str]:
        """Image bytes, MIME type (if known) and a short name for messages. Files are read
        only inside `allowed_roots`; network references are refused."""
        if href.startswith("data:"):
            head, _, payload = href.partition(",")
            mime = head[5:].split(";")[0].strip().lower()
            name = f"data:{mime or 'unknown'} URI"
            if ";base64" in head:
                try:
                    return base64.b64decode(re.sub(r"\s+", "", payload)), mime, name
                except (ValueError, binascii.Error):
                    raise RenderError(f"image {name} is not valid base64") from None
            return urllib.parse.unquote_to_bytes(payload), mime, name
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href) and not href.startswith("file:") \
                and not re.match(r"[a-zA-Z]:[\\/]", href):
            raise RenderError(f"image {href[:80]} is a network reference; only files and data "
                              "URIs are drawn")
        raw = urllib.parse.urlparse(href).path if href.startswith("file:") else href
        path = Path(urllib.parse.unquote(raw))
        base = self.options.base_dir
        if path.is_absolute():
            candidates = [path]
        else:
            candidates = ([Path(base) / path] if base is not None else []) + \
                [r / path for r in self.allowed_roots]
        for cand in candidates:
            try:
                real = cand.resolve()
            except (OSError, RuntimeError):
                continue
            if any(real.is_relative_to(r) for r in self.allowed_roots) and real.is_file():
                if real.stat().st_size > MAX_BYTES:
                    raise RenderError(f"image {href} is larger than {MAX_BYTES // 1_000_000} MB")
                return real.read_bytes(), "", str(real)
        raise RenderError(f"image file {href[:200]} is outside the allowed folders or does "
                          "not exist")



def is_svg(data: bytes, mime: str, name: str) -> bool:
    if mime:
        return mime == "image/svg+xml"
    if name.lower().endswith((".svg", ".svgz")):
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and (b"<svg" in data[:4096])


