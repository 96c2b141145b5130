"""Selling points read from a product's detail-page images, with where each was read.

    from ddm_lang.copy.detail import enrich, extract
    points = extract([Path("shop/images/detail-1.jpg")], base=Path("shop"),
                     title="Asparagus Green Class 1")
    points[0]   # Point(text='...', score=0.81, source='images/detail-1.jpg, block 4 ...')
    record = enrich(product_dict, [Path("shop/images/detail-1.jpg")], base=Path("shop"))

One module per stage: `read` (the OCR engine over overlapping tiles), `table` (key and
value cells joined into rows), `blocks` (lines into blocks), `order` (XY-cut reading
order), `classify` (selling point, specification, boilerplate, other), `rank` (the best
points, deduplicated and trimmed), `pipeline` (the stages in a row), `enrich` (catalogue
records and the `ddm materials extract-copy` command).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddm_lang.lazy import loader

if TYPE_CHECKING:
    from .enrich import detail_images, enrich, extract_command
    from .model import CLASSES, Block, Line, Page, Point
    from .pipeline import analyse, extract, rank_points, read_image

_HOMES = {"CLASSES": ".model", "Block": ".model", "Line": ".model", "Page": ".model",
          "Point": ".model", "analyse": ".pipeline", "extract": ".pipeline",
          "rank_points": ".pipeline", "read_image": ".pipeline", "detail_images": ".enrich",
          "enrich": ".enrich", "extract_command": ".enrich"}
__all__ = ["CLASSES", "Block", "Line", "Page", "Point", "analyse", "detail_images", "enrich",
           "extract", "extract_command", "rank_points", "read_image"]

__getattr__ = loader(__name__, _HOMES, globals())
