"""Checker behaviour beyond single mistakes: scopes, imports, components, the IR it builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddm_lang import DiagnosticError, load_template, template_from_string
from ddm_lang.syntax import ast

HEAD = 'template t "T"\nformats feed 1080x1080, banner 1200x628\n'


def _codes(source: str | Path, **kw) -> list[tuple[str, int, int]]:
    with pytest.raises(DiagnosticError) as info:
        if isinstance(source, Path):
            load_template(source, **kw)
        else:
            template_from_string(source, **kw)
    return [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics]


def test_ir_holds_formats_objects_and_body_in_order() -> None:
    t = template_from_string(HEAD + "object hero = image from product.images where width > 100\n"
                      "let a = 1\nrect r { }\ntext x = 'hi'\n").ir
    assert [(f.name, f.width, f.height) for f in t.formats] == [("feed", 1080, 1080),
                                                               ("banner", 1200, 628)]
    assert list(t.objects) == ["hero"] and t.objects["hero"].where is not None
    assert [type(s).__name__ for s in t.body] == ["LetDecl", "Element", "Element"]


def test_let_is_block_scoped() -> None:
    codes = _codes(HEAD + "group g {\n  let inner = #fff\n}\nrect { fill: inner.x }\n")
    assert codes == [("check.unknown-name", 6, 14)]


def test_loop_variables_visible_only_inside_the_loop() -> None:
    template_from_string(HEAD + "for p, i in product.selling_points { text = p { y: i * 10 } }\n")
    assert _codes(HEAD + "for p in product.selling_points { }\nlet q = p.x\n") == [
        ("check.unknown-name", 4, 9)]


def test_where_names_are_perception_attributes_and_object_members_too() -> None:
    template_from_string(HEAD + "object hero = image from product.images\n"
                  "  where subject.area > 0.1 and not suitability.collage\n"
                  "  prefer quality desc, width\n"
                  "let c = hero.palette.dominant\n")
    codes = _codes(HEAD + "object hero = image from product.images where subject > 1\n")
    assert codes == [("check.attribute-group", 3, 47)]


def test_object_lists_must_be_indexed() -> None:
    template_from_string(HEAD + "object shots[3] = image from product.images\nimage = shots[0] { }\n"
                  "for s in shots { image = s { } }\n")
    assert _codes(HEAD + "object shots[3] = image from product.images\nlet w = shots.width\n") == [
        ("check.type", 4, 9)]


def test_component_params_are_in_scope_and_defaults_optional() -> None:
    t = template_from_string(HEAD + "component tag(label: string, tone: color = #222) {\n"
                      "  text t = label { fill: tone }\n}\ntag { label: 'x' }\n").ir
    assert list(t.components) == ["tag"]
    assert t.components["tag"].params[1].default == ast.Color("#222")


def test_mutual_component_recursion_is_reported_once() -> None:
    codes = _codes(HEAD + "component a() { b { } }\ncomponent b() { a { } }\n")
    assert codes == [("check.component-recursion", 3, 1)]


def test_import_brings_components_and_lets(tmp_path: Path) -> None:
    (tmp_path / "lib.ddm").write_text("let brand_ink = #102030\n"
                                      "component chip(label) { text t = label { fill: #102030 } }\n")
    main = tmp_path / "main.ddm"
    main.write_text(HEAD + 'import chip, brand_ink from "lib.ddm"\n'
                    "chip { label: 'new' }\nrect { fill: brand_ink }\n")
    t = load_template(main).ir
    assert "chip" in t.components
    assert isinstance(t.body[0], ast.LetDecl) and t.body[0].name == "brand_ink"


def test_import_errors_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "lib.ddm").write_text("let a = 1\n")
    (tmp_path / "loop.ddm").write_text('import "loop.ddm"\n')
    main = tmp_path / "main.ddm"
    main.write_text(HEAD + 'import b from "lib.ddm"\nimport "missing.ddm"\n'
                    'import "../outside.ddm"\nimport "loop.ddm"\n')
    with pytest.raises(DiagnosticError) as info:
        load_template(main)
    codes = sorted(d.code for d in info.value.diagnostics)
    assert codes == ["check.import-cycle", "check.import-missing", "check.import-name",
                     "check.import-outside"]


def test_errors_inside_imported_files_point_into_that_file(tmp_path: Path) -> None:
    (tmp_path / "lib.ddm").write_text("let a = tnt(#fff, 1)\n")
    main = tmp_path / "main.ddm"
    main.write_text(HEAD + 'import "lib.ddm"\n')
    with pytest.raises(DiagnosticError) as info:
        load_template(main)
    d = info.value.diagnostics[0]
    assert d.span.file.endswith("lib.ddm") and (d.span.line, d.span.column) == (1, 9)
    assert "1 | let a = tnt(#fff, 1)" in info.value.render()


def test_raw_svg_that_is_safe_passes() -> None:
    template_from_string(HEAD + 'raw """<circle cx="5" cy="5" r="4" fill="url(#g)"/>"""\n')


def test_place_clauses_are_validated_against_the_registry() -> None:
    template_from_string(HEAD + "object hero = image from product.images\n"
                  "text headline = 'x'\n"
                  "image hero | place in slot(right 50%) fit cover anchor top avoid headline\n")
    assert _codes(HEAD + "object hero = image from product.images\n"
                  "image hero | place in slot(middle 50%)\n") == [("check.word", 4, 28)]


def test_template_file_not_found_is_a_diagnostic(tmp_path: Path) -> None:
    codes = _codes(tmp_path / "nope.ddm")
    assert codes == [("io.not-found", 1, 1)]
