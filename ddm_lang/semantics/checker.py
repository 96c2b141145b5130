"""check: AST → Template IR, or every mistake in the template as a diagnostic.

The checker resolves names, infers the few static types that literals and declarations
reveal (product data stays dynamic and is checked per product at bind time), validates
units, function and operation signatures, perception attributes and raw SVG, and expands
imports. It reports all problems it finds, but avoids cascades: a name it could not resolve
becomes `any` so one typo gives one diagnostic.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ddm_lang.perception import schema
from ddm_lang.syntax import ast
from ddm_lang.syntax.bounds import MAX_COMPONENT_DEPTH, MAX_NESTING
from ddm_lang.syntax.diagnostics import Diagnostic, DiagnosticError, did_you_mean
from ddm_lang.syntax.parser import parse, when_read_as_guard
from ddm_lang.values import LENGTH_UNITS, UNITS

from . import operations
from .functions import FUNCTIONS, SIDES
from .ir import AbstractObject, CheckedTemplate, Component, Format
from .overrides import is_override, mixed_override, override_blocks, with_items
from .raw_svg import check_raw_svg
from .svg_vocab import (
    ANCHORS,
    BLEED_HINT,
    BLEED_WORDS,
    CONTAINERS,
    DDM_PROPERTIES,
    ELEMENT_TAGS,
    SVG_FUNCTIONS,
    attribute_problem,
    bleed_problem,
)

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
        # every name a `let`, loop or parameter declares anywhere in the file, for saying
        # why a name is not visible where it is used
        self.declared: dict[str, list[_Declared]] = {}
        # what is being checked: a component's body (or a default of its parameters), or
        # an object's source and conditions; None for the template's body
        self.component: Component | None = None
        self.in_default = False
        self.in_object = False

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
        self._collect_declared(items)

        # Objects and components see the built-in names and the objects; the template's
        # body sees its top-level `let`s (imported ones first) as well.
        scope = _Scope({k: ("root", t) for k, t in ROOT_NAMES.items()})
        self.in_object = True
        for item in items:
            if isinstance(item, ast.ObjectDecl):
                self._object(item, scope)
        self.in_object = False
        self._check_component_cycles()
        for comp in self.components.values():
            if comp.span.file == self.module.path:
                self._component_body(comp, scope)
        top = scope.child()
        for let in self.imported_lets:
            top.names[let.name] = ("let", "any")
        body: list[ast.Stmt] = list(self.imported_lets)
        self._statements(
            [i for i in items if not isinstance(i, ast.TemplateDecl | ast.FormatsDecl | ast.Import
                                                   | ast.ObjectDecl | ast.ComponentDecl)],
            top, parent_kind=None, out=body)
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
        self.component = comp
        try:
            for p in comp.params:
                if p.default is not None:
                    self.in_default = True
                    self.expr(p.default, scope)
                    self.in_default = False
                inner.names[p.name] = ("param", p.type or "any")
            self._block_children(comp.body, inner, parent_kind="group")
        finally:
            self.component, self.in_default = None, False

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
        children = []
        for child in node.body.children:
            if is_override(child):
                self._override(child, node, scope, component)
            elif mixed_override(child):
                self.error("check.override-mixed", "a `when` inside an element holds its "
                           "properties or its children, not both", child.span,
                           "put the properties in a `when` of their own")
            else:
                children.append(child)
        self._pipeline(node, scope)
        if self._when_read_as_guard(node, component):
            return
        inner = scope.child()
        self._block_children(ast.Block(tuple(children)), inner, kind)

    def _override(self, when: ast.WhenStmt, node: ast.Element, scope: _Scope,
                  component: Component | None) -> None:
        """Properties a `when` inside the element sets in place of its own: checked as
        the element's, each block on its own."""
        for block, opener in override_blocks(when):
            if opener.body is block:
                self.expr(opener.cond, scope)
            self._properties(with_items(node, block.properties), scope, component,
                             partial=True)

    def _when_read_as_guard(self, node: ast.Element, component: Component | None) -> bool:
        """Report a `when` statement written after an element without a block, which the
        parser read as the element's (or its last operation's) guard and its block as the
        element's: an element that cannot hold children says so, not "cannot contain"."""
        guard = node.pipeline[-1].when if node.pipeline and node.pipeline[-1].when else node.when
        if guard is None or not node.body.children or node.kind in CONTAINERS or component:
            return False
        line = when_read_as_guard(self.sources.get(guard.span.file, ""), guard.span.start)
        if line is None:
            return False
        owner = f"`{node.pipeline[-1].name}`" if node.pipeline else f"`{node.kind}`"
        self.error("check.when-guard", f"the `when` on line {line} was read as the guard of "
                   f"{owner} before it, and its block as that `{node.kind}`'s",
                   _span_of(guard), "a line break does not end an element: give it a block, "
                   "`{ }`, before the `when`")
        return True

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

    def _properties(self, node: ast.Element, scope: _Scope, component: Component | None,
                    partial: bool = False) -> None:
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
            if prop.name == "bleed":
                self._bleed(prop)
                continue
            svg_call = (None if prop.name in DDM_PROPERTIES or prop.name in params
                        else _svg_call(prop.value))
            if svg_call is not None:
                self._unquoted_svg(prop, svg_call)
                t = "string"
            else:
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
        if component is not None and not partial:
            for p in component.params:
                if p.default is None and p.name not in seen:
                    self.error("check.missing-param",
                               f"component `{component.name}` needs `{p.name}`", node.span,
                               f"add `{p.name}: ...;` to the block")

    def _unquoted_svg(self, prop: ast.Property, call: ast.Call) -> None:
        """`transform: scale(1, -1)`, `mask: url(#m)`: SVG attribute text written without
        quotes, read as a call to a function DDM does not have."""
        text = self._source(prop.value.span)
        message = (f"`{text}` is SVG attribute text, which is written in quotes: unquoted, "
                   f"it reads as a call to a function `{call.func}` that DDM does not have")
        colour = next((a.value for a in call.args if isinstance(a.value, ast.Color)
                       or (isinstance(a.value, ast.Binary) and isinstance(a.value.left, ast.Color))),
                      None)
        if colour is not None:
            first = colour if isinstance(colour, ast.Color) else colour.left
            message += f", and `{self._source(first.span)}` as a colour"
        self.error("check.svg-text", message, prop.value.span,
                   f"write `{prop.name}: {_quoted(text)}`")

    def _source(self, span: ast.Span) -> str:
        """The source text a span covers."""
        return self.sources.get(span.file, "")[span.start:span.end]

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

    def _bleed(self, prop: ast.Property) -> None:
        """`bleed` names canvas edges in words, as the binder reads them."""
        words = prop.value.items if isinstance(prop.value, ast.ValueList) else (prop.value,)
        for word in words:
            if isinstance(word, ast.Name) and word.id in BLEED_WORDS:
                continue
            shown = word.id if isinstance(word, ast.Name) else self._source(word.span)
            hint = (did_you_mean(word.id, BLEED_WORDS) if isinstance(word, ast.Name) else None)
            self.error("check.bleed", bleed_problem(shown), word.span, hint or BLEED_HINT)

    def _flow(self, prop: ast.Property, scope: _Scope) -> None:
        """`flow: below|above|after|before NAME [gap LENGTH] [align start|center|end]`."""
        v = prop.value
        items = v.items if isinstance(v, ast.ValueList) else (v,)
        usage = "write `flow: below NAME`, `flow: after NAME gap 16px` or `... align center`"
        if len(items) not in (2, 4, 6) or not all(isinstance(i, ast.Name) for i in items[:2]):
            message = ("`flow` takes a direction and an element name, then optionally "
                       "`gap LENGTH` and `align start|center|end`")
            self._count_error("check.flow", message, items if len(items) not in (2, 4, 6)
                              else (), _span_of(v), usage)
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
            message = f"`box` takes four lengths (x y width height), got {len(items)}"
            self._count_error("check.box", message, items, prop.span,
                              "or an anchored box: `box: top-left margin 4% size 12%`")

    def _count_error(self, code: str, message: str, items: Iterable[ast.Expr],
                     span: ast.Span, hint: str) -> None:
        """A list with the wrong number of items: said of the item that swallowed the next
        one when it was read as a subtraction, else of the whole list."""
        read = self._read_as_subtraction(items)
        if read is not None:
            self.error(code, message + read[0], read[1].span, read[2])
        else:
            self.error(code, message, span, hint)

    def _read_as_subtraction(self, items: Iterable[ast.Expr]
                             ) -> tuple[str, ast.Binary, str] | None:
        """An item written `0 -10px` (a space before the `-`, none after), which reads as
        the subtraction `0 - 10px` rather than two items: what to add to the message
        about the count of items, the item, and the hint."""
        for item in items:
            if not isinstance(item, ast.Binary) or item.op != "-":
                continue
            between = self.sources.get(item.span.file, "")[item.left.span.end:item.right.span.start]
            if between.strip() == "-" and between[0].isspace() and not between[-1].isspace():
                left, right = self._source(item.left.span), self._source(item.right.span)
                return (f": `{self._source(item.span)}` was read as the subtraction "
                        f"`{left} - {right}`", item,
                        f"for a negative length write `{left} (-{right})`; to subtract, write "
                        f"`{left} - {right}`")
        return None

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
                    self._op_arg(op.name, spec.args[arg.name], arg, scope)
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
                before = len(self.diagnostics)
                t = self.expr(value, scope)
                if cspec.type == "region" and t not in ("region", "any"):
                    self.error("check.type", f"`{clause.keyword}` takes a region, not {_a(t)}",
                               _span_of(value), "e.g. `slot(right 55%)`")
                elif len(self.diagnostics) == before:
                    problem = self._literal_problem(cspec.type, cspec.choices, cspec.bounds,
                                                    value, scope)
                    if problem is not None:
                        expected, hint, code = problem
                        self.error(code, f"`{clause.keyword}` takes {expected}, not "
                                   f"`{self._source(value.span)}`", _span_of(value), hint)

    def _op_arg(self, op: str, spec: operations.OpArgSpec, arg: ast.Arg, scope: _Scope) -> None:
        """An operation's argument: its expression, and a literal against what the
        signature table says the argument accepts (a computed value is checked when bound).
        A name given for a word is that word: the binder does not look it up."""
        before = len(self.diagnostics)
        if not (spec.type == "word" and isinstance(arg.value, ast.Name)):
            self.expr(arg.value, scope)
        if len(self.diagnostics) > before:
            return  # one mistake, one message
        problem = self._literal_problem(spec.type, spec.choices, spec.bounds, arg.value, scope)
        if problem is not None:
            expected, hint, _ = problem
            if isinstance(arg.value, ast.Name):
                hint = dict(spec.elsewhere).get(arg.value.id, hint)
            self.error("check.operation-arg", f"`{op}`'s `{spec.name}` is {expected}, not "
                       f"`{self._source(arg.value.span)}`", arg.span, hint)

    def _literal_problem(self, kind: str, choices: tuple[str, ...],
                         bounds: operations.Interval | None, value: ast.Expr,
                         scope: _Scope) -> tuple[str, str | None, str] | None:
        """(what is accepted, a hint, the code) when `value` is a literal that an argument
        or clause of this `kind` refuses; None when it is accepted or computed."""
        literal = _literal(value, scope, names_are_words=kind == "word")
        if literal is None or kind in ("region", "names", "expr"):
            return None
        what, v, unit = literal
        word = v if what in ("word", "string") and isinstance(v, str) else None
        hint = did_you_mean(word, choices) if word is not None and choices else None
        if kind == "word":
            if word in choices:
                return None
            if hint is None and isinstance(value, ast.Name) and scope.lookup(value.id):
                hint = f"`{value.id}` is read as the word itself here, not as the value it names"
            return f"one of {', '.join(choices)}", hint, "check.word"
        if kind == "color":
            if what == "color" or word in choices or (what == "string" and _hex(word)):
                return None
            expected = "a colour" + (f" or one of {', '.join(choices)}" if choices else "")
            return expected, hint, "check.word" if what == "word" else "check.type"
        if kind in ("number", "length"):
            expected = f"a {kind}" + (f" {bounds.describe()}" if bounds is not None else "")
            if not isinstance(v, float):
                return expected, None, "check.type"
            if unit and (kind == "number" or unit not in LENGTH_UNITS):
                hint = None
                if kind == "number":
                    hint = "write it without a unit" + (f": `{v / 100:g}`" if unit == "%" else "")
                return expected, hint, "check.type"
            if bounds is not None and not _within(v, unit, bounds):
                return expected, None, "check.type"
            return None
        if kind == "string":
            return None if what in ("string", "word") else ("a string", None, "check.type")
        if kind == "bool":
            return None if what == "bool" else ("`true` or `false`", None, "check.type")
        return None

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
        if isinstance(node, ast.Conditional):
            return self._conditional(node, scope, perception)
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

    def _conditional(self, node: ast.Conditional, scope: _Scope, perception: bool) -> str:
        """`a if c else b`: all three parts are checked (only one side is evaluated when
        bound); its type is what both sides share, else known only when bound."""
        self._expr(node.cond, scope, perception)
        then = self._expr(node.then, scope, perception)
        orelse = self._expr(node.orelse, scope, perception)
        if then == orelse:
            return then
        if {then, orelse} == {"number", "length"}:
            return "length"
        return "any"

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
            else:
                self._op_arg("caption", a, arg, scope)

    def _call(self, node: ast.Call, scope: _Scope, perception: bool) -> str:
        spec = FUNCTIONS.get(node.func)
        if spec is None:
            if node.func == "caption":
                self.error("check.caption-place", "`caption` writes a text's value only",
                           node.span, "write `text NAME = caption(kind: headline) { box: ... }`")
                return "string"
            hint = (f"SVG attribute text is written in quotes: "
                    f"`{_quoted(self._source(node.span))}`" if node.func in SVG_FUNCTIONS
                    else did_you_mean(node.func, FUNCTIONS))
            self.error("check.unknown-function", f"unknown function `{node.func}`", node.span,
                       hint)
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
        if isinstance(value, ast.ValueList) and len(items) not in (2, 4):
            message = (f"`slot` takes `side size` or four lengths (x y width height), "
                       f"got {len(items)}")
            self._count_error("check.slot", message, items, value.span,
                              "e.g. `slot(right 55%)` or `slot(0 0 50% 100%)`")
            return
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
        hidden = self._not_visible(root, root_span)
        if hidden is not None:
            self.error("check.unknown-name", hidden[0], root_span, hidden[1])
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

    def _not_visible(self, name: str, at: ast.Span) -> tuple[str, str | None] | None:
        """(message, hint) for a name declared somewhere in the template that is not
        visible where it is used, or None when nothing declares it (a keyword value)."""
        decls = self.declared.get(name)
        if not decls:
            return None
        here = at.file == self.module.path
        context = self.component is not None or self.in_object
        for d in decls:  # a property of the element whose block holds the `let`
            if here and any(s.start <= at.start < s.end for s in d.hidden):
                return (f"unknown name `{name}`: an element's properties do not see the "
                        f"`let`s inside it (`let {name}` at line {d.span.line})",
                        "define it before the element")
        for d in decls:  # in its block (or at the top level), but further down
            if here and d.span.file == at.file and d.span.start > at.start and (
                    (d.kind == "top-let" and not context)
                    or (d.kind == "block-let" and d.region is not None
                        and d.region.start <= at.start < d.region.end)):
                return (f"`{name}` is used before it is defined",
                        f"`{name}` is defined later, at line {d.span.line}")
        top = next((d for d in decls if d.kind in ("top-let", "imported-let")), None)
        if top is not None and context:
            origin = (f"(line {top.span.line})" if top.kind == "top-let"
                      else f"(imported from {self._shown_file(top.span.file)})")
            if self.component is None:
                return (f"unknown name `{name}`: objects are chosen before any `let` is "
                        f"evaluated, so an object's `from`, `where` and `prefer` do not see "
                        f"`let {name}` {origin}", "write the value itself")
            comp = self.component.name
            message = (f"unknown name `{name}`: component `{comp}` does not see the "
                       f"top-level `let {name}` {origin}")
            if self.in_default:
                return message, ("a parameter's default sees only `product`, `brand`, "
                                 "`format`, `seed` and the objects: write the value itself, "
                                 f"or set the parameter where `{comp}` is used")
            params = ", ".join([*(p.name + (f": {p.type}" if p.type else "")
                                  for p in self.component.params), name])
            return message, (f"pass it in as a parameter: `component {comp}({params})`, and "
                             f"`{name}: {name};` where `{comp}` is used")
        for d in decls:
            if d.kind == "block-let":
                return (f"unknown name `{name}`: the `let {name}` at line {d.span.line} is "
                        "only visible in its own block",
                        "define it where both can see it, e.g. at the top level")
            if d.kind == "loop":
                return (f"unknown name `{name}`: the loop variable `{name}` of the `for` at "
                        f"line {d.span.line} is only visible inside that loop",
                        "use it inside the loop's `{ }`")
            if d.kind == "param":
                return (f"unknown name `{name}`: it is a parameter of component `{d.owner}` "
                        f"(line {d.span.line}), visible only in its body", None)
        return None

    def _shown_file(self, file: str) -> str:
        """An imported file as the importing one names it (relative to its folder)."""
        folder = os.path.dirname(self.module.path)
        try:
            return os.path.relpath(file, folder) if folder else file
        except ValueError:  # another drive
            return file

    def _collect_declared(self, items: Iterable) -> None:
        """Every `let`, loop variable and parameter of the file, with where it is visible."""
        found: list[tuple[str, _Declared]] = [
            (let.name, _Declared("imported-let", let.span)) for let in self.imported_lets]
        stack: list[tuple[object, ast.Block | None]] = [(item, None) for item in items]
        while stack:
            item, block = stack.pop()
            if isinstance(item, ast.LetDecl):
                found.append((item.name, _Declared("top-let" if block is None else "block-let",
                                                   item.span, None if block is None
                                                   else block.span)))
            elif isinstance(item, ast.ComponentDecl):
                found += [(p.name, _Declared("param", p.span, item.body.span, item.name))
                          for p in item.params]
                stack += [(c, item.body) for c in item.body.children]
            elif isinstance(item, ast.ForStmt):
                found += [(n, _Declared("loop", item.span, item.body.span))
                          for n in (item.var, item.index_var) if n]
                stack += [(c, item.body) for c in item.body.children]
            elif isinstance(item, ast.Element):
                props = tuple(p.span for p in item.body.properties)
                for child in item.body.children:
                    if isinstance(child, ast.LetDecl):  # not seen by the element's properties
                        found.append((child.name, _Declared("block-let", child.span,
                                                            item.body.span, hidden=props)))
                    else:
                        stack.append((child, item.body))
            elif isinstance(item, ast.WhenStmt):
                stack += [(c, item.body) for c in item.body.children]
                if isinstance(item.orelse, ast.WhenStmt):
                    stack.append((item.orelse, block))
                elif item.orelse is not None:
                    stack += [(c, item.orelse) for c in item.orelse.children]
        for name, decl in sorted(found, key=lambda f: (f[1].span.file != self.module.path,
                                                       f[1].span.start)):
            self.declared.setdefault(name, []).append(decl)

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

