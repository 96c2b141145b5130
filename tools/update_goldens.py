"""Rewrite the golden renderings of the stdlib templates (tests/goldens/).

Run after an intended change to a template, the renderer or the sample catalogue, look at
what changed (the script lists the creatives whose rendering moved beyond the tolerance),
and commit the new files with the change:

    make goldens            # or: .venv/bin/python tools/update_goldens.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _goldens import (
    GOLDENS,
    MAX_MEAN_DIFF,
    MIN_SSIM,
    cases,
    compare,
    draw,
    encode_jpeg,
    file_name,
    load,
    write_manifest,
)

from ddm_lang.files import write_atomic
from ddm_lang.syntax.diagnostics import DiagnosticError


def main() -> int:
    entries = cases()
    changed = []
    keep = {file_name(*e) for e in entries}
    failed = 0
    for n, (template, product, fmt) in enumerate(entries, 1):
        try:
            fresh = draw(template, product, fmt)
        except DiagnosticError as err:
            print(err.render(), file=sys.stderr)
            failed += 1
            continue
        old = load(template, product, fmt)
        if old is not None:
            score, diff = compare(fresh, old)
            if score >= MIN_SSIM and diff <= MAX_MEAN_DIFF:
                continue  # within tolerance: keep the stored file (no churn)
            changed.append(f"{template} {product} {fmt}: SSIM {score:.3f}, diff {diff:.3f}")
        else:
            changed.append(f"{template} {product} {fmt}: new")
        write_atomic(GOLDENS / file_name(template, product, fmt), encode_jpeg(fresh))
        print(f"\r[{n}/{len(entries)}]", end="", file=sys.stderr, flush=True)
    for folder in GOLDENS.iterdir():  # goldens of templates or formats that are gone
        if folder.is_dir():
            for f in folder.iterdir():
                if f"{folder.name}/{f.name}" not in keep:
                    f.unlink()
            if not any(folder.iterdir()):
                shutil.rmtree(folder)
    write_manifest(entries)
    print(f"\n{len(entries)} goldens, {len(changed)} written:", file=sys.stderr)
    for line in changed:
        print(f"  {line}", file=sys.stderr)
    if failed:
        print(f"{failed} creatives did not compile: their goldens were left as they were",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
