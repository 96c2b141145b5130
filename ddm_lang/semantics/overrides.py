"""Property overrides: a `when` inside an element's block that holds properties sets them
for the creatives its condition holds in, over the element's own.

    text headline = caption(kind: headline) {
      box: 7% 14% 44% 44%;
      size: fit(14, 8%);
      when format.name == "story" { box: 8% 60% 84% 20%; size: fit(20, 7%) }
    }

Written where the element is, so a change for one format stays next to what it changes
(the visual editor writes them this way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeGuard

from ddm_lang.syntax import ast


def is_override(stmt: object) -> TypeGuard[ast.WhenStmt]:
    """A `when` whose blocks (its `else` ones too) hold properties and nothing else."""
    if not isinstance(stmt, ast.WhenStmt):
        return False
    blocks = list(override_blocks(stmt))
    return any(b.properties for b, _ in blocks) and not any(b.children for b, _ in blocks)


def mixed_override(stmt: object) -> bool:
    """A `when` inside an element that holds properties and children both."""
    if not isinstance(stmt, ast.WhenStmt):
        return False
    blocks = list(override_blocks(stmt))
    return any(b.properties for b, _ in blocks) and any(b.children for b, _ in blocks)


def override_blocks(stmt: ast.WhenStmt) -> Iterator[tuple[ast.Block, ast.WhenStmt]]:
    """Each block of a `when … else when … else` chain with the `when` that opens it."""
    node: ast.WhenStmt | ast.Block | None = stmt
    while isinstance(node, ast.WhenStmt):
        yield node.body, node
        node = node.orelse
    if node is not None:
        yield node, stmt


def apply_overrides(node: ast.Element, holds: Callable[[ast.Expr], bool]
                    ) -> tuple[ast.Element, dict[str, ast.WhenStmt]]:
    """`node` with the properties of the overrides whose conditions hold in place of its
    own (later ones win; a new property is added), and which `when` set each of them."""
    if not any(is_override(item) for item in node.body.items):
        return node, {}
    props: dict[str, ast.Property] = {p.name: p for p in node.body.properties}
    source: dict[str, ast.WhenStmt] = {}
    rest: list[ast.Property | ast.Stmt] = []
    for item in node.body.items:
        if not is_override(item):
            if not isinstance(item, ast.Property):
                rest.append(item)
            continue
        assert isinstance(item, ast.WhenStmt)
        chosen = _taken(item, holds)
        if chosen is None:
            continue
        block, when = chosen
        for prop in block.properties:
            props[prop.name] = prop
            source[prop.name] = when
    return with_items(node, (*props.values(), *rest)), source


def with_items(node: ast.Element, items: tuple[ast.Property | ast.Stmt, ...]) -> ast.Element:
    """`node` with another block (its spans kept)."""
    return ast.Element(node.kind, node.name, node.optional, node.value, node.when,
                       node.pipeline, ast.Block(items, node.body.span), node.span)


def _taken(stmt: ast.WhenStmt, holds: Callable[[ast.Expr], bool]
           ) -> tuple[ast.Block, ast.WhenStmt] | None:
    node: ast.WhenStmt | ast.Block | None = stmt
    while isinstance(node, ast.WhenStmt):
        if holds(node.cond):
            return node.body, node
        node = node.orelse
    return (node, stmt) if node is not None else None
