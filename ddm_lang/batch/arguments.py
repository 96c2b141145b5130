"""The `ddm batch` command line: its arguments, with no import of the batch machinery.

The CLI builds every sub-command's parser on each start, so this module stays light: the
engines, catalogue loader and renderer are imported only when a batch runs, and `ddm fmt`
does not pay for them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

IMAGE_FORMATS = ("jpg", "png", "webp")


def add_batch_parser(sub: Any, run: Callable[[argparse.Namespace], int]
                     ) -> argparse.ArgumentParser:
    """The `batch` sub-command's arguments, on the CLI's sub-parsers; `run` carries it out
    (the CLI passes a function that imports the batch machinery only then)."""
    b = sub.add_parser("batch", help="compile a catalogue × templates × formats to files")
    b.add_argument("--templates", action="append", required=True,
                   help="template folder, .ddm file, bundled name or `stdlib`; comma-separated "
                        "or repeated")
    b.add_argument("--catalogue", required=True,
                   help="catalogue .json / .jsonl / .csv, or a folder of images")
    b.add_argument("--formats", action="append",
                   help="format names to make, comma-separated (default: all a template serves)")
    b.add_argument("--out", required=True, help="output folder, or an fsspec URL (s3://...)")
    b.add_argument("--engine", choices=("local", "ray"), default="local")
    b.add_argument("--image-format", choices=IMAGE_FORMATS, default="jpg")
    b.add_argument("--quality", type=int, default=90, help="JPEG/WebP quality 1..100")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--workers", "-j", type=int, default=0,
                   help="worker processes or Ray actors (default: the cores, or the "
                        "cluster's CPUs)")
    b.add_argument("--ray-address", help="Ray cluster to join (default: a local instance)")
    b.add_argument("--library", help="material library SQLite file (default: $DDM_LIBRARY "
                                     "or the user cache)")
    b.add_argument("--manifest", help="manifest JSONL (default: OUT/manifest.jsonl; required "
                                      "when OUT is a URL)")
    b.set_defaults(func=run)
    return b

