"""`ddm generate`: designs for products without a template, written as templates.

`add_parser` registers the subcommand as the other `ddm` subcommands are registered. For
each product (`--product FILE`, or `--catalogue FILE` with `--id` and `--limit`) and each
format it writes `OUT/<product>/<format>-<k>.ddm`, the template of the k-th design, and
`<format>-<k>.jpg`, its creative for that product; `sheet.jpg`, every design on one
contact sheet; and `designs.json`, each design's style, arrangement, layout metrics and
how its template did in every format. Every file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ddm_lang.perception.catalogue import Product

    from .design import Slot
    from .generator import Generated, ProductResult

from .proposers import DEFAULT, NAMES

DEFAULT_FORMATS = "feed,story,banner"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--product", metavar="FILE",
                        help="a product JSON file (or a catalogue of one product)")
    source.add_argument("--catalogue", metavar="FILE",
                        help="a catalogue (.json, .jsonl, .csv or a photo folder)")
    parser.add_argument("--id", dest="ids", action="append", default=[], metavar="ID",
                        help="with --catalogue: only this product (repeatable)")
    parser.add_argument("--limit", type=int, default=0, metavar="K",
                        help="with --catalogue: at most K products, spread over it (0: all)")
    parser.add_argument("--formats", default=DEFAULT_FORMATS,
                        help=f"formats to design, comma separated (default {DEFAULT_FORMATS}; "
                             "feed, portrait, story, banner, landscape, pin, rectangle, "
                             "billboard, leaderboard, skyscraper, mobile, or NAME=WIDTHxHEIGHT)")
    parser.add_argument("-n", type=int, default=8, dest="n",
                        help="distinct designs per product and format (default 8)")
    parser.add_argument("-o", "--output", default="generated", metavar="FOLDER",
                        help="output folder (default generated/)")
    parser.add_argument("--proposer", choices=NAMES, default=DEFAULT,
                        help="where layouts come from: the archetype search, the trained "
                             "layout model, or half of each (default both)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed, the same designs")
    parser.add_argument("--candidates", type=int, default=None, metavar="K",
                        help="candidates compiled per design asked for (default 2)")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help="time for compiling candidates per product (default: no limit); "
                             "n designs per format are still sought")
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality (default 90)")
    parser.add_argument("--jobs", "-j", type=int, default=1,
                        help="products generated at once, in worker processes (default 1)")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `generate` to the `ddm` subcommands."""
    p = subparsers.add_parser(
        "generate", help="design creatives for products without a template, as templates",
        description="Designs layouts for each product from its photos and data and writes "
                    "each as an editable DDM template with its creative, a contact sheet "
                    "and designs.json (docs/generate.md).")
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Generate for every product asked for; 1 when a product could not be designed for,
    2 for a usage mistake."""
    from .design import SlotError, parse_slots
    from .generator import CANDIDATES_PER_DESIGN
    if (args.ids or args.limit) and not args.catalogue:
        print("ddm generate: --id and --limit go with --catalogue", file=sys.stderr)
        return 2
    if args.n < 1:
        print("ddm generate: -n is at least 1", file=sys.stderr)
        return 2
    try:
        slots = parse_slots(args.formats)
    except SlotError as err:
        print(f"ddm generate: {err}", file=sys.stderr)
        return 2
    products = _products(args)
    options = _Options(slots, args.n, Path(args.output), args.seed, args.budget,
                       args.candidates or CANDIDATES_PER_DESIGN, args.quality, args.proposer)
    jobs = max(1, min(args.jobs, len(products)))
    failed = 0
    if jobs == 1:
        lines = (_one(product.as_dict(), str(product.base_dir), options) for product in products)
        for ok, line in lines:
            print(line, file=sys.stdout if ok else sys.stderr)
            failed += not ok
        return 1 if failed else 0
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ddm_lang.processes import follow_parent
    context = multiprocessing.get_context("spawn")   # no model or font state across a fork
    with ProcessPoolExecutor(jobs, context, follow_parent, (os.getpid(),)) as pool:
        futures = [pool.submit(_one, p.as_dict(), str(p.base_dir), options) for p in products]
        for future in futures:   # in catalogue order, as each is done
            ok, line = future.result()
            print(line, file=sys.stdout if ok else sys.stderr)
            failed += not ok
    return 1 if failed else 0


@dataclass(frozen=True)
class _Options:
    """What every product of one run is generated with (sent to worker processes)."""

    slots: tuple[Slot, ...]
    n: int
    out: Path
    seed: int
    budget: float | None
    per_design: int
    quality: int
    proposer: str = DEFAULT


def _one(data: dict[str, Any], base: str, options: _Options) -> tuple[bool, str]:
    """Generate and save one product (given as its record, so it crosses to a worker
    process); whether it went well, and its line for the terminal."""
    from ddm_lang.perception.catalogue import validate_product

    from .generator import GenerateError, generate
    from .proposers import make
    product = validate_product(data, source=str(data.get("id", "product")), base=base)
    try:
        result = generate(product, options.slots, options.n, seed=options.seed,
                          budget=options.budget, per_design=options.per_design,
                          proposer=make(options.proposer))
    except GenerateError as err:
        return False, f"ddm generate: {err}"
    start = time.perf_counter()
    folder = save(result, options.slots, options.out, quality=options.quality)
    return True, _summary(result, options.slots, folder,
                          result.seconds + time.perf_counter() - start)


def _products(args: argparse.Namespace) -> list[Product]:
    """The products asked for, read as `ddm compile` reads them (`read_products`)."""
    from ddm_lang.gallery import spread
    from ddm_lang.perception.catalogue import CatalogueError, read_products
    if args.product:
        source = Path(args.product)
        found, _ = read_products(source, what="product file")
        if len(found) != 1:
            raise CatalogueError([f"{source}: holds {len(found)} products; pick "
                                  f"some with --catalogue {source} --id ID"], str(source))
        return list(found)
    from ddm_lang.perception.feeds.command import open_catalogue
    products = list(open_catalogue(Path(args.catalogue), argparse.Namespace()).products)
    if args.ids:
        known = {p.id: p for p in products}
        missing = [i for i in args.ids if i not in known]
        if missing:
            raise CatalogueError([f"{args.catalogue}: no product with id "
                                  f"{', '.join(f'`{i}`' for i in missing)}"], args.catalogue)
        products = [known[i] for i in args.ids]
    return spread(products, args.limit)


def folder_name(product_id: str) -> str:
    """A product's folder: its id with anything but letters, digits, `.`, `_` and `-`
    replaced (a photo folder's ids are paths)."""
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in product_id).strip(".")
    return name or "product"


