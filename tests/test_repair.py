"""Repairing proposed layouts (`generate.repair`), restacking their copy
(`search.restack`) and choosing proposers by name (`generate.proposers`): a repaired
layout always obeys the rules the search's layouts obey, and what the layout model
proposes survives repair."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddm_lang.generate.design import SLOTS, Slot
from ddm_lang.generate.layout import ROLES, Layout, LayoutCondition, RoleBox
from ddm_lang.generate.proposers import Blend, make
from ddm_lang.generate.repair import MINIMUM, OPTIONAL, TALLEST, Repaired, repair
from ddm_lang.generate.search import (
    COLUMN_ROLES,
    DISTINCT,
    GRID,
    SearchProposer,
    layout_distance,
    restack,
    valid,
)

FEED, STORY, BANNER = SLOTS["feed"], SLOTS["story"], SLOTS["banner"]


def _cond(slot: Slot, roles: tuple[str, ...] = ROLES, cutout: bool = True,
          subject: float = 0.7) -> LayoutCondition:
    return LayoutCondition(slot.width, slot.height, subject, cutout, roles)


def _on_grid(layout: Layout) -> bool:
    return all(abs(v / GRID - round(v / GRID)) < 1e-6
               for b in layout for v in (b.x, b.y, b.right, b.bottom))


def _rng() -> np.random.Generator:
    return np.random.default_rng(3)


# A sketch as a model draws it: the product on the left, the copy beside it but out of
# order (the price above the headline, the button right of the price) and one step past
# the safe margin on the right.
SKETCH: Layout = (
    RoleBox("hero", 0.06, 0.1, 0.44, 0.8),
    RoleBox("price", 0.56, 0.2, 0.2, 0.08),
    RoleBox("headline", 0.56, 0.32, 0.44, 0.2),
    RoleBox("button", 0.8, 0.6, 0.2, 0.08),
    RoleBox("subline", 0.56, 0.56, 0.2, 0.04),
)
SKETCH_ROLES = ("hero", "headline", "subline", "price", "button")


def test_a_sketch_is_repaired_into_a_column_in_reading_order() -> None:
    cond = _cond(FEED, SKETCH_ROLES)
    assert not valid(SKETCH, cond)                    # past the safe margin
    fixed = repair(SKETCH, cond, _rng())
    assert fixed is not None and valid(fixed, cond) and _on_grid(fixed)
    boxes = {b.role: b for b in fixed}
    assert set(boxes) == set(SKETCH_ROLES)
    hero = boxes["hero"]
    assert boxes["hero"] == RoleBox("hero", 0.06, 0.1, 0.44, 0.8)   # the product stays
    column = [boxes[r] for r in COLUMN_ROLES if r in boxes]
    assert [b.role for b in sorted(column, key=lambda b: b.y)] == \
        ["headline", "subline", "price", "button"]
    assert {round(b.x, 4) for b in column} == {column[0].x}         # one left edge
    assert all(b.x >= hero.right for b in column)                   # beside the product


def test_restack_takes_the_copy_off_the_product_on_the_roomier_side() -> None:
    cond = _cond(FEED, ("hero", "headline", "price"))
    layout = (RoleBox("hero", 0.1, 0.1, 0.5, 0.5),
              RoleBox("headline", 0.1, 0.5, 0.8, 0.2),     # half of it on the product
              RoleBox("price", 0.1, 0.8, 0.4, 0.1))
    stacked = restack(layout, cond, _rng())
    assert stacked is not None
    head = next(b for b in stacked if b.role == "headline")
    assert head.y >= 0.6                                   # below the product's box
    assert restack((RoleBox("hero", 0, 0, 1, 1), layout[1]), cond, _rng()) is None


def test_a_small_text_box_grows_to_its_minimum_where_there_is_room() -> None:
    cond = _cond(FEED, ("hero", "headline", "badge"))
    layout = (RoleBox("hero", 0.1, 0.1, 0.5, 0.5), RoleBox("headline", 0.1, 0.7, 0.6, 0.16),
              RoleBox("badge", 0.7, 0.1, 0.06, 0.06))
    fixed = repair(layout, cond, _rng())
    assert fixed is not None
    badge = next(b for b in fixed if b.role == "badge")
    assert badge.w >= MINIMUM["badge"][0] - 1e-9 and badge.h >= MINIMUM["badge"][1] - 1e-9


def test_optional_copy_without_room_is_left_out_and_required_copy_loses_the_layout() -> None:
    cond = _cond(FEED, ("hero", "headline", "brand"))
    hero = RoleBox("hero", 0.04, 0.04, 0.92, 0.7)
    head = RoleBox("headline", 0.1, 0.76, 0.8, 0.18)
    squeezed = RoleBox("brand", 0.9, 0.76, 0.06, 0.04)      # no room round it to grow
    assert "brand" in OPTIONAL
    fixed = repair((hero, squeezed, head), cond, _rng())
    assert fixed is not None and {b.role for b in fixed} == {"hero", "headline"}
    no_room = (RoleBox("hero", 0.04, 0.04, 0.92, 0.9), RoleBox("headline", 0.1, 0.94, 0.8, 0.02))
    assert repair(no_room, cond, _rng()) is None


def test_a_tall_brand_box_is_capped() -> None:
    cond = _cond(BANNER, ("hero", "headline", "brand"))
    layout = (RoleBox("hero", 0.04, 0.1, 0.4, 0.8), RoleBox("headline", 0.5, 0.4, 0.44, 0.3),
              RoleBox("brand", 0.7, 0.04, 0.24, 0.3))
    fixed = repair(layout, cond, _rng())
    assert fixed is not None
    brand = next(b for b in fixed if b.role == "brand")
    assert brand.h * BANNER.height <= TALLEST["brand"] * BANNER.height + GRID * BANNER.height


def test_a_card_with_nothing_on_it_is_dropped() -> None:
    cond = _cond(FEED, ("hero", "headline"))
    layout = (RoleBox("hero", 0.1, 0.1, 0.5, 0.5), RoleBox("decoration", 0.66, 0.1, 0.28, 0.3),
              RoleBox("headline", 0.1, 0.7, 0.8, 0.16))
    fixed = repair(layout, cond, _rng())
    assert fixed is not None and "decoration" not in {b.role for b in fixed}


_box = st.builds(lambda x, y, w, h: (x, y, w, h), st.floats(-0.1, 1.0), st.floats(-0.1, 1.0),
                 st.floats(0.0, 0.9), st.floats(0.0, 0.9))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slot=st.sampled_from([FEED, STORY, BANNER, SLOTS["portrait"]]),
       extra=st.lists(st.sampled_from([r for r in ROLES if r not in ("hero", "headline")]),
                      unique=True),
       boxes=st.lists(_box, min_size=len(ROLES), max_size=len(ROLES)),
       cutout=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_whatever_comes_in_a_repaired_layout_obeys_the_rules(
        slot: Slot, extra: list[str], boxes: list[tuple[float, float, float, float]],
        cutout: bool, seed: int) -> None:
    roles = ("hero", "headline", *extra)
    layout = tuple(RoleBox(r, *b) for r, b in zip(roles, boxes, strict=False))
    cond = _cond(slot, tuple(r for r in ROLES if r in roles), cutout)
    fixed = repair(layout, cond, np.random.default_rng(seed))
    if fixed is not None:
        assert valid(fixed, cond) and _on_grid(fixed)
        assert fixed[0].role == "hero" and "headline" in {b.role for b in fixed}
        assert {b.role for b in fixed} <= set(roles)
        assert len({b.role for b in fixed}) == len(fixed)


@pytest.mark.parametrize("slot", [FEED, STORY, BANNER])
@pytest.mark.parametrize("cutout", [True, False])
def test_most_of_what_the_model_proposes_survives_repair(slot: Slot, cutout: bool) -> None:
    cond = _cond(slot, ("hero", "headline", "subline", "price", "button", "decoration"), cutout)
    raw = make("model")
    assert isinstance(raw, Repaired)
    sketches = raw.proposer.propose(cond, 24, np.random.default_rng(5))
    fixed = [f for s in sketches if (f := repair(s, cond, np.random.default_rng(5)))]
    assert len(fixed) >= 0.5 * len(sketches)       # measured: 0.52 to 0.98
    layouts = raw.propose(cond, 8, np.random.default_rng(5))
    assert 4 <= len(layouts) <= 8
    for i, layout in enumerate(layouts):
        assert valid(layout, cond) and _on_grid(layout)
        assert all(layout_distance(layout, o) >= DISTINCT for o in layouts[i + 1:])


class _Fixed:
    def __init__(self, layouts: list[Layout]) -> None:
        self.layouts = layouts
        self.asked: list[int] = []

    def propose(self, condition: LayoutCondition, n: int, rng: np.random.Generator,
                temperature: float = 1.0) -> list[Layout]:
        self.asked.append(n)
        return self.layouts[:n]


def test_blend_shares_n_interleaves_and_drops_near_twins() -> None:
    cond = _cond(FEED)
    search = SearchProposer().propose(cond, 6, np.random.default_rng(1))
    a, b = _Fixed(search[:3]), _Fixed([search[0], *search[3:]])
    out = Blend([a, b]).propose(cond, 5, np.random.default_rng(1))
    assert a.asked == [3] and b.asked == [2]
    assert out == [search[0], search[1], search[3], search[2]]   # b's first is a's first


def test_proposers_by_name() -> None:
    assert isinstance(make("search"), SearchProposer)
    both = make("both")
    assert isinstance(both, Blend) and isinstance(both.proposers[0], Repaired)
    with pytest.raises(ValueError, match="one of search, model, both"):
        make("dream")
