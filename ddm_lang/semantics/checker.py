"""check: AST → Template IR, or every mistake in the template as a diagnostic.

The checker resolves names, infers the few static types that literals and declarations
reveal (product data stays dynamic and is checked per product at bind time), validates
units, function and operation signatures, perception attributes and raw SVG, and expands
imports. It reports all problems it finds, but avoids cascades: a name it could not resolve
becomes `any` so one typo gives one diagnostic.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ddm_lang.perception import schema
from ddm_lang.syntax import ast
from ddm_lang.syntax.bounds import MAX_COMPONENT_DEPTH, MAX_NESTING
from ddm_lang.syntax.diagnostics import Diagnostic, DiagnosticError, did_you_mean
from ddm_lang.syntax.parser import parse
from ddm_lang.values import UNITS

from . import operations
from .functions import FUNCTIONS, SIDES
from .ir import AbstractObject, CheckedTemplate, Component, Format
from .raw_svg import check_raw_svg
from .svg_vocab import ANCHORS, CONTAINERS, ELEMENT_TAGS, attribute_problem

OBJECT_KINDS = ("image",)
ROOT_NAMES = {"product": "any", "brand": "any", "format": "format", "seed": "number"}
FORMAT_FIELDS = {"name": "string", "width": "number", "height": "number", "aspect": "number"}
TEXT_ONLY = frozenset({"content", "font", "size", "max-lines", "align", "valign", "line-height",
                       "text-mode"})
IMAGE_ONLY = frozenset({"fit", "anchor"})
PARAM_TYPES = ("any", "number", "length", "color", "string", "bool", "list", "image")
MAX_IMPORT_DEPTH = 16
FLOW_DIRECTIONS = ("below", "above", "after", "before")
FLOW_ALIGN = ("start", "center", "end")


@dataclass
class _Scope:
    """Names visible at a point: kind (object/let/loop/param/root) and static type."""

    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    parent: _Scope | None = None

    def lookup(self, name: str) -> tuple[str, str] | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def all_names(self) -> Iterator[str]:
        scope: _Scope | None = self
        while scope is not None:
            yield from scope.names
            scope = scope.parent

    def child(self) -> _Scope:
        return _Scope(parent=self)


class _Checker:
    def __init__(self, module: ast.Module, root: Path | None, stack: tuple[str, ...] = (),
                 real: Path | None = None):
        self.module = module
        self.root = root
        # `module.path` is the file as the user named it (messages show it); `real` is
        # where it is, for resolving imports and finding cycles
        self.real = real or (Path(module.path).resolve() if module.path != "<template>"
                             else None)
        self.stack = (*stack, str(self.real or module.path))
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, str] = {module.path: module.source}
        self.objects: dict[str, AbstractObject] = {}
        self.components: dict[str, Component] = {}
        self.imported_lets: list[ast.LetDecl] = []
        self.element_names: set[str] = set()
        self.later_lets: dict[str, ast.LetDecl] = {}

    # ---- reporting ---------------------------------------------------------------
    def error(self, code: str, message: str, span: ast.Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint))

    # ---- entry -------------------------------------------------------------------
    def run(self, require_template: bool) -> CheckedTemplate:
        items = self.module.items
        header = self._header(items, require_template)
        formats = self._formats(items, require_template and header is not None)
        for item in items:
            if isinstance(item, ast.Import):
                self._import(item)
        for item in items:
            if isinstance(item, ast.ComponentDecl):
                self._declare_component(item)
        self._collect_element_names(items)
        self.later_lets = {i.name: i for i in items if isinstance(i, ast.LetDecl)}

        scope = _Scope({k: ("root", t) for k, t in ROOT_NAMES.items()})
        for let in self.imported_lets:
            scope.names[let.name] = ("let", "any")
        for item in items:
            if isinstance(item, ast.ObjectDecl):
                self._object(item, scope)
        self._check_component_cycles()
        for comp in self.components.values():
            if comp.span.file == self.module.path:
                self._component_body(comp, scope)
        body: list[ast.Stmt] = list(self.imported_lets)
        self._statements(
            [i for i in items if not isinstance(i, ast.TemplateDecl | ast.FormatsDecl | ast.Import
                                                   | ast.ObjectDecl | ast.ComponentDecl)],
            scope, parent_kind=None, out=body)
        return CheckedTemplate(
            name=header.name if header else Path(self.module.path).stem,
            title=header.title if header else None,
            formats=formats,
            objects=MappingProxyType(dict(self.objects)),
            components=MappingProxyType(dict(self.components)),
            body=tuple(body),
            path=self.module.path,
            source=self.module.source,
            sources=MappingProxyType(dict(self.sources)),
        )

    # ---- header and formats ------------------------------------------------------
    def _header(self, items: tuple, require: bool) -> ast.TemplateDecl | None:
        headers = [i for i in items if isinstance(i, ast.TemplateDecl)]
        for extra in headers[1:]:
            self.error("check.duplicate-template", "a file has one `template` header",
                       extra.span, f"the first is at line {headers[0].span.line}")
        needs = any(isinstance(i, ast.ObjectDecl | ast.Element | ast.FormatsDecl) for i in items)
        if require and not headers and needs:
            self.error("check.no-template", "missing `template NAME \"Title\"` header",
                       ast.Span(self.module.path, 1, 1, 1, 2, 0, 1),
                       "start the file with e.g. `template hero_left \"Product right\"`")
        return headers[0] if headers else None

    def _formats(self, items: tuple, require: bool) -> tuple[Format, ...]:
        decls = [i for i in items if isinstance(i, ast.FormatsDecl)]
        for extra in decls[1:]:
            self.error("check.duplicate-formats", "formats are declared once, in one list",
                       extra.span, f"add them to the list at line {decls[0].span.line}")
        if require and not decls:
            self.error("check.no-formats", "the template lists no formats",
                       ast.Span(self.module.path, 1, 1, 1, 2, 0, 1),
                       "add e.g. `formats feed 1080x1080, banner 1200x628`")
        out: list[Format] = []
        seen: dict[str, ast.FormatSpec] = {}
        for decl in decls[:1]:
            for spec in decl.formats:
                if spec.name in seen:
                    self.error("check.duplicate-format", f"format `{spec.name}` is listed twice",
                               spec.span)
                    continue
                seen[spec.name] = spec
                out.append(Format(spec.name, spec.width, spec.height))
        return tuple(out)

    # ---- imports -----------------------------------------------------------------
    def _import(self, node: ast.Import) -> None:
        base = self.real.parent if self.real is not None else Path.cwd()
        target = (base / node.path).resolve()
        shown = (os.path.normpath(os.path.join(os.path.dirname(self.module.path), node.path))
                 if self.real is not None else node.path)
        root = (self.root or base).resolve()
        if not target.is_relative_to(root):
            self.error("check.import-outside", f"import `{node.path}` leaves the template root",
                       node.span, "imports must stay inside the template root "
                       "(the folder given to --templates, or the template's own folder)")
            return
        if not target.is_file():
            # the place relative to the root: a service must not show its own folders
            self.error("check.import-missing", f"cannot find `{node.path}`", node.span,
                       f"looked for {target.relative_to(root).as_posix()} in the template root")
            return
        if str(target) in self.stack or len(self.stack) > MAX_IMPORT_DEPTH:
            self.error("check.import-cycle", f"import `{node.path}` forms a cycle", node.span,
                       " → ".join(Path(p).name for p in (*self.stack, str(target))))
            return
        try:
            source = target.read_text("utf-8")
            module = parse(source, shown)
            sub = _Checker(module, self.root or base, self.stack, real=target)
            tmpl = sub.run(require_template=False)
            self.diagnostics.extend(sub.diagnostics)
        except DiagnosticError as err:
            self.diagnostics.extend(err.diagnostics)
            self.sources.update(err.sources)
            return
        except (OSError, UnicodeDecodeError) as err:
            self.error("check.import-unreadable", f"cannot read `{node.path}`: {err}", node.span)
            return
        self.sources.update(sub.sources)
        lets = {s.name: s for s in tmpl.body if isinstance(s, ast.LetDecl)}
        available = {**{n: "component" for n in tmpl.components}, **{n: "let" for n in lets}}
        wanted = node.names if node.names is not None else tuple(available)
        for name in wanted:
            if name not in available:
                self.error("check.import-name", f"`{node.path}` has no component or let `{name}`",
                           node.span, did_you_mean(name, available))
            elif name in tmpl.components:
                self.components.setdefault(name, tmpl.components[name])
            else:
                self.imported_lets.append(lets[name])

    # ---- declarations ------------------------------------------------------------
    def _declare_component(self, node: ast.ComponentDecl) -> None:
        if node.name in self.components:
            self.error("check.duplicate-component", f"component `{node.name}` is defined twice",
                       node.span)
            return
        if node.name in ELEMENT_TAGS:
            self.error("check.component-name", f"`{node.name}` is an SVG element kind",
                       node.span, "give the component another name")
            return
        seen: set[str] = set()
        for p in node.params:
            if p.name in seen:
                self.error("check.duplicate-param", f"parameter `{p.name}` is listed twice", p.span)
            seen.add(p.name)
            if p.type is not None and p.type not in PARAM_TYPES:
                self.error("check.param-type", f"unknown parameter type `{p.type}`", p.span,
                           did_you_mean(p.type, PARAM_TYPES) or "types: " + ", ".join(PARAM_TYPES))
        self.components[node.name] = Component(node.name, node.params, node.body, node.span)

    def _collect_element_names(self, items: Iterable) -> None:
        for item in items:
            if isinstance(item, ast.Element):
                if item.name:
                    self.element_names.add(item.name)
                self._collect_element_names(item.body.children)
            elif isinstance(item, ast.ForStmt | ast.ComponentDecl):
                self._collect_element_names(item.body.children)
            elif isinstance(item, ast.WhenStmt):
                self._collect_element_names(item.body.children)
                if item.orelse is not None:
                    self._collect_element_names([item.orelse] if isinstance(item.orelse, ast.WhenStmt)
                                                else item.orelse.children)

    def _object(self, node: ast.ObjectDecl, scope: _Scope) -> None:
        if node.name in self.objects or node.name in ROOT_NAMES:
            self.error("check.duplicate-object", f"`{node.name}` is already defined", node.span)
            return
        if node.kind not in OBJECT_KINDS:
            self.error("check.object-kind", f"unknown object kind `{node.kind}`", node.span,
                       did_you_mean(node.kind, OBJECT_KINDS) or "objects are: image")
        self.expr(node.source, scope)
        if node.where is not None:
            self.expr(node.where, scope, perception=True)
        for key in node.prefer:
            self.expr(key.expr, scope, perception=True)
        self.objects[node.name] = AbstractObject(node.name, node.optional, node.count, node.kind,
                                                 node.source, node.where, node.prefer, node.span)
        scope.names[node.name] = ("object", "images" if node.count else "image")

    def _check_component_cycles(self) -> None:
        """Refuse components that use themselves, then chains of components deeper than
        `MAX_COMPONENT_DEPTH` and uses that nest blocks, counting those inside the used
        components, deeper than `MAX_NESTING`: the binder expands every use in place and
        recurses as deep as the expansion, as do the SVG writer and the rasteriser. Each
        component is visited once, without recursion, however long or wide the graph."""
        shapes = {c.name: _shape(c.body, self.components) for c in self.components.values()}
        graph = {name: sorted({u.kind for u in shape.uses}) for name, shape in shapes.items()}
        order = self._component_order(graph)
        if order is None:
            return
        height: dict[str, int] = {}    # components in the longest chain a component starts
        expanded: dict[str, int] = {}  # levels of blocks its body reaches once expanded
        for name in order:             # each after every component it uses
            uses = shapes[name].uses
            height[name] = 1 + max((height[u.kind] for u in uses), default=0)
            expanded[name] = max([shapes[name].deepest,
                                  *(u.level + expanded[u.kind] for u in uses)])
        top = [i for i in self.module.items if isinstance(i, ast.Stmt)]  # the template's body
        for user, uses in [*((n, shapes[n].uses) for n in order),
                           (None, _shape(ast.Block(tuple(top)), self.components).uses)]:
            for use in uses:
                self._use_depth(user, use, height[use.kind], use.level + expanded[use.kind],
                                expanded[use.kind])

    def _component_order(self, graph: dict[str, list[str]]) -> list[str] | None:
        """The components, each after all those it uses (an iterative depth-first search),
        or None after reporting every cycle the search meets."""
        state: dict[str, int] = {}  # 1 while on the path, 2 when done
        order: list[str] = []
        reported: set[frozenset[str]] = set()
        for root in sorted(graph):
            if root in state:
                continue
            path, pending = [root], [iter(graph[root])]
            state[root] = 1
            while pending:
                used = next(pending[-1], None)
                if used is None:
                    pending.pop()
                    state[path[-1]] = 2
                    order.append(path.pop())
                elif state.get(used) == 1:
                    self._recursion(path[path.index(used):], used, reported)
                elif used not in state:
                    state[used] = 1
                    path.append(used)
                    pending.append(iter(graph[used]))
        return None if reported else order

    def _recursion(self, cycle: list[str], used: str, reported: set[frozenset[str]]) -> None:
        if frozenset(cycle) in reported:
            return
        reported.add(frozenset(cycle))
        first = min((self.components[c] for c in cycle), key=lambda c: c.span.start)
        self.error("check.component-recursion", f"component `{first.name}` uses itself",
                   first.span, " → ".join((*cycle, used)) + "; components cannot recurse")

    def _use_depth(self, user: str | None, use: _Use, chain: int, levels: int,
                   inner: int) -> None:
        """Report the use of a component where a chain or the nesting first goes past its
        limit: the used component is within both limits, but the component using it
        (or the template's body) is not. A chain too long is reported where it passes
        its limit, not again where its levels later pass theirs."""
        if user is not None and chain == MAX_COMPONENT_DEPTH:
            message = (f"`{user}` uses `{use.kind}`, which uses components {chain} deep; "
                       f"components use one another at most {MAX_COMPONENT_DEPTH} deep")
            hint = "draw some of these components' elements directly"
        elif levels > MAX_NESTING >= inner and chain < MAX_COMPONENT_DEPTH:
            message = (f"`{use.kind}` here nests blocks {levels} levels deep, counting the "
                       f"blocks of the components it uses; the limit is {MAX_NESTING}")
            hint = "flatten the groups inside these components"
        else:
            return
        if not any(d.span == use.span and d.code == "check.component-depth"
                   for d in self.diagnostics):  # an imported file's checker may have
            self.error("check.component-depth", message, use.span, hint)

    def _component_body(self, comp: Component, scope: _Scope) -> None:
        inner = scope.child()
        for p in comp.params:
            if p.default is not None:
                self.expr(p.default, scope)
            inner.names[p.name] = ("param", p.type or "any")
        self._block_children(comp.body, inner, parent_kind="group")

    # ---- statements --------------------------------------------------------------
    def _statements(self, stmts: Iterable, scope: _Scope, parent_kind: str | None,
                    out: list | None = None) -> None:
        names_here: dict[str, ast.Span] = {}
        for stmt in stmts:
            if isinstance(stmt, ast.LetDecl):
                self.expr(stmt.value, scope)
                if stmt.name in scope.names and scope.names[stmt.name][0] == "let":
                    self.error("check.duplicate-let", f"`{stmt.name}` is already defined in this block",
                               stmt.span)
                elif stmt.name in ROOT_NAMES or stmt.name in self.objects:
                    self.error("check.shadow", f"`{stmt.name}` would hide a built-in or object name",
                               stmt.span, "choose another name")
                scope.names[stmt.name] = ("let", self.type_of(stmt.value, scope))
            elif isinstance(stmt, ast.Element):
                if stmt.name and stmt.name in names_here:
                    self.error("check.duplicate-name", f"element name `{stmt.name}` is used twice",
                               stmt.span, f"the first is at line {names_here[stmt.name].line}")
                elif stmt.name:
                    names_here[stmt.name] = stmt.span
                self._element(stmt, scope, parent_kind)
            elif isinstance(stmt, ast.ForStmt):
                self._for(stmt, scope, parent_kind)
            elif isinstance(stmt, ast.WhenStmt):
                self._when(stmt, scope, parent_kind)
            elif isinstance(stmt, ast.RawSvg):
                self._raw(stmt)
            elif isinstance(stmt, ast.Property):
                self.error("check.stray-property",
                           f"property `{stmt.name}` is not inside an element", stmt.span,
                           "properties belong in an element's `{ }`")
                continue
            if out is not None:
                out.append(stmt)

    def _block_children(self, block: ast.Block, scope: _Scope, parent_kind: str | None) -> None:
        self._statements(block.items, scope, parent_kind)

    def _for(self, node: ast.ForStmt, scope: _Scope, parent_kind: str | None) -> None:
        t = self.expr(node.iterable, scope)
        if t in ("number", "color", "bool", "length", "image", "region", "fit", "format"):
            self.error("check.not-iterable", f"cannot loop over {_a(t)}", _span_of(node.iterable),
                       "loop over a list, e.g. `product.selling_points` or `range(3)`")
        inner = scope.child()
        inner.names[node.var] = ("loop", "image" if t == "images" else "any")
        if node.index_var:
            inner.names[node.index_var] = ("loop", "number")
        self._block_children(node.body, inner, parent_kind)

    def _when(self, node: ast.WhenStmt, scope: _Scope, parent_kind: str | None) -> None:
        self.expr(node.cond, scope)
        self._block_children(node.body, scope.child(), parent_kind)
        if isinstance(node.orelse, ast.WhenStmt):
            self._when(node.orelse, scope, parent_kind)
        elif node.orelse is not None:
            self._block_children(node.orelse, scope.child(), parent_kind)

    def _raw(self, node: ast.RawSvg) -> None:
        problem = check_raw_svg(node.markup)
        if problem is None:
            return
        line = node.span.line + problem.line - 1
        span = node.span if problem.line == 1 else ast.Span(node.span.file, line, 1, line, 2)
        self.error("check.raw-svg", problem.message, span, problem.hint)

    def _element(self, node: ast.Element, scope: _Scope, parent_kind: str | None) -> None:
        kind = node.kind
        component = self.components.get(kind)
        if kind not in ELEMENT_TAGS and component is None:
            hint: str | None
            if node.value is not None and node.name is None and not node.pipeline:
                hint = f"to set a property write `{kind}: value;` (a colon, not `=`)"
            else:
                hint = did_you_mean(kind, [*ELEMENT_TAGS, *self.components])
            self.error("check.unknown-element", f"unknown element kind `{kind}`", node.span, hint)
            return
        if parent_kind is not None and parent_kind not in CONTAINERS and parent_kind not in self.components:
            self.error("check.not-container", f"`{parent_kind}` cannot contain elements",
                       node.span, "put both in a `group { }`")
        if node.when is not None:
            self.expr(node.when, scope)
        if kind == "image":
            self._image_source(node, scope)
        elif node.optional:
            self.error("check.optional", "only `image` elements can be optional (`?`)", node.span)
        if kind == "text" and isinstance(node.value, ast.Call) and node.value.func == "caption":
            self._caption(node.value, scope)
        elif node.value is not None and kind != "image":
            t = self.expr(node.value, scope)
            if kind == "text" and t in ("image", "images", "region", "fit", "format"):
                self.error("check.type", f"text content cannot be {_a(t)}", _span_of(node.value))
            elif kind not in ("text", "tspan", "title", "desc"):
                self.error("check.element-value", f"`{kind}` takes no `= value`",
                           _span_of(node.value), "only text and image elements have a value")
        self._properties(node, scope, component)
        self._pipeline(node, scope)
        inner = scope.child()
        self._block_children(ast.Block(node.body.children), inner, kind)

    def _image_source(self, node: ast.Element, scope: _Scope) -> None:
        if node.value is not None:
            t = self.expr(node.value, scope)
            if t not in ("image", "string", "any"):
                self.error("check.type", f"an image shows an object or a file path, not {_a(t)}",
                           _span_of(node.value))
            return
        if node.name is None:
            if not any(p.name == "href" for p in node.body.properties):
                self.error("check.image-source", "this image shows nothing", node.span,
                           "name an object (`image hero`), give a value (`image = hero`) or an href")
            return
        obj = self.objects.get(node.name)
        if obj is None:
            found = scope.lookup(node.name)
            if found is not None and found[1] in ("image", "any"):
                return
            self.error("check.unknown-object", f"no object named `{node.name}`", node.span,
                       did_you_mean(node.name, self.objects) or
                       f"declare it: `object {node.name} = image from product.images`")
            return
        if obj.optional and not node.optional:
            self.error("check.optional", f"object `{obj.name}` is optional: write `image {obj.name}?`",
                       node.span, f"it is declared optional at line {obj.span.line}")
        if obj.count and not node.optional:
            self.error("check.object-list", f"object `{obj.name}` holds up to {obj.count} images",
                       node.span, f"show one with `image = {obj.name}[0]` or loop over it")

    def _properties(self, node: ast.Element, scope: _Scope, component: Component | None) -> None:
        seen: dict[str, ast.Property] = {}
        params = {p.name: p for p in component.params} if component else {}
        for prop in node.body.properties:
            if prop.name in seen:
                self.error("check.duplicate-property", f"property `{prop.name}` is set twice",
                           prop.span, f"the first is at line {seen[prop.name].span.line}")
            seen[prop.name] = prop
            if prop.name == "flow":
                self._flow(prop, scope)
                continue
            t = self.expr(prop.value, scope)
            if component is not None and prop.name in params:
                continue
            problem = attribute_problem(prop.name)
            if problem:
                self.error("check.attribute", problem, prop.span)
                continue
            if prop.name in TEXT_ONLY and node.kind not in ("text",) and component is None:
                self.error("check.property-kind", f"`{prop.name}` applies to text elements only",
                           prop.span)
            if prop.name in IMAGE_ONLY and node.kind != "image" and component is None:
                self.error("check.property-kind", f"`{prop.name}` applies to image elements only",
                           prop.span)
            if prop.name in ("href", "xlink:href"):
                self._href(prop)
            if prop.name == "box":
                self._box(prop)
            if prop.name == "size" and t not in ("fit", "length", "number", "any"):
                self.error("check.type", f"a font size is a length or fit(min, max), not {_a(t)}",
                           _span_of(prop.value))
            if prop.name == "fit" and isinstance(prop.value, ast.Name) and prop.value.id not in (
                    "contain", "cover", "fill") and scope.lookup(prop.value.id) is None:
                self.error("check.word", f"unknown fit `{prop.value.id}`", _span_of(prop.value),
                           did_you_mean(prop.value.id, ("contain", "cover", "fill")))
        if component is not None:
            for p in component.params:
                if p.default is None and p.name not in seen:
                    self.error("check.missing-param",
                               f"component `{component.name}` needs `{p.name}`", node.span,
                               f"add `{p.name}: ...;` to the block")

    def _href(self, prop: ast.Property) -> None:
        v = prop.value
        if isinstance(v, ast.String):
            texts = [p for p in v.parts if isinstance(p, str)]
            if len(texts) != len(v.parts):
                return  # interpolated: not known until bound
            text = "".join(texts)
            if not text.startswith("#"):
                self.error("check.external-ref", f"`{text[:60]}` refers outside the document",
                           prop.span, "href may only name an element (`#id`); show files with `image`")

    def _flow(self, prop: ast.Property, scope: _Scope) -> None:
        """`flow: below|above|after|before NAME [gap LENGTH] [align start|center|end]`."""
        v = prop.value
        items = v.items if isinstance(v, ast.ValueList) else (v,)
        usage = "write `flow: below NAME`, `flow: after NAME gap 16px` or `... align center`"
        if len(items) not in (2, 4, 6) or not all(isinstance(i, ast.Name) for i in items[:2]):
            self.error("check.flow", "`flow` takes a direction and an element name, then "
                       "optionally `gap LENGTH` and `align start|center|end`", _span_of(v), usage)
            return
        direction, name = items[0], items[1]
        assert isinstance(direction, ast.Name) and isinstance(name, ast.Name)
        if direction.id not in FLOW_DIRECTIONS:
            self.error("check.word", f"`flow` cannot be `{direction.id}`", _span_of(direction),
                       did_you_mean(direction.id, FLOW_DIRECTIONS)
                       or "choices: " + ", ".join(FLOW_DIRECTIONS))
        if name.id not in self.element_names:
            self.error("check.unknown-element-name", f"no element named `{name.id}`",
                       _span_of(name), did_you_mean(name.id, self.element_names))
        seen: set[str] = set()
        for keyword, value in zip(items[2::2], items[3::2], strict=True):
            word = keyword.id if isinstance(keyword, ast.Name) else ""
            if word not in ("gap", "align") or word in seen:
                self.error("check.flow", "after the element name `flow` takes `gap LENGTH` "
                           "and `align start|center|end`, each once", _span_of(keyword), usage)
                return
            seen.add(word)
            if word == "gap":
                t = self.expr(value, scope)
                if t not in ("length", "number", "any"):
                    self.error("check.type", f"a flow gap is a length, not {_a(t)}",
                               _span_of(value))
            elif not isinstance(value, ast.Name) or value.id not in FLOW_ALIGN:
                shown = value.id if isinstance(value, ast.Name) else "this"
                self.error("check.word", f"`align` cannot be `{shown}`", _span_of(value),
                           did_you_mean(shown, FLOW_ALIGN) or "choices: " + ", ".join(FLOW_ALIGN))

    def _box(self, prop: ast.Property) -> None:
        v = prop.value
        items = v.items if isinstance(v, ast.ValueList) else (v,)
        first = items[0]
        if isinstance(first, ast.Name) and first.id in ANCHORS:
            words = [i.id for i in items if isinstance(i, ast.Name)]
            for w in words[1:]:
                if w not in ("margin", "size"):
                    self.error("check.box", f"unknown word `{w}` in an anchored box",
                               prop.span, "write `box: ANCHOR [margin L] size W [H]`")
                    return
            if "size" not in words:
                self.error("check.box", "an anchored box needs `size W [H]`", prop.span)
            return
        if isinstance(first, ast.Name) and len(items) > 1 and first.id not in ANCHORS and (
                isinstance(items[1], ast.Name)):
            self.error("check.box", f"unknown anchor `{first.id}`", _span_of(first),
                       did_you_mean(first.id, ANCHORS))
            return
        if len(items) != 4 and not (len(items) == 1 and isinstance(first, ast.Name)):
            self.error("check.box", f"`box` takes four lengths (x y width height), got {len(items)}",
                       prop.span, "or an anchored box: `box: top-left margin 4% size 12%`")

    def _pipeline(self, node: ast.Element, scope: _Scope) -> None:
        for op in node.pipeline:
            spec = operations.get(op.name)
            if spec is None:
                self.error("check.unknown-operation", f"unknown operation `{op.name}`", op.span,
                           did_you_mean(op.name, operations.names())
                           or "operations: " + ", ".join(operations.names()))
                continue
            if node.kind not in spec.applies_to:
                self.error("check.operation-kind",
                           f"`{op.name}` applies to {', '.join(sorted(spec.applies_to))} elements, "
                           f"not `{node.kind}`", op.span)
                continue
            for arg in op.args:
                if arg.name is None or arg.name not in spec.args:
                    self.error("check.operation-arg",
                               f"`{op.name}` has no argument `{arg.name or '(positional)'}`",
                               arg.span, did_you_mean(arg.name or "", spec.args))
                else:
                    self.expr(arg.value, scope)
            seen: set[str] = set()
            for clause in op.clauses:
                self._clause(op, spec, clause, scope, seen)
            if op.when is not None:
                self.expr(op.when, scope)

    def _clause(self, op: ast.Operation, spec: operations.OperationSpec, clause: ast.Clause,
                scope: _Scope, seen: set[str]) -> None:
        cspec = spec.clauses.get(clause.keyword)
        if cspec is None:
            accepted = ", ".join(f"`{k}`" for k in spec.clauses) or "none"
            self.error("check.clause", f"`{op.name}` takes no `{clause.keyword}` clause",
                       clause.span, f"it takes: {accepted}")
            return
        if clause.keyword in seen:
            self.error("check.clause", f"clause `{clause.keyword}` is given twice", clause.span)
        seen.add(clause.keyword)
        if cspec.type != "names" and len(clause.values) > 1:
            self.error("check.clause", f"`{clause.keyword}` takes one value", clause.span)
        for value in clause.values:
            if cspec.type == "word":
                if not isinstance(value, ast.Name) or value.id not in cspec.choices:
                    word = value.id if isinstance(value, ast.Name) else "this"
                    self.error("check.word", f"`{clause.keyword}` cannot be `{word}`",
                               _span_of(value), did_you_mean(word, cspec.choices)
                               or "choices: " + ", ".join(cspec.choices))
            elif cspec.type == "names":
                if not isinstance(value, ast.Name):
                    self.error("check.clause", f"`{clause.keyword}` takes element names",
                               _span_of(value))
                elif value.id not in self.element_names and value.id != "text":
                    self.error("check.unknown-element-name", f"no element named `{value.id}`",
                               _span_of(value), did_you_mean(value.id, self.element_names))
            else:
                t = self.expr(value, scope)
                if cspec.type == "region" and t not in ("region", "any"):
                    self.error("check.type", f"`{clause.keyword}` takes a region, not {_a(t)}",
                               _span_of(value), "e.g. `slot(right 55%)`")

    # ---- expressions -------------------------------------------------------------
    def expr(self, node: ast.Expr, scope: _Scope, perception: bool = False) -> str:
        """Check an expression and return its static type ('any' when dynamic)."""
        return self._expr(node, scope, perception)

    def type_of(self, node: ast.Expr, scope: _Scope) -> str:
        saved = self.diagnostics
        self.diagnostics = []
        try:
            return self._expr(node, scope, False)
        finally:
            self.diagnostics = saved

    def _expr(self, node: ast.Expr, scope: _Scope, perception: bool) -> str:
        if isinstance(node, ast.Number):
            if node.unit not in UNITS:
                self.error("check.unit", f"unknown unit `{node.unit}`", node.span,
                           did_you_mean(node.unit, [u for u in UNITS if u])
                           or "units: px % vw vh vmin vmax deg")
                return "any"
            return "number" if node.unit == "" else "length"
        if isinstance(node, ast.Color):
            return "color"
        if isinstance(node, ast.String):
            for part in node.parts:
                if not isinstance(part, str):
                    self._expr(part, scope, perception)
            return "string"
        if isinstance(node, ast.Bool):
            return "bool"
        if isinstance(node, ast.NoneLit):
            return "none"
        if isinstance(node, ast.ListLit):
            for item in node.items:
                self._expr(item, scope, perception)
            return "list"
        if isinstance(node, ast.ValueList):
            for item in node.items:
                self._expr(item, scope, perception)
            return "list"
        if isinstance(node, ast.Name | ast.Member):
            return self._path(node, scope, perception)
        if isinstance(node, ast.Index):
            base = self._expr(node.obj, scope, perception)
            self._expr(node.index, scope, perception)
            return "image" if base == "images" else "any"
        if isinstance(node, ast.Slice):
            base = self._expr(node.obj, scope, perception)
            for bound in (node.start, node.stop):
                if bound is not None:
                    self._expr(bound, scope, perception)
            return base if base in ("images", "list", "string") else "any"
        if isinstance(node, ast.Unary):
            t = self._expr(node.operand, scope, perception)
            if node.op == "not":
                return "bool"
            if t in ("string", "color", "bool", "list"):
                self.error("check.type", f"cannot negate {_a(t)}", node.span)
                return "any"
            return t
        if isinstance(node, ast.Binary):
            return self._binary(node, scope, perception)
        if isinstance(node, ast.Call):
            return self._call(node, scope, perception)
        raise TypeError(f"unexpected node {type(node).__name__}")  # a parser/checker mismatch

    def _binary(self, node: ast.Binary, scope: _Scope, perception: bool) -> str:
        lt = self._expr(node.left, scope, perception)
        rt = self._expr(node.right, scope, perception)
        if node.op in ("and", "or"):
            return "bool"
        if node.op in ("==", "!=", "in"):
            return "bool"
        known = {lt, rt} - {"any", "none"}
        if node.op in ("<", "<=", ">", ">="):
            if known & {"color", "bool", "list", "image", "images", "region"}:
                unordered = next(iter(known & {"color", "bool", "list", "image", "images", "region"}))
                self.error("check.type", f"cannot order {_a(unordered)} with `{node.op}`", node.span)
            elif len(known) == 2 and "string" in known:
                self.error("check.type", f"cannot compare {_a(lt)} with {_a(rt)}", node.span)
            return "bool"
        if node.op == "+" and "string" in known:
            return "string"
        bad = known & {"color", "bool", "list", "image", "images", "region", "string", "fit"}
        if bad:
            self.error("check.type", f"cannot use `{node.op}` on {_a(next(iter(sorted(bad))))}",
                       node.span)
            return "any"
        if "length" in known:
            return "length"
        return "number" if known == {"number"} else "any"

    def _caption(self, node: ast.Call, scope: _Scope) -> None:
        """`caption(kind: headline, max_lines: 2, lang: "zh")` as a text's value: its word
        arguments are names from the operation's list, the others expressions."""
        spec = operations.OPERATIONS["caption"]
        for arg in node.args:
            a = spec.args.get(arg.name or "")
            if a is None:
                self.error("check.operation-arg",
                           f"`caption` has no argument `{arg.name or '(positional)'}`",
                           arg.span, did_you_mean(arg.name or "", spec.args)
                           or "arguments: " + ", ".join(spec.args))
            elif a.type == "word":
                word = arg.value.id if isinstance(arg.value, ast.Name) else None
                if word not in a.choices:
                    self.error("check.operation-arg",
                               f"`caption`'s `{arg.name}` is one of {', '.join(a.choices)}",
                               arg.span, did_you_mean(word or "", a.choices))
            else:
                self.expr(arg.value, scope)

    def _call(self, node: ast.Call, scope: _Scope, perception: bool) -> str:
        spec = FUNCTIONS.get(node.func)
        if spec is None:
            if node.func == "caption":
                self.error("check.caption-place", "`caption` writes a text's value only",
                           node.span, "write `text NAME = caption(kind: headline) { box: ... }`")
                return "string"
            self.error("check.unknown-function", f"unknown function `{node.func}`", node.span,
                       did_you_mean(node.func, FUNCTIONS))
            for arg in node.args:
                self._expr(arg.value, scope, perception)
            return "any"
        positional = [a for a in node.args if a.name is None]
        named = {a.name: a for a in node.args if a.name is not None}
        params = {p.name: p for p in spec.params}
        for name, arg in named.items():
            if name not in params:
                self.error("check.argument", f"`{node.func}` has no parameter `{name}`", arg.span,
                           did_you_mean(name, params) or
                           "parameters: " + ", ".join(p.name for p in spec.params))
        if len(positional) > len(spec.params) and not spec.variadic:
            self.error("check.arity", f"`{node.func}` takes at most {len(spec.params)} "
                       f"argument{'s' if len(spec.params) != 1 else ''}, got {len(positional)}",
                       node.span, _signature(spec))
        required = [p for p in spec.params if p.required]
        given = len(positional) + sum(1 for n in named if n in params)
        missing = [p.name for p in required[len(positional):] if p.name not in named]
        if missing and given < len(spec.params) + 1:
            self.error("check.arity", f"`{node.func}` needs `{missing[0]}`", node.span,
                       _signature(spec))
        for i, arg in enumerate(node.args):
            t = self._expr(arg.value, scope, perception)
            pspec = params.get(arg.name) if arg.name else (
                spec.params[min(i, len(spec.params) - 1)] if spec.params else None)
            if pspec is not None and not _compatible(t, pspec.type):
                self.error("check.type", f"`{node.func}`'s `{pspec.name}` must be "
                           f"{_a(pspec.type)}, not {_a(t)}", _span_of(arg.value), _signature(spec))
        if node.func == "slot" and positional:
            self._slot_args(positional[0].value)
        return spec.returns

    def _slot_args(self, value: ast.Expr) -> None:
        items = value.items if isinstance(value, ast.ValueList) else (value,)
        first = items[0]
        if isinstance(first, ast.Name) and len(items) == 2 and first.id not in SIDES:
            self.error("check.word", f"unknown side `{first.id}`", _span_of(first),
                       did_you_mean(first.id, SIDES) or "sides: " + ", ".join(SIDES))

    def _path(self, node: ast.Name | ast.Member, scope: _Scope, perception: bool) -> str:
        parts = ast.dotted_name(node)
        if parts is None:  # a member of something that is not a plain name chain
            assert isinstance(node, ast.Member)
            base = self._expr(node.obj, scope, perception)
            if base == "image":
                return self._attribute(node, [node.attr], node.span)
            return "any"
        root, rest = parts[0], parts[1:]
        root_span = node.span if isinstance(node, ast.Name) else _root_span(node)
        if perception and scope.lookup(root) is None and root in schema.ROOTS:
            return self._attribute(node, parts, node.span)
        found = scope.lookup(root)
        if found is None:
            return self._unresolved(parts, root_span, node.span, scope, perception)
        _, typ = found
        if not rest:
            return typ
        if typ == "image":
            return self._attribute(node, rest, node.span)
        if typ == "format":
            if rest[0] not in FORMAT_FIELDS or len(rest) > 1:
                self.error("check.unknown-field", f"a format has no field `{'.'.join(rest)}`",
                           node.span, did_you_mean(rest[0], FORMAT_FIELDS))
                return "any"
            return FORMAT_FIELDS[rest[0]]
        if typ == "images":
            self.error("check.type", f"`{root}` is a list of images", node.span,
                       f"pick one: `{root}[0].{'.'.join(rest)}`")
            return "any"
        return "any"

    def _unresolved(self, parts: list[str], root_span: ast.Span, span: ast.Span, scope: _Scope,
                    perception: bool) -> str:
        """A name nothing defines: a bare word (`right`, `round`, `top-left`) is a keyword
        value, as in CSS, unless it looks like a misspelt name; a dotted path is an error."""
        root, rest = parts[0], parts[1:]
        later = self.later_lets.get(root)
        if later is not None and later.span.start > root_span.start:
            self.error("check.unknown-name", f"`{root}` is used before it is defined", root_span,
                       f"`{root}` is defined later, at line {later.span.line}")
            return "any"
        candidates = list(scope.all_names())
        if perception:
            full = ".".join(parts)
            hint = did_you_mean(full, schema.ATTRIBUTES) or did_you_mean(root, candidates)
            if rest or hint:
                self.error("check.unknown-name",
                           f"unknown {'perception attribute' if rest else 'name'} `{full}`", span,
                           hint or "perception attributes: " + ", ".join(sorted(schema.ROOTS)))
                return "any"
            return "string"
        # A bare word is only taken for a typo when it is very close to a template's own name.
        own = [n for n in candidates if n not in ROOT_NAMES]
        hint = did_you_mean(root, candidates) if rest else did_you_mean(root, own, cutoff=0.75)
        if rest or hint:
            self.error("check.unknown-name", f"unknown name `{root}`", root_span,
                       hint or "names here: " + ", ".join(sorted(set(candidates))))
            return "any"
        return "string"

    def _attribute(self, node: ast.Expr, parts: list[str], span: ast.Span) -> str:
        path = ".".join(parts)
        attr = schema.lookup(path)
        if attr is not None:
            return attr.type if attr.type in ("number", "bool", "string", "color", "list") else "any"
        if any(p.startswith(path + ".") for p in schema.ATTRIBUTES):
            self.error("check.attribute-group", f"`{path}` is a group of perception attributes",
                       span, "use one of: " + ", ".join(
                           f"{path}.{c}" for c in schema.children(path)))
            return "any"
        self.error("check.unknown-attribute", f"unknown perception attribute `{path}`", span,
                   did_you_mean(path, schema.ATTRIBUTES))
        return "any"


# ---- helpers ---------------------------------------------------------------------

def _root_span(node: ast.Expr) -> ast.Span:
    while isinstance(node, ast.Member):
        node = node.obj
    return _span_of(node)


def _span_of(node: ast.Expr) -> ast.Span:
    return node.span


def _a(t: str) -> str:
    words = {"number": "a number", "length": "a length", "color": "a colour", "string": "a string",
             "bool": "a boolean", "list": "a list", "image": "an image", "images": "a list of images",
             "region": "a region", "fit": "a fit(…) size", "format": "a format", "none": "none",
             "any": "a value", "value": "a value"}
    return words.get(t, t)


def _compatible(actual: str, expected: str) -> bool:
    if actual in ("any", "none") or expected in ("any", "value"):
        return True
    if expected == "number":
        return actual in ("number", "length")
    if expected == "length":
        return actual in ("number", "length")
    if expected == "list":
        return actual in ("list", "images", "string")
    return actual == expected


def _signature(spec) -> str:
    params = ", ".join(p.name + ("" if p.required else "?") for p in spec.params)
    return f"{spec.name}({params})"


@dataclass(frozen=True)
class _Use:
    """A component instance: its kind, where it is, and its level in the enclosing body
    (1 for an instance at the top of it, one more for each block around it)."""

    kind: str
    span: ast.Span
    level: int


@dataclass(frozen=True)
class _Shape:
    """What the depth checks need of a body: its component uses and its deepest level."""

    uses: tuple[_Use, ...]
    deepest: int


def _shape(block: ast.Block, components: dict[str, Component]) -> _Shape:
    """The component uses in `block` and how deep its blocks go, counting one level for
    each element, `for`, `when` and `else when`; walked with an explicit stack."""
    uses: list[_Use] = []
    deepest = 0
    stack: list[tuple[object, int]] = [(item, 1) for item in reversed(block.children)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, ast.Element):
            if item.kind in components:
                uses.append(_Use(item.kind, item.span, level))
            children = item.body.children
        elif isinstance(item, ast.ForStmt):
            children = item.body.children
        elif isinstance(item, ast.WhenStmt):
            children = item.body.children
            if isinstance(item.orelse, ast.WhenStmt):
                stack.append((item.orelse, level + 1))
            elif item.orelse is not None:
                children = (*children, *item.orelse.children)
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in reversed(children))
    return _Shape(tuple(uses), deepest)


def check(module: ast.Module, *, root: Path | None = None, require_template: bool = True) -> CheckedTemplate:
    """Check a parsed module; return its CheckedTemplate or raise DiagnosticError with every problem."""
    checker = _Checker(module, root)
    template = checker.run(require_template)
    if checker.diagnostics:
        diags = sorted(checker.diagnostics, key=lambda d: (d.span.file != module.path,
                                                           d.span.file, d.span.start))
        raise DiagnosticError(diags, sources=checker.sources)
    return template


def check_source(source: str, path: str = "<template>", *, root: Path | None = None) -> CheckedTemplate:
    """Parse and check source text in one step."""
    return check(parse(source, path), root=root)
