"""The stdlib templates still draw what was approved: each template × its formats for one
sample product, compared with the stored golden by SSIM with a tolerance (tests/_goldens.py).
A template without goldens fails too: `make goldens` writes them."""

from __future__ import annotations

import json

import pytest
from _goldens import MANIFEST, MAX_MEAN_DIFF, MIN_SSIM, cases, compare, draw, load

CASES = cases()


def test_every_stdlib_creative_has_a_golden() -> None:
    stored = {(e["template"], e["product"], e["format"])
              for e in json.loads(MANIFEST.read_text())} if MANIFEST.exists() else set()
    missing = [c for c in CASES if c not in stored or load(*c) is None]
    assert not missing, f"no golden for {missing[:5]}…: run `make goldens`"


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize(("template", "product", "fmt"), CASES)
def test_stdlib_creative_matches_its_golden(template: str, product: str, fmt: str) -> None:
    stored = load(template, product, fmt)
    if stored is None:
        pytest.fail("no golden: run `make goldens`")
    score, diff = compare(draw(template, product, fmt), stored)
    assert score >= MIN_SSIM and diff <= MAX_MEAN_DIFF, (
        f"SSIM {score:.3f} (min {MIN_SSIM}), mean luma diff {diff:.3f} (max {MAX_MEAN_DIFF}): "
        "if the change is intended, run `make goldens` and commit the new renderings")
