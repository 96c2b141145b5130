"""The cut-out matte has a solid body: a saliency map unsure of a white carton's panels
must not let the field show through the product, and a real hole stays a hole."""

from __future__ import annotations

import numpy as np

from ddm_lang.perception.subject import solid_core


def test_a_half_sure_body_becomes_opaque_and_the_edge_stays_soft() -> None:
    matte = np.zeros((200, 200), np.uint8)
    matte[40:160, 50:150] = 140          # the model half sure of the body
    matte[40:160, 50:52] = 200           # and surer at its outline
    matte[90:100, 95:105] = 30           # a patch it missed inside the body
    out = solid_core(matte)
    assert out[100, 100] == 255 and out[60, 70] == 255
    assert out[95, 100] == 255           # the missed patch is body
    assert out[40, 100] < 255            # the outline keeps the model's level
    assert (out[:30] == 0).all() and out[100, 10] == 0   # the background is untouched


def test_a_real_hole_stays_transparent() -> None:
    matte = np.zeros((200, 200), np.uint8)
    matte[30:170, 30:170] = 230          # a ring, as a mug's handle is
    matte[70:130, 70:130] = 0
    out = solid_core(matte)
    assert out[100, 100] == 0
    assert out[50, 50] == 255


def test_nothing_found_is_left_alone() -> None:
    matte = np.full((50, 50), 20, np.uint8)
    assert (solid_core(matte) == matte).all()
