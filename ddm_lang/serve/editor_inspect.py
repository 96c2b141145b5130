"""The inspector's view of one element: its properties (with the form field each takes),
its overrides, its pipeline of operations and the conditions it is drawn under."""

from __future__ import annotations

from typing import Any

from ddm_lang.semantics.overrides import is_override, override_blocks
from ddm_lang.syntax import ast

from .editor_edits import element_at, format_of, parsed

COLOR_PROPERTIES = frozenset({"fill", "stroke", "stop-color", "flood-color", "color"})


def property_kind(name: str) -> str:
    """What form field edits a property."""
    if name in COLOR_PROPERTIES:
        return "color"
    return {"font": "font", "size": "size", "box": "box", "flow": "flow"}.get(name, "text")


def inspect(source: str, element_start: int) -> dict[str, Any]:
    """The element at `element_start` as the inspector shows it: its properties, its
    overrides, its pipeline of operations and the conditions it is drawn under."""
    module = parsed(source)
    element = element_at(module, element_start)

    def text(node: Any) -> str:
        return source[node.span.start:node.span.end]

    def props(block: ast.Block) -> list[dict[str, Any]]:
        return [{"name": p.name, "value": text(p.value), "kind": property_kind(p.name),
                 "line": p.span.line} for p in block.properties]

    overrides = []
    for item in element.body.items:
        if is_override(item):
            earlier: list[str] = []  # conditions of the branches before: none of them held
            for block, when in override_blocks(item):
                own = when.body is block
                condition = " and ".join([*(f"not ({c})" for c in earlier),
                                          *([text(when.cond)] if own else [])])
                if own:
                    earlier.append(text(when.cond))
                overrides.append({"format": format_of(when) if own else None,
                                  "condition": condition, "line": block.span.line,
                                  "properties": props(block)})
    pipeline = [{"name": op.name, "text": text(op), "line": op.span.line,
                 "args": [{"name": a.name, "value": text(a.value)} for a in op.args if a.name]}
                for op in element.pipeline]
    return {"kind": element.kind, "name": element.name, "line": element.span.line,
            "value": text(element.value) if element.value is not None else None,
            "properties": props(element.body), "overrides": overrides, "pipeline": pipeline,
            "conditions": _conditions(module.items, element, source) or []}


def _conditions(items: Any, target: ast.Element, source: str,
                outer: tuple[str, ...] = ()) -> list[str] | None:
    """The `when` conditions around `target`, outermost first (`not (…)` for an `else`)."""
    for item in items:
        if item is target:
            return list(outer)
        if isinstance(item, ast.Element):
            found = _conditions(item.body.items, target, source, outer)
        elif isinstance(item, ast.WhenStmt):
            found, negated = None, outer
            node: Any = item
            while isinstance(node, ast.WhenStmt) and found is None:
                cond = source[node.cond.span.start:node.cond.span.end]
                found = _conditions(node.body.items, target, source, (*negated, cond))
                negated = (*negated, f"not ({cond})")
                node = node.orelse
            if found is None and isinstance(node, ast.Block):
                found = _conditions(node.items, target, source, negated)
        elif isinstance(item, ast.ForStmt | ast.ComponentDecl):
            found = _conditions(item.body.items, target, source, outer)
        else:
            continue
        if found is not None:
            return found
    return None


