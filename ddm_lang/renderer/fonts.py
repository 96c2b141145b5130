"""Fonts: loaded once per process, shared by text layout (bind) and the rasteriser.

Text is measured at compile time with exactly the typefaces that later draw it, so what
fits in the layout fits in the pixels. Fonts come from registry packages (Inter, Noto Sans;
no system lookup), plus any directories a user adds. Variable fonts get their `wght` axis
set per weight; characters the chosen face lacks fall back to the first face that has them.
"""

from __future__ import annotations

import threading
from pathlib import Path

import skia

WGHT = 0x77676874  # 'wght'
# Registry packages that ship the default fonts: Latin first, then CJK fallback (all OFL).
FONT_PACKAGES = ("fontpkg_inter", "fontpkg_noto_sans", "pylopdf_fonts_zh_cn")
GENERIC = {"sans-serif": "inter", "system-ui": "inter", "serif": "noto sans",
           "monospace": "noto sans", "ui-sans-serif": "inter"}


def _package_files(module_name: str) -> list[Path]:
    try:
        module = __import__(module_name)
    except ImportError:
        return []
    folder = Path(module.__file__).parent
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".ttf", ".otf"))


class FontRegistry:
    """Typefaces by (family, weight, italic), with per-character fallback."""

    _default: FontRegistry | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._files: dict[tuple[str, bool], Path] = {}
        self._order: list[str] = []
        self._typefaces: dict[tuple[str, int, bool], skia.Typeface] = {}
        for module in FONT_PACKAGES:
            for path in _package_files(module):
                self._add_file(path)

    @classmethod
    def default(cls) -> FontRegistry:
        with cls._lock:
            if cls._default is None:
                cls._default = FontRegistry()
            return cls._default

    def add_directory(self, folder: str | Path) -> None:
        """Register every .ttf/.otf in a folder (user fonts)."""
        for path in sorted(Path(folder).glob("*.[ot]tf")):
            self._add_file(path)

    def _add_file(self, path: Path) -> None:
        face = skia.Typeface.MakeFromFile(str(path))
        if face is None:
            return
        family = face.getFamilyName().lower()
        italic = "italic" in path.name.lower() or face.isItalic()
        self._files.setdefault((family, italic), path)
        if family not in self._order:
            self._order.append(family)

    @property
    def families(self) -> list[str]:
        return list(self._order)

    def resolve_family(self, family: str) -> str:
        """The registered family used for a requested one (first of a CSS-style list)."""
        for name in (f.strip().strip("'\"").lower() for f in family.split(",")):
            name = GENERIC.get(name, name)
            if (name, False) in self._files or (name, True) in self._files:
                return name
        return self._order[0]

    def typeface(self, family: str, weight: int = 400, italic: bool = False) -> skia.Typeface:
        fam = self.resolve_family(family)
        key = (fam, int(weight), bool(italic))
        face = self._typefaces.get(key)
        if face is None:
            path = self._files.get((fam, italic)) or self._files[(fam, not italic)]
            base = skia.Typeface.MakeFromFile(str(path))
            coords = skia.FontArguments.VariationPosition.Coordinates(
                [skia.FontArguments.VariationPosition.Coordinate(WGHT, float(weight))])
            args = skia.FontArguments()
            args.setVariationDesignPosition(skia.FontArguments.VariationPosition(coords))
            face = base.makeClone(args) or base
            self._typefaces[key] = face
        return face

    def font(self, family: str, weight: int = 400, italic: bool = False,
             size: float = 16.0) -> skia.Font:
        font = skia.Font(self.typeface(family, weight, italic), size)
        font.setSubpixel(True)
        font.setEdging(skia.Font.Edging.kAntiAlias)
        return font

    def runs(self, text: str, family: str, weight: int = 400,
             italic: bool = False) -> list[tuple[str, skia.Typeface]]:
        """Split text into runs drawn by one typeface each, falling back per character."""
        primary = self.typeface(family, weight, italic)
        out: list[tuple[str, skia.Typeface]] = []
        for ch in text:
            face = primary if ch.isspace() or _has_glyph(primary, ch) else self._fallback(
                ch, weight, italic) or primary
            if out and out[-1][1] is face:
                out[-1] = (out[-1][0] + ch, face)
            else:
                out.append((ch, face))
        return out

    def _fallback(self, ch: str, weight: int, italic: bool) -> skia.Typeface | None:
        for fam in self._order:
            face = self.typeface(fam, weight, italic)
            if _has_glyph(face, ch):
                return face
        return None

    def measure(self, text: str, family: str, weight: int = 400, italic: bool = False,
                size: float = 16.0, letter_spacing: float = 0.0) -> float:
        """Advance width in px, with the same fallback the rasteriser draws with."""
        total = 0.0
        for run, face in self.runs(text, family, weight, italic):
            total += skia.Font(face, size).measureText(run)
        return total + letter_spacing * len(text)

    def metrics(self, family: str, weight: int = 400, italic: bool = False,
                size: float = 16.0) -> tuple[float, float, float]:
        """(ascent, descent, line gap), all positive px."""
        m = self.font(family, weight, italic, size).getMetrics()
        return -m.fAscent, m.fDescent, m.fLeading


_GLYPHS: dict[tuple[int, str], bool] = {}


def _has_glyph(face: skia.Typeface, ch: str) -> bool:
    """Glyph coverage, memoised: fallback asks about every character of every text run."""
    key = (id(face), ch)
    hit = _GLYPHS.get(key)
    if hit is None:
        hit = _GLYPHS[key] = face.unicharToGlyph(ord(ch)) != 0
    return hit
