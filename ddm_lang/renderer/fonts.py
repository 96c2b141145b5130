"""Fonts: loaded once per process, shared by text layout (bind) and the rasteriser.

Text is measured at compile time with exactly the faces, shaping and font settings that later
draw it, so what fits in the layout fits in the pixels. Fonts come from registry packages
(Inter and Noto Sans; Noto Sans CJK for Chinese, Japanese and Korean in every weight; Noto
Sans Arabic, Hebrew, Thai, Devanagari and more, Noto Sans Symbols and Noto Emoji; no system
lookup, so output does not depend on the host), plus any directories a user adds. A face is chosen as CSS (and resvg's fontdb) match
fonts: the first family of the list that is registered, then the nearest stretch, style and
weight. Variable fonts get their `wght` axis set per weight and `opsz` per size; characters
the chosen face lacks fall back to another registered face that has them, so a CJK character
is drawn by a CJK font rather than as a missing-glyph box.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import skia

from ddm_lang.errors import UserError

from .textshape import ShapingFace, load_typeface, shape_text

if TYPE_CHECKING:
    from PIL import ImageFont

_T = TypeVar("_T")

WGHT = 0x77676874  # 'wght'
OPSZ = 0x6F70737A  # 'opsz'
# Registry packages that ship the default fonts: Latin first, then the fallbacks (CJK, the
# other scripts, symbols, emoji), all OFL. They are dependencies pinned to exact versions in
# pyproject.toml, and a missing one is an error (FontPackageError), not a silent skip: other
# faces would measure and draw every text differently. The pip name of each is the module's
# with "-" for "_".
FONT_PACKAGES = ("fontpkg_inter", "fontpkg_noto_sans", "manimgx_fonts_cjk", "manimgx_fonts")
# A CJK collection's faces in fallback order: a Han character is drawn with Simplified
# Chinese forms unless a text asks for another family.
CJK_ORDER = (" sc", " tc", " hk", " jp", " kr")
DEFAULT_FAMILIES = ("inter", "noto sans")
GENERIC = {"sans-serif": "inter", "system-ui": "inter", "ui-sans-serif": "inter",
           "-apple-system": "inter", "serif": "noto sans", "ui-serif": "noto sans",
           "monospace": "noto sans", "ui-monospace": "noto sans", "cursive": "noto sans",
           "fantasy": "noto sans"}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
FONT_DIRS_ENV = "DDM_FONT_DIRS"  # user font folders for the default registry
MAX_VARIATIONS = 16  # axes one face can be instanced on (font-variation-settings is untrusted)
MAX_INSTANCES = 512  # cached faces at a variation instance (oldest dropped first)
# Layout measures the same strings over and over (every size a fit tries, every pass of
# the binder, the contrast check, the emitter's runs): results are memoised per registry,
# bounded, and dropped whenever a font file joins it. Texts and font names are untrusted.
MAX_MEASURES = 65_536
MAX_RUNS = 16_384
MAX_CHOICES = 4_096  # face selections and fallback choices remembered


@dataclass(frozen=True)
class FaceFile:
    """One face of a font file and how it matches a CSS font request."""

    path: Path
    index: int
    family: str  # lower case
    weight: int
    italic: bool
    stretch: int  # 1 (ultra-condensed) … 5 (normal) … 9 (ultra-expanded)
    axes: tuple[tuple[int, float, float, float], ...]  # (tag, min, default, max)

    @property
    def variable(self) -> bool:
        return any(a[0] == WGHT for a in self.axes)

    def has_axis(self, tag: int) -> bool:
        return any(a[0] == tag for a in self.axes)


def _cjk_rank(face: FaceFile) -> int:
    """A collection's faces in CJK_ORDER (others keep their place, first)."""
    return next((i + 1 for i, tag in enumerate(CJK_ORDER)
                 if "cjk" in face.family and face.family.endswith(tag)), 0)


