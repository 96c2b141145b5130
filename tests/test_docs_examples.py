"""docs/language.md stays true to the code.

Every ```ddm block parses and checks; blocks starting with `// compile: product=NAME[, NAME]`
also compile for every format they list against each named product below, giving SVG that
parses; blocks starting with `// file: NAME.ddm` are libraries the others import. Every
```ddm-error block fails with the diagnostic in the ```text block after it. The reference
tables list exactly the builtin functions, operations, perception attributes, element
kinds, DDM properties and %-axes the code has.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from ddm_lang.perception.schema import ATTRIBUTES
from ddm_lang.semantics import operations, svg_vocab
from ddm_lang.semantics.functions import FUNCTIONS
from ddm_lang.syntax.parser import parse

try:
    from ddm_lang import DiagnosticError, load_template, template_from_string
except ImportError:  # the public API is wired by the lead; until then only the tables are checked
    DiagnosticError = load_template = None

needs_api = pytest.mark.skipif(load_template is None,
                               reason="ddm_lang.load_template is not importable yet")

DOC_PATH = Path(__file__).parents[1] / "docs" / "language.md"
DOC = DOC_PATH.read_text("utf-8")

# The products examples compile against (the doc's introduction describes them).
PRODUCTS: dict[str, dict] = {
    "olive": {"id": "sku-1", "title": "Evergreen Olive Oil", "images": ["small.png", "big.jpg"],
              "brand": {"name": "Grove", "logos": ["logo.png"]},
              "price": {"amount": 12.9, "currency": "USD", "discount": 20},
              "selling_points": ["Cold pressed", "Single estate", "Glass bottle", "Early harvest"]},
    "sparse": {"id": "sku-7", "title": "Plain Linen Shirt", "images": ["big.jpg"]},
}

FENCE = re.compile(r"^```(ddm|ddm-error)\n(.*?)^```\n", re.S | re.M)
BLOCKS = [(m.group(1), m.group(2), m.end()) for m in FENCE.finditer(DOC)]
EXAMPLES = [src for kind, src, _ in BLOCKS if kind == "ddm"]
LIBRARIES = {m.group(1): src for src in EXAMPLES if (m := re.match(r"// file: (\S+)\n", src))}
COMPILE = re.compile(r"// compile: product=([\w, ]+)\n")


def _expected_diagnostic(end: int) -> str:
    """The ```text block right after a ddm-error block."""
    m = re.compile(r"\s*```text\n(.*?)^```", re.S | re.M).match(DOC, end)
    assert m, f"a ddm-error block (ending at offset {end}) needs a ```text block after it"
    return m.group(1).strip()


ERRORS = [(src, _expected_diagnostic(end)) for kind, src, end in BLOCKS if kind == "ddm-error"]


def _products(source: str) -> list[str]:
    m = COMPILE.match(source)
    return [n.strip() for n in m.group(1).split(",")] if m else []


def _section(title: str) -> str:
    start = DOC.index(title)
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end > 0 else None]


def _table(section: str, header: str) -> list[list[str]]:
    """Rows of the Markdown table whose header row starts with `header`, split into cells
    (`\\|` inside a cell is not a separator)."""
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return rows


