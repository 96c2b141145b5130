"""One environment per compile: two environments in one process share nothing.

Fonts, the material library, the generated-image store, the copy backend, models and
limits all come from the template's `Environment`; nothing here touches `os.environ`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import uniseg

import ddm_lang
from ddm_lang import Environment, Limits, load_template, template_from_string
from ddm_lang.copy.writer import Request
from ddm_lang.perception.models import ModelError, ModelRegistry
from ddm_lang.renderer.fonts import FontRegistry

# Two real typefaces that come with a pinned runtime dependency (uniseg's documentation).
UNISEG_FONTS = Path(uniseg.__file__).parent / "docs" / "html" / "_static" / "fonts"
LATO = UNISEG_FONTS / "Lato" / "lato-regular.ttf"
SLAB = UNISEG_FONTS / "RobotoSlab" / "roboto-slab-v7-regular.ttf"

TEMPLATE = '''template brand "Brand font"
formats feed 600x300
object hero = image from product.images where width >= 100 prefer subject.area desc
rect bg { box: 0 0 100% 100%; fill: #fafafa }
image hero | place in slot(left 50%) fit cover
text title = product.title { box: 52% 10% 30% 80%; size: fit(10, 90); font: "Lato" }
'''


def _folder(tmp_path: Path, name: str, font: Path) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / font.name).write_bytes(font.read_bytes())
    return folder


def _records(library: Path) -> int:
    if not library.exists():
        return 0
    with sqlite3.connect(library) as db:
        return db.execute("SELECT COUNT(*) FROM records").fetchone()[0]


@pytest.mark.skipif(not (LATO.exists() and SLAB.exists()), reason="uniseg ships no fonts")
def test_two_environments_side_by_side_share_no_fonts_and_no_library(
        tmp_path: Path, studio: Path, product: dict) -> None:
    before = dict(os.environ)
    default_library = Path(os.environ["DDM_LIBRARY"])
    default_records = _records(default_library)
    lato = Environment(font_dirs=[_folder(tmp_path, "lato", LATO)],
                       library=tmp_path / "a" / "materials.sqlite")
    slab = Environment(font_dirs=[_folder(tmp_path, "slab", SLAB)],
                       library=tmp_path / "b" / "materials.sqlite")
    path = tmp_path / "brand.ddm"
    path.write_text(TEMPLATE)
    in_lato = load_template(path, environment=lato)
    in_slab = load_template(path, environment=slab)

    first = in_lato.compile(product, "feed", base_dir=studio)
    assert _records(tmp_path / "a" / "materials.sqlite") == 2   # both photos perceived
    assert _records(tmp_path / "b" / "materials.sqlite") == 0
    other = in_slab.compile(product, "feed", base_dir=studio)
    assert _records(tmp_path / "b" / "materials.sqlite") == 2
    again = in_lato.compile(product, "feed", base_dir=studio)

    # Each text was fitted with its environment's faces: Lato where it is installed, the
    # default family where the template's font is missing.
    assert "lato" in lato.fonts.families and "lato" not in slab.fonts.families
    (text_a,) = [n for n in first.scene.children if isinstance(n, ddm_lang.scene.TextNode)]
    (text_b,) = [n for n in other.scene.children if isinstance(n, ddm_lang.scene.TextNode)]
    assert lato.fonts.resolve_family("Lato") == "lato"
    assert slab.fonts.resolve_family("Lato") != "lato"
    assert text_a.lines[0].y != text_b.lines[0].y   # each face's ascent sets the baseline
    assert first.svg != other.svg
    for line in text_a.lines:  # fits its box as measured with Lato
        assert lato.fonts.measure(line.text, "Lato", 400, False, text_a.size) <= 180 + 1e-6
    assert first.svg == again.svg                      # nothing leaked from the other one
    assert first.render("png") == again.render("png")
    # The process's own fonts, library and variables are untouched.
    assert "lato" not in FontRegistry.default().families
    assert "roboto slab" not in FontRegistry.default().families
    assert _records(default_library) == default_records
    assert dict(os.environ) == before


def test_the_default_environment_follows_the_variables(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    first = ddm_lang.default_environment()
    assert ddm_lang.default_environment() is first     # built once per set of values
    monkeypatch.setenv("DDM_LIBRARY", str(tmp_path / "other.sqlite"))
    second = ddm_lang.default_environment()
    assert second is not first and second.library.path == tmp_path / "other.sqlite"
    assert second.generated == tmp_path / "generated"
    assert second.fonts is FontRegistry.default()


def test_from_environ_reads_only_the_mapping_it_is_given(tmp_path: Path) -> None:
    env = Environment.from_environ({"DDM_LIBRARY": str(tmp_path / "m.sqlite"),
                                    "DDM_GENERATED": str(tmp_path / "gen"),
                                    "DDM_FONT_DIRS": os.pathsep.join(["x", "y"]),
                                    "DDM_COPY_BACKEND": "offline",
                                    "DDM_MODEL_INPAINT": str(tmp_path / "inpaint.onnx")})
    assert env.library_path == tmp_path / "m.sqlite" and env.generated == tmp_path / "gen"
    assert env.font_dirs == (Path("x"), Path("y")) and env.copy_backend is None
    assert env.models.configured_path("inpaint") == tmp_path / "inpaint.onnx"
    overridden = Environment.from_environ({"DDM_LIBRARY": "ignored"}, library=tmp_path / "l")
    assert overridden.library_path == tmp_path / "l"


def test_each_environment_has_its_own_models(tmp_path: Path) -> None:
    mine = ModelRegistry({"inpaint": tmp_path / "missing.onnx"})
    assert mine.configured_path("inpaint") == tmp_path / "missing.onnx"
    assert ModelRegistry().configured_path("inpaint") is None
    with pytest.raises(ModelError, match="not found"):
        mine.model_path("inpaint")
    with pytest.raises(ModelError, match="unknown model role"):
        ModelRegistry({"colour": tmp_path})


class _Proposer:
    """A copy backend that proposes one fixed headline (the writer still checks it)."""

    name = "fixed"

    def __init__(self, text: str) -> None:
        self.text = text

    def generate(self, request: Request) -> list[str]:
        return [self.text]


def test_the_copy_backend_is_the_environments(studio: Path, product: dict) -> None:
    source = ('template t "T"\nformats feed 800x400\n'
              'text h = caption(kind: headline) { box: 5% 5% 90% 40%; size: fit(10, 60) }\n')
    proposing = template_from_string(source, environment=Environment(
        copy_backend=_Proposer("Olive Oil")))
    offline = template_from_string(source, environment=Environment())
    written = proposing.compile(product, "feed", base_dir=studio).scene.children[0]
    plain = offline.compile(product, "feed", base_dir=studio).scene.children[0]
    assert [ln.text for ln in written.lines] == ["Olive Oil"]
    assert [ln.text for ln in plain.lines] != ["Olive Oil"]


def test_limits_are_the_environments(studio: Path, product: dict) -> None:
    source = ('template t "T"\nformats feed 100x100\n'
              'for p in product.selling_points { text x = p { box: 0 0 100 20; size: 8 } }\n')
    assert template_from_string(source).compile(product, "feed", base_dir=studio)
    tight = template_from_string(source, environment=Environment(limits=Limits(texts=2)))
    with pytest.raises(ddm_lang.DiagnosticError, match="more than 2 texts"):
        tight.compile(product, "feed", base_dir=studio)


def test_roots_limit_where_product_images_are_read(tmp_path: Path, studio: Path,
                                                   product: dict) -> None:
    source = ('template t "T"\nformats feed 100x100\nobject hero = image from product.images\n'
              'image hero | place in slot(all) fit cover\n')
    elsewhere = tmp_path / "allowed"
    elsewhere.mkdir()
    fenced = template_from_string(source, environment=Environment(roots=[elsewhere]))
    with pytest.raises(ddm_lang.DiagnosticError, match="outside"):
        fenced.compile(product, "feed", base_dir=studio)
