"""The perception benchmark's metrics on hand-built cases whose answers are known: a wrong
IoU, boundary F or matching rule would make every recorded figure wrong without any error."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import perception_quality as pq


def square(size: int, x: int, y: int, side: int) -> np.ndarray:
    m = np.zeros((size, size), bool)
    m[y:y + side, x:x + side] = True
    return m


# ---- mask IoU --------------------------------------------------------------------------------
def test_iou_of_overlapping_squares() -> None:
    a, b = square(20, 0, 0, 10), square(20, 5, 0, 10)  # 50 shared of 150
    assert pq.mask_iou(a, b) == pytest.approx(1 / 3)
    assert pq.mask_iou(a, a) == 1.0
    assert pq.mask_iou(a, square(20, 10, 10, 10)) == 0.0


def test_iou_of_empty_masks() -> None:
    empty = np.zeros((8, 8), bool)
    assert pq.mask_iou(empty, empty) == 1.0
    assert pq.mask_iou(empty, square(8, 2, 2, 3)) == 0.0


# ---- boundaries ------------------------------------------------------------------------------
def test_boundary_is_the_inner_ring() -> None:
    b = pq.boundary(square(9, 2, 2, 5))
    assert b.sum() == 16  # 5×5 square minus its 3×3 interior
    assert not b[4, 4] and b[2, 2] and b[6, 4]


def test_image_frame_is_not_a_boundary() -> None:
    b = pq.boundary(square(10, 0, 0, 5))  # touches the top and left edges
    assert b.sum() == 9  # only the right column and bottom row (5 + 5 - 1)
    assert not b[0, 0:4].any() and not b[0:4, 0].any()
    assert not pq.boundary(np.ones((6, 6), bool)).any()


def test_boundary_f_identical_and_slightly_shifted() -> None:
    gt = square(100, 30, 30, 40)
    assert pq.boundary_f(gt, gt) == (1.0, 1.0, 1.0)
    # tolerance 0.0075 × 141.4 ≈ 1.06 px: a 1 px shift is within it everywhere
    assert pq.boundary_f(square(100, 31, 30, 40), gt) == (1.0, 1.0, 1.0)


def test_boundary_f_with_a_spurious_second_region() -> None:
    gt = square(100, 5, 5, 20)
    pred = gt | square(100, 60, 60, 20)  # twice the outline, half of it far from any truth
    p, r, f = pq.boundary_f(pred, gt)
    assert (p, r) == (0.5, 1.0)
    assert f == pytest.approx(2 / 3)


def test_boundary_f_far_off_and_empty() -> None:
    gt = square(100, 5, 5, 20)
    assert pq.boundary_f(square(100, 60, 60, 20), gt) == (0.0, 0.0, 0.0)
    empty = np.zeros((100, 100), bool)
    assert pq.boundary_f(empty, gt) == (1.0, 0.0, 0.0)
    assert pq.boundary_f(gt, empty) == (0.0, 1.0, 0.0)
    assert pq.boundary_f(empty, empty) == (1.0, 1.0, 1.0)


def test_boundary_f_tolerance_decides() -> None:
    gt = square(100, 30, 30, 40)
    shifted = square(100, 33, 30, 40)  # left and right sides 3 px off
    _, _, tight = pq.boundary_f(shifted, gt, tolerance=0.0075)   # ≈ 1.06 px
    _, _, loose = pq.boundary_f(shifted, gt, tolerance=0.025)    # ≈ 3.5 px
    assert tight < 0.9 and loose == 1.0


# ---- boxes and matching ----------------------------------------------------------------------
def test_box_iou() -> None:
    assert pq.box_iou([0, 0, 2, 2], [1, 1, 2, 2]) == pytest.approx(1 / 7)
    assert pq.box_iou([0, 0, 2, 2], [0, 0, 2, 2]) == 1.0
    assert pq.box_iou([0, 0, 2, 2], [2, 0, 2, 2]) == 0.0  # touching edges share no area
    assert pq.box_iou([0, 0, 0, 0], [0, 0, 0, 0]) == 0.0


def test_match_is_one_to_one_best_first() -> None:
    gt = [[0, 0, 10, 10], [20, 0, 10, 10]]
    pred = [[1, 0, 10, 10],    # IoU 0.818 with gt 0
            [0, 0, 10, 10],    # IoU 1 with gt 0: taken first
            [20, 0, 10, 12],   # IoU 0.833 with gt 1
            [50, 50, 5, 5]]    # matches nothing
    matches = pq.match_boxes(pred, gt)
    assert sorted((i, j) for i, j, _ in matches) == [(1, 0), (2, 1)]
    p, r, f = pq.prf(len(matches), len(pred), len(gt))
    assert (p, r) == (0.5, 1.0) and f == pytest.approx(2 / 3)


def test_match_threshold() -> None:
    gt = [[0, 0, 10, 10]]
    pred = [[0, 0, 10, 25]]  # IoU 0.4
    assert pq.match_boxes(pred, gt) == []
    assert len(pq.match_boxes(pred, gt, threshold=0.3)) == 1
    assert pq.prf(0, 1, 1) == (0.0, 0.0, 0.0)


def test_prf_without_predictions_or_truths() -> None:
    assert pq.prf(0, 0, 3) == (1.0, 0.0, 0.0)
    assert pq.prf(0, 2, 0) == (0.0, 1.0, 0.0)


def test_covered_fraction_and_text_compare() -> None:
    assert pq.covered_fraction([0, 0, 10, 10], [[5, 0, 20, 20], [0, 0, 2, 2]]) == 0.5
    assert pq.covered_fraction([0, 0, 10, 10], []) == 0.0
    assert pq.same_text("FRESH  today ", "Fresh today")
    assert not pq.same_text("Freshtoday", "Fresh today")
    assert pq.same_text("Freshtoday", "Fresh today", spaces=False)
