"""One detail page read end to end, and a product's pages turned into ranked points.

    page = read_image(Path("shop/images/detail-1.jpg"), name="images/detail-1.jpg")
    page.blocks          # in reading order, each with its class
    points = rank_points([page], title="Asparagus Green Class 1", top=5)
    points[0].source     # 'images/detail-1.jpg, block 4 (y 1210–1390), OCR 0.96'

The stages are separate modules, each with one job: `read` (tiled OCR), `table` (key and
value cells joined into rows), `blocks` (lines into blocks), `order` (XY-cut reading
order), `classify` and `rank`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from . import blocks as blocks_
from . import classify, order, rank, read, table
from .model import Block, Line, Page, Point


def read_image(path: Path, *, name: str | None = None, title: str = "") -> Page:
    """The page at `path` read, grouped, ordered and classified; `name` is how sources
    name it (the path relative to the catalogue, by default the path as given)."""
    return read_rgb(read.load(path), name=name or str(path), title=title)


def read_rgb(rgb: np.ndarray, *, name: str, title: str = "") -> Page:
    h, w = rgb.shape[:2]
    return analyse(read.read_page(rgb), name=name, width=w, height=h, title=title)


def analyse(lines: Iterable[Line], *, name: str, width: int, height: int,
            title: str = "") -> Page:
    """A page from its OCR lines: table rows joined, lines grouped into blocks, blocks put
    in reading order and classified. Pure: the benchmark reruns it on stored lines."""
    grouped = blocks_.group(table.join_rows(list(lines)))
    ordered = order.reading_order(grouped)
    context = classify.Context(classify.body_height(ordered), title)
    return Page(name, width, height, tuple(classify.classify_page(ordered, context)))


def source(page: Page, block: Block) -> str:
    """Where a point was read, for a person to check: `NAME, block N (y A–B), OCR S`, the
    block numbered from 1 in reading order."""
    _, y0, _, y1 = block.box
    return (f"{page.name}, block {block.index + 1} (y {round(y0)}–{round(y1)}), "
            f"OCR {block.score:.2f}")


def rank_points(pages: Sequence[Page], *, title: str = "", attributes: Iterable[str] = (),
                top: int = rank.TOP) -> list[Point]:
    """The product's best `top` selling points over its pages, each with its source."""
    total = max(sum(len(p.blocks) for p in pages), 1)
    candidates, seen = [], 0
    for i, page in enumerate(pages):
        body = classify.body_height(list(page.blocks))
        for block in page.blocks:
            if block.cls == "selling_point":
                candidates.append(rank.Candidate(block, i, (seen + block.index) / total, body))
        seen += len(page.blocks)
    ranked = rank.rank(candidates, title=title, attributes=attributes, top=top)
    return [Point(text, value, source(pages[c.page], c.block)) for c, text, value in ranked]


def extract(images: Sequence[Path], *, base: Path | None = None, title: str = "",
            attributes: Iterable[str] = (), top: int = rank.TOP) -> list[Point]:
    """The best `top` selling points of a product's detail images, named in sources by
    their path relative to `base` (as the catalogue writes them)."""
    pages = [read_image(path, name=shown(path, base), title=title) for path in images]
    return rank_points(pages, title=title, attributes=attributes, top=top)


def shown(path: Path, base: Path | None) -> str:
    """`path` as a catalogue names it: relative to `base` in POSIX form when inside it."""
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