def save(result: ProductResult, slots: Sequence[Slot], out: Path, *, quality: int = 90
         ) -> Path:
    """Write a product's designs, their creatives, the contact sheet and designs.json into
    `out/<product>/`; the folder."""
    from ddm_lang.files import write_atomic
    from ddm_lang.gallery import Cell, contact_sheet
    from ddm_lang.renderer.encode import encode

    from .writer import describe
    folder = out / folder_name(result.product.id)
    rows: list[list[Cell]] = []
    entries: list[dict[str, Any]] = []
    for slot in slots:
        row = []
        for design in (d for d in result.designs if d.design.slot == slot):
            pixels = design.creative.pixels()
            write_atomic(folder / f"{design.stem}.ddm", design.text.encode("utf-8"))
            write_atomic(folder / f"{design.stem}.jpg", encode(pixels, "jpg", quality))
            row.append(Cell(f"{design.stem} · {design.design.style.name}", pixels))
            primary = design.design.primary
            entries.append(_entry(design, describe(primary.layout, primary.shape,
                                                   not design.design.cutout)))
        rows.append(row)
    title = f"{result.product.id}: generated designs"
    write_atomic(folder / "sheet.jpg", encode(contact_sheet(title, rows), "jpg", 88))
    report = {"product": result.product.id,
              "formats": {s.name: [s.width, s.height] for s in slots},
              "candidates": result.candidates, "passed": result.passed,
              "seconds": round(result.seconds, 3), "missing": result.shortfall,
              "designs": entries}
    write_atomic(folder / "designs.json",
                 (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return folder


def _entry(design: Generated, arrangement: str) -> dict[str, Any]:
    d = design.design
    return {"template": f"{design.stem}.ddm", "creative": f"{design.stem}.jpg",
            "name": design.name, "format": d.slot.name, "style": d.style.name,
            "arrangement": arrangement, "cutout": d.cutout, "score": design.score,
            "metrics": design.metrics.as_dict(),
            "formats": {c.slot: c.status if not c.detail else f"{c.status}: {c.detail}"
                        for c in design.coverage},
            "layout": [{"role": b.role, "x": b.x, "y": b.y, "w": b.w, "h": b.h}
                       for b in d.primary.layout]}


def _summary(result: ProductResult, slots: Sequence[Slot], folder: Path, seconds: float) -> str:
    counts = ", ".join(f"{s.name} {sum(d.design.slot == s for d in result.designs)}"
                       for s in slots)
    short = (f"; fewer than asked: {', '.join(f'{k} {v}' for k, v in result.shortfall.items())}"
             if result.shortfall else "")
    return (f"{result.product.id}: {len(result.designs)} designs ({counts}) from "
            f"{result.candidates} candidates, {result.passed} passed, in {seconds:.1f} s "
            f"→ {folder}{short}")


def main(argv: list[str] | None = None) -> int:
    """`python -m ddm_lang.generate.command ...`, the subcommand on its own."""
    parser = argparse.ArgumentParser(prog="ddm generate")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)
