"""Fonts: loaded once per process, shared by text layout (bind) and the rasteriser.

Text is measured at compile time with exactly the typefaces and font settings that later
draw it, so what fits in the layout fits in the pixels. Fonts come from registry packages
(Inter, Noto Sans, Noto Sans SC for CJK; no system lookup, so output does not depend on the
host), plus any directories a user adds. Variable fonts get their `wght` axis set per
weight; characters the chosen face lacks fall back to the first registered face that has
them, so a CJK character is drawn by a CJK font rather than as a missing-glyph box.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import skia

WGHT = 0x77676874  # 'wght'
OPSZ = 0x6F70737A  # 'opsz'
# Registry packages that ship the default fonts: Latin first, then CJK fallback (all OFL).
FONT_PACKAGES = ("fontpkg_inter", "fontpkg_noto_sans", "pylopdf_fonts_zh_cn")
DEFAULT_FAMILIES = ("inter", "noto sans")
GENERIC = {"sans-serif": "inter", "system-ui": "inter", "ui-sans-serif": "inter",
           "-apple-system": "inter", "serif": "noto sans", "ui-serif": "noto sans",
           "monospace": "noto sans", "ui-monospace": "noto sans", "cursive": "noto sans",
           "fantasy": "noto sans"}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


@dataclass(frozen=True)
class _FaceFile:
    """One font file: where it is, and the weight it draws at when it has no `wght` axis."""

    path: Path
    weight: int
    variable: bool
    opsz: tuple[float, float] | None  # the optical-size axis range, if the font has one


def _package_files(module_name: str) -> list[Path]:
    try:
        module = __import__(module_name)
    except ImportError:
        return []
    folder = Path(module.__file__).parent
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES)


def configure(font: skia.Font) -> skia.Font:
    """Unhinted, subpixel, linear metrics: fractional advances that do not depend on size
    rounding, so a measurement at layout time equals the advance drawn at any scale."""
    font.setSubpixel(True)
    font.setLinearMetrics(True)
    font.setHinting(skia.FontHinting.kNone)
    font.setEdging(skia.Font.Edging.kAntiAlias)
    return font


class FontRegistry:
    """Typefaces by (family, weight, italic), with per-character fallback."""

    _default: FontRegistry | None = None
    _default_lock = threading.Lock()

    def __init__(self, packages: tuple[str, ...] = FONT_PACKAGES,
                 generic: dict[str, str] | None = None,
                 defaults: tuple[str, ...] = DEFAULT_FAMILIES) -> None:
        """packages: registry packages whose font files are registered; generic: CSS generic
        family → registered family (replaces the built-in map); defaults: the families an
        unknown name falls back to, in order."""
        self._generic = dict(GENERIC if generic is None else generic)
        self._defaults = tuple(defaults)
        self._lock = threading.RLock()
        self._files: dict[tuple[str, bool], list[_FaceFile]] = {}
        self._order: list[str] = []
        self._typefaces: dict[tuple[str, int, bool, float | None], skia.Typeface] = {}
        self._glyphs: dict[tuple[int, str], bool] = {}
        for module in packages:
            for path in _package_files(module):
                self._add_file(path)

    @classmethod
    def default(cls) -> FontRegistry:
        """The process-wide registry: font files are parsed once, not per render."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = FontRegistry()
            return cls._default

    def add_directory(self, folder: str | Path) -> None:
        """Register every font file under a folder (user fonts); they join the fallback
        order after the packaged ones."""
        root = Path(folder)
        if not root.is_dir():
            raise FileNotFoundError(f"font directory {root} does not exist")
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in FONT_SUFFIXES):
            self._add_file(path)

    def _add_file(self, path: Path) -> None:
        face = skia.Typeface.MakeFromFile(str(path))
        if face is None:
            return
        family = face.getFamilyName().lower()
        italic = "italic" in path.name.lower() or face.isItalic()
        axes = face.getVariationDesignParameters() or []
        variable = any(a.tag == WGHT for a in axes)
        opsz = next(((a.min, a.max) for a in axes if a.tag == OPSZ), None)
        with self._lock:
            self._files.setdefault((family, italic), []).append(
                _FaceFile(path, face.fontStyle().weight(), variable, opsz))
            if family not in self._order:
                self._order.append(family)
            self._typefaces = {k: v for k, v in self._typefaces.items() if k[0] != family}

    @property
    def families(self) -> list[str]:
        """Registered family names (lower case), in fallback order."""
        return list(self._order)

    def resolve_family(self, family: str) -> str:
        """The registered family used for a requested one (first match of a CSS list);
        unknown names fall back to Inter, then Noto Sans, then whatever is registered."""
        for name in (f.strip().strip("'\"").lower() for f in (family or "").split(",")):
            name = self._generic.get(name, name)
            if self._has_family(name):
                return name
        for name in self._defaults:
            if self._has_family(name):
                return name
        if not self._order:
            raise LookupError("no fonts are registered")
        return self._order[0]

    def _has_family(self, name: str) -> bool:
        return (name, False) in self._files or (name, True) in self._files

    def typeface(self, family: str, weight: int = 400, italic: bool = False,
                 size: float | None = None) -> skia.Typeface:
        """The typeface for a family at a weight; variable fonts are instanced on `wght`, and
        on `opsz` at `size` px when given (CSS font-optical-sizing: auto, as browsers and
        resvg do; Inter's display cut is noticeably tighter at headline sizes)."""
        fam = self.resolve_family(family)
        weight = max(1, min(1000, int(weight)))
        candidates = self._files.get((fam, bool(italic))) or self._files[(fam, not italic)]
        chosen = min(candidates, key=lambda f: (not f.variable, abs(f.weight - weight)))
        opsz = None
        if size is not None and chosen.opsz is not None:
            opsz = round(max(chosen.opsz[0], min(chosen.opsz[1], float(size))) * 4) / 4
        key = (fam, weight, bool(italic), opsz)
        face = self._typefaces.get(key)
        if face is not None:
            return face
        with self._lock:
            base = skia.Typeface.MakeFromFile(str(chosen.path))
            face = base
            axes = [(WGHT, float(weight))] if chosen.variable else []
            if opsz is not None:
                axes.append((OPSZ, opsz))
            if axes:
                coords = skia.FontArguments.VariationPosition.Coordinates(
                    [skia.FontArguments.VariationPosition.Coordinate(t, v) for t, v in axes])
                args = skia.FontArguments()
                args.setVariationDesignPosition(skia.FontArguments.VariationPosition(coords))
                face = base.makeClone(args) or base
            self._typefaces[key] = face
            return face

    def font(self, family: str, weight: int = 400, italic: bool = False,
             size: float = 16.0) -> skia.Font:
        """A skia.Font configured exactly as the rasteriser draws."""
        return configure(skia.Font(self.typeface(family, weight, italic, size), size))

    def runs(self, text: str, family: str, weight: int = 400, italic: bool = False,
             size: float | None = None) -> list[tuple[str, skia.Typeface]]:
        """Split text into runs drawn by one typeface each, falling back per character."""
        primary = self.typeface(family, weight, italic, size)
        out: list[tuple[str, skia.Typeface]] = []
        for ch in text:
            face = primary
            if not ch.isspace() and not self.has_glyph(primary, ch):
                face = self.fallback(ch, weight, italic, size) or primary
            if out and out[-1][1] is face:
                out[-1] = (out[-1][0] + ch, face)
            else:
                out.append((ch, face))
        return out

    def fallback(self, ch: str, weight: int, italic: bool,
                 size: float | None = None) -> skia.Typeface | None:
        """The first registered typeface (in registration order) that has a glyph for ch."""
        for fam in self._order:
            face = self.typeface(fam, weight, italic, size)
            if self.has_glyph(face, ch):
                return face
        return None

    def has_glyph(self, face: skia.Typeface, ch: str) -> bool:
        """Glyph coverage, memoised: fallback asks about every character of every run.
        Keyed by id(face), which is stable because this registry keeps its faces alive."""
        key = (id(face), ch)
        hit = self._glyphs.get(key)
        if hit is None:
            hit = self._glyphs[key] = face.unicharToGlyph(ord(ch)) != 0
        return hit

    def measure(self, text: str, family: str, weight: int = 400, italic: bool = False,
                size: float = 16.0, letter_spacing: float = 0.0) -> float:
        """Advance width in px, with the same fallback and settings the rasteriser draws with."""
        total = 0.0
        for run, face in self.runs(text, family, weight, italic, size):
            total += configure(skia.Font(face, size)).measureText(run)
        return total + letter_spacing * len(text)

    def metrics(self, family: str, weight: int = 400, italic: bool = False,
                size: float = 16.0) -> tuple[float, float, float]:
        """(ascent, descent, line gap), all positive px."""
        m = self.font(family, weight, italic, size).getMetrics()
        return -m.fAscent, m.fDescent, m.fLeading
