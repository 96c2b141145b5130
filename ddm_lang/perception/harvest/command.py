"""`ddm materials harvest`: the command-line side of harvesting (cli.py wires the arguments).

Prints one line per kept picture and a summary of what was left out and why; the whole
account is in the output folder's `harvest.json`. Exits 0 when a product file was written
and every source could be read, 1 otherwise (the pictures found are still written).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .harvest import HarvestReport, harvest
from .obtain import Fetch


def harvest_command(sources: Sequence[str | Path], out: str | Path, *, product_id: str,
                    page_url: str | None = None, fetch: Fetch | None = None,
                    stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Harvest `sources` into `out` for `product_id` and print a short report; the exit
    status. A `HarvestError` (a missing source, a bad id) propagates for the caller to print
    as one line, as it prints every `UserError`."""
    out_stream = stdout if stdout is not None else sys.stdout
    err_stream = stderr if stderr is not None else sys.stderr
    report = harvest([Path(s) for s in sources], Path(out), product_id=product_id,
                     page_url=page_url, fetch=fetch)
    print(summary(report), file=out_stream)
    for problem in report.problems:
        print(f"ddm: error: {problem}", file=err_stream)
    return 0 if report.product_file is not None and not report.problems else 1


def summary(report: HarvestReport) -> str:
    """The report as the command prints it."""
    kept = report.kept
    lines = [f"{report.out_dir}: {len(report.candidates)} candidates, {len(kept)} kept "
             f"for product \"{report.product_id}\" ({report.title})"]
    for c in kept:
        lines.append(f"  {c.file:<14} {c.width}×{c.height}  {c.origin}")
    reasons = Counter(_reason(c.why) for c in report.candidates if not c.kept and c.why)
    if reasons:
        lines.append("left out: " + ", ".join(f"{n} {why}" for why, n in reasons.most_common()))
    for note in report.notes:
        lines.append(f"note: {note}")
    lines.append(f"manifest: {report.manifest}")
    if report.product_file is not None:
        lines.append(f"product: {report.product_file} (add it with `ddm materials add "
                     f"{report.product_file}`)")
    return "\n".join(lines)


def _reason(why: str) -> str:
    """A reason as the summary counts it: its kind, without the particulars."""
    if why.startswith("a copy of"):
        return "copies"
    if why.startswith("left out:"):
        return "by the page rules"
    if why.startswith("unsuitable"):
        return "unsuitable"
    if why.startswith("too small"):
        return "too small"
    if why.startswith("a long detail image"):
        return "long images split"
    if why.startswith("not downloaded"):
        return "not downloaded"
    if why.startswith("refused"):
        return "refused"
    if why in ("near-black", "near-uniform") or why.startswith("blurred"):
        return "blank or blurred frames"
    return "unreadable or missing"


DOWNLOADS = "downloads"
"""The image mirror of `ddm materials harvest --fetch`, inside its output folder."""


def harvest_with_fetch(args: argparse.Namespace) -> int:
    """`ddm materials harvest`: remote pictures of a page are downloaded (into the output
    folder's `downloads/` mirror, under the limits in `args`) only with `--fetch`."""
    from ..feeds.command import fetch_policy
    from ..fetch import fetch_image
    fetch = None
    if args.fetch:
        policy = fetch_policy(args, str(args.out))
        mirror = Path(args.out) / DOWNLOADS

        def fetch(url: str) -> Path | None:
            result = fetch_image(url, mirror, policy)
            if not result.ok or result.path is None:
                print(f"ddm: warning: {result.reason}", file=sys.stderr)
                return None
            return mirror / result.path
    return harvest_command(args.sources, args.out, product_id=args.product_id,
                           page_url=args.page_url, fetch=fetch)
