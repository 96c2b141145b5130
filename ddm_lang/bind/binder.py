"""bind: one checked template × one product × one format → Scene.

Walks the template body in order: selects materials for abstract objects, evaluates
expressions, expands `when`, `for` and components, resolves boxes against the slot (or a
component's box), fits text, and runs each image's pipeline of operations. Every problem
becomes a diagnostic with the source position and, for data, the product and field.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ddm_lang.copy import Caption
from ddm_lang.environment import Environment, default_environment
from ddm_lang.layout.boxes import Frame, LayoutError, resolve_box, to_px
from ddm_lang.layout.contrast import ensure_contrast
from ddm_lang.layout.separation_repair import ensure_separation, perceived_subjects
from ddm_lang.layout.solve import Flow, Item, Solution, solve
from ddm_lang.layout.text import fit_text
from ddm_lang.ops import caption as caption_op
from ddm_lang.ops import place as place_op
from ddm_lang.ops import registry as op_registry
from ddm_lang.ops.context import OpContext
from ddm_lang.ops.select import NoCandidate, select
from ddm_lang.perception import schema
from ddm_lang.perception.library import Entry, LibraryError
from ddm_lang.perception.materials import MaterialError, header_record, load_material
from ddm_lang.perception.models import ModelError, using
from ddm_lang.scene import (
    Box,
    ImageNode,
    Material,
    Node,
    RawNode,
    Scene,
    SceneItem,
    TextLine,
    TextNode,
)
from ddm_lang.semantics.functions import describe, to_text
from ddm_lang.semantics.ir import AbstractObject, CheckedTemplate, Component
from ddm_lang.semantics.operations import OPERATIONS
from ddm_lang.semantics.overrides import apply_overrides
from ddm_lang.semantics.raw_svg import drawn_count
from ddm_lang.semantics.svg_vocab import (
    BLEED_EDGES,
    BLEED_HINT,
    BLEED_WORDS,
    DDM_PROPERTIES,
    ELEMENT_TAGS,
    axis_of,
    bleed_problem,
)
from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.values import Color, FitSize, Length, LengthSum, Region, format_number

from .evaluate import Evaluator, Missing, Scope, truthy
from .placements import (
    Candidate,
    Placement,
    Selection,
    SourceMap,
    is_length_quad,
    position_form,
    slot_value,
)

# Elements whose coordinates live in their own units (bounding box fractions, filter
# regions): their lengths pass through as written instead of resolving against the slot.
VERBATIM_KINDS = frozenset({"linearGradient", "radialGradient", "stop", "filter", "pattern",
                            "mask", "clipPath"})
TEXT_MODES = ("text", "path")
WEIGHT_WORDS = {"thin": 100, "light": 300, "normal": 400, "regular": 400, "medium": 500,
                "semibold": 600, "bold": 700, "extrabold": 800, "black": 900}


@dataclass
class PassMemo:
    """What the passes over one product and format (forward names, the solved layout)
    would otherwise recompute identically: library entries (a lookup reads and parses a
    row), materials by reference (a stat and a path resolution each) and captions by
    their full request (the product is the same in every pass)."""

    entries: dict[Material, Entry] = field(default_factory=dict)
    materials: dict[str, Material] = field(default_factory=dict)
    captions: dict[tuple, Caption] = field(default_factory=dict)


@dataclass(frozen=True)
class Known:
    """What an earlier pass over the same product and format laid out, for names used
    before they are laid out (`avoid`, `flow`, `avoid text`)."""

    boxes: dict[str, Box] = field(default_factory=dict)
    extents: dict[str, Box] = field(default_factory=dict)  # a text's lines, by name
    texts: tuple[Box, ...] = ()  # every text's lines, named or not
    dropped: dict[str, str | None] = field(default_factory=dict)


class _Binder:
    def __init__(self, template: CheckedTemplate, product: dict[str, Any], format_name: str,
                 base_dir: Path, seed: int, env: Environment, known: Known | None = None,
                 solved: dict[str, Box] | None = None, memo: PassMemo | None = None):
        fmt = template.format(format_name)
        assert fmt is not None  # the API checks the format name before binding
        self.template = template
        self.product = product
        self.format = fmt
        self.base_dir = base_dir.resolve()
        self.seed = seed
        self.product_id = str(product.get("id", "?"))
        self.ev = Evaluator(self.product_id, dict(template.sources), self.perceive)
        self.env = env
        self.limits = env.limits
        self.fonts = env.fonts
        self.frames = [Frame(fmt.width, fmt.height)]
        self.origins = [(0.0, 0.0)]  # each frame's top-left on the canvas
        self.placements: list[Placement] = []  # every element drawn, for editors
        self.selections: list[Selection] = []  # what each object chose, and why
        self.instances: list[str] = []  # the component instances being expanded
        self.slot: Box | None = None  # the region the last `place … in slot()` filled
        self.instance_box: Box | None = None  # the box the last instance was drawn in
        self.known = known or Known()
        self.boxes: dict[str, Box] = {}
        self.extents: dict[str, Box] = {}  # laid-out text blocks, by element name
        self.texts: list[Box] = []  # every laid-out text block
        self.unresolved_names = False
        # what this pass took from the previous one for names it had not laid out yet
        self.consulted: dict[tuple[str, str], Any] = {}
        self.solved = solved or {}  # boxes the layout solver moved, by element name
        self.laid_out: dict[str, tuple[str, Flow | None]] = {}  # top-level boxes: kind, flow
        self.bleeding: set[str] = set()  # elements that declare `bleed`
        # Elements left out for this product or format, with what they would flow after:
        # copy that flows after one of them flows after that instead.
        self.dropped: dict[str, str | None] = dict(self.known.dropped)
        self.copy_used: set[str] = set()  # facts the creative's captions have stated
        self.notes: list[str] = []  # what binding decided on its own, for reports
        self.ids: dict[str, int] = {}
        # each material's position in the first object source it was listed in (`index`)
        self.indices: dict[Material, int] = {}
        self.loop_suffix: list[int] = []
        self.count = 0
        self.steps = 0   # loop bodies run so far (nested loops multiply)
        self.text_count = 0
        self.memo = memo or PassMemo()

    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    # ---- entry -----------------------------------------------------------------------
    def run(self) -> Scene:
        f = self.format
        root = Scope({"product": self.product, "brand": self.product.get("brand") or {},
                      "format": {"name": f.name, "width": f.width, "height": f.height,
                                 "aspect": f.width / f.height},
                      "seed": self.seed})
        for obj in self.template.objects.values():
            root.values[obj.name] = self.select(obj, root)
        self.root = root
        items = self.statements(self.template.body, root.child())
        return Scene(f.width, f.height, tuple(items), self.template.title,
                     notes=tuple(self.notes))

    # ---- perception and selection ----------------------------------------------------
    def perceive(self, material: Material, path: str, span: ast.Span) -> Any:
        record = header_record(material, self.indices.get(material, 0))
        if path in record:
            return record[path]
        attr = schema.lookup(path)
        if attr is None:
            self.ev.fail("bind.attribute", f"unknown perception attribute `{path}`", span)
        try:
            perceived = self.entry(material).record
        except (ModelError, MaterialError, LibraryError) as err:
            self.ev.fail("bind.perception",
                         f"perception attribute `{path}` needs the `{attr.provider}` perceiver: "
                         f"{err}", span)
        if path not in perceived:
            self.ev.fail("bind.perception", f"perception attribute `{path}` is not in the "
                         f"record of {Path(material.path).name}", span)
        return perceived[path]

    def entry(self, material: Material) -> Entry:
        """The material's library entry (perceived now when the library lacks it)."""
        hit = self.memo.entries.get(material)
        if hit is None:
            hit = self.memo.entries[material] = self.env.library.perceive(material)
        return hit

    def select(self, obj: AbstractObject, scope: Scope) -> Any:
        source = self.ev.eval(obj.source, scope)
        if isinstance(source, Missing):
            if obj.optional:
                return [] if obj.count else None
            self.ev.missing(source, obj.source.span, f"the source of object `{obj.name}`")
        items = source if isinstance(source, list | tuple) else [source]
        materials: list[Material] = []
        position: dict[Material, int] = {}  # `index`: 0 for the feed's main (first) image
        for i, item in enumerate(items):
            if item not in (None, ""):
                m = self.material(item, obj.source.span)
                materials.append(m)
                position.setdefault(m, i)
                self.indices.setdefault(m, i)

        verdicts: dict[Material, str] = {}  # why each was left out ("" when accepted)
        ranks: dict[Material, list[Any]] = {}

        def accepts(m: Material) -> tuple[bool, str]:
            if obj.where is None:
                return True, ""
            record = {**header_record(m, position[m]), "__material__": m}
            for cond in _conjuncts(obj.where):
                if not truthy(self.ev.eval(cond, scope, record)):
                    verdicts[m] = f"`{_source_text(self.template, cond)}` is false"
                    return False, verdicts[m]
            return True, ""

        def keys(m: Material) -> list[Any]:
            record = {**header_record(m, position[m]), "__material__": m}
            ranks[m] = [self.ev.eval(k.expr, scope, record) for k in obj.prefer]
            return ranks[m]

        try:
            chosen = select(obj, materials, accepts, keys)
            picked = chosen if isinstance(chosen, list) else [chosen]
            self.selections.append(Selection(
                obj.name, _source_text(self.template, obj.where) if obj.where else "",
                tuple(_source_text(self.template, k.expr) for k in obj.prefer),
                tuple(m.path for m in picked if isinstance(m, Material)),
                tuple(Candidate(m.path, verdicts.get(m, ""),
                                tuple(to_text(v) if not isinstance(v, Missing) else "missing"
                                      for v in ranks.get(m, ())))
                      for m in materials)))
            return chosen
        except NoCandidate as err:
            if err.total == 0:
                self.ev.fail("bind.no-material", f'object `{obj.name}`: product "{self.product_id}" '
                             f"has no images in `{_source_text(self.template, obj.source)}`",
                             obj.span, "make the object optional (`object name? = ...`) to allow this")
            reasons = "; ".join(f"{Path(r.material.path).name}: {r.reason}" for r in err.rejections)
            self.ev.fail("bind.no-material", f'object `{obj.name}`: no image of product '
                         f'"{self.product_id}" qualifies ({reasons})', obj.span,
                         "relax the `where` conditions or make the object optional")
        return None

    def material(self, item: Any, span: ast.Span) -> Material:
        if isinstance(item, Material):
            return item
        path = item.get("src") if isinstance(item, dict) else item
        if not isinstance(path, str):
            self.ev.fail("bind.type", f'product "{self.product_id}": an image must be a file path, '
                         f"got {describe(item)}", span)
        hit = self.memo.materials.get(path)
        if hit is not None:
            return hit
        try:
            hit = self.memo.materials[path] = load_material(
                self.base_dir / path, self.env.readable_roots(self.base_dir), shown=path)
            return hit
        except MaterialError as err:
            self.ev.fail("bind.material", f'product "{self.product_id}": {err}', span)
        raise AssertionError("unreachable")

    def is_logo(self, material: Material) -> bool:
        """Whether a material is one of the product's brand logos (by file, however the
        template reached it: an object over `brand.logos` or the path itself)."""
        brand = self.product.get("brand")
        logos = brand.get("logos") if isinstance(brand, dict) else None
        if not isinstance(logos, list) or not logos:
            return False
        drawn = Path(material.path).resolve()
        return any(isinstance(p, str) and (self.base_dir / p).resolve() == drawn
                   for p in logos)

    # ---- statements --------------------------------------------------------------------
    def statements(self, stmts: Iterable[Any], scope: Scope) -> list[SceneItem]:
        out: list[SceneItem] = []
        for stmt in stmts:
            if isinstance(stmt, ast.LetDecl):
                scope.values[stmt.name] = self.ev.eval(stmt.value, scope)
            elif isinstance(stmt, ast.Element):
                out.extend(self.element(stmt, scope))
            elif isinstance(stmt, ast.ForStmt):
                out.extend(self.loop(stmt, scope))
            elif isinstance(stmt, ast.WhenStmt):
                out.extend(self.when(stmt, scope))
            elif isinstance(stmt, ast.RawSvg):
                self.add_elements(drawn_count(stmt.markup), stmt.span)  # a loop repeats all it draws
                out.append(RawNode(stmt.markup))
        return out

    def add_elements(self, drawn: int, span: ast.Span) -> None:
        """Count `drawn` more elements in the creative, refused past the environment's limit."""
        self.count += drawn
        if self.count > self.limits.elements:
            self.ev.fail("bind.size", f"more than {self.limits.elements} elements", span)

    def loop(self, node: ast.ForStmt, scope: Scope) -> list[SceneItem]:
        items = self.ev.require(self.ev.eval(node.iterable, scope), node.iterable.span,
                                "the list of a `for` loop")
        if isinstance(items, dict) or not isinstance(items, list | tuple):
            self.ev.fail("bind.type", f"cannot loop over {describe(items)}", node.iterable.span)
        if len(items) > self.limits.loop_items:
            self.ev.fail("bind.loop", f"loop over {len(items)} items; the limit is {self.limits.loop_items}",
                         node.iterable.span, "slice the list: `items[0:10]`")
        out: list[SceneItem] = []
        for i, item in enumerate(items):
            self.steps += 1
            if self.steps > self.limits.loop_steps:
                self.ev.fail("bind.loop", f"loops ran their bodies more than {self.limits.loop_steps} "
                             "times in all", node.span, "loops inside loops multiply: "
                             "slice the lists")
            values = {node.var: item}
            if node.index_var:
                values[node.index_var] = i
            self.loop_suffix.append(i + 1)
            try:
                out.extend(self.statements(node.body.children, scope.child(values)))
            finally:
                self.loop_suffix.pop()
        return out

    def when(self, node: ast.WhenStmt, scope: Scope) -> list[SceneItem]:
        if truthy(self.ev.eval(node.cond, scope)):
            return self.statements(node.body.children, scope.child())
        if isinstance(node.orelse, ast.WhenStmt):
            return self.when(node.orelse, scope)
        if node.orelse is not None:
            return self.statements(node.orelse.children, scope.child())
        return []

    def element(self, node: ast.Element, scope: Scope) -> list[SceneItem]:
        if node.when is not None and not truthy(self.ev.eval(node.when, scope)):
            return self.drop(node)
        if self.beside_dropped(node):
            return self.drop(node)
        self.add_elements(1, node.span)
        node, overrides = apply_overrides(node, lambda cond: truthy(self.ev.eval(cond, scope)))
        first = len(self.placements)
        self.slot = self.instance_box = None
        items = self.drawn(node, scope)
        placed = self.placement(node, items, overrides)
        if placed is not None:
            self.placements.insert(first, placed)  # before the parts of an instance
        return items

    def drawn(self, node: ast.Element, scope: Scope) -> list[SceneItem]:
        """The scene items of one element, its overrides applied."""
        if node.kind == "text":
            self.text_count += 1
            if self.text_count > self.limits.texts:
                self.ev.fail("bind.size", f"more than {self.limits.texts} texts", node.span,
                             "each text is shaped and fitted to its box")
        component = self.template.components.get(node.kind)
        if component is not None:
            return self.bled(node, self.instance(node, component, scope))
        if node.kind == "image":
            return self.bled(node, self.image(node, scope))
        if node.kind == "text":
            return self.bled(node, self.text(node, scope))
        return self.bled(node, [self.plain(node, scope)])

    def bled(self, node: ast.Element, items: list[SceneItem]) -> list[SceneItem]:
        """The element's items carrying the canvas edges its `bleed` declares (the layout
        checks allow those edges; the layout solver leaves such an element where it is)."""
        prop = next((p for p in node.body.properties if p.name == "bleed"), None)
        if prop is None:
            return items
        words = prop.value.items if isinstance(prop.value, ast.ValueList) else (prop.value,)
        named: set[str] = set()
        for word in words:
            if not isinstance(word, ast.Name) or word.id not in BLEED_WORDS:
                shown = word.id if isinstance(word, ast.Name) else _source_text(self.template, word)
                self.ev.fail("bind.bleed", bleed_problem(shown), word.span, BLEED_HINT)
            named |= set(BLEED_EDGES) if word.id == "all" else {word.id}
        edges = tuple(e for e in BLEED_EDGES if e in named)
        if node.name:
            self.bleeding.add(node.name)
        return [replace(item, bleed=edges) if isinstance(item, Node | ImageNode | TextNode)
                else item for item in items]

    def placement(self, node: ast.Element, items: list[SceneItem],
                  overrides: dict[str, ast.WhenStmt]) -> Placement | None:
        """Where `node` was drawn and how its position is written (None when it drew
        nothing, or nothing with a box)."""
        if node.kind in VERBATIM_KINDS or node.kind.startswith("fe"):
            return None  # paint servers and filters are used, not drawn
        item = items[0] if len(items) == 1 else None
        component = node.kind in self.template.components
        box: Box | None = None
        if isinstance(item, ImageNode | TextNode):
            box = item.box
        elif component:
            box = self.instance_box
        elif isinstance(item, Node):
            box = self.declared_box(item.attrs) or _ellipse_box(item.attrs) or (
                self.boxes.get(node.name) if node.name else None)
        if box is None:
            return None
        form, value = position_form(node)
        slot = None
        if node.kind == "image":
            place = next((op for op in node.pipeline if op.name == "place"), None)
            region = slot_value(place) if place is not None else None
            if region is not None and self.slot is not None:
                form = "slot" if is_length_quad(region) else "computed"
                value, slot = region.span, self.shifted(self.slot)
        words = _flow_words(node)
        flow = " ".join(w.id for w in words[:2] if isinstance(w, ast.Name)) or None
        top_level = len(self.frames) == 1 and not self.loop_suffix
        when = overrides.get("box") if form in ("box", "anchored", "computed") else None
        material = item.material.path if isinstance(item, ImageNode) else None
        return Placement(node.span, node.kind, node.name, self.shifted(box),
                         self.shifted(Box(0, 0, self.frame.width, self.frame.height)), form,
                         value, when.span if when is not None else None, flow,
                         top_level and bool(node.name) and node.name in self.solved,
                         self.instances[-1] if self.instances else None, slot, material)

    def shifted(self, box: Box) -> Box:
        """A box of the current frame on the canvas."""
        ox, oy = self.origins[-1]
        return Box(box.x + ox, box.y + oy, box.width, box.height)

    # ---- concrete elements -----------------------------------------------------------
    def plain(self, node: ast.Element, scope: Scope) -> Node:
        verbatim = node.kind in VERBATIM_KINDS or node.kind.startswith("fe")
        attrs = self.id_attr(node) + self.attributes(node, scope, verbatim=verbatim)
        text = None
        if node.value is not None:
            text = to_text(self.ev.require(self.ev.eval(node.value, scope), node.value.span))
        if node.kind == "rect":
            attrs = rounded_rect(attrs)
        box = self.declared_box(attrs)
        grouped = box is None and bool(node.name) and bool(node.body.children)
        known = dict(self.boxes) if grouped else {}
        children = tuple(self.statements(node.body.children, scope.child()))
        if grouped:
            # a group is where its named parts are: what `avoid badge` keeps clear of
            box = Box.around(b for k, b in self.boxes.items() if known.get(k) is not b)
        if node.name and box is not None:
            self.boxes[node.name] = box
        return Node(ELEMENT_TAGS[node.kind], attrs, children, text, node.name)

    def id_attr(self, node: ast.Element) -> tuple[tuple[str, str], ...]:
        if not node.name:
            return ()
        base = node.name + "".join(f"-{i}" for i in self.loop_suffix)
        n = self.ids.get(base, 0) + 1
        self.ids[base] = n
        return (("id", base if n == 1 else f"{base}-{n}"),)

    def attributes(self, node: ast.Element, scope: Scope, *, verbatim: bool = False,
                   skip: frozenset[str] = frozenset()) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        for prop in node.body.properties:
            if prop.name in skip:
                continue
            if prop.name == "box":
                box = self.element_box(node, scope) or self.box_of(prop, scope)
                if node.kind == "circle":
                    r = min(box.width, box.height) / 2
                    out += [("cx", _n(box.x + box.width / 2)), ("cy", _n(box.y + box.height / 2)),
                            ("r", _n(r))]
                elif node.kind == "ellipse":
                    out += [("cx", _n(box.x + box.width / 2)), ("cy", _n(box.y + box.height / 2)),
                            ("rx", _n(box.width / 2)), ("ry", _n(box.height / 2))]
                else:
                    out += [("x", _n(box.x)), ("y", _n(box.y)), ("width", _n(box.width)),
                            ("height", _n(box.height))]
                continue
            if prop.name in DDM_PROPERTIES:
                continue
            value = self.ev.eval(prop.value, scope)
            text = self.attr_text(prop, value, verbatim)
            if text is not None:
                out.append((prop.name, text))
        return tuple(out)

    def attr_text(self, prop: ast.Property, value: Any, verbatim: bool) -> str | None:
        value = self.ev.require(value, prop.value.span, f"property `{prop.name}`")
        if value is None:
            # `fill: none` is SVG's keyword, not an absent value (which would let the
            # attribute default to black); other expressions that give nothing omit it.
            return "none" if isinstance(prop.value, ast.NoneLit) else None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return format_number(float(value))
        if isinstance(value, Length | LengthSum):
            if verbatim and isinstance(value, Length):
                return str(value)
            return _n(to_px(value, axis_of(prop.name), self.frame))
        if isinstance(value, Color):
            return value.hex()
        if isinstance(value, str):
            return value
        if isinstance(value, list | tuple):
            parts = [self.attr_text(prop, v, verbatim) for v in value]
            return " ".join(p for p in parts if p is not None)
        self.ev.fail("bind.attribute-value", f"property `{prop.name}` cannot be "
                     f"{describe(value)}", prop.value.span)
        return None

    def box_of(self, prop: ast.Property, scope: Scope) -> Box:
        value = self.ev.require(self.ev.eval(prop.value, scope), prop.value.span, "box")
        try:
            return resolve_box(value, self.frame)
        except LayoutError as err:
            self.ev.fail("bind.box", str(err), prop.value.span)
        raise AssertionError("unreachable")

    def element_box(self, node: ast.Element, scope: Scope) -> Box | None:
        """The box an element declares with `box` or x/y/width/height (or the one the
        layout solver gave it), or None; `flow` then moves it next to another element."""
        box = self.declared_element_box(node, scope)
        if box is None:
            return None
        top_level = bool(node.name) and len(self.frames) == 1 and not self.loop_suffix
        if top_level and node.name in self.solved:
            box = self.solved[node.name]
        words = _flow_words(node)
        flow = self.flow_spec(words, scope) if words else None
        if flow is not None:
            found = self.flow_reference(flow.ref)
            if found is not None and found[0] != flow.ref:
                flow = replace(flow, ref=found[0])  # after what a left-out element follows
        if top_level and node.name:
            self.laid_out[node.name] = (node.kind, flow)
        return box if flow is None else self.flowed(box, flow)

    def flow_spec(self, items: tuple[Any, ...], scope: Scope) -> Flow:
        """`flow: below|above|after|before NAME [gap LENGTH] [align start|center|end]`."""
        direction, name = (i.id if isinstance(i, ast.Name) else "" for i in items[:2])
        axis = "h" if direction in ("below", "above") else "w"
        gap, align = 0.0, None
        for keyword, value in zip(items[2::2], items[3::2], strict=True):
            if isinstance(keyword, ast.Name) and keyword.id == "gap":
                gap = self.length_px(self.ev.require(self.ev.eval(value, scope), value.span),
                                     axis, value.span)
            elif isinstance(value, ast.Name):
                align = value.id
        return Flow(direction, name, gap, align)

    def beside_dropped(self, node: ast.Element) -> bool:
        """The element sits beside (`flow: before|after NAME`) an element left out for this
        product: a bullet before a selling point, a struck list price after the price. It
        belongs to that line, so it goes with it rather than sliding next to whatever the
        line would have followed (what stacks `below`/`above` does follow the chain)."""
        words = _flow_words(node)
        if len(words) < 2 or not all(isinstance(w, ast.Name) for w in words[:2]):
            return False
        return words[0].id in ("before", "after") and words[1].id in self.dropped

    def drop(self, node: ast.Element) -> list[SceneItem]:
        """Leave an element out, remembering what it would have flowed after."""
        if node.name:
            words = _flow_words(node)
            ref = words[1] if len(words) > 1 else None
            self.dropped[node.name] = ref.id if isinstance(ref, ast.Name) else None
        return []

    def flow_reference(self, name: str) -> tuple[str, Box] | None:
        """The element a flow after `name` starts from, with its laid-out box: `name`
        itself, or, when it was left out, the one it would have flowed after (and so on
        down the chain); None when there is none (yet)."""
        seen: set[str] = set()
        current: str | None = name
        while current is not None and current not in seen:
            seen.add(current)
            ref = self.extents.get(current) or self.boxes.get(current)
            if ref is None:
                ref = self.known.extents.get(current) or self.known.boxes.get(current)
                if ref is not None:
                    self.consulted[("flow", current)] = ref
            if ref is not None:
                return current, ref
            if current not in self.dropped:
                self.unresolved_names = True  # laid out later: the second pass has it
                return None
            current = self.dropped[current]
        return None

    def flowed(self, box: Box, flow: Flow) -> Box:
        """The box keeps its size and moves to sit `gap` away from the reference's laid-out
        box (a text's lines, not its declared box); `align` also lines it up with the
        reference across the flow (left edges, centres or right edges below/above; tops,
        middles or bottoms after/before), else it keeps its own coordinate there. A name
        laid out later resolves in the second pass, as `avoid` does."""
        found = self.flow_reference(flow.ref)
        if found is None:
            return box
        ref = found[1]
        x, y, gap = box.x, box.y, flow.gap
        if flow.direction == "below":
            y = ref.bottom + gap
        elif flow.direction == "above":
            y = ref.y - gap - box.height
        elif flow.direction == "after":
            x = ref.right + gap
        else:
            x = ref.x - gap - box.width
        if flow.align is not None:
            fraction = {"start": 0.0, "center": 0.5, "end": 1.0}[flow.align]
            if flow.direction in ("below", "above"):
                x = ref.x + (ref.width - box.width) * fraction
            else:
                y = ref.y + (ref.height - box.height) * fraction
        return Box(x, y, box.width, box.height)

    def text_regions(self) -> list[Box]:
        """The lines of every text: those laid out so far, or, once a first pass has laid
        out the creative, all of them. What `avoid text` keeps an image clear of."""
        if not self.known.texts:
            self.unresolved_names = True  # texts after the image: the second pass has them
            return list(self.texts)
        self.consulted[("texts", "")] = self.known.texts
        return list(self.known.texts)

    def handoff(self) -> Known:
        """What this pass laid out, for the next one."""
        return Known(dict(self.boxes), dict(self.extents), tuple(self.texts), dict(self.dropped))

    def settled(self, mine: Known) -> bool:
        """Whether another pass would bind the same, given what this pass laid out (`mine`,
        its handoff): every name it used before laying it out got the box it then laid
        out, and where a name was not known at all, it learned nothing a next pass could
        use."""
        if self.unresolved_names:
            before = set(self.known.boxes) | set(self.known.extents) | set(self.known.dropped)
            after = set(mine.boxes) | set(mine.extents) | set(mine.dropped)
            if after - before or (mine.texts and not self.known.texts):
                return False
        own = {"box": lambda n: mine.boxes.get(n), "texts": lambda n: mine.texts,
               "flow": lambda n: mine.extents.get(n) or mine.boxes.get(n)}
        return all(own[kind](name) == value for (kind, name), value in self.consulted.items())

    def layout_items(self) -> list[Item]:
        """The top-level texts and shapes with boxes, as the layout solver sees them."""
        items = []
        for name, (kind, flow) in self.laid_out.items():
            box = self.boxes.get(name)
            if box is None or kind == "image" or name in self.bleeding:
                continue  # a declared bleed crosses the canvas edge on purpose
            items.append(Item(name, kind, box, self.extents.get(name, box), flow))
        return items

    def declared_element_box(self, node: ast.Element, scope: Scope) -> Box | None:
        props = {p.name: p for p in node.body.properties}
        if "box" in props:
            return self.box_of(props["box"], scope)
        if "width" in props and "height" in props:
            vals = {k: self.ev.require(self.ev.eval(props[k].value, scope), props[k].value.span)
                    if k in props else 0 for k in ("x", "y", "width", "height")}
            try:
                return Box(to_px(vals["x"], "w", self.frame), to_px(vals["y"], "h", self.frame),
                           to_px(vals["width"], "w", self.frame), to_px(vals["height"], "h", self.frame))
            except LayoutError as err:
                self.ev.fail("bind.box", str(err), node.span)
        return None

    @staticmethod
    def declared_box(attrs: tuple[tuple[str, str], ...]) -> Box | None:
        a = dict(attrs)
        try:
            if "width" in a and "height" in a:
                return Box(float(a.get("x", 0)), float(a.get("y", 0)), float(a["width"]),
                           float(a["height"]))
            if "r" in a:
                r = float(a["r"])
                return Box(float(a.get("cx", 0)) - r, float(a.get("cy", 0)) - r, 2 * r, 2 * r)
        except ValueError:
            return None
        return None

    # ---- images ----------------------------------------------------------------------
    def image(self, node: ast.Element, scope: Scope) -> list[SceneItem]:
        if node.value is not None:
            value = self.ev.eval(node.value, scope)
            if isinstance(value, Missing) and node.optional:
                return self.drop(node)
            value = self.ev.require(value, node.value.span, "image source")
        elif node.name is not None:
            _, value = scope.lookup(node.name)
        else:
            return [self.plain(node, scope)]  # an `href` image: plain SVG
        if value is None or value == []:
            return self.drop(node)
        material = self.material(value, (node.value or node).span)
        box = self.element_box(node, scope) or Box(0, 0, self.frame.width, self.frame.height)
        props = {p.name: p for p in node.body.properties}
        fit = self.word(props.get("fit"), scope, "contain")
        anchor = self.word(props.get("anchor"), scope, "center")
        crop, dest = place_op.fit_image(material.width, material.height, box, fit, anchor)
        attrs = self.id_attr(node) + self.attributes(
            node, scope, skip=frozenset({"box", "x", "y", "width", "height", "href",
                                         "preserveAspectRatio"}))
        image = ImageNode(material, dest, crop, False, attrs, node.name,
                          logo=self.is_logo(material))
        for op in node.pipeline:
            if op.when is not None and not truthy(self.ev.eval(op.when, scope)):
                continue
            image = self.operation(op, image, scope, box)
        if node.name:
            self.boxes[node.name] = image.box
        return [image]

    def word(self, prop: ast.Property | None, scope: Scope, default: str) -> str:
        if prop is None:
            return default
        value = self.ev.require(self.ev.eval(prop.value, scope), prop.value.span)
        return str(value)

    def operation(self, op: ast.Operation, image: ImageNode, scope: Scope,
                  box: Box | None = None) -> ImageNode:
        """Resolve one operation of an image's pipeline; `box` is the element's own box,
        the region `place` fills and `extend` grows to when no clause names one (not the
        box an earlier step letterboxed the image into)."""
        spec = OPERATIONS.get(op.name)
        if spec is None:  # a checked template has none; an IR built by other code might
            self.ev.fail("bind.operation", f"unknown operation `{op.name}`", op.span)
        kwargs: dict[str, Any] = {}
        for arg in op.args:
            aspec = spec.args.get(arg.name or "")
            if aspec is not None and aspec.type == "word" and isinstance(arg.value, ast.Name):
                kwargs[arg.name or ""] = arg.value.id
                continue
            value = self.ev.require(self.ev.eval(arg.value, scope), arg.value.span)
            if aspec is not None and aspec.type == "length":
                value = self.length_px(value, "w", arg.value.span)
            kwargs[arg.name or ""] = value
        if spec.needs:
            kwargs["context"] = self.op_context(image.material, op)
        for clause in op.clauses:
            cspec = spec.clauses[clause.keyword]
            key = "region" if clause.keyword == "in" else clause.keyword
            if cspec.type == "names":
                boxes = []
                for value in clause.values:
                    name = value.id if isinstance(value, ast.Name) else ""
                    if name == "text" and name not in self.laid_out:
                        boxes.extend(self.text_regions())  # every text of the creative
                        continue
                    found = self.boxes.get(name)
                    if found is None:
                        found = self.known.boxes.get(name)
                        if found is not None:
                            self.consulted[("box", name)] = found
                    if found is None:
                        self.unresolved_names = True
                    else:
                        boxes.append(found)
                kwargs[key] = tuple(boxes)
            elif cspec.type == "word":
                kwargs[key] = clause.values[0].id if isinstance(clause.values[0], ast.Name) else ""
            else:
                value = self.ev.require(self.ev.eval(clause.values[0], scope), clause.values[0].span)
                kwargs[key] = self.region_box(value, clause.values[0].span) if isinstance(
                    value, Region) else value
                if key == "region" and isinstance(kwargs[key], Box):
                    self.slot = kwargs[key]
        if box is not None and spec.default_box is not None and spec.default_box not in kwargs:
            kwargs[spec.default_box] = box
        try:
            return op_registry.resolver(op.name)(image, **kwargs)
        except (ValueError, LayoutError) as err:
            self.ev.fail("bind.operation", f"{op.name}: {err}", op.span)
        raise AssertionError("unreachable")

    def op_context(self, material: Material, op: ast.Operation) -> OpContext:
        """The perception an operation needs, from the material library."""
        try:
            entry = self.entry(material)
        except (ModelError, MaterialError, LibraryError) as err:
            self.ev.fail("bind.operation", f"{op.name}: {err}", op.span)
        return OpContext(entry.record, entry.mask_png,
                         Box(0, 0, self.frame.width, self.frame.height), self.env.generated)

    def length_px(self, value: Any, axis: str, span: ast.Span) -> float:
        try:
            return to_px(value, axis, self.frame)
        except LayoutError as err:
            self.ev.fail("bind.operation", str(err), span)
        raise AssertionError("unreachable")

    def region_box(self, region: Region, span: ast.Span) -> Box:
        try:
            return Box(to_px(region.x, "w", self.frame), to_px(region.y, "h", self.frame),
                       to_px(region.width, "w", self.frame), to_px(region.height, "h", self.frame))
        except LayoutError as err:
            self.ev.fail("bind.box", str(err), span)
        raise AssertionError("unreachable")

    # ---- text ------------------------------------------------------------------------
    def text(self, node: ast.Element, scope: Scope) -> list[SceneItem]:
        props = {p.name: p for p in node.body.properties}
        source = node.value if node.value is not None else (
            props["content"].value if "content" in props else None)
        if source is None:
            return [self.plain(node, scope)]  # text built from tspan children
        family, weight, italic = self.font(props.get("font"), scope)
        lo, hi = self.size_range(props.get("size"), scope)
        line_height = float(self.number(props.get("line-height"), scope, 1.2))
        max_lines = props.get("max-lines")
        max_n = int(self.number(max_lines, scope, 0)) or None
        align = self.word(props.get("align"), scope, "start")
        valign = self.word(props.get("valign"), scope, "top")
        box = self.element_box(node, scope)
        if isinstance(source, ast.Call) and source.func == "caption":
            written = self.caption(node, source, scope, box, (lo, hi), line_height, max_n)
            if written is None:
                return self.drop(node)
            content = written
        else:
            content = to_text(self.ev.require(self.ev.eval(source, scope), source.span, "text"))
        skip = frozenset({"x", "y", "width", "height", "font-size", "font-family", "font-weight",
                          "text-anchor"})
        attrs = self.id_attr(node) + self.attributes(node, scope, skip=skip)
        anchor = {"center": "middle", "middle": "middle", "end": "end", "right": "end"}.get(
            align, "start")
        if right_to_left(content) and align in ("start", "end"):
            anchor = "end" if anchor == "start" else "start"  # start is the right edge in RTL

        spacing = self.length_prop(props.get("letter-spacing"), scope, "d")
        mode = self.word(props.get("text-mode"), scope, "text")
        if mode not in TEXT_MODES:
            self.ev.fail("bind.text-mode", f"`text-mode` is one of {', '.join(TEXT_MODES)}, "
                         f"not `{mode}`", props["text-mode"].value.span)

        def measure(text: str, size: float) -> float:
            return self.fonts.measure(text, family, weight, italic, size, spacing)

        if box is None:  # a single line at x, y
            x = self.length_prop(props.get("x"), scope, "w")
            y = self.length_prop(props.get("y"), scope, "h")
            w = measure(content, hi)
            bx = x - (w / 2 if anchor == "middle" else w if anchor == "end" else 0)
            line = TextLine(content, x, y)
            self.texts.append(Box(bx, y - hi, w, hi * line_height))
            return [TextNode(Box(bx, y - hi, w, hi * line_height), (line,), family, weight, hi,
                             anchor, italic, attrs, node.name, mode, spacing, line_height,
                             content)]
        try:
            layout = fit_text(content, box.width, box.height, lo, hi, measure, max_n, line_height)
        except ValueError as err:
            self.ev.fail("bind.text-box", f"text `{node.name or content[:20]}` does not fit: {err}",
                         node.span, "give it a taller box or a smaller minimum size")
        ascent, descent, _ = self.fonts.metrics(family, weight, italic, layout.size)
        total = len(layout.lines) * layout.line_height
        top = box.y + {"middle": (box.height - total) / 2, "bottom": box.height - total}.get(valign, 0.0)
        lx = {"middle": box.x + box.width / 2, "end": box.right}.get(anchor, box.x)
        lines = tuple(
            TextLine(text, lx, top + i * layout.line_height
                     + (layout.line_height - ascent - descent) / 2 + ascent)
            for i, text in enumerate(layout.lines))
        block = Box(box.x, top, box.width, total)
        self.texts.append(block)
        if node.name:
            self.boxes[node.name] = box
            self.extents[node.name] = _inked(block, lines, anchor, measure, layout.size)
        return [TextNode(box, lines, family, weight, layout.size, anchor, italic, attrs, node.name,
                         mode, spacing, line_height, content)]

    def caption(self, node: ast.Element, call: ast.Call, scope: Scope, box: Box | None,
                sizes: tuple[float, float], line_height: float,
                max_lines: int | None) -> str | None:
        """The copy writer's text for this box, or None (with a note) when nothing the
        product's data says fits it: the element is then left out."""
        if box is None:
            self.ev.fail("bind.caption", "a caption needs a `box` to write for", call.span)
        args: dict[str, Any] = {}
        for arg in call.args:
            if isinstance(arg.value, ast.Name) and arg.name == "kind":
                args["kind"] = arg.value.id
            else:
                args[arg.name or ""] = self.ev.require(self.ev.eval(arg.value, scope),
                                                       arg.value.span, f"caption's {arg.name}")
        lines = int(args.get("max_lines") or max_lines or 2)
        lang = args.get("lang")
        request = (box, sizes, line_height, args.get("kind", "headline"),
                   min(lines, max_lines or lines), str(lang) if lang else None,
                   frozenset(self.copy_used))
        written = self.memo.captions.get(request)
        if written is None:
            written = self.memo.captions[request] = caption_op.resolve(
                self.product, request[0], sizes=request[1], line_height=request[2],
                kind=request[3], max_lines=request[4], lang=request[5], used=request[6],
                backend=self.env.copy_backend, seed=self.seed)
        self.copy_used |= written.facts
        if written.rejected:
            self.notes.append(f"caption {node.name or written.kind}: generated copy not used: "
                              + "; ".join(written.rejected))
        if not written.text:
            self.notes.append(f"caption {node.name or written.kind}: nothing in the product "
                              "data fits the box; left out")
            return None
        return written.text

    def font(self, prop: ast.Property | None, scope: Scope) -> tuple[str, int, bool]:
        family, weight, italic = "Inter", 400, False
        if prop is None:
            return family, weight, italic
        value = self.ev.require(self.ev.eval(prop.value, scope), prop.value.span, "font")
        items = value if isinstance(value, tuple | list) else (value,)
        named_family = False
        for item in items:
            if isinstance(item, int | float) and not isinstance(item, bool):
                weight = int(item)
            elif isinstance(item, str) and item.lower() == "italic":
                italic = True
            elif isinstance(item, str) and item.lower() in WEIGHT_WORDS and named_family:
                weight = WEIGHT_WORDS[item.lower()]
            elif isinstance(item, str) and not named_family:
                family, named_family = item, True
            else:
                self.ev.fail("bind.font", f"`font` cannot contain {describe(item)}",
                             prop.value.span, 'write `font: "Inter" 700 italic`')
        if not 1 <= weight <= 1000:
            self.ev.fail("bind.font", f"font weight {weight} is outside 1..1000", prop.value.span)
        return family, weight, italic

    def size_range(self, prop: ast.Property | None, scope: Scope) -> tuple[float, float]:
        if prop is None:
            return 16.0, 16.0
        value = self.ev.require(self.ev.eval(prop.value, scope), prop.value.span, "size")
        try:
            if isinstance(value, FitSize):
                lo, hi = to_px(value.min, "d", self.frame), to_px(value.max, "d", self.frame)
            else:
                lo = hi = to_px(value, "d", self.frame)
        except LayoutError as err:
            self.ev.fail("bind.size", str(err), prop.value.span)
        if lo <= 0:
            self.ev.fail("bind.size", f"font size {lo:g}px is not positive", prop.value.span)
        # fit(8px, 3vmin) in a tiny slot: the minimum is a legibility floor and wins.
        return lo, max(lo, hi)

    def number(self, prop: ast.Property | None, scope: Scope, default: float) -> float:
        if prop is None:
            return default
        value = self.ev.require(self.ev.eval(prop.value, scope), prop.value.span)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.ev.fail("bind.type", f"`{prop.name}` must be a number, got {describe(value)}",
                         prop.value.span)
        return float(value)

    def length_prop(self, prop: ast.Property | None, scope: Scope, axis: str) -> float:
        if prop is None:
            return 0.0
        value = self.ev.require(self.ev.eval(prop.value, scope), prop.value.span)
        try:
            return to_px(value, axis, self.frame)
        except LayoutError as err:
            self.ev.fail("bind.type", str(err), prop.value.span)
        raise AssertionError("unreachable")

    # ---- components --------------------------------------------------------------------
    def instance(self, node: ast.Element, comp: Component, scope: Scope) -> list[SceneItem]:
        props = {p.name: p for p in node.body.properties}
        values: dict[str, Any] = {}
        for param in comp.params:
            if param.name in props:
                values[param.name] = self.ev.eval(props[param.name].value, scope)
            elif param.default is not None:
                values[param.name] = self.ev.eval(param.default, self.root)
            else:  # the checker refuses this; an unchecked template must not bind the name
                self.ev.fail("bind.missing-param", f"component `{comp.name}` needs the "
                             f"parameter `{param.name}`", node.span,
                             f"write `{param.name}: ...` in the instance")
        params = frozenset(values) | frozenset({"box"})
        attrs = list(self.id_attr(node) + self.attributes(node, scope, skip=params))
        box = self.element_box(node, scope) if "box" in props else None  # flow applies too
        if box is not None:
            attrs.insert(0, ("transform", f"translate({_n(box.x)} {_n(box.y)})"))
            self.frames.append(Frame(box.width, box.height))
            ox, oy = self.origins[-1]
            self.origins.append((ox + box.x, oy + box.y))
        self.instances.append(node.name or node.kind)
        try:
            body_scope = self.root.child(values)
            children = tuple(self.statements(comp.body.children, body_scope))
        finally:
            self.instances.pop()
            if box is not None:
                self.frames.pop()
                self.origins.pop()
        if node.name and box is not None:
            self.boxes[node.name] = box
        self.instance_box = box
        return [Node("g", tuple(attrs), children, None, node.name)]