def _literal(value: ast.Expr, scope: _Scope, names_are_words: bool
             ) -> tuple[str, object, str] | None:
    """A value written out in the template as (kind, value, unit): a number (negated
    too), a colour, a string without interpolation, a boolean, `none`, or a bare word (a
    name nothing in scope defines, or any name where `names_are_words`); None for a
    computed value."""
    if isinstance(value, ast.Unary) and value.op == "-" and isinstance(value.operand, ast.Number):
        return "number", -value.operand.value, value.operand.unit
    if isinstance(value, ast.Number):
        return "number", value.value, value.unit
    if isinstance(value, ast.Color):
        return "color", value.value, ""
    if isinstance(value, ast.String) and all(isinstance(p, str) for p in value.parts):
        return "string", "".join(p for p in value.parts if isinstance(p, str)), ""
    if isinstance(value, ast.Bool):
        return "bool", value.value, ""
    if isinstance(value, ast.NoneLit):
        return "none", None, ""
    if isinstance(value, ast.Name) and (names_are_words or scope.lookup(value.id) is None):
        return "word", value.id, ""
    return None


def _within(value: object, unit: str, bounds: operations.Interval) -> bool:
    """A number or length inside `bounds`: lengths other than pixels only by their sign
    (their size in pixels depends on the slot)."""
    if unit in ("", "px"):
        return value in bounds
    if bounds.low < 0:
        return True
    return value in operations.Interval(bounds.low, open_low=bounds.open_low)


