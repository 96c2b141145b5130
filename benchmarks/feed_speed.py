"""Feed reading speed and memory: products per second and peak memory while streaming a
generated Merchant Center feed of 1,000,000 items, as RSS 2.0 and as TSV.

Why this exists: an advertiser's feed is often hundreds of thousands to millions of items,
and `ddm_lang.perception.feeds` promises to stream it in bounded memory. This measures both
halves of that promise on the same items in the two most common formats:

- speed: items turned into checked rows (`read_feed`) per second, wall and CPU time of a
  fresh process reading the whole file (the machine may be shared: CPU time is the steadier);
- memory: the process's resident memory sampled every 8,192 items while reading, its peak
  less what it held before the first item (libxml2 and the csv module allocate outside
  Python, so this counts all of it),
  and Python's own traced peak (`tracemalloc`) over the first `--trace-rows` items (tracing
  costs several times the reading itself, so it is not run over the whole file).

Every item carries what real feeds carry: an HTML description with entities, a price and a
sale price (so a discount is derived), two images, brand, a category path, colour, size,
availability, condition and a GTIN; the RSS items also have a nested `g:shipping`.

    .venv/bin/python benchmarks/feed_speed.py                 # writes results/feed_speed.{md,json}
    .venv/bin/python benchmarks/feed_speed.py --rows 100000 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from provenance import ddm_lang_source, machine, run_lines, versions, write_results

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "benchmarks" / "results"
FORMATS = ("tsv", "rss")

TSV_HEADER = ("id\ttitle\tdescription\tlink\timage_link\tadditional_image_link\tprice\t"
              "sale_price\tbrand\tproduct_type\tcolor\tsize\tavailability\tcondition\tgtin\n")


def _values(i: int) -> dict[str, str]:
    return {"id": f"SKU-{i:07d}", "title": f"Organic Cotton T-Shirt {i}",
            "link": f"https://shop.example.com/p/{i}",
            "image": f"https://cdn.example.com/img/{i}.jpg",
            "more": f"https://cdn.example.com/img/{i}-back.jpg",
            "price": f"{19 + i % 50}.99 USD", "sale": f"{15 + i % 50}.99 USD",
            "gtin": str(4006381333931 + i)}


def write_tsv(path: Path, rows: int) -> None:
    """A Merchant Center TSV of `rows` items."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(TSV_HEADER)
        for i in range(rows):
            v = _values(i)
            f.write(f"{v['id']}\t{v['title']}\tSoft <b>organic</b> cotton &amp; a relaxed fit, "
                    f"size {i % 7}.\t{v['link']}\t{v['image']}\t{v['more']}\t{v['price']}\t"
                    f"{v['sale']}\tExampleWear\tApparel > Tops > T-Shirts\tBlue\tM\tin stock\t"
                    f"new\t{v['gtin']}\n")


def write_rss(path: Path, rows: int) -> None:
    """A Merchant Center RSS 2.0 feed of the same `rows` items."""
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">\n<channel>\n'
                "<title>Benchmark shop</title>\n<link>https://shop.example.com</link>\n"
                "<description>Generated items</description>\n<language>en-us</language>\n")
        for i in range(rows):
            v = _values(i)
            f.write(f"<item>\n<g:id>{v['id']}</g:id>\n<g:title>{v['title']}</g:title>\n"
                    "<g:description><![CDATA[Soft <b>organic</b> cotton &amp; a relaxed fit, "
                    f"size {i % 7}.]]></g:description>\n<g:link>{v['link']}</g:link>\n"
                    f"<g:image_link>{v['image']}</g:image_link>\n"
                    f"<g:additional_image_link>{v['more']}</g:additional_image_link>\n"
                    f"<g:price>{v['price']}</g:price>\n<g:sale_price>{v['sale']}</g:sale_price>\n"
                    "<g:brand>ExampleWear</g:brand>\n"
                    "<g:product_type>Apparel &gt; Tops &gt; T-Shirts</g:product_type>\n"
                    "<g:color>Blue</g:color>\n<g:size>M</g:size>\n"
                    "<g:availability>in stock</g:availability>\n<g:condition>new</g:condition>\n"
                    f"<g:gtin>{v['gtin']}</g:gtin>\n<g:shipping><g:country>US</g:country>"
                    "<g:price>4.95 USD</g:price></g:shipping>\n</item>\n")
        f.write("</channel>\n</rss>\n")


