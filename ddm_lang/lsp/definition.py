"""Go to definition: from a use of a name to where it is defined.

What a word refers to depends on where it is written, as the checker decides: a name in
an expression is a value in scope (`let`, object, loop variable, parameter); an element's
kind may be a component; `image hero` shows the object `hero`; a property of a component
instance is one of its parameters; the names after `avoid` and in `flow:` are elements;
the path of an `import` is a file, and the names it lists are that file's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddm_lang.syntax import ast

from .bindings import COMPONENT, ELEMENT, OBJECT, Binding, Names, import_target, nodes_at
from .context import word_at
from .documents import Document


@dataclass(frozen=True)
class Target:
    """A place to jump to: a file and a character range in it (empty: the file's start)."""

    file: str
    start: int = 0
    end: int = 0
    local: bool = True  # in the document itself


def definition(doc: Document, offset: int) -> Target | None:
    module = doc.analysis.module
    names = doc.names
    if module is None or names is None or names.module is not module:
        return _by_name(doc, offset)  # the text does not parse: find the word anywhere
    chain = nodes_at(module, offset)
    if chain and isinstance(chain[0], ast.Import):
        return _import(module, names, chain[0], offset)
    word_range = word_at(doc.source, offset)
    if word_range is None:
        return None
    word = doc.source[word_range[0]:word_range[1]]
    binding = _resolve(module, names, chain, word, offset)
    return _target(module, binding) if binding is not None else None


def _resolve(module: ast.Module, names: Names, chain: list[object], word: str,
             offset: int) -> Binding | None:
    inner = chain[-1] if chain else None
    if isinstance(inner, ast.Name) and inner.id == word:
        if any(isinstance(n, ast.Clause) and n.keyword == "avoid" for n in chain) or any(
                isinstance(n, ast.Property) and n.name == "flow" for n in chain):
            return names.element(word) or names.resolve(word, offset)
        return names.resolve(word, offset) or names.component(word)
    if isinstance(inner, ast.Element):
        head_end = inner.span.start + len(inner.kind)
        if inner.span.start <= offset <= head_end and word == inner.kind:
            return names.component(word)
        if word == inner.name:
            if inner.kind == "image" and inner.value is None:
                return names.resolve(word, offset) or names.element(word)
            return names.element(word)
    if isinstance(inner, ast.Property) and word == inner.name and \
            offset <= inner.span.start + len(inner.name):
        owner = next((n for n in reversed(chain) if isinstance(n, ast.Element)), None)
        if owner is not None and names.component(owner.kind) is not None:
            return next((p for p in names.params(owner.kind) if p.name == word), None)
        return None
    for b in names.local:  # on a declaration's own name
        if b.node is inner and b.name == word:
            return b
    if isinstance(inner, ast.Call | ast.Member):
        return None  # a builtin function, or a member: no definition in the template
    return names.resolve(word, offset) or names.component(word) or names.element(word)


def _import(module: ast.Module, names: Names, node: ast.Import, offset: int) -> Target | None:
    target = import_target(module.path, node.path)
    if target is None:
        return None
    text = module.source[node.span.start:node.span.end]
    quotes = [i for i in (text.find('"'), text.find("'")) if i >= 0]
    path_start = node.span.start + min(quotes) if quotes else node.span.end
    if offset >= path_start or node.names is None:
        return Target(str(target), local=False)
    word_range = word_at(module.source, offset)
    if word_range is None:
        return None
    word = module.source[word_range[0]:word_range[1]]
    for b in names.imported:
        if b.name == word and b.file == str(target) and b.kind != "param":
            return _target(module, b)
    return Target(str(target), local=False)


def _by_name(doc: Document, offset: int) -> Target | None:
    names = doc.names
    word_range = word_at(doc.source, offset)
    if names is None or word_range is None:
        return None
    word = doc.source[word_range[0]:word_range[1]]
    found = [b for b in [*names.local, *names.imported] if b.name == word]
    order = {OBJECT: 0, "let": 1, COMPONENT: 2, ELEMENT: 3}
    found.sort(key=lambda b: order.get(b.kind, 4))
    return _target(names.module, found[0]) if found else None


def _target(module: ast.Module, binding: Binding) -> Target:
    return Target(binding.file, binding.name_start, binding.name_end,
                  local=binding.file == module.path)