def _ellipse_box(attrs: tuple[tuple[str, str], ...]) -> Box | None:
    """The box an ellipse's cx, cy, rx and ry draw in (for the editor's map only)."""
    a = dict(attrs)
    try:
        rx, ry = float(a["rx"]), float(a["ry"])
        return Box(float(a.get("cx", 0)) - rx, float(a.get("cy", 0)) - ry, 2 * rx, 2 * ry)
    except (KeyError, ValueError):
        return None


def _flow_words(node: ast.Element) -> tuple[Any, ...]:
    """The value items of an element's `flow` property (none when it has no flow)."""
    prop = next((p for p in node.body.properties if p.name == "flow"), None)
    if prop is None:
        return ()
    return tuple(prop.value.items) if isinstance(prop.value, ast.ValueList) else (prop.value,)


def right_to_left(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strong character is Hebrew,
    Arabic or another RTL script (Unicode bidi rule P2)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _inked(block: Box, lines: tuple[TextLine, ...], anchor: str,
           measure: Any, size: float) -> Box:
    """What flows after a text: its lines, across as well as down. A price set in a wide
    box with its struck list price `flow: after` it must sit beside the digits, not after
    the box's empty end; the block's own width when no line has ink."""
    spans = []
    for line in lines:
        if line.text.strip():
            w = measure(line.text, size)
            spans.append((line.x - {"middle": w / 2, "end": w}.get(anchor, 0.0), w))
    if not spans:
        return block
    left = min(x for x, _ in spans)
    right = max(x + w for x, w in spans)
    return Box(left, block.y, right - left, block.height)


def rounded_rect(attrs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A DDM `rect` with one corner radius (`rx` or `ry` alone) rounds like CSS
    `border-radius`: the radius is clamped to half the shorter side and used for both axes,
    so `rx: 999` is a pill, never the ellipse SVG would draw (there the missing radius copies
    the given one and each is then clamped to half of its own side). Both radii given, or a
    size that is not plain pixels, keep SVG's own rules; raw SVG blocks never come here."""
    names = dict(attrs)
    if ("rx" in names) == ("ry" in names):
        return attrs
    given = "rx" if "rx" in names else "ry"
    try:
        radius = float(names[given])
        width, height = float(names["width"]), float(names["height"])
    except (KeyError, ValueError):
        return attrs
    if radius < 0 or width < 0 or height < 0:
        return attrs
    text = _n(min(radius, width / 2, height / 2))
    out: list[tuple[str, str]] = []
    for key, value in attrs:
        if key == given:
            out += [("rx", text), ("ry", text)]
        else:
            out.append((key, value))
    return tuple(out)


def _n(v: float) -> str:
    return format_number(v)


def _conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.Binary) and expr.op == "and":
        return _conjuncts(expr.left) + _conjuncts(expr.right)
    return [expr]


def _source_text(template: CheckedTemplate, node: ast.Expr) -> str:
    source = template.sources.get(node.span.file, template.source)
    return source[node.span.start:node.span.end] if source else "condition"


def bind(template: CheckedTemplate, product: dict[str, Any], format_name: str, *, base_dir: Path,
         seed: int = 0, environment: Environment | None = None) -> Scene:
    """The Scene for one product and format in `environment` (the default one when None)."""
    return bind_placed(template, product, format_name, base_dir=base_dir, seed=seed,
                       environment=environment)[0]


def bind_placed(template: CheckedTemplate, product: dict[str, Any], format_name: str, *,
                base_dir: Path, seed: int = 0, environment: Environment | None = None
                ) -> tuple[Scene, SourceMap]:
    """The Scene, bound until its layout settles (`settle`); then products that do not
    stand out from their field get a field that lets them, and text contrast is checked
    and fixed last, on the scene that is kept. With it, where each element was drawn
    (`Placement`, in painting order) and what each object chose (`Selection`)."""
    env = environment if environment is not None else default_environment()
    with using(env.models):
        scene, binder = settle(template, product, format_name, base_dir, seed, env)
        scene = ensure_separation(scene, perceived_subjects(binder.memo.entries))
        scene = ensure_contrast(scene, binder.fonts)  # once, on the scene that is kept
        return scene, SourceMap(tuple(binder.placements), tuple(binder.selections))


def settle(template: CheckedTemplate, product: dict[str, Any], format_name: str, base_dir: Path,
           seed: int, env: Environment) -> tuple[Scene, _Binder]:
    """Bind passes until the layout is a fixed point, at most `env.limits.passes` of them.

    A pass that used names before laying them out (`avoid`, `flow`, `avoid text`) is bound
    again with what it laid out until those names get the boxes it lays out (`settled`).
    The first settled layout whose copy breaks it (off the canvas, overlapping, a flow not
    kept) goes to the layout solver once; its boxes are bound again the same way, and if
    that fails the layout as declared is kept with a note saying why. A layout that has
    not settled within the limit keeps its last pass, with a note."""
    memo = PassMemo()
    known: Known | None = None
    solved: dict[str, Box] | None = None
    declared: tuple[Scene, _Binder, Solution] | None = None  # before the solver's boxes
    for _ in range(env.limits.passes):
        binder = _Binder(template, product, format_name, base_dir, seed, env, known, solved,
                         memo)
        try:
            scene = binder.run()
        except DiagnosticError as err:
            if declared is None:
                raise
            scene, binder, rejected = declared
            note = (f"layout: {rejected.violations_before} constraint(s) broken as declared; "
                    f"the solved layout (moving {', '.join(rejected.moved)}) was not kept: "
                    f"{err.diagnostics[0].message}")
            return replace(scene, notes=(*scene.notes, note)), binder
        handoff = binder.handoff()
        if not binder.settled(handoff):
            known = handoff
            continue
        if declared is not None:
            break
        solution = solve(binder.layout_items(), scene.width, scene.height)
        if solution is None:
            return scene, binder
        declared = (scene, binder, solution)
        known, solved = handoff, solution.boxes
    else:
        scene = replace(scene, notes=(*scene.notes, (
            f"layout: names used before they are laid out had not settled after "
            f"{env.limits.passes} passes; the last pass is kept")))
    if declared is not None:
        kept = declared[2]
        scene = replace(scene, notes=(*scene.notes, (
            f"layout: {kept.violations_before} constraint(s) broken as declared; "
            f"moved {', '.join(kept.moved)} ({kept.violations_after} left)")))
    return scene, binder
