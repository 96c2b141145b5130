"""The work one render may do, charged before the work is done.

The size limits of document.py bound what a file may hold, not what drawing it costs: a
few kilobytes can chain hundreds of full-canvas blurs, nest `<use>` into hundreds of
thousands of drawn elements or ask for a 16384² canvas. A `Budget` (carried on
`RenderOptions`) caps three costs, and a `Meter` (one per render, shared with the SVG images
it draws) charges them before the allocation or the computation happens, so a hostile
document is refused with a RenderError naming the option to raise, never a hang or an
exhausted machine:

- drawn: elements drawn with every `<use>` expanded (counted before drawing starts);
- memory: bytes of pixel buffers alive at once: the output (and its unpremultiplied copy),
  offscreen layers (opacity, masks, blending) and filter images with their results;
- filter_work: filter work, in pixel operations: each primitive costs its region's pixels
  times a weight for its kind (measured, ≈ 1 ns per operation on a 2-core EPYC), summed
  over the render.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import RenderError
from .filter_ops import MAX_KERNEL
from .filter_turbulence import MAX_OCTAVES, OCTAVE_BUDGET

MIB = 1 << 20
# Pixel operations per pixel of a primitive's region: what each costs relative to a copy
# (≈ 40 ns/px), measured on 1 Mpx regions. Primitives not listed cost DEFAULT_WEIGHT.
DEFAULT_WEIGHT = 40
WEIGHTS = {
    # Two clipped passes in RGBA and colour space conversions: 250 at full resolution,
    # 600 per pixel of a reduced chain (its fixed costs weigh more); the larger is charged.
    "feGaussianBlur": 600,
    "feDropShadow": 600,
    "feMorphology": 100,  # running min/max: independent of the radius
    "feDiffuseLighting": 250,
    "feSpecularLighting": 250,
    "feDisplacementMap": 300,
    "feComponentTransfer": 120,
    "feComposite": 120,  # arithmetic runs in floats
}
CONVOLVE_WEIGHT = 10  # per kernel cell: a 9×9 kernel is 810 operations a pixel
TURBULENCE_WEIGHT = 450  # per octave


@dataclass(frozen=True)
class Budget:
    """The limits of one render; the defaults keep a hostile document under about 5 s and
    1 GB on two cores while leaving creatives (1080², a few thousand elements, shadows and
    glows) far below them. A caller drawing larger work passes its own:
    `RenderOptions(budget=Budget(memory=2 << 30))`."""

    drawn: int = 50_000  # elements drawn after expanding <use> (≈ 50 µs each)
    memory: int = 512 * MIB  # bytes of pixel buffers alive at once
    filter_work: int = 3_000_000_000  # pixel operations of all filters (≈ 3 s)


class Meter:
    """What one render has spent: live buffer bytes and filter work. Shared by the
    renderers of the SVG images a document draws, so nesting cannot multiply the budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.live = 0  # bytes of layers and filter images held now
        self.work = 0  # filter pixel operations so far

    def check_drawn(self, count: int) -> None:
        """Refuse a document that would draw more elements than the budget allows."""
        if count > self.budget.drawn:
            raise RenderError(f"SVG would draw {count} elements after expanding <use>, more "
                              f"than the budget of {self.budget.drawn} (raise "
                              "RenderOptions.budget.drawn)")

    def hold(self, nbytes: int, what: str) -> None:
        """Charge a buffer about to be allocated; the caller's scope gives it back by
        restoring `live` (see Renderer.draw_effects and FilterMixin.draw_filtered)."""
        if self.live + nbytes > self.budget.memory:
            raise RenderError(f"{what} needs {nbytes // MIB} MiB with {self.live // MIB} MiB "
                              f"held, more than the memory budget of "
                              f"{self.budget.memory // MIB} MiB (raise "
                              "RenderOptions.budget.memory)")
        self.live += nbytes

    def spend(self, work: int, what: str) -> None:
        """Charge filter work about to run."""
        if self.work + work > self.budget.filter_work:
            raise RenderError(f"{what} costs {work:,} pixel operations after {self.work:,}, "
                              f"more than the filter budget of {self.budget.filter_work:,} "
                              "(raise RenderOptions.budget.filter_work)")
        self.work += work


def output_bytes(width: int, height: int) -> int:
    """The output surface and, for a translucent result, its unpremultiplied copy."""
    return width * height * 4 * 2


def primitive_cost(kind: str, params: dict, pixels: int) -> int:
    """Pixel operations of one primitive on `pixels`, as the primitive will run: an
    over-large kernel is not run at all, turbulence drops octaves on large regions."""
    if kind == "feConvolveMatrix":
        cells = int(getattr(params.get("kernel"), "size", 0))
        if cells > MAX_KERNEL:
            return pixels * DEFAULT_WEIGHT
        return pixels * max(DEFAULT_WEIGHT, CONVOLVE_WEIGHT * cells)
    if kind == "feTurbulence":
        octaves = min(int(params.get("octaves", 1)), MAX_OCTAVES,
                      max(1, OCTAVE_BUDGET // max(1, pixels)))
        return pixels * TURBULENCE_WEIGHT * max(1, octaves)
    return pixels * WEIGHTS.get(kind, DEFAULT_WEIGHT)