def _rss_kib() -> int:
    """The process's resident memory now (KiB), from /proc (0 where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def child(path: str, trace_rows: int) -> dict[str, Any]:
    """One process's measurement of one feed: runs in a subprocess."""
    import itertools
    import tracemalloc

    from ddm_lang.perception.feeds import (  # noqa: F401  (imported before measuring)
        delimited,
        read_feed,
        xmlfeeds,
    )

    before = peak = _rss_kib()
    wall, cpu = time.perf_counter(), time.process_time()
    count = accepted = 0
    for row in read_feed(path):
        count += 1
        accepted += row.record is not None
        if count % 8192 == 0:  # resident memory sampled while reading
            peak = max(peak, _rss_kib())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = max(peak, _rss_kib())
    tracemalloc.start()
    traced_wall = time.perf_counter()
    for _ in itertools.islice(read_feed(path), trace_rows):
        pass
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"rows": count, "records": accepted, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "rows_per_s_wall": round(count / wall),
            "rows_per_s_cpu": round(count / cpu), "rss_before_mib": round(before / 1024, 1),
            "rss_peak_mib": round(peak / 1024, 1),
            "rss_growth_mib": round(max(peak - before, 0) / 1024, 1),
            "traced_rows": min(trace_rows, count),
            "traced_peak_mib": round(traced_peak / 2 ** 20, 2),
            "traced_wall_s": round(time.perf_counter() - traced_wall, 2)}


def measure(path: Path, trace_rows: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(path),
                           "--trace-rows", str(trace_rows)],
                          capture_output=True, text=True, cwd=str(REPO), timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"measurement failed ({path.name}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _source() -> dict[str, str]:
    """`provenance.ddm_lang_source`, with "+untracked" when the feed readers measured are not
    yet in the commit it names (its dirty check looks at tracked files only)."""
    out = ddm_lang_source()
    try:
        status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                 "ddm_lang/perception/feeds"], capture_output=True, text=True,
                                check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return out
    if "??" in status and out.get("commit", "unknown") != "unknown":
        out["commit"] += "+untracked"
    return out


def markdown(record: dict[str, Any]) -> str:
    lines = [
        "# Feed reading: speed and memory", "",
        f"A generated Google Merchant Center feed of {record['rows']:,} items, read with "
        "`ddm_lang.perception.feeds.read_feed` (every item turned into a checked catalogue "
        "record: HTML description cleaned, price and sale price parsed, discount derived) in a "
        "fresh process per format. Items per second by wall and CPU time; memory as the "
        "process's peak resident set while reading (sampled every 8,192 items) less its size "
        "before the first item (all allocations, libxml2's included), and Python's traced "
        "peak over the first "
        f"{record['trace_rows']:,} items.", "",
        "| format | file | items | items/s (wall) | items/s (CPU) | wall | peak RSS growth "
        "| traced peak |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in record["formats"].items():
        lines.append(
            f"| {name.upper()} | {r['file_mib']:,.0f} MiB | {r['rows']:,} | "
            f"{r['rows_per_s_wall']:,} | {r['rows_per_s_cpu']:,} | {r['wall_s']:.0f} s | "
            f"{r['rss_growth_mib']:.1f} MiB | {r['traced_peak_mib']:.2f} MiB |")
    lines += ["", "Peak RSS growth is what reading the whole file added to the process; the "
              "traced peak is Python's own share over the first items. Neither depends on the "
              "number of items: one item is held at a time.", ""]
    return "\n".join(lines + run_lines(record))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="items per feed")
    parser.add_argument("--trace-rows", type=int, default=100_000,
                        help="items read under tracemalloc")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.trace_rows)))
        return
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="feed_speed-") as tmp:
        for name in args.formats:
            path = Path(tmp) / ("feed.tsv" if name == "tsv" else "feed.xml")
            (write_tsv if name == "tsv" else write_rss)(path, args.rows)
            size = path.stat().st_size
            result = measure(path, args.trace_rows)
            result["file_mib"] = round(size / 2 ** 20, 1)
            results[name] = result
            path.unlink()
            print(f"{name}: {result}", file=sys.stderr)
    record: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": ("python benchmarks/feed_speed.py " + shlex.join(sys.argv[1:])).rstrip(),
        "machine": {**machine(), "load_1min": round(os.getloadavg()[0], 2)},
        "versions": {**versions(), "lxml": metadata.version("lxml")},
        "ddm_lang": _source(),
        "rows": args.rows, "trace_rows": args.trace_rows, "formats": results,
    }
    text = markdown(record)
    print(text)
    if not args.no_write:
        write_results(args.out, "feed_speed", record, text)


if __name__ == "__main__":
    main()