def _same_face(a: FaceFile, b: FaceFile) -> bool:
    return (a.family, a.italic, a.weight, a.stretch, a.axes) == \
        (b.family, b.italic, b.weight, b.stretch, b.axes)


class FontPackageError(UserError, RuntimeError):
    """A registry package that ships the default fonts is not installed: an installation
    problem the command line reports in one line, naming the package."""


def _package_folder(module_name: str) -> Path | None:
    """The folder of an installed font package; None when it is not installed."""
    try:
        module = __import__(module_name)
    except ImportError:
        return None
    if module.__file__ is None:  # a bare namespace folder, not the installed package
        return None
    return Path(module.__file__).parent


def _font_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES)


def _requirement(dist: str) -> str:
    """The project's requirement on a distribution as pip takes it ("fontpkg-inter==4.1"),
    from the installed metadata; the bare name when that is not available."""
    from importlib.metadata import PackageNotFoundError, requires
    try:
        requirements = requires("ddm_lang") or []
    except PackageNotFoundError:
        return dist
    for line in requirements:
        spec = line.split(";", 1)[0].replace(" ", "")  # no environment markers or extras
        name = re.split(r"[<>=!~\[(]", spec, maxsplit=1)[0]
        if ";" not in line and name.lower().replace("_", "-") == dist:
            return spec
    return dist


def _missing_packages_message(modules: list[str]) -> str:
    dists = [m.replace("_", "-") for m in modules]
    names = ", ".join(f"{d} (module {m})" for d, m in zip(dists, modules, strict=True))
    one = len(dists) == 1
    pins = " ".join(f"'{_requirement(d)}'" for d in dists)
    return (f"font package{'' if one else 's'} {names} {'is' if one else 'are'} not "
            f"installed: the default fonts come from {'it' if one else 'them'}, and no other "
            "faces may stand in (text would be measured and drawn differently). Install the "
            "project with its dependencies (`pip install -e .` in a checkout, or `make "
            f"setup`), or {'the package' if one else 'the packages'} alone: pip install {pins}")


def configure(font: skia.Font) -> skia.Font:
    """Unhinted, subpixel, linear metrics: fractional advances that do not depend on size
    rounding, so a measurement at layout time equals the advance drawn at any scale."""
    font.setSubpixel(True)
    font.setLinearMetrics(True)
    font.setHinting(skia.FontHinting.kNone)
    font.setEdging(skia.Font.Edging.kAntiAlias)
    return font


def tag_of(text: str) -> int:
    """A four-character OpenType tag as its 32-bit integer."""
    raw = text.encode("latin-1", "replace")[:4].ljust(4, b" ")
    return int.from_bytes(raw, "big")


def _weight_rank(available: int, wanted: int) -> tuple[int, int]:
    """CSS Fonts 4 §5.2 weight matching as a sort key: 400 tries 400..500 first, then
    lighter, then heavier; below 400 lighter first; above 500 heavier first."""
    if available == wanted:
        return (0, 0)
    if 400 <= wanted <= 500:
        if wanted < available <= 500:
            return (1, available - wanted)
        if available < wanted:
            return (2, wanted - available)
        return (3, available - wanted)
    if wanted < 400:
        if available < wanted:
            return (1, wanted - available)
        return (2, available - wanted)
    if available > wanted:
        return (1, available - wanted)
    return (2, wanted - available)


def _stretch_rank(available: int, wanted: int) -> tuple[int, int]:
    """CSS stretch matching: narrower first for normal and condensed, wider for expanded."""
    if available == wanted:
        return (0, 0)
    if wanted <= 5:
        return (1, wanted - available) if available < wanted else (2, available - wanted)
    return (1, available - wanted) if available > wanted else (2, wanted - available)


