"""The layout solver: a declared layout that is valid stays as it is; one that breaks a
hard constraint (copy off the canvas or its safe margin, copy over copy, a flow not kept)
is repaired with the least change, keeping flows, stacked plates and aligned edges."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ddm_lang.api import load_template
from ddm_lang.layout.solve import MIN_SCALE, Flow, Item, _groups, _Problem, solve
from ddm_lang.scene import Box

W, H = 1000.0, 1000.0


def text(name: str, x: float, y: float, w: float, h: float, flow: Flow | None = None,
         content: Box | None = None) -> Item:
    box = Box(x, y, w, h)
    return Item(name, "text", box, content or box, flow)


def violations(items: list[Item], boxes: dict[str, Box]) -> int:
    """Hard-constraint violations (over 0.5 px) of `items` moved to `boxes`, judged by the
    constraints of the declared layout (its margin, its stacked pairs)."""
    problem = _Problem(_groups(items), W, H)
    first = [boxes.get(g.names[0], g.box) for g in problem.groups]
    v = problem.start()
    n = len(first)
    v[:n] = [b.x / problem.scale for b in first]
    v[n:2 * n] = [b.y / problem.scale for b in first]
    v[2 * n:] = [b.width / g.box.width for b, g in zip(first, problem.groups, strict=True)]
    return int((problem.violations(v[None])[0] > 0.5).sum())


def test_a_valid_layout_is_left_alone() -> None:
    items = [text("a", 80, 80, 500, 200), text("b", 80, 300, 300, 80)]
    assert solve(items, W, H) is None


def test_a_chain_pushed_off_the_canvas_moves_up_and_keeps_its_flows() -> None:
    head = text("head", 80, 560, 840, 300)
    price = text("price", 80, 880, 500, 70, Flow("below", "head", 20, None))
    cta = text("cta", 80, 1000, 400, 120, Flow("below", "price", 50, None))
    solution = solve([head, price, cta], W, H)
    assert solution is not None and solution.violations_before >= 1
    assert solution.violations_after == 0
    b = solution.boxes
    # The least room the declared copy leaves to an edge: the price line's 50 px.
    assert b["cta"].bottom <= H - 50 + 0.5
    assert abs(b["price"].y - (b["head"].bottom + 20 * b["head"].width / 840)) < 1.5
    assert abs(b["cta"].y - (b["price"].bottom + 50)) < 1.5
    assert abs(b["head"].x - b["price"].x) < 0.5 and abs(b["price"].x - b["cta"].x) < 0.5


def test_overlapping_copy_is_separated_and_a_plate_moves_with_its_label() -> None:
    head = text("head", 100, 100, 600, 300)
    label = text("label", 150, 360, 300, 100)  # runs 40 px into the headline
    plate = Item("plate", "rect", Box(150, 360, 300, 100), Box(150, 360, 300, 100))
    solution = solve([head, label, plate], W, H)
    assert solution is not None and solution.violations_after == 0
    b = solution.boxes
    moved_label = b.get("label", label.box)
    assert not _overlaps(b.get("head", head.box), moved_label)
    assert b.get("plate", plate.box) == moved_label  # one group: moved together


def test_a_badge_stacked_on_purpose_is_not_an_overlap() -> None:
    card = text("card", 100, 100, 600, 400)
    badge = text("badge", 550, 120, 120, 60)  # its centre lies in the card: intended
    assert solve([card, badge], W, H) is None


def _overlaps(a: Box, b: Box) -> bool:
    return min(a.right, b.right) - max(a.x, b.x) > 0.5 and \
        min(a.bottom, b.bottom) - max(a.y, b.y) > 0.5


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(-200, 900), st.floats(-200, 1100), st.floats(80, 600),
                          st.floats(30, 160)), min_size=1, max_size=4))
def test_solved_layouts_are_valid_and_no_smaller_than_allowed(
        boxes: list[tuple[float, float, float, float]]) -> None:
    """Copy that fits stacked down the canvas (at most 4 × 160 px in 1000) and starts
    anywhere, off the canvas or overlapping, is always brought inside it without overlaps,
    and never scaled below MIN_SCALE."""
    items = [text(f"t{i}", x, y, w, h) for i, (x, y, w, h) in enumerate(boxes)]
    solution = solve(items, W, H)
    if solution is None:
        return
    assert violations(items, solution.boxes) == 0
    for item in items:
        box = solution.boxes.get(item.name, item.box)
        assert box.width >= MIN_SCALE * item.box.width - 1e-6


TEMPLATE = """template chain "copy under the photo"
formats feed 1080x1080, banner 1200x628

rect background { box: 0 0 100% 100%; fill: #f4efe6 }
text headline = product.title {
  box: 8% 50% 84% 30%;
  font: "Inter" 800;
  size: fit(24, 8%);
  max-lines: 3;
  fill: #222222;
}
text price-line = "From 2.99" {
  box: 8% 0 60% 7%;
  flow: below headline gap 2%;
  font: "Inter" 600;
  size: fit(14, 5%);
  max-lines: 1;
  fill: #222222;
}
rect cta-plate { box: 8% 0 40% 12%; flow: below price-line gap 6%; rx: 20; fill: #1f7a3a }
text cta = "Shop now" {
  box: 8% 0 40% 12%;
  flow: below price-line gap 6%;
  font: "Inter" 700;
  size: fit(12, 5%);
  max-lines: 1;
  align: center;
  valign: middle;
  fill: #ffffff;
}
"""


def test_binding_repairs_a_flow_chain_per_format(tmp_path: Path) -> None:
    path = tmp_path / "chain.ddm"
    path.write_text(TEMPLATE)
    product = {"id": "p", "images": [],
               "title": "Organic Golden Delicious apples, hand-picked in the valley this very week"}
    template = load_template(path)
    feed = template.compile(product, "feed").scene
    banner = template.compile(product, "banner").scene
    assert any(n.startswith("layout:") and "moved headline" in n for n in feed.notes)
    assert not any(n.startswith("layout:") for n in banner.notes)  # valid there as declared
    boxes = {getattr(c, "name", None): getattr(c, "box", None) for c in feed.children}
    assert boxes["cta"].bottom <= 1080 - 86.4 + 1.0
    price = next(c for c in feed.children if getattr(c, "name", None) == "price-line")
    cta_plate = next(c for c in feed.children if getattr(c, "name", None) == "cta-plate")
    plate_y = float(dict(cta_plate.attrs)["y"])
    assert abs(plate_y - boxes["cta"].y) < 0.5  # the plate stayed under its label
    assert boxes["cta"].y > price.box.y  # flow order kept
