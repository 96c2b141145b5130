"""The `ddm batch` command line: its arguments, with no import of the batch machinery; and
the product-feed options that `ddm batch` shares with `ddm materials add|fetch`.

The CLI builds every sub-command's parser on each start, so this module stays light: the
engines, catalogue loader and renderer are imported only when a batch runs, and `ddm fmt`
does not pay for them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

IMAGE_FORMATS = ("jpg", "png", "webp")


def add_batch_parser(sub: Any, run: Callable[[argparse.Namespace], int]
                     ) -> argparse.ArgumentParser:
    """The `batch` sub-command's arguments, on the CLI's sub-parsers; `run` carries it out
    (the CLI passes a function that imports the batch machinery only then)."""
    b = sub.add_parser("batch", help="compile a catalogue × templates × formats to files")
    b.add_argument("--templates", action="append", required=True,
                   help="template folder, .ddm file, bundled name or `stdlib`; comma-separated "
                        "or repeated")
    b.add_argument("--catalogue", required=True,
                   help="catalogue .json / .jsonl / .csv, a folder of images, or a product feed")
    b.add_argument("--formats", action="append",
                   help="format names to make, comma-separated (default: all a template serves)")
    b.add_argument("--out", required=True, help="output folder, or an fsspec URL (s3://...)")
    b.add_argument("--engine", choices=("local", "ray"), default="local")
    b.add_argument("--image-format", choices=IMAGE_FORMATS, default="jpg")
    b.add_argument("--quality", type=int, default=90, help="JPEG/WebP quality 1..100")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--workers", "-j", type=int, default=0,
                   help="worker processes or Ray actors (default: the cores, or the "
                        "cluster's CPUs)")
    b.add_argument("--ray-address", help="Ray cluster to join (default: a local instance)")
    b.add_argument("--library", help="material library SQLite file (default: $DDM_LIBRARY "
                                     "or the user cache)")
    b.add_argument("--manifest", help="manifest JSONL (default: OUT/manifest.jsonl; required "
                                      "when OUT is a URL)")
    add_feed_arguments(b)
    b.set_defaults(func=run)
    return b


def add_feed_arguments(parser: argparse.ArgumentParser, *, fetch_flag: bool = True) -> None:
    """The options of a command that reads a catalogue which may be a product feed."""
    group = parser.add_argument_group("product feeds (Merchant Center, Meta, Shopify, "
                                      "WooCommerce, schema.org pages)")
    group.add_argument("--images", metavar="DIR",
                       help="the feed's image mirror, inside the feed's folder (default: "
                            "images/ next to the feed)")
    group.add_argument("--currency", metavar="CODE",
                       help="currency of prices the feed states without one (Shopify, "
                            "WooCommerce), e.g. EUR")
    group.add_argument("--lang", metavar="TAG",
                       help="language of products the feed states none for, e.g. en, zh-Hans")
    if fetch_flag:
        group.add_argument("--fetch-images", action="store_true",
                           help="first download the feed's images that are not in the mirror "
                                "yet (as `ddm materials fetch`)")
    _add_fetch_limits(group)


def _add_fetch_limits(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--allow-http", action="store_true",
                       help="also download http:// images (default: https only)")
    group.add_argument("--allow-address", action="append", default=[], metavar="CIDR",
                       help="also download from this private address or network, e.g. an "
                            "intranet CDN at 10.1.0.0/16 (repeatable; default: public "
                            "addresses only)")
    group.add_argument("--max-image-mb", type=float, default=25.0, metavar="MB",
                       help="largest image file downloaded (default: 25)")
    group.add_argument("--max-total-mb", type=float, default=2048.0, metavar="MB",
                       help="most bytes downloaded in one run (default: 2048)")


def add_fetch_parser(sub: argparse._SubParsersAction) -> None:
    """`ddm materials fetch`'s arguments."""
    f = sub.add_parser("fetch", help="download a product feed's images into its image mirror",
                       description="Downloads every image the feed names that its mirror "
                                   "(images/ next to the feed) lacks: https only unless "
                                   "--allow-http, public addresses only (also after "
                                   "redirects), size- and time-limited, content checked.")
    f.add_argument("feed", help="the product feed")
    f.add_argument("--images", metavar="DIR",
                   help="image mirror inside the feed's folder (default: images/)")
    f.add_argument("--currency", metavar="CODE", help="as for `ddm batch`")
    f.add_argument("--lang", metavar="TAG", help="as for `ddm batch`")
    f.add_argument("--jobs", "-j", type=int, default=4, dest="fetch_jobs", metavar="N",
                   help="downloads at once (default: 4)")
    f.add_argument("--refresh", action="store_true",
                   help="revalidate images already in the mirror (ETag, Last-Modified)")
    _add_fetch_limits(f.add_argument_group("limits"))
    f.set_defaults(func=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> int:
    from ddm_lang.perception.feeds.command import fetch_command
    return fetch_command(args)


def add_harvest_parser(sub: argparse._SubParsersAction) -> None:
    """`ddm materials harvest`'s arguments."""
    h = sub.add_parser("harvest", help="collect a product's pictures from its saved pages, "
                                       "images and videos",
                       description="Finds the product pictures in saved product pages (the "
                                   "gallery, srcset at its largest, lazy-loaded images, "
                                   "schema.org and og:image), splits long detail images into "
                                   "their sections, takes key frames of videos, drops copies "
                                   "and unsuitable pictures, and writes the rest with a "
                                   "product.json and harvest.json (where each came from).")
    h.add_argument("sources", nargs="+", help="saved pages (.html), images or videos")
    h.add_argument("--out", "-o", required=True, help="folder for the pictures and product.json")
    h.add_argument("--id", required=True, dest="product_id", help="the product's id")
    h.add_argument("--url", dest="page_url", help="the page's address, for its relative links")
    h.add_argument("--fetch", action="store_true",
                   help="download the page's remote images (otherwise only files saved with "
                        "the page are used)")
    _add_fetch_limits(h.add_argument_group("download limits (with --fetch)"))
    h.set_defaults(func=_run_harvest)


def _run_harvest(args: argparse.Namespace) -> int:
    from ddm_lang.perception.harvest.command import harvest_with_fetch
    return harvest_with_fetch(args)


def add_extract_parser(sub: argparse._SubParsersAction) -> None:
    """`ddm materials extract-copy`'s arguments."""
    e = sub.add_parser("extract-copy", help="read selling points off products' detail images",
                       description="Reads each product's detail images (tall, or mostly "
                                   "text) with OCR, orders and classifies their blocks "
                                   "(selling point, specification, boilerplate), and writes a "
                                   "catalogue whose products gain the best selling points, "
                                   "each with its source.")
    e.add_argument("catalogue", help="the catalogue (or feed) whose images are read")
    e.add_argument("--out", "-o", required=True,
                   help="the enriched catalogue (.json), in a folder that holds the images")
    e.add_argument("--top", type=int, default=5, help="selling points added per product")
    e.add_argument("--min-text-area", type=float, default=0.12, metavar="SHARE",
                   help="text cover from which an image is a detail image (default: 0.12)")
    e.add_argument("--min-aspect", type=float, default=2.0, metavar="RATIO",
                   help="height/width from which an image is a detail image (default: 2.0)")
    e.add_argument("--library", help="material library whose records give images' text "
                                     "areas (default: $DDM_LIBRARY or the user cache)")
    e.set_defaults(func=_run_extract)


def _run_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ddm_lang.copy.detail.enrich import extract_command
    return extract_command(Path(args.catalogue), Path(args.out), top=args.top,
                           min_text_area=args.min_text_area, min_aspect=args.min_aspect,
                           library=Path(args.library) if args.library else None)

