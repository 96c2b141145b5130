"""What an operation that looks at its material gets from the binder besides the image:
the material's perception record (and subject matte), the canvas it is drawn on and the
environment's store for the images it generates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddm_lang.scene import Box


@dataclass(frozen=True)
class OpContext:
    record: dict[str, Any]   # the material's perception record (perception/record.py)
    matte: bytes             # the subject matte, 8-bit PNG covering the whole material
    canvas: Box              # the format's canvas, in px
    generated: Path          # where generated images are kept (Environment.generated)
