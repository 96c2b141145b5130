"""Completion: what may be written at the cursor, from the context the parser sees there.

Each kind of context (`context.py`) has its own list: element kinds and keywords where a
statement starts, an element's properties in its block, operations after `|` and their
clauses and arguments after that, the members of a name after `.` (perception
attributes for objects, catalogue fields for `product.`), names in scope and functions in
an expression. Keywords are only offered where the grammar accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from ddm_lang.perception import schema
from ddm_lang.semantics import operations
from ddm_lang.semantics.functions import FUNCTIONS, FunctionSpec
from ddm_lang.semantics.svg_vocab import CONTAINERS
from ddm_lang.syntax import ast

from . import context as ctx
from . import vocabulary as vocab
from .bindings import LET, LOOP, OBJECT, PARAM, Binding, Names
from .catalogue import ProductFields
from .docs import DocIndex
from .documents import Document

K = types.CompletionItemKind
_BINDING_KINDS = {LET: K.Variable, OBJECT: K.Value, LOOP: K.Variable, PARAM: K.Variable}
MAX_IMPORT_FILES = 200

# Statement snippets (where the client takes snippets), keyed by their keyword.
SNIPPETS = {
    "template": 'template ${1:name} "${2:Title}"',
    "formats": "formats ${1:feed} ${2:1080x1080}",
    "object": "object ${1:hero} = image from ${2:product.images}",
    "component": "component ${1:name}(${2:params}) {\n\t$0\n}",
    "for": "for ${1:item} in ${2:list} {\n\t$0\n}",
    "when": "when ${1:condition} {\n\t$0\n}",
    "let": "let ${1:name} = ${0}",
}


@dataclass
class Sources:
    """What completion offers beyond the document itself."""

    fields: ProductFields
    docs: DocIndex
    snippets: bool = True


def complete(doc: Document, offset: int, sources: Sources) -> list[types.CompletionItem]:
    """The completion items at `offset` of a document, each replacing the part of a word
    written before the cursor."""
    where = ctx.classify(doc.source, offset)
    items = _items(doc, offset, where, sources)
    edit_range = types.Range(start=_pos(doc, where.start), end=_pos(doc, offset))
    seen: set[str] = set()
    out: list[types.CompletionItem] = []
    for item in items:
        if item.label in seen:
            continue
        seen.add(item.label)
        text = item.insert_text or item.label
        item.text_edit = types.TextEdit(range=edit_range, new_text=text)
        item.insert_text = None
        out.append(item)
    return out


def _pos(doc: Document, offset: int) -> types.Position:
    p = doc.index.position(offset)
    return types.Position(line=p.line, character=p.character)


def _items(doc: Document, offset: int, where: ctx.Context,
           sources: Sources) -> list[types.CompletionItem]:
    names = doc.names
    kind = where.kind
    if kind == ctx.NONE:
        return []
    if kind == ctx.IMPORT_PATH:
        return _import_paths(doc)
    if kind == ctx.PARAM_TYPE:
        return [_item(t, K.TypeParameter, "parameter type") for t in vocab.PARAM_TYPES]
    if kind == ctx.MEMBER:
        return _members(where, names, offset, sources.fields)
    if kind == ctx.OPERATION:
        return _operations(where.element)
    if kind == ctx.ELEMENT_NAME:
        if where.element == "image" and names is not None:
            return [_binding_item(b, "0") for b in names.objects()]
        return []
    out: list[types.CompletionItem] = []
    if kind == ctx.STATEMENT:
        out += _statement_starters(names, where, sources, top=_top_level(where), rest=True)
    elif kind == ctx.BLOCK:
        out += _properties(where.element, names, sources.docs)
        if where.element in CONTAINERS:
            out += _statement_starters(names, where, sources, top=False, sort="1")
        else:
            out += _keywords(where, sources, sort="2")
    elif kind == ctx.VALUE:
        out += _words(vocab.VALUE_WORDS.get(where.property or "", ()), "value of "
                      f"`{where.property}`")
        if where.property == "flow" and names is not None:
            out += [_binding_item(b, "1") for b in names.elements()]
        out += _expression(names, offset, where, sources, sort="2")
    elif kind == ctx.CLAUSE:
        out += _clauses(where)
        if where.statement:
            out += _statement_starters(names, where, sources, top=True, sort="3")
    elif kind == ctx.CLAUSE_VALUE:
        out += _clause_values(where, names, offset, sources)
    elif kind == ctx.ARGUMENTS:
        out += _arguments(where, names, offset, sources)
    elif kind == ctx.EXPRESSION:
        out += _expression(names, offset, where, sources)
    elif kind == ctx.CONTINUE:
        out += _keywords(where, sources)
        if where.statement:
            out += _statement_starters(names, where, sources, top=True, sort="3")
    return out


def _top_level(where: ctx.Context) -> bool:
    """Whether a statement at this point is at the top level (top-level keywords fit)."""
    return "template" in where.keywords or "object" in where.keywords


# ---- the kinds of items -----------------------------------------------------------

def _item(label: str, kind: types.CompletionItemKind, detail: str | None = None,
          doc: str | None = None, insert: str | None = None, snippet: bool = False,
          sort: str = "0") -> types.CompletionItem:
    return types.CompletionItem(
        label=label, kind=kind, detail=detail,
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc)
        if doc else None,
        insert_text=insert,
        insert_text_format=types.InsertTextFormat.Snippet if snippet else None,
        sort_text=f"{sort}{label}")


def _words(words: tuple[str, ...] | list[str], detail: str,
           sort: str = "0") -> list[types.CompletionItem]:
    return [_item(w, K.EnumMember, detail, sort=sort) for w in words]


def _keywords(where: ctx.Context, sources: Sources, sort: str = "2",
              only: frozenset[str] | None = None) -> list[types.CompletionItem]:
    out = []
    for word in sorted(where.keywords if only is None else where.keywords & only):
        out.append(_item(word, K.Keyword, "keyword", sources.docs.lookup("keyword", word),
                         sort=sort))
        if sources.snippets and word in SNIPPETS:
            out.append(types.CompletionItem(
                label=f"{word} …", kind=K.Snippet, detail=f"`{word}` statement",
                insert_text=SNIPPETS[word], insert_text_format=types.InsertTextFormat.Snippet,
                filter_text=word, sort_text=f"{sort}{word}~"))
    return out


def _statement_starters(names: Names | None, where: ctx.Context, sources: Sources, *,
                        top: bool, sort: str = "0", rest: bool = False
                        ) -> list[types.CompletionItem]:
    """Element kinds, the document's components and the statement keywords that fit
    (with `rest`, the other keywords that fit too: `and` after an expression...)."""
    out = [_item(k, K.Struct, "SVG element", sources.docs.lookup("element", k), sort=sort)
           for k in vocab.element_kinds()]
    if names is not None:
        for b in names.components():
            out.append(_item(b.name, K.Class, b.detail, _source_doc(b), sort=sort))
    allowed = set(vocab.STATEMENT_KEYWORDS) | (set(vocab.TOP_LEVEL_KEYWORDS) if top else set())
    out += _keywords(where, sources, sort=sort, only=frozenset(allowed))
    if rest:
        out += _keywords(where, sources, sort="4", only=frozenset(where.keywords - allowed))
    return out


def _properties(element: str | None, names: Names | None,
                docs: DocIndex) -> list[types.CompletionItem]:
    """An element's properties; a component instance's are its parameters, then what
    goes on its wrapping group (`box`, `flow`, the presentation attributes)."""
    out: list[types.CompletionItem] = []
    component = names.component(element) if names is not None and element else None
    if component is not None and names is not None:
        for p in names.params(component.name):
            out.append(_item(p.name, K.Property, f"parameter of {component.name}: {p.detail}",
                             insert=f"{p.name}: "))
    kind = "group" if component is not None else element
    for name, what in vocab.properties_for(kind):
        doc = docs.lookup("property", name)
        out.append(_item(name, K.Property, what, doc, insert=f"{name}: ",
                         sort="0" if what.startswith("DDM") else "1"))
    return out


def _operations(element: str | None) -> list[types.CompletionItem]:
    out = []
    for name in operations.names():
        spec = operations.OPERATIONS[name]
        fits = element is None or element in spec.applies_to
        out.append(_item(name, K.Method, signature(spec), spec.doc, sort="0" if fits else "1"))
    return out


def signature(spec: operations.OperationSpec) -> str:
    """`place in REGION fit contain|cover|… anchor … avoid NAMES` for an operation."""
    parts = [spec.name]
    if spec.args:
        args = ", ".join(f"{a.name}: {'|'.join(a.choices) or a.type}" for a in spec.args.values())
        parts[0] += f"({args})"
    for clause in spec.clauses.values():
        parts.append(f"{clause.keyword} {'|'.join(clause.choices) or clause.type.upper()}")
    return " ".join(parts) + f"  (on {', '.join(sorted(spec.applies_to))})"


def _clauses(where: ctx.Context) -> list[types.CompletionItem]:
    op = where.operation or ""
    spec = operations.get(op)
    out = []
    for name in vocab.operation_clauses(op):
        if name in where.keywords:
            clause = spec.clauses[name] if spec else None
            out.append(_item(name, K.Keyword, f"clause of {op}",
                             clause.doc if clause else None))
    if "when" in where.keywords:
        out.append(_item("when", K.Keyword, f"apply {op} only when a condition holds",
                         sort="1"))
    return out


def _clause_values(where: ctx.Context, names: Names | None, offset: int,
                   sources: Sources) -> list[types.CompletionItem]:
    op, clause = where.operation or "", where.clause or ""
    out = _words(vocab.clause_words(op, clause), f"{op} {clause}")
    spec = operations.get(op)
    clause_type = spec.clauses[clause].type if spec and clause in spec.clauses else ""
    if clause_type in ("name", "names"):
        if names is not None:
            out += [_binding_item(b, "0") for b in names.elements()]
        out.append(_item("text", K.EnumMember, "every text of the creative"))
        return out
    if clause_type == "region":
        out.append(_function_item(FUNCTIONS["slot"], sources, "0"))
    return out + _expression(names, offset, where, sources, sort="2")


def _arguments(where: ctx.Context, names: Names | None, offset: int,
               sources: Sources) -> list[types.CompletionItem]:
    op = operations.get(where.operation or where.function or "")
    function = FUNCTIONS.get(where.function or "") if where.operation is None else None
    out: list[types.CompletionItem] = []
    if where.argument is None:
        if op is not None and (where.operation or function is None):
            for a in op.args.values():
                default = f" (default {a.default})" if a.default is not None else ""
                out.append(_item(a.name, K.Field, f"{a.type}{default}", a.doc or None,
                                 insert=f"{a.name}: "))
            return out
        if function is not None:
            for i, p in enumerate(function.params):
                out.append(_item(p.name, K.Field, f"{p.type}{'' if p.required else ', optional'}",
                                 insert=f"{p.name}: ", sort="1"))
                if i == where.position:
                    out += _words(vocab.ARGUMENT_WORDS.get((function.name, p.name), ()),
                                  f"{function.name}({p.name})")
        return out + _expression(names, offset, where, sources, sort="2")
    if op is not None and where.argument in op.args:
        out += _words(op.args[where.argument].choices, f"{op.name}({where.argument})")
    if function is not None:
        out += _words(vocab.ARGUMENT_WORDS.get((function.name, where.argument), ()),
                      f"{function.name}({where.argument})")
    return out + _expression(names, offset, where, sources, sort="2")


def _expression(names: Names | None, offset: int, where: ctx.Context, sources: Sources,
                sort: str = "0") -> list[types.CompletionItem]:
    """Names in scope, perception attributes in an object's selection, functions and the
    literal keywords."""
    out: list[types.CompletionItem] = []
    if where.perception:
        for root in schema.children(""):
            attr = schema.lookup(root)
            detail = f"{attr.type} ({attr.provider})" if attr else "perception attributes"
            out.append(_item(root, K.Field, detail, attr.doc if attr else None, sort=sort))
    if names is not None:
        out += [_binding_item(b, sort) for b in names.visible(offset)]
    for root in vocab.ROOT_NAMES:
        out.append(_item(root, K.Module, "in scope", sources.docs.lookup("name", root),
                         sort=sort))
    for spec in FUNCTIONS.values():
        out.append(_function_item(spec, sources, sort))
    out += _keywords(where, sources, sort="3",
                     only=frozenset(vocab.EXPRESSION_KEYWORDS) - {"in", "and", "or", "if", "else"})
    return out


def _function_item(spec: FunctionSpec, sources: Sources, sort: str) -> types.CompletionItem:
    params = ", ".join(f"{p.name}{'' if p.required else '?'}" for p in spec.params)
    more = ", ..." if spec.variadic else ""
    detail = f"{spec.name}({params}{more}) → {spec.returns}"
    doc = sources.docs.lookup("function", spec.name) or spec.doc
    if sources.snippets:
        return _item(spec.name, K.Function, detail, doc, insert=f"{spec.name}($1)",
                     snippet=True, sort=sort)
    return _item(spec.name, K.Function, detail, doc, insert=f"{spec.name}(", sort=sort)


def _binding_item(b: Binding, sort: str) -> types.CompletionItem:
    kind = _BINDING_KINDS.get(b.kind, K.Reference)
    return _item(b.name, kind, b.detail, _source_doc(b), sort=sort)


def _source_doc(b: Binding) -> str:
    return f"```ddm\n{b.detail}\n```"


# ---- members ----------------------------------------------------------------------

def _members(where: ctx.Context, names: Names | None, offset: int,
             fields: ProductFields) -> list[types.CompletionItem]:
    path = list(where.path)
    if not path:
        return []
    root, rest = path[0], [p for p in path[1:] if p != "[]"]
    if root == "format" and not rest:
        return [_item(f, K.Field, t) for f, t in vocab.FORMAT_FIELDS.items()]
    if root in ("product", "brand"):
        return _field_items(fields, (["brand"] if root == "brand" else []) + rest)
    binding = names.resolve(root, offset) if names is not None else None
    if where.perception and root in schema.ROOTS and binding is None:
        return _attribute_items(".".join([root, *rest]))
    if binding is None:
        return []
    target = member_target(binding, names)
    if target == "image":
        return _attribute_items(".".join(rest))
    if isinstance(target, list):
        return _field_items(fields, target + rest)
    return []


def member_target(binding: Binding, names: Names | None) -> str | list[str] | None:
    """What a name's members are: "image" (perception attributes) for an object, a loop
    variable over objects or an `image` parameter; a path of product fields for a name
    bound to product data (`let price = product.price`, `for p in product.variants`)."""
    node = binding.node
    if binding.kind == OBJECT:
        return "image"
    if binding.kind == PARAM and isinstance(node, ast.Param):
        return "image" if node.type == "image" else None
    value: ast.Expr | None = None
    if binding.kind == LET and isinstance(node, ast.LetDecl):
        value = node.value
    elif binding.kind == LOOP and isinstance(node, ast.ForStmt) and binding.name == node.var:
        value = node.iterable
    if value is None:
        return None
    while isinstance(value, ast.Index | ast.Slice):
        value = value.obj
    dotted = ast.dotted_name(value)
    if not dotted:
        return None
    if dotted[0] == "product":
        return dotted[1:]
    if dotted[0] == "brand":
        return ["brand", *dotted[1:]]
    other = names.resolve(dotted[0], binding.scope_start) if names is not None else None
    if other is not None and other is not binding and other.kind == OBJECT and len(dotted) == 1:
        return "image"
    return None


def _field_items(fields: ProductFields, path: list[str]) -> list[types.CompletionItem]:
    node = fields.lookup(path)
    if node is None:
        return []
    return [_item(name, K.Field, child.describe(), f"from `{Path(fields.source).name}`")
            for name, child in sorted(node.children.items())]


def _attribute_items(prefix: str) -> list[types.CompletionItem]:
    out = []
    for name in schema.children(prefix):
        path = f"{prefix}.{name}" if prefix else name
        attr = schema.lookup(path)
        if attr is not None:
            out.append(_item(name, K.Field, f"{attr.type} ({attr.provider})", attr.doc))
        else:
            out.append(_item(name, K.Module, "perception attributes: "
                             + ", ".join(schema.children(path))))
    return out


# ---- import paths -----------------------------------------------------------------

def _import_paths(doc: Document) -> list[types.CompletionItem]:
    folder = doc.folder
    if folder is None or not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*.ddm"))[:MAX_IMPORT_FILES]:
        if doc.path is not None and path.resolve() == doc.path.resolve():
            continue
        rel = path.relative_to(folder).as_posix()
        out.append(_item(rel, K.File, "template file"))
    return out