def _hex(text: str | None) -> bool:
    """`text` is a colour written in hex (`#1f3b73`)."""
    return text is not None and re.fullmatch(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})",
                                             text) is not None


def _svg_call(value: ast.Expr) -> ast.Call | None:
    """The call that shows a property's value to be SVG text written without quotes: a
    call (the value, or an item of its list) to a function DDM does not have, named as
    SVG and CSS name theirs or not close to any DDM function (`shde` is a misspelling)."""
    items = value.items if isinstance(value, ast.ValueList) else (value,)
    for item in items:
        if isinstance(item, ast.Call) and item.func not in FUNCTIONS and item.func != "caption" \
                and (item.func in SVG_FUNCTIONS or did_you_mean(item.func, FUNCTIONS) is None):
            return item
    return None


def _quoted(text: str) -> str:
    """`text` as a DDM string literal: double quotes unless it holds them, braces escaped."""
    text = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', '\\"') + '"'


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
class _Declared:
    """Where a name is declared: a top-level `let` (this file's or an imported one), a
    `let` inside a block, a loop variable or a component parameter; `region` is the block
    it is visible in, `owner` the component a parameter belongs to, `hidden` the parts of
    `region` that do not see it (the properties of the element whose block holds it)."""

    kind: str  # top-let | imported-let | block-let | loop | param
    span: ast.Span
    region: ast.Span | None = None
    owner: str = ""
    hidden: tuple[ast.Span, ...] = ()


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
