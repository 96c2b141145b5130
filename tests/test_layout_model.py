"""The trained layout model: its weights load, its samples obey the condition, sampling is
reproducible and temperature widens it; and the training data's role mapping reads a
compiled template's elements as a designer would."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from ddm_lang.generate.layout import ROLES, LayoutCondition, RoleBox

pytest.importorskip("onnxruntime")

from ddm_lang.generate import model as layout_model

TRAINING = Path(__file__).resolve().parents[1] / "training" / "layout_model"

FEED = LayoutCondition(1080, 1080, 0.4, True, ("hero", "headline", "price", "button"))
BANNER = LayoutCondition(1200, 628, 1.3, False,
                         ("hero", "headline", "subline", "brand", "button", "badge"))


@pytest.fixture(scope="module")
def model() -> layout_model.LayoutModel:
    pytest.importorskip("onnxruntime")
    return layout_model.load()


def pairwise(layouts: list[tuple[RoleBox, ...]]) -> float:
    """Mean over pairs of layouts of the mean over roles of 1 − IoU."""
    def iou(a: RoleBox, b: RoleBox) -> float:
        w = max(0.0, min(a.right, b.right) - max(a.x, b.x))
        h = max(0.0, min(a.bottom, b.bottom) - max(a.y, b.y))
        inter = w * h
        return inter / (a.w * a.h + b.w * b.h - inter)

    dists = []
    for i, a in enumerate(layouts):
        for b in layouts[i + 1:]:
            bb = {r.role: r for r in b}
            dists.append(float(np.mean([1 - iou(r, bb[r.role]) for r in a])))
    return float(np.mean(dists))


def test_weights_load_once_and_match_their_contract(model: layout_model.LayoutModel) -> None:
    assert layout_model.load() is model
    assert model.vocabulary.roles == ROLES
    assert model.contract["model_version"].startswith("layout-model")
    assert layout_model.WEIGHTS.stat().st_size < 2_000_000
    tokens = np.asarray([model.vocabulary.prefix(FEED)], np.int64)
    assert model.logits(tokens).shape == (1, tokens.shape[1], model.vocabulary.size)


@pytest.mark.parametrize("condition", [FEED, BANNER])
def test_propose_places_exactly_the_roles_asked_hero_first(
        model: layout_model.LayoutModel, condition: LayoutCondition) -> None:
    layouts = model.propose(condition, 6, np.random.default_rng(3), 1.0)
    assert len(layouts) == 6
    for layout in layouts:
        assert layout[0].role == "hero"
        assert sorted(r.role for r in layout) == sorted(condition.roles)
        for box in layout:
            assert box.w > 0 and box.h > 0
            assert box.x >= 0 and box.right <= 1 + 1e-9
            assert box.y >= 0 and box.bottom <= 1 + 1e-9


def overlap(a: RoleBox, b: RoleBox) -> float:
    return max(0.0, min(a.right, b.right) - max(a.x, b.x)) * \
        max(0.0, min(a.bottom, b.bottom) - max(a.y, b.y))


def test_copy_is_kept_off_copy_and_off_the_cut_out_product(
        model: layout_model.LayoutModel) -> None:
    every = LayoutCondition(1080, 1080, 0.4, True, ROLES)
    for condition in (FEED, every):
        for layout in model.propose(condition, 8, np.random.default_rng(2), 1.3):
            product = layout_model.subject_box(layout[0], condition)
            apart = [r for r in layout if r.role in layout_model.APART]
            for i, a in enumerate(apart):
                assert all(overlap(a, b) < 1e-9 for b in apart[i + 1:]), layout
                if a.role in layout_model.COPY_ROLES:
                    assert overlap(a, product) < 1e-9, layout


def test_the_rule_can_be_turned_off(model: layout_model.LayoutModel) -> None:
    free = model.unconstrained()
    assert free.session is model.session and not free.keep_apart
    layouts = free.propose(BANNER, 4, np.random.default_rng(1), 1.0)
    assert all(sorted(r.role for r in lay) == sorted(BANNER.roles) for lay in layouts)


def test_same_seed_same_layouts_and_greedy_is_one_layout(
        model: layout_model.LayoutModel) -> None:
    a = model.propose(BANNER, 4, np.random.default_rng(11), 1.0)
    b = model.propose(BANNER, 4, np.random.default_rng(11), 1.0)
    assert a == b
    greedy = model.propose(FEED, 3, np.random.default_rng(0), 0.0)
    assert greedy[0] == greedy[1] == greedy[2]


def test_higher_temperature_is_more_diverse(model: layout_model.LayoutModel) -> None:
    cool = model.propose(FEED, 8, np.random.default_rng(5), 0.5)
    hot = model.propose(FEED, 8, np.random.default_rng(5), 1.5)
    assert pairwise(hot) > pairwise(cool)


def test_a_role_outside_the_vocabulary_is_refused(model: layout_model.LayoutModel) -> None:
    odd = LayoutCondition(1080, 1080, 1.0, True, ("hero", "sticker"))
    with pytest.raises(ValueError, match="sticker"):
        model.propose(odd, 1, np.random.default_rng(0))


def test_vocabulary_keeps_aligned_edges_aligned_and_round_trips(
        model: layout_model.LayoutModel) -> None:
    vocab = model.vocabulary
    left = RoleBox("headline", 0.0803, 0.30, 0.40, 0.1)
    under = RoleBox("button", 0.0797, 0.50, 0.2503, 0.08)
    layout = (RoleBox("hero", 0.5, 0.1, 0.45, 0.8), under, left)
    tokens = vocab.encode(LayoutCondition(1080, 1080, 0.4, True,
                                          ("hero", "headline", "button")), layout)
    decoded = vocab.decode(tokens)
    assert [r.role for r in decoded] == ["hero", "headline", "button"]  # reading order
    assert decoded[1].x == decoded[2].x
    for a, b in zip(decoded, vocab.order(layout), strict=True):
        assert abs(a.x - b.x) <= 0.5 / vocab.bins + 1e-9
        assert abs(a.right - b.right) <= 1 / vocab.bins + 1e-9


@pytest.fixture
def roles_module():
    sys.path.insert(0, str(TRAINING))
    try:
        yield importlib.import_module("extract"), importlib.import_module("roles")
    finally:
        sys.path.remove(str(TRAINING))


TINY = """
template tiny "A product, a headline, points, a price, a button and a badge"
formats feed 1080x1080

