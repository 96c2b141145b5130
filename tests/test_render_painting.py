"""Painting in the renderer: markers, paint-order, context paints, patterns, blending,
shape-rendering, colour and path-data corner cases (behaviour matched to resvg)."""

from __future__ import annotations

import skia
from _pixels import px

from ddm_lang.renderer import render
from ddm_lang.renderer.colors import parse_color
from ddm_lang.renderer.markers import orientation, segments, vertex_angle
from ddm_lang.renderer.pathdata import parse_path
from ddm_lang.renderer.shapes import paint_order

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">{}</svg>'
# A 6×6 red square marker centred on the vertex, in user units.
SQUARE = ('<marker id="m" markerUnits="userSpaceOnUse" markerWidth="6" markerHeight="6" '
          'refX="3" refY="3"><rect width="6" height="6" fill="red"/></marker>')


def test_markers_on_start_mid_and_end_vertices_only() -> None:
    img = render(SVG.format(SQUARE + '<path d="M 10 10 L 50 10 L 50 50" fill="none" '
                            'stroke="blue" marker-start="url(#m)" marker-mid="url(#m)" '
                            'marker-end="url(#m)"/>'))
    for x, y in ((10, 10), (50, 10), (50, 50)):
        assert px(img, x, y)[:3] == (255, 0, 0)
    assert px(img, 30, 10)[:3] == (0, 0, 255)  # between vertices: just the stroke
    only_end = render(SVG.format(SQUARE + '<path d="M 10 10 L 50 10 L 50 50" fill="none" '
                                 'stroke="blue" marker-end="url(#m)"/>'))
    assert px(only_end, 10, 10)[:3] != (255, 0, 0) and px(only_end, 50, 50)[:3] == (255, 0, 0)


def test_marker_orient_auto_turns_with_the_path_and_clips_to_its_box() -> None:
    # The marker content points along +x from the vertex; on a downward line, auto turns it
    # to point down. Content beyond markerWidth is clipped (overflow hidden).
    marker = ('<marker id="a" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="4" '
              'refY="2" orient="{}"><rect width="20" height="4" fill="red"/></marker>')
    line = '<path d="M 50 10 L 50 60" stroke="blue" marker-start="url(#a)"/>'
    auto = render(SVG.format(marker.format("auto") + line))
    assert px(auto, 50, 17)[:3] == (255, 0, 0)
    assert px(auto, 57, 10)[3] == 0
    assert px(auto, 50, 25)[:3] == (0, 0, 255)  # past markerWidth: clipped
    fixed = render(SVG.format(marker.format("0") + line))
    assert px(fixed, 57, 10)[:3] == (255, 0, 0)
    assert orientation("0.25turn") == 90.0 and orientation("auto") == "auto"
    assert orientation("bogus") == 0.0


def test_marker_scales_with_stroke_width_and_refuses_recursion() -> None:
    marker = ('<marker id="r" markerWidth="3" markerHeight="3" refX="1.5" refY="1.5">'
              '<rect width="3" height="3" fill="red"/>'
              '<path d="M 0 0 L 3 3" marker-start="url(#r)"/></marker>')
    img = render(SVG.format(marker + '<path d="M 50 50 L 90 50" stroke="blue" '
                            'stroke-width="10" marker-start="url(#r)"/>'))
    assert px(img, 36, 50)[:3] == (255, 0, 0)  # 3 × stroke width 10 = 30 px wide
    assert px(img, 31, 50)[3] == 0


def test_marker_may_use_the_shape_it_marks() -> None:
    # The marker draws a copy of the marked path (whose own markers then stop recursing).
    img = render(SVG.format('<marker id="u" markerUnits="userSpaceOnUse" markerWidth="20" '
                            'markerHeight="20" refX="0" refY="0"><use href="#p" x="5"/>'
                            '</marker><defs><path id="p" d="M 0 2 L 10 2" stroke="red" '
                            'stroke-width="4" marker-end="url(#u)"/></defs><use href="#p"/>'))
    assert px(img, 5, 2)[:3] == (255, 0, 0)
    assert px(img, 22, 2)[:3] == (255, 0, 0)  # the copy: 10 + 5 + (0..10)


def test_vertex_angles_bisect_corners() -> None:
    segs = segments(parse_path("M 0 0 L 10 0 L 10 10"))
    assert vertex_angle(segs, 0) == 0.0
    assert abs(vertex_angle(segs, 1) - 45.0) < 1e-6
    assert abs(vertex_angle(segs, 2) - 90.0) < 1e-6


def test_paint_order_draws_stroke_under_fill() -> None:
    shape = ('<rect x="20" y="20" width="60" height="60" fill="lime" stroke="red" '
             'stroke-width="20" paint-order="{}"/>')
    normal = render(SVG.format(shape.format("normal")))
    stroke_first = render(SVG.format(shape.format("stroke")))
    assert px(normal, 25, 50)[:3] == (255, 0, 0)
    assert px(stroke_first, 25, 50)[:3] == (0, 255, 0)
    assert px(stroke_first, 15, 50)[:3] == (255, 0, 0)
    assert paint_order("markers") == ("markers", "fill", "stroke")
    assert paint_order("stroke stroke") == paint_order("fill qwe") == ("fill", "stroke", "markers")


