"""Hover: what the word under the cursor is, in the words of the language reference.

The word's role comes from the context at its start (the same classification completion
uses) and the character after it: `name(` is a call, `name:` a property or a named
argument, a word after `|` an operation, after `name.` a member. The text is the
reference's row and paragraphs for it (`docs.py`), with the signature tables' own line
where the reference has none: a perception attribute's type and provider, an
operation's clauses and arguments, a function's parameters, a product field's sample
values, the declaration of a name the template defines.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddm_lang.perception import schema
from ddm_lang.semantics import operations
from ddm_lang.semantics.functions import FUNCTIONS
from ddm_lang.semantics.svg_vocab import DDM_PROPERTIES, ELEMENT_TAGS, axis_of

from . import context as ctx
from . import vocabulary as vocab
from .bindings import COMPONENT, ELEMENT, Binding, Names
from .catalogue import ProductFields
from .completion import member_target, signature
from .docs import DocIndex
from .documents import Document

_AXIS = {"w": "the frame's width", "h": "the frame's height",
         "d": "the frame's normalised diagonal"}


@dataclass(frozen=True)
class HoverText:
    markdown: str
    start: int   # the word's offsets in the document
    end: int


def hover(doc: Document, offset: int, docs: DocIndex, fields: ProductFields) -> HoverText | None:
    """The hover for the word at `offset`, or None where there is nothing to say."""
    word_range = ctx.word_at(doc.source, offset)
    if word_range is None:
        return None
    start, end = word_range
    word = doc.source[start:end]
    where = ctx.classify(doc.source, start)
    if where.kind == ctx.NONE:
        return None
    text = _describe(doc, word, start, end, where, docs, fields)
    return HoverText(text, start, end) if text else None


def _next_char(source: str, end: int) -> str:
    rest = source[end:end + 200].lstrip(" \t")
    return rest[:1]


def _describe(doc: Document, word: str, start: int, end: int, where: ctx.Context,
              docs: DocIndex, fields: ProductFields) -> str | None:
    names = doc.names
    after = doc.source[end:end + 1]
    following = _next_char(doc.source, end)
    kind = where.kind
    if kind == ctx.MEMBER:
        return _member(where, word, names, start, fields, docs)
    if kind == ctx.OPERATION or (after == "(" and word in operations.OPERATIONS):
        return _operation(word, docs)
    if after == "(":
        if word in FUNCTIONS:
            return _function(word, docs)
        return _user(names, word, start, where)
    if kind == ctx.ARGUMENTS and following == ":" and where.argument is None:
        return _argument(where, word)
    if kind == ctx.BLOCK and following == ":":
        return _property(doc, where, word, docs)
    if kind in (ctx.STATEMENT, ctx.BLOCK) and word in ELEMENT_TAGS:
        return docs.lookup("element", word) or f"`{word}`: SVG `<{ELEMENT_TAGS[word]}>`"
    if kind == ctx.CLAUSE and word in vocab.CLAUSE_KEYWORDS:
        return _clause(where.operation, word, docs)
    if word in where.keywords or (kind in (ctx.STATEMENT, ctx.BLOCK, ctx.CONTINUE)
                                  and word in vocab.keywords()):
        return _keyword(word, docs)
    if where.perception and (schema.lookup(word) is not None or word in schema.ROOTS):
        return _attribute(word, docs)
    if kind == ctx.ARGUMENTS and where.argument is not None:
        spec = operations.get(where.operation or where.function or "")
        if spec is not None and where.argument in spec.args and \
                word in spec.args[where.argument].choices:
            return _argument(where, where.argument)
    if kind == ctx.CLAUSE_VALUE and word in vocab.clause_words(where.operation or "",
                                                                where.clause or ""):
        return _clause(where.operation, where.clause or "", docs)
    found = _user(names, word, start, where)
    if found:
        return found
    if word in vocab.ROOT_NAMES:
        return docs.lookup("name", word)
    if kind == ctx.VALUE and word in vocab.VALUE_WORDS.get(where.property or "", ()):
        return _property(doc, where, where.property or "", docs)
    return None


def _operation(name: str, docs: DocIndex) -> str | None:
    spec = operations.get(name)
    if spec is None:
        return None
    head = f"```\n| {signature(spec)}\n```\n\n{spec.doc}"
    lines = [head]
    for clause in spec.clauses.values():
        choices = "|".join(clause.choices) or clause.type
        lines.append(f"- `{clause.keyword} {choices}`: {clause.doc}".rstrip(": "))
    for arg in spec.args.values():
        default = f" (default `{arg.default}`)" if arg.default is not None else ""
        choices = "|".join(arg.choices) or arg.type
        lines.append(f"- `{arg.name}: {choices}`{default}{': ' + arg.doc if arg.doc else ''}")
    if spec.needs:
        lines.append(f"\nuses perception: {', '.join(spec.needs)}")
    reference = docs.lookup("operation", name)
    return "\n".join(lines) + (f"\n\n---\n\n{reference}" if reference else "")


def _function(name: str, docs: DocIndex) -> str:
    spec = FUNCTIONS[name]
    params = ", ".join(f"{p.name}{'' if p.required else '?'}: {p.type}" for p in spec.params)
    more = ", ..." if spec.variadic else ""
    head = f"```\n{name}({params}{more}) → {spec.returns}\n```"
    reference = docs.lookup("function", name)
    return f"{head}\n\n{reference or spec.doc}"


def _argument(where: ctx.Context, word: str) -> str | None:
    spec = operations.get(where.operation or where.function or "")
    if spec is not None and word in spec.args:
        arg = spec.args[word]
        choices = "|".join(arg.choices) or arg.type
        default = f", default `{arg.default}`" if arg.default is not None else ""
        return f"`{word}: {choices}`: argument of `{spec.name}`{default}. {arg.doc}".strip()
    function = FUNCTIONS.get(where.function or "")
    if function is not None:
        for p in function.params:
            if p.name == word:
                need = "required" if p.required else "optional"
                return f"`{word}`: {p.type} parameter of `{function.name}` ({need})"
    return None


def _property(doc: Document, where: ctx.Context, word: str, docs: DocIndex) -> str | None:
    names = doc.names
    component = names.component(where.element) if names and where.element else None
    if component is not None and names is not None:
        for p in names.params(component.name):
            if p.name == word:
                return f"parameter of component `{component.name}`\n```ddm\n{p.detail}\n```"
    reference = docs.lookup("property", word)
    if reference:
        return reference
    if word in DDM_PROPERTIES:
        return f"`{word}`: {DDM_PROPERTIES[word]}"
    axis = _AXIS[axis_of(word)]
    return (f"`{word}`: SVG attribute, passed through to the output; a `%` length in it is "
            f"a percent of {axis}")


def _clause(operation: str | None, word: str, docs: DocIndex) -> str | None:
    spec = operations.get(operation or "")
    parts = []
    if spec is not None and word in spec.clauses:
        clause = spec.clauses[word]
        choices = "|".join(clause.choices) or clause.type.upper()
        parts.append(f"`{spec.name} {word} {choices}`: {clause.doc}")
    reference = docs.lookup("keyword", word)
    if reference:
        parts.append(reference)
    return "\n\n".join(parts) or None


def _keyword(word: str, docs: DocIndex) -> str | None:
    return docs.lookup("keyword", word) or f"`{word}`: keyword"


def _attribute(path: str, docs: DocIndex) -> str | None:
    attr = schema.lookup(path)
    if attr is None:
        below = schema.children(path)
        return f"perception attributes `{path}.…`: {', '.join(below)}" if below else None
    return docs.lookup("attribute", path) or (
        f"`{path}`: {attr.type}, from the `{attr.provider}` perceiver. {attr.doc}")


def _member(where: ctx.Context, word: str, names: Names | None, start: int,
            fields: ProductFields, docs: DocIndex) -> str | None:
    path = [p for p in where.path if p != "[]"]
    if not path:
        return None
    root, rest = path[0], path[1:]
    if root == "format" and not rest:
        kind = vocab.FORMAT_FIELDS.get(word)
        return f"`format.{word}`: {kind} of the slot being compiled" if kind else None
    target: str | list[str] | None = None
    if root in ("product", "brand"):
        target = (["brand"] if root == "brand" else []) + rest
    else:
        binding = names.resolve(root, start) if names is not None else None
        if binding is not None:
            target = member_target(binding, names)
            if isinstance(target, list):
                target = target + rest
        elif where.perception and root in schema.ROOTS:
            return _attribute(".".join([*path, word]), docs)
    if target == "image":
        return _attribute(".".join([*rest, word]), docs)
    if isinstance(target, list):
        node = fields.lookup([*target, word])
        if node is None:
            return None
        shown = ".".join(["product", *target, word])
        return (f"`{shown}`: product field, {node.describe()}\n\n"
                f"*in the sample catalogue `{fields.source}`*")
    return None


def _user(names: Names | None, word: str, offset: int, where: ctx.Context) -> str | None:
    """A name the template (or a file it imports) defines: a value in scope, a
    component where an element's kind or a call is written, an element where `avoid` or
    `flow` names one."""
    if names is None:
        return None
    binding: Binding | None = names.resolve(word, offset)
    if binding is None and where.kind in (ctx.STATEMENT, ctx.BLOCK, ctx.EXPRESSION):
        binding = names.component(word)
    if binding is None and (where.clause == "avoid" or where.property == "flow"):
        binding = names.element(word)
    if binding is None:
        return None
    source = "" if binding.file == names.module.path else f"\n\n*from `{binding.file}`*"
    what = {COMPONENT: "component", ELEMENT: "element"}.get(binding.kind, binding.kind)
    return f"({what}) `{binding.name}`\n```ddm\n{binding.detail}\n```{source}"
