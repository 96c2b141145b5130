"""Expression evaluation for one product and one format.

Product data is dynamic JSON, so a missing field is not an error when it is asked about
(`when product.price.discount > 0` is simply false) but is one when its value is used
(text, attribute, arithmetic): `Missing` carries the field path so the diagnostic can name
the product and the field. Lengths of different units add up as a `LengthSum`, resolved
against the slot when the value lands in a property and the axis is known.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from ddm_lang.perception import schema
from ddm_lang.scene import Material
from ddm_lang.semantics.functions import (
    FUNCTIONS,
    EvalError,
    ValueTooLarge,
    describe,
    oversized,
    to_text,
    too_long,
)
from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import Diagnostic, DiagnosticError
from ddm_lang.values import Color, Length, LengthSum


@dataclass(frozen=True)
class Missing:
    """A field the product does not have; falsy, equal to none, unusable as a value."""

    path: str

    def __bool__(self) -> bool:
        return False


class Scope:
    """A chain of name → value tables (block scoping)."""

    def __init__(self, values: dict[str, Any] | None = None, parent: Scope | None = None):
        self.values = values or {}
        self.parent = parent

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.values:
                return True, scope.values[name]
            scope = scope.parent
        return False, None

    def child(self, values: dict[str, Any] | None = None) -> Scope:
        return Scope(values or {}, self)


Perceive = Callable[[Material, str, ast.Span], Any]


_METHODS: dict[type, str] = {}  # AST node class → the Evaluator method for it


class Evaluator:
    """Evaluates AST expressions; raises DiagnosticError naming the product and field."""

    def __init__(self, product_id: str, sources: dict[str, str], perceive: Perceive):
        self.product_id = product_id
        self.sources = sources
        self.perceive = perceive

    # ---- errors --------------------------------------------------------------------
    def fail(self, code: str, message: str, span: ast.Span, hint: str | None = None) -> NoReturn:
        raise DiagnosticError([Diagnostic(code, message, span, hint)], sources=self.sources)

    def missing(self, value: Missing, span: ast.Span, what: str = "") -> NoReturn:
        use = f" ({what})" if what else ""
        self.fail("bind.missing-field", f'product "{self.product_id}" has no field '
                  f"`{value.path}`{use}", span,
                  f"add it to the product data, or write `default({value.path}, ...)`")

    def too_large(self, problem: str | None, span: ast.Span) -> None:
        """Refuse a value past `bounds.MAX_VALUE_CHARS` before it is built: a `let` that
        adds a text to itself doubles it, and forty of them would ask for terabytes."""
        if problem is not None:
            self.fail("bind.too-large", problem, span,
                      "a creative shows a few hundred characters; build shorter values")

    def require(self, value: Any, span: ast.Span, what: str = "") -> Any:
        """A value that is about to be used: missing fields are errors here."""
        if isinstance(value, Missing):
            self.missing(value, span, what)
        return value

    # ---- evaluation ----------------------------------------------------------------
    def eval(self, node: ast.Expr, scope: Scope, record: dict[str, Any] | None = None) -> Any:
        """Evaluate; `record` is a candidate's perception record inside where/prefer."""
        kind = type(node)
        name = _METHODS.get(kind)
        if name is None:
            name = _METHODS[kind] = "_" + kind.__name__.lower()  # one per AST node class
        return getattr(self, name)(node, scope, record)

    def _number(self, node: ast.Number, scope: Scope, record: Any) -> Any:
        return node.value if node.unit == "" else Length(node.value, node.unit)

    def _color(self, node: ast.Color, scope: Scope, record: Any) -> Color:
        return Color.parse(node.value)

    def _string(self, node: ast.String, scope: Scope, record: Any) -> str:
        out: list[str] = []
        length = 0
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = self.require(self.eval(part, scope, record), part.span, "in a string")
                out.append(to_text(value))
            length += len(out[-1])
            self.too_large(too_long(length), node.span)
        return "".join(out)

    def _bool(self, node: ast.Bool, scope: Scope, record: Any) -> bool:
        return node.value

    def _nonelit(self, node: ast.NoneLit, scope: Scope, record: Any) -> None:
        return None

    def _listlit(self, node: ast.ListLit, scope: Scope, record: Any) -> list:
        items = [self.eval(i, scope, record) for i in node.items]
        self.too_large(oversized(items), node.span)
        return items

    def _valuelist(self, node: ast.ValueList, scope: Scope, record: Any) -> tuple:
        items = tuple(self.eval(i, scope, record) for i in node.items)
        self.too_large(oversized(items), node.span)
        return items

    def _name(self, node: ast.Name, scope: Scope, record: Any) -> Any:
        if record is not None and node.id in schema.ROOTS and not scope.lookup(node.id)[0]:
            return self._perceived(record, node.id, node.span)
        found, value = scope.lookup(node.id)
        if found:
            return value
        return node.id  # a bare keyword value such as `right` or `round` (the checker allowed it)

    def _member(self, node: ast.Member, scope: Scope, record: Any) -> Any:
        path = ast.dotted_name(node)
        if record is not None and path and path[0] in schema.ROOTS and not scope.lookup(path[0])[0]:
            return self._perceived(record, ".".join(path), node.span)
        base = self.eval(node.obj, scope, record)
        return self.attribute(base, node.attr, node.span, _path_text(node.obj))

    def attribute(self, base: Any, attr: str, span: ast.Span, base_path: str) -> Any:
        if isinstance(base, Missing):
            return Missing(f"{base.path}.{attr}")
        if isinstance(base, Material | _MaterialPath):
            material = base if isinstance(base, Material) else base.material
            path = attr if isinstance(base, Material) else f"{base.prefix}.{attr}"
            if path not in schema.ATTRIBUTES and _is_prefix(path):
                return _MaterialPath(material, path)  # `hero.subject` on its way to `.area`
            return self.perceive(material, path, span)
        if isinstance(base, dict):
            if attr in base:
                return base[attr]
            return Missing(f"{base_path}.{attr}")
        if base is None:
            return Missing(f"{base_path}.{attr}")
        self.fail("bind.type", f"`{base_path}` is {describe(base)}, which has no field `{attr}`",
                  span)
        return None

    def _perceived(self, record: dict[str, Any], path: str, span: ast.Span) -> Any:
        if path in record:
            return record[path]
        material: Material = record["__material__"]  # every perception record carries its own
        if _is_prefix(path):
            return _MaterialPath(material, path)
        return self.perceive(material, path, span)

    def _index(self, node: ast.Index, scope: Scope, record: Any) -> Any:
        base = self.eval(node.obj, scope, record)
        idx = self.require(self.eval(node.index, scope, record), node.index.span)
        if isinstance(base, Missing):
            return Missing(f"{base.path}[{to_text(idx)}]")
        if isinstance(base, list | tuple | str):
            if isinstance(idx, bool) or not isinstance(idx, int | float) or idx != int(idx):
                self.fail("bind.type", f"a list index must be a whole number, got {describe(idx)}",
                          node.index.span)
            i = int(idx)
            if -len(base) <= i < len(base):
                return base[i]
            return Missing(f"{_path_text(node.obj)}[{i}]")
        if isinstance(base, dict):
            key = to_text(idx)
            return base[key] if key in base else Missing(f"{_path_text(node.obj)}[{key}]")
        self.fail("bind.type", f"cannot index {describe(base)}", node.span)
        return None

    def _slice(self, node: ast.Slice, scope: Scope, record: Any) -> Any:
        base = self.eval(node.obj, scope, record)
        if isinstance(base, Missing):
            return base
        if not isinstance(base, list | tuple | str):
            self.fail("bind.type", f"cannot slice {describe(base)}", node.span)
        bounds: list[int | None] = []
        for part in (node.start, node.stop):
            if part is None:
                bounds.append(None)
                continue
            v = self.require(self.eval(part, scope, record), part.span)
            if isinstance(v, bool) or not isinstance(v, int | float):
                self.fail("bind.type", f"slice bounds are whole numbers, got {describe(v)}",
                          part.span)
            bounds.append(int(v))
        return base[bounds[0]:bounds[1]]

    def _unary(self, node: ast.Unary, scope: Scope, record: Any) -> Any:
        value = self.eval(node.operand, scope, record)
        if node.op == "not":
            return not truthy(value)
        value = self.require(value, node.operand.span)
        if isinstance(value, Length):
            return Length(-value.value, value.unit)
        if isinstance(value, LengthSum):
            return value.scaled(-1)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail("bind.type", f"cannot negate {describe(value)}", node.span)
        return -value

    def _binary(self, node: ast.Binary, scope: Scope, record: Any) -> Any:
        op = node.op
        if op == "and":
            left = self.eval(node.left, scope, record)
            return self.eval(node.right, scope, record) if truthy(left) else left
        if op == "or":
            left = self.eval(node.left, scope, record)
            return left if truthy(left) else self.eval(node.right, scope, record)
        left = self.eval(node.left, scope, record)
        right = self.eval(node.right, scope, record)
        if op in ("==", "!="):
            eq = _equal(left, right)
            return eq if op == "==" else not eq
        if op == "in":
            if isinstance(right, Missing) or isinstance(left, Missing):
                return False
            if isinstance(right, list | tuple | dict):
                return any(_equal(left, i) for i in right)
            if isinstance(right, str) and isinstance(left, str):
                return left in right
            self.fail("bind.type", f"`in` needs a list or a string on the right, got "
                      f"{describe(right)}", node.right.span)
        if op in ("<", "<=", ">", ">="):
            if isinstance(left, Missing) or isinstance(right, Missing) or left is None or right is None:
                return False
            a, b = _comparable(left), _comparable(right)
            if type(a) is not type(b) and not (isinstance(a, float) and isinstance(b, float)):
                self.fail("bind.type", f"cannot compare {describe(left)} with {describe(right)}",
                          node.span)
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        left = self.require(left, node.left.span)
        right = self.require(right, node.right.span)
        return self.arithmetic(op, left, right, node)

    def _conditional(self, node: ast.Conditional, scope: Scope, record: Any) -> Any:
        """Only the chosen side is evaluated: the other may read data the product lacks."""
        chosen = node.then if truthy(self.eval(node.cond, scope, record)) else node.orelse
        return self.eval(chosen, scope, record)

    def arithmetic(self, op: str, a: Any, b: Any, node: ast.Binary) -> Any:
        if op == "+" and (isinstance(a, str) or isinstance(b, str)):
            text_a, text_b = to_text(a), to_text(b)
            self.too_large(too_long(len(text_a) + len(text_b)), node.span)
            return text_a + text_b
        la, lb = _is_len(a), _is_len(b)
        na, nb = _is_num(a), _is_num(b)
        try:
            if na and nb:
                return _arith(op, float(a), float(b))
            if op in ("+", "-") and (la or na) and (lb or nb):
                ta, tb = _terms(a), _terms(b)
                if op == "-":
                    tb = tuple(Length(-t.value, t.unit) for t in tb)
                return _collect(ta + tb)
            if op == "*" and la and nb:
                return _scale(a, float(b))
            if op == "*" and na and lb:
                return _scale(b, float(a))
            if op == "/" and la and nb:
                return _scale(a, 1.0 / float(b))
            if op == "/" and isinstance(a, Length) and isinstance(b, Length) and a.unit == b.unit:
                return a.value / b.value
        except ZeroDivisionError:
            self.fail("bind.division", "division by zero", node.span)
        self.fail("bind.type", f"cannot compute {describe(a)} {op} {describe(b)}", node.span)
        return None

    def _call(self, node: ast.Call, scope: Scope, record: Any) -> Any:
        spec = FUNCTIONS[node.func]
        args, kwargs = [], {}
        for arg in node.args:
            value = self.eval(arg.value, scope, record)
            if node.func != "default":
                value = self.require(value, arg.value.span, f"argument of {node.func}")
            elif isinstance(value, Missing):
                value = None
            if arg.name is None:
                args.append(value)
            else:
                kwargs[arg.name] = value
        try:
            return spec.impl(*args, **kwargs)
        except ValueTooLarge as err:
            self.too_large(f"{node.func}: {err}", node.span)
        except EvalError as err:
            self.fail("bind.call", f"{node.func}: {err}", node.span)
        except TypeError:
            self.fail("bind.call", f"{node.func} cannot take these arguments", node.span)
        return None


