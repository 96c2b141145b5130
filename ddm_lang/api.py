"""The library interface: load a template, compile it for a product and a format, render.

    import ddm_lang
    template = ddm_lang.load_template("hero.ddm")
    creative = template.compile(product, "feed")
    creative.svg                  # deterministic SVG text
    creative.render("png")        # encoded pixels

Everything a compile reads besides the template and the product (fonts, the material
library, models, the copy backend, limits) is the template's `Environment`: the default
one unless the template was loaded into another (`load_template(path, environment=env)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SettingError
from .perception.catalogue_errors import ProductError
from .semantics import ir
from .semantics.checker import check
from .semantics.ir import Format
from .syntax.diagnostics import Diagnostic, DiagnosticError
from .syntax.parser import parse

if TYPE_CHECKING:
    import numpy as np

    from .bind import SourceMap
    from .environment import Environment
    from .scene import Scene

__all__ = ["Creative", "ProductError", "Template", "load_product", "load_template",
           "template_from_string"]


def _default_environment() -> Environment:
    from .environment import default_environment  # compiles need it; checking does not
    return default_environment()


@dataclass(frozen=True)
class Creative:
    """One compiled creative: the scene, its SVG, and how to turn it into pixels."""

    template: str
    format: Format
    product_id: str
    scene: Scene = field(repr=False)
    svg: str = field(repr=False)
    base_dir: Path = field(repr=False, default=Path("."))
    environment: Environment = field(repr=False, default_factory=_default_environment)
    # where each element of the template was drawn and what each object chose: what an
    # editor maps clicks and explains choices with (None: not kept)
    source_map: SourceMap | None = field(repr=False, default=None)

    def pixels(self, width: int | None = None, height: int | None = None, *,
               background: str | None = None) -> np.ndarray:
        """RGBA pixels (H×W×4 uint8) at the format's size (or `width` × `height`, a preview's),
        drawn with the fonts the text was measured with and reading images only where its
        environment allows."""
        from .renderer import render
        return render(self.svg, width or self.format.width, height or self.format.height,
                      background,
                      allowed_roots=self.environment.readable_roots(self.base_dir),
                      fonts=self.environment.fonts)

    def render(self, fmt: str = "png", *, quality: int = 90, background: str | None = None) -> bytes:
        """Encoded image bytes (png, jpg/jpeg or webp) at the format's pixel size."""
        from .renderer.encode import encode
        return encode(self.pixels(background=background), fmt, quality)

    def save(self, path: str | Path, *, quality: int = 90) -> Path:
        """Write SVG or pixels, chosen by the file extension, atomically."""
        from .files import write_atomic
        out = Path(path)
        ext = out.suffix.lower().lstrip(".")
        if ext == "svg":
            data = self.svg.encode("utf-8")
        elif ext in ("png", "jpg", "jpeg", "webp"):
            data = self.render(ext, quality=quality)
        else:
            raise SettingError(f"unknown output type `.{ext}`: use .svg, .png, .jpg or .webp")
        write_atomic(out, data)
        return out


@dataclass(frozen=True)
class Template:
    """A checked template, reusable for any number of products and formats, compiled in
    the environment it was loaded through."""

    ir: ir.CheckedTemplate
    # None: the default environment, looked up at compile time (checking needs none)
    environment: Environment | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.ir.name

    def using(self, environment: Environment) -> Template:
        """The same checked template, compiled in `environment`."""
        return self if environment is self.environment else Template(self.ir, environment)

    @property
    def title(self) -> str:
        return self.ir.title or ""

    @property
    def formats(self) -> tuple[Format, ...]:
        return self.ir.formats

    def compile(self, product: dict[str, Any] | str | Path, format: str, *,
                base_dir: str | Path | None = None, seed: int = 0) -> Creative:
        """Bind the template to one product and one format and emit SVG."""
        from .bind import bind_placed
        from .emit import emit
        data, product_dir = load_product(product)
        fmt = self.ir.format(format)
        if fmt is None:
            names = ", ".join(f.name for f in self.ir.formats) or "none"
            raise DiagnosticError([Diagnostic(
                "compile.format", f"template `{self.name}` does not serve format `{format}`",
                _header_span(self.ir), f"its formats: {names}")], sources=self.ir.sources)
        root = Path(base_dir) if base_dir is not None else product_dir
        env = self.environment if self.environment is not None else _default_environment()
        scene, source_map = bind_placed(self.ir, data, format, base_dir=root, seed=seed,
                                        environment=env)
        return Creative(self.name, fmt, str(data.get("id", "")), scene,
                        emit(scene, env.fonts), root, env, source_map)


def _header_span(template: ir.CheckedTemplate):
    from .syntax.ast import Span
    return Span(template.path, 1, 1, 1, 2, 0, 1)


def load_product(product: dict[str, Any] | str | Path) -> tuple[dict[str, Any], Path]:
    """A product record and the folder its relative image paths are resolved against.

    A file is read by `load_product_file`, so it passes exactly the checks a catalogue's
    products pass (a product a catalogue refuses is refused here too) and comes back as the
    binder's dict. A dict is taken as it is: it is already the binder's (`Product.as_dict`)
    or a caller's own data, bound against the current folder.
    """
    from .perception.catalogue import load_product_file
    from .perception.catalogue_errors import CatalogueError
    if isinstance(product, dict):
        return product, Path.cwd()
    try:
        record = load_product_file(product)
    except CatalogueError as err:
        raise ProductError(err.problems, err.source) from None
    return record.as_dict(), record.base_dir


def load_template(path: str | Path, *, root: str | Path | None = None,
                  environment: Environment | None = None) -> Template:
    """Parse and check the template file at `path`; imports resolve against `root` (the
    file's folder by default). Raises DiagnosticError listing every problem."""
    name = str(path)
    try:
        source = Path(path).read_text("utf-8")
    except FileNotFoundError:
        raise DiagnosticError([Diagnostic("io.not-found", "template file not found",
                                          _file_span(name))]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise DiagnosticError([Diagnostic("io.unreadable", f"cannot read template: {err}",
                                          _file_span(name))]) from None
    base = Path(root) if root is not None else Path(path).parent
    return _checked(source, name, base, environment)


def template_from_string(text: str, *, name: str = "<template>", root: str | Path | None = None,
                         environment: Environment | None = None) -> Template:
    """Parse and check template source text; `name` is the file diagnostics cite, `root`
    the folder imports resolve against (none: a template from text imports nothing)."""
    return _checked(text, name, Path(root) if root is not None else None, environment)


def _checked(source: str, name: str, root: Path | None,
             environment: Environment | None) -> Template:
    return Template(check(parse(source, name), root=root), environment)


def _file_span(path: str):
    from .syntax.ast import Span
    return Span(path, 1, 1, 1, 1, 0, 0)