def _codes(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@pytest.fixture
def studio(studio: Path) -> Path:
    """conftest's folder of product images, plus the doc's library files."""
    for name, text in LIBRARIES.items():
        (studio / name).write_text(text, "utf-8")
    return studio


# ---- examples -------------------------------------------------------------------------

def test_there_is_an_example_for_every_construct() -> None:
    text = "\n".join(EXAMPLES)
    for construct in ("template ", "formats ", "import \"", "import rule", "object ", "object logo?",
                      "shots[2]", "where ", "prefer ", " desc", "let ", "component ", "for ",
                      "when ", "else when", "} else {", "raw \"\"\"", "| place", "avoid ", "defs",
                      "use {", "fit(", "slot(", "box:", "margin ", "{product", "\\\"", "\\{",
                      " in product", "[:2]", "[0:3]", "seed", "brand.", "format.aspect", "vmin",
                      "vh", "/*", "(-10px)", "image stamp = \"", "content:", "max-lines"):
        assert construct in text, f"no ddm example shows `{construct}`"


def test_every_compile_marker_names_known_products() -> None:
    compiled = [src for src in EXAMPLES if src.startswith("// compile")]
    assert len(compiled) >= 15
    for src in compiled:
        assert _products(src), f"malformed compile marker: {src.splitlines()[0]}"
        assert set(_products(src)) <= set(PRODUCTS), src.splitlines()[0]


@pytest.mark.parametrize("source", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example_parses(source: str) -> None:
    parse(source, "example.ddm")


@needs_api
@pytest.mark.parametrize("source", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example_checks_and_compiles_where_marked(source: str, studio: Path) -> None:
    main = studio / "example.ddm"
    main.write_text(source, "utf-8")
    template = load_template(main)
    for name in _products(source):
        for fmt in template.formats:
            svg = template.compile(PRODUCTS[name], fmt.name, base_dir=studio).svg
            root = etree.fromstring(svg.encode("utf-8"))
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert (root.get("width"), root.get("height")) == (str(fmt.width), str(fmt.height))
            again = template.compile(PRODUCTS[name], fmt.name, base_dir=studio).svg
            assert again == svg, "compiling twice must give the same bytes"


@needs_api
@pytest.mark.parametrize("source,expected", ERRORS,
                         ids=[f"error-{i}" for i in range(len(ERRORS))])
def test_error_example_gives_the_documented_diagnostic(source: str, expected: str,
                                                       studio: Path) -> None:
    products = _products(source)
    with pytest.raises(DiagnosticError) as info:
        template = template_from_string(source)  # from text: the file is `<template>`
        assert products, "this example checks, so it must say which product makes it fail"
        for name in products:
            for fmt in template.formats:
                template.compile(PRODUCTS[name], fmt.name, base_dir=studio)
    rendered = "\n".join(line.rstrip() for line in info.value.render().splitlines())
    assert expected in rendered


# ---- reference tables -------------------------------------------------------------------

def _signature(name: str) -> str:
    spec = FUNCTIONS[name]
    params = [p.name + ("" if p.required else "?") for p in spec.params]
    if spec.variadic:
        params.append("...")
    return f"{name}({', '.join(params)})"


def test_function_table_lists_exactly_the_builtins() -> None:
    rows = _table(_section("## 4."), "function")
    names = [_codes(r[0])[0].split("(")[0] for r in rows]
    assert sorted(names) == sorted(FUNCTIONS), "the function table must list every builtin once"
    for row, name in zip(rows, names, strict=True):
        assert _codes(row[0])[0] == _signature(name)
        assert row[1] == FUNCTIONS[name].returns, name


def test_operation_table_lists_exactly_the_signatures() -> None:
    rows = _table(_section("## 8."), "operation")
    assert sorted(_codes(r[0])[0] for r in rows) == operations.names()
    for op, on, clauses, args, status in rows:
        spec = operations.get(_codes(op)[0])
        assert set(on.split(", ")) == set(spec.applies_to), spec.name
        assert [c.split()[0] for c in _codes(clauses)] == list(spec.clauses), spec.name
        assert [a.split(":")[0] for a in _codes(args)] == list(spec.args), spec.name
        for arg in spec.args.values():
            cell = next(a for a in _codes(args) if a.startswith(arg.name + ":"))
            assert all(choice in cell for choice in arg.choices), (spec.name, arg.name)
        for clause in spec.clauses.values():
            cell = next(c for c in _codes(clauses) if c.split()[0] == clause.keyword)
            assert all(choice in cell for choice in clause.choices), (spec.name, clause.keyword)
        assert status == "available", spec.name


def test_attribute_table_lists_exactly_the_schema() -> None:
    rows = _table(_section("## 7."), "attribute")
    assert [_codes(r[0])[0] for r in rows] == list(ATTRIBUTES)
    for row in rows:
        attr = ATTRIBUTES[_codes(row[0])[0]]
        assert (row[1], row[2]) == (attr.type, attr.provider), attr.path


def test_element_table_lists_exactly_the_vocabulary() -> None:
    rows = _table(_section("## 5."), "kinds")
    kinds = [k for r in rows for k in _codes(r[0])]
    assert sorted(kinds) == sorted(svg_vocab.ELEMENT_TAGS)
    containers = {k for r in rows if r[2] == "yes" for k in _codes(r[0])}
    assert containers == set(svg_vocab.CONTAINERS)
    for row in rows:
        for kind in _codes(row[0]):
            tag = svg_vocab.ELEMENT_TAGS[kind]
            assert (row[1] == "the same" and tag == kind) or row[1] == f"`{tag}`", kind


def test_property_table_lists_exactly_the_ddm_properties() -> None:
    rows = _table(_section("## 5."), "DDM property")
    assert [_codes(r[0])[0] for r in rows] == list(svg_vocab.DDM_PROPERTIES)


def test_percent_axes_match_the_vocabulary() -> None:
    rows = {r[0]: set(_codes(r[1])) for r in _table(_section("## 2."), "`%` of")}
    assert rows["frame width"] == set(svg_vocab.HORIZONTAL)
    assert rows["frame height"] == set(svg_vocab.VERTICAL)
    diagonal = next(v for k, v in rows.items() if k.startswith("normalised diagonal"))
    assert diagonal == set(svg_vocab.DIAGONAL)
    assert "`box: ANCHOR [margin M] size W [H]`" in DOC
    for anchor in svg_vocab.ANCHORS:
        assert f"`{anchor}`" in _section("## 2."), anchor