object hero = image from product.images
object logo? = image from brand.logos

rect background { box: 0 0 100% 100%; fill: #f4f1ea }
circle halo { box: 50% 10% 45% 45%; fill: #e0d8c8 }
image hero { box: 52% 12% 40% 40% }
image logo? { box: 4% 4% 8% 8% }
text headline = caption(kind: headline) { box: 6% 20% 40% 20%; size: fit(20, 60) }
text point-a = caption(kind: selling_point) {
  box: 6% 0 40% 6%; flow: below headline gap 2%; size: fit(12, 30)
}
text point-b = caption(kind: selling_point) {
  box: 6% 0 40% 6%; flow: below point-a gap 1%; size: fit(12, 30)
}
rect price-field { box: 6% 70% 30% 10%; fill: #ffffff }
text price-line = price(product.price.amount, product.price.currency) {
  box: 7% 71% 28% 8%; size: fit(12, 40)
}
rect cta-plate { box: 60% 80% 30% 10%; rx: 20; fill: #222222 }
text cta = caption(kind: cta) { box: 62% 81% 26% 8%; size: fit(12, 30); fill: #ffffff }
group badge {
  circle disc { box: 84% 2% 14% 14%; fill: #c00000 }
  text off = "-20%" { box: 85% 6% 12% 6%; size: fit(10, 30); fill: #ffffff }
}
"""


def test_extractor_maps_a_compiled_templates_elements_to_roles(
        roles_module, studio: Path, product: dict) -> None:
    from ddm_lang import template_from_string

    extract, _ = roles_module
    template = template_from_string(TINY)
    creative = template.compile(product, "feed", base_dir=studio)
    record = extract.creative_layout(template, creative, subjects=lambda _node: None)
    assert record is not None
    boxes = record["boxes"]
    assert list(boxes) == ["hero", "headline", "points", "price", "button", "brand",
                           "badge", "decoration"]
    assert boxes["hero"] == pytest.approx([0.52, 0.12, 0.40, 0.40], abs=1e-3)
    assert boxes["button"] == pytest.approx([0.60, 0.80, 0.30, 0.10], abs=1e-3)  # the plate
    assert boxes["brand"] == pytest.approx([0.04, 0.04, 0.08, 0.08], abs=1e-3)
    assert boxes["decoration"] == pytest.approx([0.50, 0.10, 0.45, 0.45], abs=1e-3)
    assert boxes["badge"] == pytest.approx([0.84, 0.02, 0.14, 0.14], abs=1e-3)
    # the price is its text, not its plate; the two points are one block below the headline
    assert boxes["price"][2] < 0.30
    assert boxes["points"][1] > boxes["headline"][1] + boxes["headline"][3] - 1e-3
    assert record["cutout"] is False
    assert record["subject_aspect"] == pytest.approx(1.0)  # no subject: the photo's aspect


def test_a_lone_selling_point_is_the_subline(roles_module, studio: Path,
                                             product: dict) -> None:
    from ddm_lang import template_from_string

    extract, _ = roles_module
    start = TINY.index("text point-b")
    one = TINY[:start] + TINY[TINY.index("}", start) + 1:]
    template = template_from_string(one)
    creative = template.compile(product, "feed", base_dir=studio)
    boxes = extract.creative_layout(template, creative, subjects=lambda _node: None)["boxes"]
    assert "subline" in boxes and "points" not in boxes
