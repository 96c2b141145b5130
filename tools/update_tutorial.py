"""Follow docs/tutorial.md and write the pictures it shows (docs/images/tutorial/).

Run after a change to the tutorial, a template feature it uses or the renderer, then look
at every picture before committing:

    .venv/bin/python tools/update_tutorial.py

It stops at the first command whose output differs from what the tutorial says, so the
text is fixed before any picture is drawn from it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _goldens import encode_jpeg
from _tutorial import PICTURES, TUTORIAL, as_picture, run, written_picture

from ddm_lang.files import write_atomic


def main() -> int:
    PICTURES.mkdir(parents=True, exist_ok=True)
    wrote = set()
    with tempfile.TemporaryDirectory() as folder:
        for step, ran in run(Path(folder)):
            for r in ran:
                if r.printed != r.command.expected:
                    print(f"{TUTORIAL.name}:{r.command.line}: $ {' '.join(r.command.argv)}\n"
                          f"printed:\n{r.printed}\nthe tutorial says:\n{r.command.expected}",
                          file=sys.stderr)
                    return 1
            if step.picture is not None:
                target = PICTURES / step.picture
                write_atomic(target, encode_jpeg(as_picture(written_picture(Path(folder), step))))
                wrote.add(target.name)
                print(f"wrote {target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target}")
    for stale in PICTURES.iterdir():
        if stale.name not in wrote:
            stale.unlink()
            print(f"removed {stale.name} (no longer shown)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
