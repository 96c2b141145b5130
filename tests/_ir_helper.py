"""Template IR straight from the parser, without the checker.

Bind tests exercise the binder on its own: what the checker guarantees (names resolve,
operations are available) is the test author's job here, and the binder's own defences
against unchecked input get exercised too. Switching a test to the real checker is
`check_source(source)` instead of `build(source)`.
"""

from __future__ import annotations

from types import MappingProxyType

from ddm_lang.scene import Node, Scene, TextNode
from ddm_lang.semantics.ir import AbstractObject, CheckedTemplate, Component, Format
from ddm_lang.syntax import ast
from ddm_lang.syntax.parser import parse


def build(source: str, path: str = "<template>") -> CheckedTemplate:
    """Copy formats, objects, components and body statements from the AST, unchecked."""
    module = parse(source, path)
    name, title = "t", None
    formats: list[Format] = []
    objects: dict[str, AbstractObject] = {}
    components: dict[str, Component] = {}
    body: list[ast.Stmt] = []
    for item in module.items:
        if isinstance(item, ast.TemplateDecl):
            name, title = item.name, item.title
        elif isinstance(item, ast.FormatsDecl):
            formats += [Format(f.name, f.width, f.height) for f in item.formats]
        elif isinstance(item, ast.ObjectDecl):
            objects[item.name] = AbstractObject(item.name, item.optional, item.count, item.kind,
                                                item.source, item.where, item.prefer, item.span)
        elif isinstance(item, ast.ComponentDecl):
            components[item.name] = Component(item.name, item.params, item.body, item.span)
        elif isinstance(item, ast.Import):
            raise NotImplementedError("imports need the checker")
        else:
            body.append(item)
    return CheckedTemplate(name, title, tuple(formats), MappingProxyType(objects),
                    MappingProxyType(components), tuple(body), path, source,
                    MappingProxyType({path: source}))


def texts(scene: Scene) -> list[str]:
    """The text of every TextNode, lines joined by `|`, in document order."""
    out: list[str] = []

    def walk(items: tuple) -> None:
        for item in items:
            if isinstance(item, TextNode):
                out.append("|".join(line.text for line in item.lines))
            elif isinstance(item, Node):
                walk(item.children)

    walk(scene.children)
    return out
