"""Digest every stdlib creative's SVG, to show that a refactor changed no output byte.

Compiles each stdlib template for each sample product in each of its formats and writes
one line per creative (`template/product/format sha256`). Run it on the old tree and the
new one and compare; `--compare FILE` does that and lists every creative that differs.

    .venv/bin/python tools/svg_digests.py --out /tmp/before.txt
    .venv/bin/python tools/svg_digests.py --compare /tmp/before.txt
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import ddm_lang
from ddm_lang.demo import sample_catalogue


def digests() -> dict[str, str]:
    products, base = sample_catalogue()
    out: dict[str, str] = {}
    stdlib = Path(ddm_lang.__file__).parent / "stdlib_templates"  # in older trees too
    for path in sorted(stdlib.glob("*.ddm")):
        template = ddm_lang.load_template(path)
        for product in products:
            for fmt in template.formats:
                key = f"{template.name}/{product['id']}/{fmt.name}"
                try:
                    svg = template.compile(product, fmt.name, base_dir=base).svg
                except Exception as err:  # a creative that fails is a difference too
                    svg = f"error: {type(err).__name__}: {err}"
                out[key] = hashlib.sha256(svg.encode("utf-8")).hexdigest()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the digests here")
    parser.add_argument("--compare", type=Path, help="compare with digests written before")
    args = parser.parse_args()
    now = digests()
    text = "".join(f"{key} {digest}\n" for key, digest in sorted(now.items()))
    if args.out:
        args.out.write_text(text, "utf-8")
    if args.compare:
        before = dict(line.split() for line in args.compare.read_text("utf-8").splitlines())
        changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        for key in changed:
            print(f"differs: {key}")
        print(f"{len(now)} creatives, {len(changed)} differ from {args.compare}")
        return 1 if changed else 0
    print(f"{len(now)} creatives digested")
    return 0


if __name__ == "__main__":
    sys.exit(main())
