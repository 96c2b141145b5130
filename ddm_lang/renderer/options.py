"""What a render may touch and with which fonts: one frozen value passed down the tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .budget import Budget
from .fonts import FontRegistry


@dataclass(frozen=True)
class RenderOptions:
    """allowed_roots: the only folders files (images, nested SVG) may be read from.
    base_dir: where relative hrefs resolve (the SVG file's folder); it must lie inside an
    allowed root to be used. fonts: the registry text is shaped with (None: the process-wide
    default). languages: the user's languages, matched against `systemLanguage` (in a <switch>
    and on any element). font_size: the size of text that sets none (CSS `medium`, 16 px;
    resvg's own default is 12). budget: the work the render may do (budget.py): drawn
    elements, live pixel memory and filter work, refused with a RenderError beyond."""

    allowed_roots: tuple[Path, ...] = ()
    base_dir: Path | None = None
    fonts: FontRegistry | None = None
    languages: tuple[str, ...] = ("en",)
    font_size: float = 16.0
    budget: Budget = field(default_factory=Budget)
    resolved_roots: tuple[Path, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        roots = tuple(Path(r).resolve() for r in self.allowed_roots)
        object.__setattr__(self, "resolved_roots", roots)

    @property
    def registry(self) -> FontRegistry:
        return self.fonts if self.fonts is not None else FontRegistry.default()
