"""Template IR: a checked template, ready to bind against any product and format.

The checker guarantees that every name resolves, every operation is registered and
available, every function call matches its signature and every unit is known; the body
keeps the AST statements (with their spans) so the binder can still point at source when a
product's data turns out not to fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ddm_lang.syntax import ast


@dataclass(frozen=True)
class Format:
    """An ad slot the template serves."""

    name: str
    width: int
    height: int


@dataclass(frozen=True)
class AbstractObject:
    """Material chosen per product: `object hero = image from product.images where ...`."""

    name: str
    optional: bool
    count: int | None          # None: one material; n: a list of up to n
    kind: str                  # image
    source: ast.Expr
    where: ast.Expr | None
    prefer: tuple[ast.PreferKey, ...]
    span: ast.Span


@dataclass(frozen=True)
class Component:
    name: str
    params: tuple[ast.Param, ...]
    body: ast.Block
    span: ast.Span


@dataclass(frozen=True)
class CheckedTemplate:
    name: str
    title: str | None
    formats: tuple[Format, ...]
    objects: Mapping[str, AbstractObject]
    components: Mapping[str, Component]
    body: tuple[ast.Stmt, ...]         # lets and elements, in order, imports expanded
    path: str
    source: str = field(repr=False, default="")
    sources: Mapping[str, str] = field(repr=False, default_factory=lambda: MappingProxyType({}))

    def format(self, name: str) -> Format | None:
        return next((f for f in self.formats if f.name == name), None)
