"""A product feed loaded as a catalogue: its rows checked, its image URLs found on disk.

Why a feed is not refused whole, as a hand-written catalogue is: a feed is the advertiser's
live data, thousands of rows written by a shop system, and Merchant Center itself
disapproves bad items one by one. Refusing a 50,000-item feed for three rows without a
price would stop every creative; so rows with problems are left out and each is reported
(`Catalogue.notes`), and only a feed with no usable row is an error.

Images: a feed names them by URL; the catalogue reads only files inside its folder and
nothing is downloaded unless asked (`ddm materials fetch`, `--fetch-images`). Each URL is
looked up in the image mirror (`images/` next to the feed, or `--images DIR` inside the
feed's folder) under `mirror.mirror_path`; images not there are left out of the product
with a note, and a product none of whose images is there is left out with the command that
fetches them. A relative path in a feed (a hand-made feed) is kept as the catalogue keeps
paths.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, _Checker
from ..catalogue_errors import CatalogueError
from ..mirror import is_remote, mirror_path
from . import FeedRow, read_feed

DEFAULT_MIRROR = "images"
"""The image mirror's folder, relative to the feed's folder, unless one is given."""


def mirror_folder(feed: Path, images: str | Path | None) -> tuple[Path, str]:
    """(absolute mirror folder, its path relative to the feed's folder); a `CatalogueError`
    when `images` lies outside the feed's folder, which the catalogue could not read."""
    base = feed.parent.resolve()
    given = Path(images) if images is not None else Path(DEFAULT_MIRROR)
    folder = (given if given.is_absolute() else base / given).resolve()
    if folder != base and base not in folder.parents:
        raise CatalogueError([f"{images}: the image mirror must be inside the feed's folder "
                              f"{base} (the catalogue reads no files outside it)"], str(feed))
    return folder, folder.relative_to(base).as_posix()


def image_urls(feed: Path, kind: str | None = None, *, currency: str | None = None,
               lang: str | None = None) -> Iterator[str]:
    """Every http(s) image URL of the feed's usable rows, once each, in feed order: what
    `ddm materials fetch` downloads."""
    seen: set[str] = set()
    for row in read_feed(feed, kind, currency=currency, lang=lang):
        for ref in (row.record or {}).get("images", ()):
            if is_remote(ref) and mirror_path(ref) is not None and ref not in seen:
                seen.add(ref)
                yield ref


def load_feed(feed: Path, shown: str, kind: str, *, images: str | Path | None = None,
              currency: str | None = None, lang: str | None = None) -> Catalogue:
    """The feed's usable products as a `Catalogue` of kind `kind`; the rows left out and
    the readers' warnings in `notes`. Raises `CatalogueError` when no row is usable (with
    every row's problems) or the feed cannot be read on."""
    base = feed.parent.resolve()
    mirror, mirror_rel = mirror_folder(feed, images)
    checker = _Checker(shown, base, feed.parent.absolute())
    notes: list[str] = []
    left_out: list[list[str]] = []     # per row left out: its problems
    without_images = 0
    for row in read_feed(feed, kind, currency=currency, lang=lang):
        notes.extend(row.notes)
        if row.record is None:       # a problem row, or not a product of its own (a variation)
            if row.problems:
                left_out.append(list(row.problems))
            continue
        record, missing = _localised(row, mirror, mirror_rel)
        notes.extend(missing)
        if not record["images"]:
            without_images += 1
            left_out.append([f"{_who(row)}: no image in the mirror {mirror_rel}/ "
                             f"({_missing_first(row.record)})"])
            continue
        before = len(checker.problems)
        checker.product(record, row.where, row.where)
        if len(checker.problems) > before:
            left_out.append(checker.problems[before:])
            del checker.problems[before:]
    hint = []
    if without_images:
        hint.append(f"{shown}: {without_images} product(s) have no image in {mirror_rel}/; "
                        f"download them with `ddm materials fetch {shown}` (or pass "
                        "--fetch-images), or copy the shop's images there")
    if not checker.products:
        every = [p for problems in left_out for p in problems] + hint
        raise CatalogueError(every or [f"{shown}: the feed has no products"], shown)
    return Catalogue(feed, base, tuple(checker.products), kind,
                     notes=tuple(_left_out_notes(left_out)) + tuple(hint + notes))


def _left_out_notes(left_out: list[list[str]]) -> Iterator[str]:
    """One `left out:` note per row (so they can be counted), its further problems after."""
    for problems in left_out:
        yield f"left out: {problems[0]}"
        yield from (f"  and: {p}" for p in problems[1:])


def _localised(row: FeedRow, mirror: Path, mirror_rel: str) -> tuple[dict[str, Any], list[str]]:
    """The row's record with each image URL replaced by its file in the mirror; images
    not there are dropped, with a note when others remain."""
    assert row.record is not None
    record = dict(row.record)
    kept: list[str] = []
    absent: list[str] = []
    for ref in record["images"]:
        if not is_remote(ref):
            kept.append(ref)
            continue
        rel = mirror_path(ref)
        if rel is not None and (mirror / rel).is_file():
            kept.append(posixpath.join(mirror_rel, rel) if mirror_rel != "." else rel)
        else:
            absent.append(ref)
    record["images"] = kept
    notes = [f"{_who(row)}: {len(absent)} of {len(absent) + len(kept)} images not in "
             f"{mirror_rel}/, left out (first: {absent[0]})"] if absent and kept else []
    return record, notes


def _missing_first(record: dict[str, Any] | None) -> str:
    refs = (record or {}).get("images") or []
    if not refs:
        return "none listed"
    rel = mirror_path(refs[0])
    return f"{refs[0]} → {rel}" if rel else f"{refs[0]} is not an http(s) URL"


def _who(row: FeedRow) -> str:
    pid = (row.record or {}).get("id")
    return f'{row.where}: product "{pid}"' if pid else row.where