class FontRegistry:
    """Faces by family, matched per CSS request, with per-character fallback; shaping faces
    (typeface + HarfBuzz font of one file at one variation instance) are cached."""

    _default: FontRegistry | None = None
    _default_lock = threading.Lock()

    def __init__(self, packages: tuple[str, ...] = FONT_PACKAGES,
                 generic: dict[str, str] | None = None,
                 defaults: tuple[str, ...] = DEFAULT_FAMILIES) -> None:
        """packages: registry packages whose font files are registered (every one must be
        installed, else FontPackageError); generic: CSS generic family → registered family
        (replaces the built-in map); defaults: the families an unknown name falls back to,
        in order."""
        self._generic = dict(GENERIC if generic is None else generic)
        self._defaults = tuple(defaults)
        self._lock = threading.RLock()
        self._faces: list[FaceFile] = []
        self._by_family: dict[str, list[FaceFile]] = {}
        self._order: list[str] = []
        self._shown: dict[str, str] = {}  # family as its font names it, by lower-case name
        self._instances: dict[tuple, ShapingFace] = {}
        self._typefaces: dict[tuple, skia.Typeface] = {}
        # memoised answers, all pure functions of their arguments and the registered files
        self._selected: dict[tuple, FaceFile] = {}
        self._instance_keys: dict[tuple, ShapingFace] = {}
        self._fallbacks: dict[tuple, FaceFile | None] = {}
        self._coverage: dict[tuple[Path, int], ShapingFace] = {}  # one per registered face
        self._measure = lru_cache(maxsize=MAX_MEASURES)(self._measure_shaped)
        self._script_runs = lru_cache(maxsize=MAX_RUNS)(self._split_runs)
        folders = [_package_folder(module) for module in packages]
        missing = [m for m, folder in zip(packages, folders, strict=True) if folder is None]
        if missing:
            raise FontPackageError(_missing_packages_message(missing))
        for folder in filter(None, folders):
            for path in _font_files(folder):
                self._add_file(path)

    @classmethod
    def default(cls) -> FontRegistry:
        """The process-wide registry: font files are parsed once, not per render. The
        folders in `DDM_FONT_DIRS` (separated as PATH is) join it, so a brand's fonts are
        measured at compile time and drawn by every worker alike."""
        with cls._default_lock:
            if cls._default is None:
                registry = FontRegistry()
                for folder in filter(None, os.environ.get(FONT_DIRS_ENV, "").split(os.pathsep)):
                    registry.add_directory(folder)
                cls._default = registry
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
        # a collection (.ttc) holds several faces; a plain file one
        limit = 64 if path.suffix.lower() == ".ttc" else 1
        found: list[FaceFile] = []
        names: dict[str, str] = {}
        for index in range(limit):
            face = load_typeface(path, index)
            if face is None:
                break
            shown = face.getFamilyName()
            family = shown.lower()
            style = face.fontStyle()
            italic = style.slant() != skia.FontStyle.Slant.kUpright_Slant or \
                "italic" in path.name.lower()
            axes = tuple((a.tag, a.min, getattr(a, "def"), a.max)
                         for a in (face.getVariationDesignParameters() or []))
            found.append(FaceFile(path, index, family, style.weight(), italic,
                                  max(1, min(9, style.width())), axes))
            names[family] = shown
        found.sort(key=_cjk_rank)
        with self._lock:
            for family, shown in names.items():
                self._shown.setdefault(family, shown)
            self._forget()
            for info in found:
                if any(_same_face(info, f) for f in self._by_family.get(info.family, ())):
                    continue  # the same face from another package: the first one serves
                self._faces.append(info)
                self._by_family.setdefault(info.family, []).append(info)
                if info.family not in self._order:
                    self._order.append(info.family)

    def forget(self) -> None:
        """Drop every memoised selection and measurement (they are rebuilt on demand): a
        new font file may change them; a benchmark times text layout from scratch."""
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        """`forget` with the lock held."""
        self._selected.clear()
        self._fallbacks.clear()
        self._typefaces.clear()
        self._measure.cache_clear()
        self._script_runs.cache_clear()

    def font_files(self) -> list[Path]:
        """Every registered font file, in registration order (to give another renderer,
        e.g. resvg in the agreement tests, exactly the fonts this registry draws with)."""
        with self._lock:
            seen = dict.fromkeys(f.path for f in self._faces)
        return list(seen)

    @property
    def families(self) -> list[str]:
        """Registered family names (lower case), in fallback order."""
        return list(self._order)

    def display_families(self) -> list[str]:
        """Registered family names as their fonts write them (`Noto Sans CJK SC`), in
        fallback order: what an author picks from."""
        return [self._shown.get(f, f) for f in self._order]

    def resolve_family(self, family: str) -> str:
        """The registered family used for a requested one (first match of a CSS list);
        unknown names fall back to the defaults, then to whatever is registered."""
        for name in self._names(family):
            name = self._generic.get(name, name)
            if name in self._by_family:
                return name
        for name in self._defaults:
            if name in self._by_family:
                return name
        if not self._order:
            raise LookupError("no fonts are registered")
        return self._order[0]

    @staticmethod
    def _names(family: str) -> list[str]:
        return [f.strip().strip("'\"").strip().lower() for f in (family or "").split(",")]

    def select(self, family: str, weight: int = 400, italic: bool = False,
               stretch: int = 5) -> FaceFile:
        """The face a CSS font request draws with: the first registered family of the list,
        then the nearest stretch, then the style, then the weight (CSS Fonts §5.2)."""
        return self._memo(self._selected, (family, weight, italic, stretch), MAX_CHOICES,
                          lambda: self._select(family, weight, italic, stretch))

    def _select(self, family: str, weight: int, italic: bool, stretch: int) -> FaceFile:
        candidates = self._by_family[self.resolve_family(family)]
        weight = max(1, min(1000, int(weight)))

        def rank(f: FaceFile) -> tuple:
            variable_weight = f.variable and any(
                a[0] == WGHT and a[1] <= weight <= a[3] for a in f.axes)
            return (_stretch_rank(f.stretch, stretch), f.italic != bool(italic),
                    (0, 0) if variable_weight else _weight_rank(f.weight, weight))
        return min(candidates, key=rank)

    def instance(self, face: FaceFile, weight: int | None = None, size: float | None = None,
                 variations: tuple[tuple[int, float], ...] = ()) -> ShapingFace:
        """A face at one variation instance, cached: `wght` from the weight and `opsz` from
        the size (CSS font-optical-sizing: auto, as browsers and resvg do) unless the
        explicit variations set them; axes the face lacks are ignored."""
        return self._memo(self._instance_keys, (face, weight, size, variations), MAX_INSTANCES,
                          lambda: self._instance(face, weight, size, variations))

    def _instance(self, face: FaceFile, weight: int | None, size: float | None,
                  variations: tuple[tuple[int, float], ...]) -> ShapingFace:
        coords: dict[int, float] = {}
        if weight is not None and face.has_axis(WGHT):
            coords[WGHT] = float(max(1, min(1000, int(weight))))
        for tag, value in variations[:MAX_VARIATIONS]:
            if face.has_axis(tag):
                coords[tag] = float(value)
        if size is not None and OPSZ not in dict(variations) and face.has_axis(OPSZ):
            coords[OPSZ] = float(size)
        for tag, lo, _, hi in face.axes:
            if tag in coords:
                coords[tag] = max(lo, min(hi, coords[tag]))
        key = (face.path, face.index, tuple(sorted(coords.items())))
        hit = self._instances.get(key)
        if hit is not None:
            return hit
        with self._lock:
            hit = self._instances.get(key)
            if hit is None:
                if len(self._instances) >= MAX_INSTANCES:  # sizes and axes are untrusted
                    self._instances.pop(next(iter(self._instances)))
                hit = self._instances[key] = ShapingFace(face, coords)
            return hit

    def typeface(self, family: str, weight: int = 400, italic: bool = False,
                 size: float | None = None) -> skia.Typeface:
        """The typeface for a family at a weight; variable fonts are instanced on `wght`, and
        on `opsz` at `size` px when given (Inter's display cut is tighter at headlines)."""
        key = (family.lower(), int(weight), bool(italic), size)
        hit = self._typefaces.get(key)
        if hit is None:
            face = self.select(family, weight, italic)
            hit = self.instance(face, weight, size).typeface
            with self._lock:
                if len(self._typefaces) >= MAX_INSTANCES:
                    self._typefaces.pop(next(iter(self._typefaces)))
                self._typefaces[key] = hit
        return hit

    def font(self, family: str, weight: int = 400, italic: bool = False,
             size: float = 16.0) -> skia.Font:
        """A skia.Font configured exactly as the rasteriser draws."""
        return configure(skia.Font(self.typeface(family, weight, italic, size), size))

    def _memo(self, cache: dict, key: object, limit: int, compute: Callable[[], _T]) -> _T:
        """`cache[key]`, computed and stored in the bounded memo on a miss (a value may be
        None: a character no face has)."""
        try:
            return cache[key]
        except KeyError:
            pass
        value = compute()
        with self._lock:
            _bounded_put(cache, key, value, limit)
        return value

    def fallback_face(self, ch: str, used: list[ShapingFace], weight: int | None,
                      size: float | None,
                      variations: tuple[tuple[int, float], ...] = ()) -> ShapingFace | None:
        """The first registered face (in registration order), not used yet, that has `ch`
        and shares the style, weight or stretch of the first used face (as resvg does)."""
        used_files = tuple((u.file.path, u.file.index) for u in used)
        key = (ch, used_files, used[0].file if used else None)
        found = self._memo(self._fallbacks, key, MAX_CHOICES,
                           lambda: self._fallback_file(ch, used))
        return None if found is None else self.instance(found, weight, size, variations)

    def _fallback_file(self, ch: str, used: list[ShapingFace]) -> FaceFile | None:
        base = used[0].file if used else None
        used_files = {(u.file.path, u.file.index) for u in used}
        for face in self._faces:
            if (face.path, face.index) in used_files:
                continue
            if base is not None and face.italic != base.italic and \
                    face.weight != base.weight and face.stretch != base.stretch:
                continue
            if self._covers(face, ch):
                return face
        return None

    def _covers(self, face: FaceFile, ch: str) -> bool:
        """Whether the face maps `ch` to a glyph: the character map is the same at every
        variation instance, so one default instance per face answers for all."""
        key = (face.path, face.index)
        probe = self._coverage.get(key)
        if probe is None:
            probe = self._coverage.setdefault(key, ShapingFace(face, {}))
        return probe.has_char(ch)

    def shaping_face(self, family: str, weight: int = 400, italic: bool = False,
                     size: float | None = None) -> ShapingFace:
        """The primary shaping face of a CSS font request."""
        return self.instance(self.select(family, weight, italic), weight, size)

    def runs(self, text: str, family: str, weight: int = 400, italic: bool = False,
             size: float | None = None) -> list[tuple[str, skia.Typeface]]:
        """`script_runs` with the typeface that draws each run."""
        return [(run, self.typeface(run_family or family, weight, italic, size))
                for run, run_family in self.script_runs(text, family, weight, italic)]

    def script_runs(self, text: str, family: str, weight: int = 400,
                    italic: bool = False) -> list[tuple[str, str | None]]:
        """`text` split into (run, family) pieces, each drawn by one registered family:
        None (the requested family) wherever it has the character, else the name of the
        first fallback family that has it (marks stay with their base; spaces between words
        of one run are that run's, others the requested family's).
        The compiler writes each run with its family, so every renderer draws Latin in the
        chosen face and CJK, Arabic or an emoji in theirs, rather than switching the whole
        text to a fallback face that happens to cover it all (as SVG renderers may)."""
        return list(self._script_runs(text, family, weight, italic))

    def _split_runs(self, text: str, family: str, weight: int,
                    italic: bool) -> tuple[tuple[str, str | None], ...]:
        primary = self.shaping_face(family, weight, italic)
        runs: list[tuple[str, str | None]] = []
        spaces = ""  # whitespace waiting to see whether the run it is in goes on

        def add(piece: str, owner: str | None) -> None:
            if runs and runs[-1][1] == owner:
                runs[-1] = (runs[-1][0] + piece, owner)
            else:
                runs.append((piece, owner))

        for ch in text:
            if ch.isspace():
                spaces += ch
                continue
            if runs and not spaces and unicodedata.category(ch).startswith("M"):
                add(ch, runs[-1][1])  # a mark stays with its base
                continue
            owner = None
            if not primary.has_char(ch):
                face = self.fallback_face(ch, [primary], weight, None)
                owner = face.typeface.getFamilyName() if face is not None else None
            if spaces:  # between words of one run: that run's; else the requested family's
                add(spaces, owner if runs and runs[-1][1] == owner else None)
                spaces = ""
            add(ch, owner)
        if spaces:
            add(spaces, None)
        return tuple(runs)

    def measure(self, text: str, family: str, weight: int = 400, italic: bool = False,
                size: float = 16.0, letter_spacing: float = 0.0) -> float:
        """Advance width in px, shaped (kerning, ligatures) with the same faces, runs and
        settings the rasteriser draws with (`script_runs`)."""
        if not text:
            return 0.0
        return self._measure(text, family, weight, italic, size, letter_spacing)

    def _measure_shaped(self, text: str, family: str, weight: int, italic: bool, size: float,
                        letter_spacing: float) -> float:
        units = 0.0
        for run, run_family in self.script_runs(text, family, weight, italic):
            face = self.shaping_face(run_family or family, weight, italic, size)
            glyphs = shape_text(run, face,
                                lambda ch, used: self.fallback_face(ch, used, weight, size))
            units += sum(g.advance * size / g.face.upem for g in glyphs)
        return units + letter_spacing * (len(text) - 1)  # between letters, none after the last

    def metrics(self, family: str, weight: int = 400, italic: bool = False,
                size: float = 16.0) -> tuple[float, float, float]:
        """(ascent, descent, line gap), all positive px, from the same face metrics the
        renderer uses for baselines and text bounding boxes."""
        face = self.shaping_face(family, weight, italic, size)
        scale = face.scale(size)
        return face.ascent * scale, -face.descent * scale, max(0.0, face.line_gap * scale)


def _bounded_put(cache: dict, key: object, value: object, limit: int) -> None:
    """Store in a memo that drops its oldest entry beyond `limit` (inputs are untrusted)."""
    if len(cache) >= limit and key not in cache:
        cache.pop(next(iter(cache)))
    cache[key] = value


def pil_font(family: str, size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    """The registry's face for a family at a weight as a Pillow FreeType font, its
    variation axes set by name (weight, and Inter's optical size as a browser sets it):
    for labelled sets that draw known text with Pillow and must use the fonts the
    renderer draws with."""
    from PIL import ImageFont
    face_file = FontRegistry.default().select(family, weight)
    face = ImageFont.truetype(str(face_file.path), size, index=face_file.index)
    values: list[float] = []
    for axis in face.get_variation_axes():
        name = axis["name"].decode() if isinstance(axis["name"], bytes) else axis["name"]
        wanted = {"Weight": weight, "Optical size": size}.get(str(name), axis["default"] or 0)
        values.append(min(max(wanted, axis["minimum"] or 0), axis["maximum"] or wanted))
    if values:
        face.set_variation_by_axes(values)
    return face

