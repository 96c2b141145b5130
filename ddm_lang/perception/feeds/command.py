"""The command-line side of feeds: the one way a command opens its catalogue, and `ddm
materials fetch` (their options are in batch/arguments.py, which the CLI imports cheaply).

Why one `open_catalogue`: `ddm batch`, `ddm materials add` and `ddm materials fetch` must
read a feed the same way (same mirror folder, same currency, same download policy) and
report what they left out the same way, or a feed that `materials add` accepted could
render different products in `batch`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalogue import Catalogue, load_catalogue
from ..catalogue_errors import CatalogueError
from . import detect_feed

if TYPE_CHECKING:
    from ..fetch import FetchPolicy, FetchReport

NOTES_SHOWN = 20
"""Warnings printed in full; the rest are counted (a feed of 100,000 rows may have many)."""


def open_catalogue(path: str | Path, args: argparse.Namespace) -> Catalogue:
    """The catalogue a command names, read with the feed options in `args` (downloading
    the feed's missing images first with `--fetch-images`); its notes printed to stderr."""
    if getattr(args, "fetch_images", False) and Path(path).is_file() and detect_feed(path):
        report = fetch_feed_images(Path(path), args)
        print(report.summary(), file=sys.stderr)
    catalogue = load_catalogue(path, images=getattr(args, "images", None),
                               currency=getattr(args, "currency", None),
                               lang=getattr(args, "lang", None))
    print_notes(catalogue)
    return catalogue


def print_notes(catalogue: Catalogue) -> None:
    """A catalogue's warnings on stderr, the first `NOTES_SHOWN` in full."""
    notes = catalogue.notes
    if not notes:
        return
    left_out = sum(1 for n in notes if n.startswith("left out: "))
    warn(notes, " warnings")
    print(f"ddm: {catalogue.path}: {len(catalogue.products)} products read, {left_out} rows "
          "left out", file=sys.stderr)


def warn(lines: Sequence[str], more: str = "") -> None:
    """Warnings on stderr, the first `NOTES_SHOWN` in full and the rest counted."""
    for line in lines[:NOTES_SHOWN]:
        print(f"ddm: warning: {line}", file=sys.stderr)
    if len(lines) > NOTES_SHOWN:
        print(f"ddm: warning: ... and {len(lines) - NOTES_SHOWN} more{more}", file=sys.stderr)


def fetch_policy(args: argparse.Namespace, shown: str) -> FetchPolicy:
    """The download policy the command-line limits in `args` describe."""
    from ..fetch import FetchPolicy
    try:
        return FetchPolicy(schemes=("http", "https") if args.allow_http else ("https",),
                           max_bytes=int(args.max_image_mb * 1024 * 1024),
                           max_total_bytes=int(args.max_total_mb * 1024 * 1024),
                           allow_addresses=tuple(getattr(args, "allow_address", ()) or ()))
    except ValueError as err:
        raise CatalogueError([f"download limits: {err}"], shown) from None


def fetch_feed_images(feed: Path, args: argparse.Namespace) -> FetchReport:
    """Download the feed's images that the mirror lacks, under the limits in `args`."""
    from ..fetch import fetch_images
    from .load import image_urls, mirror_folder
    mirror, _ = mirror_folder(feed, getattr(args, "images", None))
    policy = fetch_policy(args, str(feed))
    urls = list(image_urls(feed, currency=getattr(args, "currency", None),
                           lang=getattr(args, "lang", None)))
    return fetch_images(urls, mirror, policy, jobs=max(1, getattr(args, "fetch_jobs", 4)),
                        refresh=getattr(args, "refresh", False))


def fetch_command(args: argparse.Namespace) -> int:
    """`ddm materials fetch FEED`: download the feed's images into its mirror; exit 1 when
    some could not be had (each named on stderr)."""
    feed = Path(args.feed)
    if not feed.is_file() or detect_feed(feed) is None:
        raise CatalogueError([f"{args.feed}: not a product feed (`ddm materials fetch` reads "
                              "Merchant Center, Meta, Shopify, WooCommerce and schema.org "
                              "feeds)"], str(args.feed))
    report = fetch_feed_images(feed, args)
    warn(report.reasons)
    print(report.summary())
    return 1 if report.reasons else 0