@dataclass(frozen=True)
class _MaterialPath:
    """`hero.palette` on the way to `hero.palette.dominant`."""

    material: Material
    prefix: str


def _is_prefix(path: str) -> bool:
    """`subject` or `palette`: a group of perception attributes, not an attribute."""
    return any(p.startswith(path + ".") for p in schema.ATTRIBUTES)


def truthy(value: Any) -> bool:
    if isinstance(value, Missing) or value is None:
        return False
    if isinstance(value, Length):
        return value.value != 0
    return bool(value)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Missing):
        a = None
    if isinstance(b, Missing):
        b = None
    if _is_num(a) and _is_num(b):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    return a == b


def _comparable(v: Any) -> Any:
    if _is_num(v):
        return float(v)
    if isinstance(v, Length):
        return float(v.value)
    return v


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_len(v: Any) -> bool:
    return isinstance(v, Length | LengthSum)


def _arith(op: str, a: float, b: float) -> float:
    if op == "/" and b == 0:
        raise ZeroDivisionError
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0.0}[op]


def _terms(v: Any) -> tuple[Length, ...]:
    if isinstance(v, LengthSum):
        return v.terms
    if isinstance(v, Length):
        return (v,)
    return (Length(float(v), "px"),)


def _collect(terms: tuple[Length, ...]) -> Length | LengthSum:
    by_unit: dict[str, float] = {}
    for t in terms:
        unit = "px" if t.unit == "" else t.unit
        by_unit[unit] = by_unit.get(unit, 0.0) + t.value
    merged = tuple(Length(v, u) for u, v in by_unit.items())
    return merged[0] if len(merged) == 1 else LengthSum(merged)


def _scale(v: Length | LengthSum, k: float) -> Length | LengthSum:
    if isinstance(v, Length):
        return Length(v.value * k, v.unit)
    return v.scaled(k)


def _path_text(node: ast.Expr) -> str:
    """A readable path for messages: `product.price.discount`, `product.images[2]`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Member):
        return f"{_path_text(node.obj)}.{node.attr}"
    if isinstance(node, ast.Index):
        idx = node.index
        inner = format(idx.value, "g") if isinstance(idx, ast.Number) else "…"
        return f"{_path_text(node.obj)}[{inner}]"
    return "value"