def test_context_fill_and_stroke_in_markers_and_use() -> None:
    marker = ('<marker id="c" markerUnits="userSpaceOnUse" markerWidth="6" markerHeight="6" '
              'refX="3" refY="3"><rect width="6" height="6" fill="context-stroke"/></marker>')
    img = render(SVG.format(marker + '<path d="M 10 10 L 50 10" stroke="#0000ff" '
                            'fill="none" marker-start="url(#c)"/>'))
    assert px(img, 9, 8)[:3] == (0, 0, 255)
    used = render(SVG.format('<defs><rect id="r" width="40" height="40" fill="context-fill"/>'
                             '</defs><use href="#r" x="10" y="10" fill="#00ff00"/>'
                             '<rect x="60" y="60" width="20" height="20" fill="context-fill"/>'))
    assert px(used, 30, 30)[:3] == (0, 255, 0)
    assert px(used, 70, 70)[3] == 0  # no context element: nothing is painted


def test_pattern_tiles_follow_units_and_transform() -> None:
    pattern = ('<pattern id="p" patternUnits="userSpaceOnUse" width="20" height="20"{}>'
               '<rect width="10" height="10" fill="red"/></pattern>'
               '<rect width="100" height="100" fill="url(#p)"/>')
    img = render(SVG.format(pattern.format("")))
    assert px(img, 5, 5)[:3] == (255, 0, 0) and px(img, 25, 45)[:3] == (255, 0, 0)
    assert px(img, 15, 5)[3] == 0 and px(img, 5, 15)[3] == 0
    moved = render(SVG.format(pattern.format(' patternTransform="translate(10 0)"')))
    assert px(moved, 15, 5)[:3] == (255, 0, 0) and px(moved, 5, 5)[3] == 0
    bbox = render(SVG.format('<pattern id="b" width="0.5" height="0.5">'
                             '<rect width="10" height="10" fill="red"/></pattern>'
                             '<rect x="20" y="20" width="60" height="60" fill="url(#b)"/>'))
    assert px(bbox, 25, 25)[:3] == (255, 0, 0) and px(bbox, 55, 55)[:3] == (255, 0, 0)
    assert px(bbox, 35, 25)[3] == 0


def test_recursive_pattern_paints_nothing_inside() -> None:
    img = render(SVG.format('<pattern id="p" patternUnits="userSpaceOnUse" width="20" '
                            'height="20"><rect width="20" height="20" fill="url(#p)" '
                            'stroke="blue"/></pattern><rect width="100" height="100" '
                            'fill="url(#p)"/>'))
    assert px(img, 10, 10)[3] == 0 and px(img, 0, 10)[2] > 0


def test_mix_blend_mode_multiply_and_crisp_edges() -> None:
    img = render(SVG.format('<rect width="100" height="100" fill="#ffff00"/>'
                            '<rect width="50" height="50" fill="#00ffff" '
                            'style="mix-blend-mode:multiply"/>'), background="white")
    assert px(img, 25, 25)[:3] == (0, 255, 0)
    crisp = render(SVG.format('<rect x="10.5" y="10" width="20" height="20" fill="black" '
                              'shape-rendering="crispEdges"/>'))
    assert px(crisp, 10, 20)[3] in (0, 255)


def test_colour_and_stop_corner_cases() -> None:
    assert parse_color("rgba(0, 50%, 0, 0.5)") is None  # numbers and % cannot mix
    r, g, b, _ = parse_color("hsl(120, 200%, 25%)")
    assert (r, round(g, 3), b) == (0.0, 0.5, 0.0)
    img = render(SVG.format('<linearGradient id="g" color="#00ff00">'
                            '<stop offset="0" stop-color="currentColor"/>'
                            '<stop offset="5mm" stop-color="currentColor"/></linearGradient>'
                            '<rect width="100" height="100" fill="url(#g)"/>'))
    assert px(img, 90, 50)[:3] == (0, 255, 0)


def test_path_arcs_are_cubics_and_bad_flags_stop_parsing() -> None:
    arc = parse_path("M 10 50 A 40 40 0 0 1 90 50")
    assert arc.countVerbs() == 3  # a half circle is two cubics, as resvg splits it
    end = arc.getPoint(arc.countPoints() - 1)
    assert abs(end.x() - 90) < 1e-4 and abs(end.y() - 50) < 1e-4
    bad = parse_path("M 0 0 h 10 a 5 5 0 2 0 10 10 z")
    assert [v for v in bad.getVerbs(bad.countVerbs())] == [skia.Path.kMove_Verb,
                                                             skia.Path.kLine_Verb]


def test_rect_and_ellipse_radii_resolution() -> None:
    img = render(SVG.format('<rect x="10" y="10" width="80" height="80" rx="-5" ry="30" '
                            'fill="red"/><ellipse cx="50" cy="50" rx="-1" ry="5" fill="blue"/>'))
    assert px(img, 12, 12)[3] == 0  # rx takes ry's 30: the corner is cut
    assert px(img, 53, 50)[:3] == (0, 0, 255)  # the ellipse is a circle of r 5
    assert px(img, 58, 50)[:3] == (255, 0, 0)
    assert px(img, 50, 12)[:3] == (255, 0, 0)
