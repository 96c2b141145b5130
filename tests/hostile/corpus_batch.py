"""Catalogues for `ddm batch`: hostile products among good ones, and output file modes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .corpus_product import GOOD, SHOP
from .model import BOUNDED, OK, Builder, Family


def batch_run(products: list[dict], umask: int = 0o022) -> Builder:
    """A builder writing the shop template and a catalogue; one batch worker, PNG out."""
    def build(case: Path, assets: Path) -> list[str]:
        (case / "shop.ddm").write_text(SHOP, "utf-8")
        (case / "catalogue.json").write_text(json.dumps(products), "utf-8")
        (case / "photo.png").write_bytes((assets / "photo.png").read_bytes())
        for name in ("garbage.png", "truncated.png", "bomb_claim.png"):
            (case / name).write_bytes((assets / name).read_bytes())
        os.umask(umask)
        return ["batch", "--templates", "shop.ddm", "--catalogue", "catalogue.json",
                "--out", "out", "--image-format", "png", "--workers", "1"]
    return build


def modes_follow_umask(umask: int) -> object:
    """A verify: every file the batch wrote has the mode 0666 & ~umask."""
    def verify(case: Path) -> str:
        files = [p for p in (case / "out").rglob("*") if p.is_file()]
        if not files:
            return "the batch wrote no files"
        wrong = [p for p in files if stat.S_IMODE(p.stat().st_mode) != 0o666 & ~umask]
        if wrong:
            mode = stat.S_IMODE(wrong[0].stat().st_mode)
            return (f"{len(wrong)} of {len(files)} files ignore the umask {umask:03o}: "
                    f"{wrong[0].name} is {mode:03o}")
        return ""
    return verify


def families() -> list[Family]:
    f = Family("batch")
    good = [dict(GOOD, id=f"b{i}") for i in range(3)]
    for umask in (0o022, 0o077):
        f.add(f"file-modes-umask-{umask:03o}", OK, batch_run(good, umask), output="out",
              verify=modes_follow_umask(umask), finding="batch-file-modes")
    hostile = [*good, dict(GOOD, id="garbage", images=["garbage.png"]),
               dict(GOOD, id="truncated", images=["truncated.png"]),
               dict(GOOD, id="bomb", images=["bomb_claim.png"]),
               dict(GOOD, id="missing", images=["nowhere.png"])]
    f.add("hostile-images-among-good", BOUNDED, batch_run(hostile), output="out")
    return [f]
