"""A material's perception record: every perceiver's attributes for one image, with the
versions that produced them.

The record is a flat mapping from the attribute names templates use (`subject.area`,
`text.found`, `background.kind`, ...; schema.py lists them) to JSON values, plus the
subject matte as a PNG. It is a pure function of the image bytes and the model versions,
which is what lets the material library key it by content hash and versions.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from ddm_lang.perception import models, ocr, quality, suitability
from ddm_lang.perception.colour import perceive_colour
from ddm_lang.perception.materials import header_record
from ddm_lang.perception.pixels import Pixels, decode
from ddm_lang.perception.subject import VERSION_ALPHA, VERSION_MATTE, perceive_subject
from ddm_lang.scene import Material

# The record's own layout and the numpy perceivers. record-5: colours from visible pixels
# only (a cut-out's transparent pixels were read as black), no background colour for a
# transparent backdrop.
RECORD_VERSION = "record-5"
MIN_SIDE = 400                # smaller images are flagged too small for large slots
PURE_TEXT_AREA = 0.35         # text covering this much of the image makes it pure text


@dataclass(frozen=True)
class Perception:
    record: dict[str, Any]
    mask_png: bytes           # the subject matte, 8-bit grey PNG at the working size


def versions() -> dict[str, str]:
    """The versions a record depends on; any change means records are recomputed."""
    return {
        "record": RECORD_VERSION,
        "subject": f"{models.model_version('subject')}|{VERSION_ALPHA}|{VERSION_MATTE}",
        "ocr": ocr.version(),
        "suitability": suitability.default_model().version,
    }


def versions_key(v: dict[str, str]) -> str:
    return ";".join(f"{k}={v[k]}" for k in sorted(v))


def perceive(material: Material, data: bytes) -> Perception:
    """Run every perceiver on one image's bytes."""
    pixels = decode(data, os.path.basename(material.path))   # a message must not show folders
    return perceive_pixels(material, pixels)


def perceive_pixels(material: Material, pixels: Pixels) -> Perception:
    rgb = pixels.rgb
    subject = perceive_subject(rgb, pixels.alpha)
    mask = subject.mask >= 128
    text = ocr.perceive_text(rgb)
    colour = perceive_colour(rgb, mask if subject.record["subject.found"] else None,
                             pixels.alpha)
    suit = suitability.suitability(rgb, pixels.alpha)
    sharp = quality.sharpness(rgb)
    transparent = subject.source == "alpha"
    kind = "transparent" if transparent else suit["background"]
    too_small = min(material.width, material.height) < MIN_SIDE
    low_quality = bool(suit["low_quality"])
    resolution = min(1.0, min(material.width, material.height) / 1000.0)
    probabilities = {k: round(v, 4) for k, v in suit["probabilities"].items()}
    record: dict[str, Any] = {
        **header_record(material),
        **subject.record,
        "subject.source": subject.source,
        **{k: v for k, v in text.items()},
        **colour,
        "background.kind": kind,
        "background.transparent": transparent,
        "background.plain": kind == "plain",
        "sharpness": sharp,
        "quality": round(0.5 * sharp + 0.3 * resolution
                         + 0.2 * (1.0 - probabilities["low_quality"]), 4),
        **quality.light(rgb, mask if mask.any() else None),
        "suitability.pure_text": bool(suit["pure_text"]) or text["text.area"] >= PURE_TEXT_AREA,
        "suitability.collage": bool(suit["collage"]),
        "suitability.too_small": too_small,
        "suitability.low_quality": low_quality,
        "suitability.probabilities": probabilities,
    }
    record.pop("src", None)  # the path is the catalogue's business, not the image's
    return Perception(record, png_bytes(subject.mask))


def png_bytes(mask: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def mask_from_png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("L"))
