"""Image files the corpus points at, made at run time (nothing large is stored).

A decompression bomb is a few hundred kilobytes on disk and gigabytes once decoded, so it
is generated here, once per run, into a temporary assets folder the cases share.
"""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

from PIL import Image

SECRET_DIR = "secret"
"""Assets sub-folder outside every case's roots: reading from it is a leak."""


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int, bit_depth: int = 8, colour: int = 2) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0))


def claimed_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height but whose data is a few rows: a decoder
    that allocates from the header before reading the data is the bomb."""
    rows = zlib.compress(b"\x00" * (min(width, 4096) * 3 + 1) * 4)
    return png_header(width, height) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b"")


def zero_png(width: int, height: int) -> bytes:
    """A real, complete 1-bit grey PNG of zeros: tiny on disk, width × height decoded."""
    row = b"\x00" * ((width + 7) // 8 + 1)
    packer = zlib.compressobj(9)
    parts = [packer.compress(row * min(height, 1024)) for _ in range(height // 1024)]
    parts.append(packer.compress(row * (height % 1024)))
    parts.append(packer.flush())
    return (png_header(width, height, 1, 0) + png_chunk(b"IDAT", b"".join(parts))
            + png_chunk(b"IEND", b""))


def encoded(image: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


def make_assets(folder: Path) -> Path:
    """Write the shared assets into `folder` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    photo = Image.new("RGB", (64, 48), (40, 120, 200))
    (folder / "photo.png").write_bytes(encoded(photo, "PNG"))
    jpeg = encoded(photo, "JPEG")
    png = (folder / "photo.png").read_bytes()
    files = {
        "bomb_claim.png": claimed_png(100_000, 100_000),
        "bomb_wide.png": claimed_png(2_000_000_000, 1),
        "bomb_zero.png": zero_png(30_000, 30_000),
        "bomb_mid.png": zero_png(12_000, 12_000),
        "truncated.png": png[: len(png) // 2],
        "header_only.png": png_header(64, 48),
        "garbage.png": bytes(range(256)) * 16,
        "empty.png": b"",
        "truncated.jpg": jpeg[: len(jpeg) // 3],
        "text.png": b"this is not an image\n",
        "svg_as.png": b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    secret = folder / SECRET_DIR
    secret.mkdir(exist_ok=True)
    (secret / "red.png").write_bytes(encoded(Image.new("RGB", (32, 32), (255, 0, 0)), "PNG"))
    (secret / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    return folder


def copy_asset(assets: Path, name: str, case_dir: Path, as_name: str | None = None) -> str:
    """Copy one asset into the case folder; the name it has there."""
    target = as_name or name
    shutil.copyfile(assets / name, case_dir / target)
    return target


def has_red(png_path: Path) -> bool:
    """Whether a drawn PNG holds any pure-ish red pixel (the secret image's colour)."""
    with Image.open(png_path) as im:
        rgb = im.convert("RGB")
        small = rgb if rgb.width * rgb.height <= 4_000_000 else rgb.reduce(4)
        return any(r > 200 and g < 60 and b < 60 for r, g, b in small.getdata())
