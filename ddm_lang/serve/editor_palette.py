"""The palette: new elements written at the end of a template, with unique names (and an
image's `object`, selected by a perception condition)."""

from __future__ import annotations

from ddm_lang.syntax import ast

from .editor_edits import EditRefused, check_value, elements, formatted, parsed

PALETTE = {
    "caption": 'text {name} = caption(kind: headline) {{\n  box: 8% 8% 84% 18%;\n'
               '  font: "Inter" 800;\n  size: fit(14, 7%);\n  max-lines: 2;\n'
               '  fill: #111111;\n}}',
    "text": 'text {name} = product.title {{\n  box: 8% 80% 84% 10%;\n  font: "Inter" 600;\n'
            '  size: fit(12, 5%);\n  max-lines: 1;\n  fill: #111111;\n}}',
    "image": 'image {name} | place in slot(25% 25% 50% 50%) fit subject',
    "rect": 'rect {name} {{ box: 8% 8% 30% 12%; rx: 12; fill: #e4572e }}',
    "circle": 'circle {name} {{ box: top-right margin 4% size 16%; fill: #e4572e }}',
}
OBJECT = "object {name} = image from product.images\n  where {where}\n  prefer {prefer}"
DEFAULT_WHERE = "subject.found"
DEFAULT_PREFER = "quality desc, megapixels desc"


def insert(source: str, kind: str, *, where: str = DEFAULT_WHERE,
           prefer: str = DEFAULT_PREFER) -> tuple[str, str]:
    """The source with a new element of the palette's `kind` drawn last (an image with
    the object it shows, selected by `where` and `prefer`), and the element's name."""
    module = parsed(source)
    taken = {e.name for e in elements(module.items) if e.name} | {
        i.name for i in module.items if isinstance(i, ast.ObjectDecl | ast.LetDecl)}
    components = {i.name: i for i in module.items if isinstance(i, ast.ComponentDecl)}
    base = {"caption": "headline", "image": "photo"}.get(kind, kind)
    name = next(f"{base}{n}" for n in range(2, 1000) if f"{base}{n}" not in taken)
    if base not in taken:
        name = base
    if kind in PALETTE:
        element = PALETTE[kind].format(name=name)
    elif kind in components:
        element = _instance(components[kind], name)
    else:
        raise EditRefused(f"nothing called `{kind}` to insert")
    text = source.rstrip("\n") + "\n\n" + element + "\n"
    if kind == "image":
        check_value("where", where)
        decl = OBJECT.format(name=name, where=where, prefer=prefer)
        objects = [i for i in module.items if isinstance(i, ast.ObjectDecl | ast.FormatsDecl
                                                         | ast.TemplateDecl | ast.Import)]
        at = objects[-1].span.end if objects else 0
        text = text[:at] + "\n\n" + decl + text[at:]
    return formatted(source, text), name


def _instance(component: ast.ComponentDecl, name: str) -> str:
    lines = [f"{component.name} {name} {{", "  box: 10% 10% 40% 40%;"]
    placeholder = {"color": "#111111", "number": "1", "length": "10%", "bool": "true"}
    for param in component.params:
        if param.default is None:
            value = placeholder.get(param.type or "", '"Text"')
            lines.append(f"  {param.name}: {value};")
    return "\n".join(lines).rstrip(";") + "\n}"


