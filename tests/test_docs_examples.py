"""docs/language.md stays true: every example checks, compiles where marked, and the
reference tables list exactly the functions, operations and attributes the code has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from ddm_lang import DiagnosticError, load_template
from ddm_lang.ops import registry
from ddm_lang.perception.schema import ATTRIBUTES
from ddm_lang.semantics.functions import FUNCTIONS

DOC = (Path(__file__).parents[1] / "docs" / "language.md").read_text("utf-8")
BLOCKS = re.findall(r"```(ddm|ddm-error)\n(.*?)```", DOC, re.S)
EXAMPLES = [src for kind, src in BLOCKS if kind == "ddm"]
ERRORS = [src for kind, src in BLOCKS if kind == "ddm-error"]


def _section(title: str) -> str:
    start = DOC.index(title)
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end > 0 else None]


@pytest.fixture
def doc_product(studio: Path, product: dict) -> dict:
    return product


def test_there_is_an_example_for_every_construct() -> None:
    text = "\n".join(EXAMPLES)
    for construct in ("template ", "formats ", "object ", "let ", "component ", "for ", "when ",
                      "else", "raw ", "| place", "defs", "fit(", "slot(", "box:", "{product",
                      "import "):
        assert construct in text, construct
    assert len(EXAMPLES) >= 15


LIBRARIES = {m.group(1): src for src in EXAMPLES
             if (m := re.match(r"// file: (\S+)\n", src))}


@pytest.mark.parametrize("source", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example_checks_and_compiles_where_marked(source: str, studio: Path,
                                                  doc_product: dict) -> None:
    for name, text in LIBRARIES.items():  # files that examples import
        (studio / name).write_text(text)
    main = studio / "example.ddm"
    main.write_text(source)
    template = load_template(main)
    if not source.startswith("// compile"):
        return
    for fmt in template.formats:
        svg = template.compile(doc_product, fmt.name, base_dir=studio).svg
        root = etree.fromstring(svg.encode())
        assert root.get("width") == str(fmt.width)


@pytest.mark.parametrize("source", ERRORS)
def test_error_examples_give_the_documented_diagnostic(source: str) -> None:
    with pytest.raises(DiagnosticError) as info:
        load_template(source)
    rendered = info.value.render()
    documented = DOC[DOC.index(source) + len(source):].split("gives `", 1)[1].split("`.\n")[0]
    assert documented.split(": ", 1)[1].replace("`", "") in rendered.replace("`", "")


def test_function_table_lists_exactly_the_builtins() -> None:
    names = set(re.findall(r"^\| `([a-z_]+)\(", _section("## 4."), re.M))
    assert names == set(FUNCTIONS)


def test_operation_table_lists_exactly_the_registry() -> None:
    rows = re.findall(r"^\| `([a-z]+)` \| (image|text) \|.*\| (available|not available yet: (.*)) \|$",
                      _section("## 7."), re.M)
    assert {r[0] for r in rows} == set(registry.names())
    for name, _kind, status, missing in rows:
        spec = registry.get(name)
        assert (status == "available") == spec.available
        if not spec.available:
            assert missing == spec.missing


def test_attribute_table_lists_exactly_the_schema() -> None:
    rows = [r for r in _section("## 6.").splitlines() if r.startswith("| `")]
    names = {n for r in rows for n in re.findall(r"`([a-z_.]+)`", r.split("|")[1])}
    assert names == set(ATTRIBUTES)
