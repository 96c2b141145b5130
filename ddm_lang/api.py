"""The library interface: load a template, compile it for a product and a format, render.

    import ddm_lang
    template = ddm_lang.load_template("hero.ddm")
    creative = template.compile(product, "feed")
    creative.svg                  # deterministic SVG text
    creative.render("png")        # encoded pixels
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .perception.catalogue import CatalogueError, load_product_file
from .scene import Scene
from .semantics import ir
from .semantics.checker import check
from .syntax.diagnostics import Diagnostic, DiagnosticError
from .syntax.parser import parse


class ProductError(CatalogueError):
    """Product data that cannot be used, naming the file or product and the field.

    A product file is checked by the catalogue's rules, so this is a `CatalogueError` with
    every problem in `problems`; code that catches either catches both.
    """


@dataclass(frozen=True)
class Creative:
    """One compiled creative: the scene, its SVG, and how to turn it into pixels."""

    template: str
    format: ir.Format
    product_id: str
    scene: Scene = field(repr=False)
    svg: str = field(repr=False)
    base_dir: Path = field(repr=False, default=Path("."))

    def render(self, fmt: str = "png", *, quality: int = 90, background: str | None = None) -> bytes:
        """Encoded image bytes (png, jpg/jpeg or webp) at the format's pixel size."""
        from .renderer import render_to_bytes
        return render_to_bytes(self.svg, fmt, width=self.format.width, height=self.format.height,
                               background=background, quality=quality,
                               allowed_roots=(self.base_dir,))

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
            raise ValueError(f"unknown output type `.{ext}`: use .svg, .png, .jpg or .webp")
        write_atomic(out, data)
        return out


@dataclass(frozen=True)
class Template:
    """A checked template, reusable for any number of products and formats."""

    ir: ir.Template

    @property
    def name(self) -> str:
        return self.ir.name

    @property
    def title(self) -> str:
        return self.ir.title or ""

    @property
    def formats(self) -> tuple[ir.Format, ...]:
        return self.ir.formats

    def compile(self, product: dict[str, Any] | str | Path, format: str, *,
                base_dir: str | Path | None = None, seed: int = 0) -> Creative:
        """Bind the template to one product and one format and emit SVG."""
        from .bind import bind
        from .renderer.emit import emit
        data, product_dir = load_product(product)
        fmt = self.ir.format(format)
        if fmt is None:
            names = ", ".join(f.name for f in self.ir.formats) or "none"
            raise DiagnosticError([Diagnostic(
                "compile.format", f"template `{self.name}` does not serve format `{format}`",
                _header_span(self.ir), f"its formats: {names}")], sources=self.ir.sources)
        root = Path(base_dir) if base_dir is not None else product_dir
        scene = bind(self.ir, data, format, base_dir=root, seed=seed)
        return Creative(self.name, fmt, str(data.get("id", "")), scene, emit(scene), root)


def _header_span(template: ir.Template):
    from .syntax.ast import Span
    return Span(template.path, 1, 1, 1, 2, 0, 1)


def load_product(product: dict[str, Any] | str | Path) -> tuple[dict[str, Any], Path]:
    """A product record and the folder its relative image paths are resolved against.

    A file is read by `load_product_file`, so it passes exactly the checks a catalogue's
    products pass (a product a catalogue refuses is refused here too) and comes back as the
    binder's dict. A dict is taken as it is: it is already the binder's (`Product.as_dict`)
    or a caller's own data, bound against the current folder.
    """
    if isinstance(product, dict):
        return product, Path.cwd()
    try:
        record = load_product_file(product)
    except CatalogueError as err:
        raise ProductError(err.problems, err.source) from None
    return record.as_dict(), record.base_dir


def load_template(path_or_text: str | Path, *, root: str | Path | None = None) -> Template:
    """Parse and check a template from a file path or from source text.

    A `Path`, or a one-line string naming an existing `.ddm` file, is read as a file;
    anything else is template source. Raises DiagnosticError listing every problem.
    """
    source, path = _source_of(path_or_text)
    module = parse(source, path)
    base = Path(root) if root is not None else (Path(path).parent if path != "<template>" else None)
    return Template(check(module, root=base))


def _source_of(path_or_text: str | Path) -> tuple[str, str]:
    if isinstance(path_or_text, Path) or (
            "\n" not in path_or_text and path_or_text.endswith(".ddm")):
        path = Path(path_or_text)
        try:
            return path.read_text("utf-8"), str(path)
        except FileNotFoundError:
            raise DiagnosticError([Diagnostic("io.not-found", "template file not found",
                                              _file_span(str(path)))]) from None
        except (OSError, UnicodeDecodeError) as err:
            raise DiagnosticError([Diagnostic("io.unreadable", f"cannot read template: {err}",
                                              _file_span(str(path)))]) from None
    return str(path_or_text), "<template>"


def _file_span(path: str):
    from .syntax.ast import Span
    return Span(path, 1, 1, 1, 1, 0, 0)
