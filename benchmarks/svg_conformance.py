"""SVG conformance: our rasteriser and two baselines scored against resvg's regression suite.

Why this exists: the renderer draws everything a creative shows, so "does it draw SVG
correctly" needs a number that moves when the renderer changes, measured on a public suite
with reference images, next to the renderers one could use instead (skia.SVGDOM, which the
renderer is built on, and cairosvg). The suite is resvg's: `tests/<group>/<sub>/<name>.svg`
with `<name>.png` beside it, `fonts/` and `resources/` alongside. It is read in place (never
copied into the repo).

Each (test, renderer) pair is rendered at the reference PNG's exact size and scored by one
fixed rule (see `score`), in worker processes that the parent kills when they overrun the
time limit and replaces when they crash, so one bad test costs one result, never the run.

    .venv/bin/python benchmarks/svg_conformance.py                  # full suite, all renderers
    .venv/bin/python benchmarks/svg_conformance.py --renderers ours --group text --list-failures

Results files (`benchmarks/results/svg_conformance.{json,md}`) are written only for full-suite
runs; a run of some renderers keeps the recorded results of the others, each with its own
date and command, so a slow baseline need not be re-run to update our own figures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import io
import json
import multiprocessing as mp
import os
import re
import shlex
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image
from provenance import ddm_lang_source, machine, versions

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "svg-conformance"
DEFAULT_OUT = REPO / "benchmarks" / "results"
RENDERERS = ("ours", "svgdom", "cairosvg")
GROUPS = ("structure", "shapes", "painting", "paint-servers", "masking", "text", "filters")

# The scoring rule; changing it changes every recorded figure, so it lives in one place.
MEAN_LIMIT = 0.02  # mean per-pixel difference, 0..1
PIXEL_LIMIT = 0.25  # a pixel differing by more than this is a "bad" pixel ...
FRACTION_LIMIT = 0.005  # ... and at most this fraction of pixels may be bad
RULE = (f"both images composited over white (float 0..1); per-pixel difference = max over "
        f"R, G, B of |a - b|; pass when mean(diff) <= {MEAN_LIMIT} and the fraction of pixels "
        f"with diff > {PIXEL_LIMIT} is <= {FRACTION_LIMIT}; a render of the wrong size fails")

# resvg's test configuration for generic families (its tests are drawn with these fonts).
GENERIC_FAMILIES = {"default": "noto sans", "sans-serif": "noto sans", "serif": "noto serif",
                    "monospace": "noto mono", "cursive": "yellowtail",
                    "fantasy": "sedgwick ave display"}
# usvg's default family (Times New Roman) is not in the suite, so unknown families end on serif.
UNKNOWN_FAMILY_FALLBACK = "noto serif"
DEFAULT_FONT_SIZE = 12.0  # usvg's Options::default() font size
RECYCLE_AFTER = 150  # tasks per worker process: bounds leaks and cache growth in skia/cairo


# ---- tests and results -----------------------------------------------------------------------
@dataclass(frozen=True)
class Test:
    """One suite entry: the SVG, its reference PNG, and its path relative to `tests/`."""

    svg: Path
    png: Path
    rel: str

    @property
    def group(self) -> str:
        return self.rel.split("/", 1)[0]


def find_tests(data: Path, group: str | None = None, needle: str | None = None) -> list[Test]:
    """All tests with a reference PNG, sorted, optionally narrowed to a group or substring."""
    root = data / "tests"
    tests = []
    for svg in sorted(root.rglob("*.svg")):
        png = svg.with_suffix(".png")
        rel = svg.relative_to(root).as_posix()
        if not png.is_file():
            continue
        if group and rel.split("/", 1)[0] != group:
            continue
        if needle and needle not in rel:
            continue
        tests.append(Test(svg, png, rel))
    return tests


def result(passed: bool = False, mean: float | None = None, frac_over: float | None = None,
           error: str | None = None) -> dict[str, Any]:
    """One renderer's outcome on one test, as stored in the JSON record (no timings: they
    would change every line of the record on every run; speed is render_speed.py's job)."""
    return {"passed": passed, "mean": mean, "frac_over": frac_over, "error": error}


def first_line(exc: BaseException) -> str:
    """The exception type and the first line of its message: enough to group failures."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


# ---- scoring ---------------------------------------------------------------------------------
def on_white(rgba: np.ndarray) -> np.ndarray:
    """RGB in 0..1 of an unpremultiplied RGBA uint8 image composited over white."""
    px = rgba.astype(np.float32) / 255.0
    alpha = px[..., 3:4]
    return px[..., :3] * alpha + (1.0 - alpha)


def load_png(path: Path) -> np.ndarray:
    """An H×W×4 uint8 RGBA array from a PNG of any mode (the suite has P, LA and RGBA)."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA"))


def score(rendered: np.ndarray, reference: np.ndarray) -> dict[str, Any]:
    """Pass/fail and the two figures behind it, by the rule in `RULE`."""
    if rendered.ndim != 3 or rendered.shape[2] != 4:
        return result(error=f"render is not H×W×4 RGBA: shape {rendered.shape}")
    if rendered.shape[:2] != reference.shape[:2]:
        (h, w), (rh, rw) = rendered.shape[:2], reference.shape[:2]
        return result(error=f"render is {w}x{h}, reference {rw}x{rh}")
    diff = np.abs(on_white(rendered) - on_white(reference)).max(axis=2)
    mean = float(diff.mean())
    frac = float((diff > PIXEL_LIMIT).mean())
    return result(mean <= MEAN_LIMIT and frac <= FRACTION_LIMIT, round(mean, 6), round(frac, 6))


# ---- renderers (run in worker processes; heavy imports happen on first use) ----------------
_FONTS: list[Any] = []  # the font registry for `ours`, built once per worker process


def font_registry(data: Path) -> Any:
    """Our renderer's registry with only the suite's fonts and resvg's generic families."""
    if not _FONTS:
        from ddm_lang.renderer.fonts import FontRegistry

        registry = FontRegistry(packages=(), generic=dict(GENERIC_FAMILIES),
                                defaults=(UNKNOWN_FAMILY_FALLBACK,))
        registry.add_directory(data / "fonts")
        _FONTS.append(registry)
    return _FONTS[0]


def render_ours(test: Test, width: int, height: int, data: Path) -> np.ndarray:
    """`ddm_lang.renderer.raster.render`, allowed to read the suite (for `resources/`)."""
    from ddm_lang.renderer.options import RenderOptions
    from ddm_lang.renderer.raster import render

    options = RenderOptions(allowed_roots=(data,), base_dir=test.svg.parent,
                            fonts=font_registry(data), font_size=DEFAULT_FONT_SIZE)
    return render(test.svg.read_bytes(), width, height, None, options=options)


_LENGTH = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px|pt|pc|mm|cm|in)?\s*$")
_UNITS = {None: 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54,
          "in": 96.0}


def root_size(data: bytes) -> tuple[float, float] | None:
    """The root `<svg>`'s absolute size in px, or None when it sizes itself to its container
    (width/height absent or in %), which is what SVGDOM's container size then stands for."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None

    def length(name: str) -> float | None:
        match = _LENGTH.match(root.get(name) or "")
        return float(match.group(1)) * _UNITS[match.group(2)] if match else None

    w, h = length("width"), length("height")
    vb = [float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?",
                                        root.get("viewBox") or "")]
    if len(vb) == 4 and vb[2] > 0 and vb[3] > 0:
        if w is None and h is not None:
            w = h * vb[2] / vb[3]
        if h is None and w is not None:
            h = w * vb[3] / vb[2]
    if w is None or h is None or w <= 0 or h <= 0:
        return None
    return w, h


def render_svgdom(test: Test, width: int, height: int, data: Path) -> np.ndarray:
    """skia.SVGDOM onto a width×height raster. A root without its own size fills the
    container (set to width×height); a root with one is laid out at that size and the canvas
    scaled to fit, as resvg does for the references, so the baseline is not failed on size."""
    import skia

    stream = skia.Stream.MakeFromFile(str(test.svg))
    if stream is None:
        raise OSError(f"cannot open {test.svg}")
    dom = skia.SVGDOM.MakeFromStream(stream)
    if dom is None:
        raise ValueError("SVGDOM could not parse the document")
    surface = skia.Surface.MakeRaster(skia.ImageInfo.Make(
        width, height, skia.ColorType.kRGBA_8888_ColorType, skia.AlphaType.kPremul_AlphaType))
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorTRANSPARENT)
    size = root_size(test.svg.read_bytes())
    if size is None:
        dom.setContainerSize(skia.Size(width, height))
    else:
        dom.setContainerSize(skia.Size(*size))
        canvas.scale(width / size[0], height / size[1])
    dom.render(canvas)
    return surface.makeImageSnapshot().toarray(
        colorType=skia.ColorType.kRGBA_8888_ColorType,
        alphaType=skia.AlphaType.kUnpremul_AlphaType)


def confined_fetch(data: Path, url: str, resource_type: str) -> bytes:
    """cairosvg URL fetcher: data URIs and files inside the suite; anything else (the
    network, files elsewhere) reads as an empty image, as cairosvg's own safe fetcher does.
    Without it cairosvg's default refuses every external file, so tests with images would
    fail for a reason that is policy, not rendering."""
    empty = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    if url.startswith("data:"):
        with urllib.request.urlopen(url) as fh:
            return fh.read()
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("", "file"):
        return empty
    path = Path(urllib.parse.unquote(parsed.path)).resolve()
    if not path.is_relative_to(data.resolve()) or not path.is_file():
        return empty
    return path.read_bytes()


def fontconfig_file(data: Path, folder: Path) -> Path:
    """A fontconfig file naming only the suite's fonts, with resvg's generic families. Workers
    point FONTCONFIG_FILE at it before anything loads fontconfig, so cairosvg (whose text goes
    through cairo and fontconfig) draws with the same faces as the references instead of
    whatever the host has installed."""
    aliases = "".join(
        f'<alias binding="strong"><family>{escape(generic)}</family>'
        f"<prefer><family>{escape(family.title())}</family></prefer></alias>"
        for generic, family in GENERIC_FAMILIES.items() if generic != "default")
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{escape(str((data / 'fonts').resolve()))}</dir>"
        f"<cachedir>{escape(str(folder / 'cache'))}</cachedir>{aliases}</fontconfig>")
    return conf


def render_cairosvg(test: Test, width: int, height: int, data: Path) -> np.ndarray:
    """cairosvg's svg2png (its PNGSurface.convert, which also takes the `url_fetcher` that
    lets it read the suite's resources), decoded with Pillow."""
    from cairosvg.surface import PNGSurface

    png = PNGSurface.convert(bytestring=test.svg.read_bytes(), url=str(test.svg),
                             output_width=width, output_height=height,
                             url_fetcher=functools.partial(confined_fetch, data))
    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGBA"))


RENDER: dict[str, Callable[[Test, int, int, Path], np.ndarray]] = {
    "ours": render_ours, "svgdom": render_svgdom, "cairosvg": render_cairosvg}


def side_by_side(ours: np.ndarray, reference: np.ndarray) -> Image.Image:
    """Ours | reference, both over white, with a grey gutter: what a reviewer looks at."""
    left, right = (Image.fromarray((on_white(a) * 255 + 0.5).astype(np.uint8))
                   for a in (ours, reference))
    gap = 8
    out = Image.new("RGB", (left.width + gap + right.width, max(left.height, right.height)),
                    (128, 128, 128))
    out.paste(left, (0, 0))
    out.paste(right, (left.width + gap, 0))
    return out


def run_task(test: Test, renderer: str, data: Path, diffs: Path | None) -> dict[str, Any]:
    """Render one test with one renderer and score it; every exception is a recorded fail."""
    try:
        reference = load_png(test.png)
        height, width = reference.shape[:2]
        rendered = RENDER[renderer](test, width, height, data)
        rendered = np.asarray(rendered)
        outcome = score(rendered, reference)
    except Exception as exc:
        outcome = result(error=first_line(exc))
        rendered = None
    if diffs is not None and renderer == "ours" and not outcome["passed"] and rendered is not None:
        with contextlib.suppress(Exception):  # a diff image is a convenience, never a failure
            if rendered.shape[:2] == reference.shape[:2] and rendered.shape[2] == 4:
                diffs.mkdir(parents=True, exist_ok=True)
                side_by_side(rendered, reference).save(
                    diffs / (test.rel[:-4].replace("/", "__") + ".png"))
    return outcome


def worker(conn: Connection, data: Path, diffs: Path | None, fontconf: Path | None) -> None:
    """Worker loop: (index, test, renderer) in, (index, renderer, outcome) out; None stops."""
    if fontconf is not None:  # before skia or cairo can initialise fontconfig in this process
        os.environ["FONTCONFIG_FILE"] = str(fontconf)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, test, renderer = task
        conn.send((index, renderer, run_task(test, renderer, data, diffs)))


# ---- the process pool ------------------------------------------------------------------------
@dataclass
class Slot:
    """One worker process and the task it is on (if any)."""

    process: Any
    conn: Connection
    task: tuple[int, Test, str] | None = None
    deadline: float = 0.0
    done: int = 0


@dataclass
class Pool:
    """Workers that each run one task at a time; the parent enforces the time limit and
    replaces a worker that crashed, timed out or reached RECYCLE_AFTER tasks.

    multiprocessing.Pool loses a task silently when its worker dies and cannot stop a task
    stuck in C code; killing the process is the one limit that always works."""

    jobs: int
    timeout: float
    data: Path
    diffs: Path | None
    fontconf: Path | None = None
    ctx: Any = field(default_factory=lambda: mp.get_context("spawn"))
    slots: list[Slot] = field(default_factory=list)

    def spawn(self) -> Slot:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=worker, daemon=True,
                                args=(child, self.data, self.diffs, self.fontconf))
        proc.start()
        child.close()
        return Slot(proc, parent)

    def retire(self, slot: Slot, kill: bool) -> None:
        if kill:
            slot.process.kill()
        else:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
        slot.process.join(5)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()
        slot.conn.close()

    def run(self, tasks: list[tuple[int, Test, str]],
            report: Callable[[int, str, dict[str, Any]], None]) -> None:
        """Run every task, calling report(index, renderer, outcome) as each finishes."""
        pending = list(reversed(tasks))
        self.slots = [self.spawn() for _ in range(min(self.jobs, len(tasks)))]
        try:
            while pending or any(s.task for s in self.slots):
                for slot in self.slots:
                    if slot.task is None and pending:
                        slot.task = pending.pop()
                        slot.deadline = time.monotonic() + self.timeout
                        with contextlib.suppress(OSError):  # a dead worker shows as a crash
                            slot.conn.send(slot.task)
                busy = [s for s in self.slots if s.task]
                wait_for = min(s.deadline for s in busy) - time.monotonic()
                ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy],
                             timeout=max(0.0, wait_for))
                for i, slot in enumerate(self.slots):
                    if slot.task is None:
                        continue
                    index, _test, renderer = slot.task
                    outcome, replace = None, False
                    if slot.conn in ready or slot.process.sentinel in ready:
                        try:
                            if slot.conn.poll():
                                _, _, outcome = slot.conn.recv()
                        except (EOFError, OSError):
                            pass
                        if outcome is None:  # the process ended without answering
                            slot.process.join(5)
                            code = slot.process.exitcode
                            outcome = result(error=f"crash: worker exited with code {code}")
                            replace = True
                    elif time.monotonic() >= slot.deadline:
                        outcome = result(error=f"timeout: no result in {self.timeout:g} s")
                        replace = True
                    if outcome is None:
                        continue
                    slot.task = None
                    slot.done += 1
                    report(index, renderer, outcome)
                    if replace or slot.done >= RECYCLE_AFTER:
                        self.retire(slot, kill=replace)
                        self.slots[i] = self.spawn() if pending else slot
        finally:
            for slot in self.slots:
                if slot.process.is_alive():
                    self.retire(slot, kill=slot.task is not None)


# ---- reporting -------------------------------------------------------------------------------








def table(entries: list[dict[str, Any]], renderers: Iterable[str]) -> str:
    """Markdown table: tests and passes per group and overall, one column per renderer."""
    renderers = list(renderers)
    head = "| group | tests | " + " | ".join(f"{r} pass" for r in renderers) + " |"
    rule = "|---|---:|" + "---:|" * len(renderers)
    groups = [g for g in GROUPS if any(e["group"] == g for e in entries)]
    groups += sorted({e["group"] for e in entries} - set(groups))
    rows = [head, rule]
    for name, subset in [(g, [e for e in entries if e["group"] == g]) for g in groups] + [
            ("**all**", entries)]:
        cells = []
        for r in renderers:
            runs = [e["results"][r] for e in subset if r in e["results"]]
            if not runs:
                cells.append("—")
                continue
            ok = sum(x["passed"] for x in runs)
            cells.append(f"{ok} ({100 * ok / len(runs):.1f}%)")
        rows.append(f"| {name} | {len(subset)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def error_summary(entries: list[dict[str, Any]], renderers: Iterable[str]) -> str:
    """Per renderer: how many fails were exceptions, timeouts and crashes, and the most common
    messages: a renderer that raises everywhere should read differently from one that draws
    badly."""
    lines = []
    for r in renderers:
        errors = [e["results"][r]["error"] for e in entries
                  if r in e["results"] and e["results"][r]["error"]]
        if not errors:
            lines.append(f"- {r}: no exceptions, timeouts or crashes")
            continue
        timeouts = sum(x.startswith("timeout") for x in errors)
        crashes = sum(x.startswith("crash") for x in errors)
        counts: dict[str, int] = {}
        for x in errors:
            counts[x] = counts.get(x, 0) + 1
        common = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
        lines.append(f"- {r}: {len(errors)} errored ({timeouts} timeouts, {crashes} crashes); "
                     "most common: " + "; ".join(f"`{m[:120]}` ×{n}" for m, n in common))
    return "\n".join(lines)


NOTES = """\
- **ours**: `ddm_lang.renderer.raster.render(svg, w, h, allowed_roots=(suite,), base_dir=svg's
  folder, fonts=registry)`, the registry holding only the suite's `fonts/` with resvg's test
  generic families (sans-serif/default → Noto Sans, serif → Noto Serif, monospace → Noto
  Mono, cursive → Yellowtail, fantasy → Sedgwick Ave Display).
- **svgdom**: `skia.SVGDOM` (skia-python) onto a raster surface; the root is laid out in its
  own size and scaled to the reference's. skia-python's SVGDOM has no font manager and no
  resource loader, so it draws **no text and no images**: text tests pass only where the
  reference has no visible text.
- **cairosvg**: `svg2png` (via `PNGSurface.convert` to pass a `url_fetcher` that may read the
  suite's own files, as the references do; network and other files read as empty), with
  fontconfig pointed at the suite's fonts and the same generic families.
- Every renderer draws at the reference PNG's size (300×300 for almost all tests, i.e. the
  documents' 200×200 viewBox at 1.5×); exceptions, timeouts and crashes are fails."""


def dump_record(record: dict[str, Any]) -> str:
    """JSON with one line per test: a third of the indented size, and a re-run's diff shows
    exactly the tests whose outcome changed."""
    head = json.dumps({k: v for k, v in record.items() if k != "tests"}, indent=1)
    tests = ",\n".join("  " + json.dumps(t, ensure_ascii=False) for t in record["tests"])
    return head[:-2] + ',\n "tests": [\n' + tests + "\n ]\n}\n"


def write_record(out: Path, entries: list[dict[str, Any]], ran: list[str], meta: dict[str, Any],
                 data: Path) -> tuple[Path, Path]:
    """Write the JSON record and the Markdown summary, keeping earlier results of renderers
    that this run did not include (for tests that still exist)."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "svg_conformance.json", out / "svg_conformance.md"
    previous: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        previous = json.loads(json_path.read_text())
    runs = {r: m for r, m in previous.get("runs", {}).items() if r not in ran}
    old = {t["path"]: t["results"] for t in previous.get("tests", [])}
    for e in entries:
        for r in runs:
            if r in old.get(e["path"], {}):
                e["results"][r] = old[e["path"]][r]
    for r in ran:
        runs[r] = meta
    kept = [r for r in RENDERERS if r in runs]
    record = {"suite": "resvg regression tests", "data": os.path.relpath(data, REPO),
              "rule": RULE,
              "thresholds": {"mean": MEAN_LIMIT, "pixel": PIXEL_LIMIT,
                             "fraction": FRACTION_LIMIT},
              "runs": {r: runs[r] for r in kept}, "tests": entries}
    json_path.write_text(dump_record(record))
    lines = ["# SVG conformance (resvg regression suite)", "",
             f"{len(entries)} tests, each drawn at its reference PNG's size and compared with it.",
             "", table(entries, kept), "",
             f"**Scoring rule:** {RULE}.", "", "## Renderers", "", NOTES, "",
             "## Errors", "", error_summary(entries, kept), "", "## Runs", ""]
    for r in kept:
        m = runs[r]
        lines += [f"### {r}", "", f"- date: {m['date']}",
                  f"- command: `{m['command']}`",
                  f"- wall time of that run: {m['wall_s']:.0f} s with {m['jobs']} worker(s), "
                  f"per-test limit {m['timeout_s']:g} s (renderers in it: "
                  f"{', '.join(m['renderers'])})",
                  f"- machine: {m['machine']['platform']}, {m['machine']['processor']}, "
                  f"{m['machine']['cpus']} CPUs",
                  "- versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items())]
        if r == "ours" and "ddm_lang" in m:
            lines.append(f"- ddm_lang measured: commit {m['ddm_lang']['commit']} "
                         f"(imported from `{m['ddm_lang']['path']}`)")
        lines.append("")
    md_path.write_text("\n".join(lines))
    return json_path, md_path


# ---- CLI -------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="the suite: a folder with tests/, fonts/, resources/ "
                         "(default: ../shared/data/svg-conformance from the repo root)")
    ap.add_argument("--renderers", default=",".join(RENDERERS),
                    help="comma-separated subset of " + ",".join(RENDERERS))
    ap.add_argument("--group", choices=GROUPS, help="run one group only (no results written)")
    ap.add_argument("--filter", metavar="SUBSTRING",
                    help="run tests whose path contains this (no results written)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="seconds per test and renderer before it counts as a timeout")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    ap.add_argument("--list-failures", action="store_true",
                    help="print the tests `ours` fails, with their scores or errors")
    ap.add_argument("--save-diffs", type=Path, metavar="DIR",
                    help="write `ours | reference` PNGs for the tests `ours` fails")
    args = ap.parse_args(argv)
    names = [r.strip() for r in args.renderers.split(",") if r.strip()]
    unknown = sorted(set(names) - set(RENDERERS))
    if unknown or not names:
        ap.error(f"unknown renderer(s) {unknown}: choose from {', '.join(RENDERERS)}")
    args.renderers = [r for r in RENDERERS if r in names]
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = args.data.resolve()
    if not (data / "tests").is_dir():
        print(f"error: {data} has no tests/ folder (use --data)", file=sys.stderr)
        return 2
    tests = find_tests(data, args.group, args.filter)
    if not tests:
        print("error: no tests match", file=sys.stderr)
        return 2
    entries = [{"group": t.group, "path": t.rel, "results": {}} for t in tests]
    tasks = [(i, t, r) for i, t in enumerate(tests) for r in args.renderers]
    diffs = args.save_diffs.resolve() if args.save_diffs else None
    print(f"{len(tests)} tests × {', '.join(args.renderers)} with {args.jobs} worker(s)...",
          file=sys.stderr)

    done = 0
    start = time.monotonic()

    def report(index: int, renderer: str, outcome: dict[str, Any]) -> None:
        nonlocal done
        entries[index]["results"][renderer] = outcome
        done += 1
        tty = sys.stderr.isatty()
        if tty or done % 500 == 0 or done == len(tasks):
            line = f"  {done}/{len(tasks)} in {time.monotonic() - start:.0f} s"
            print("\r" + line if tty else line, end="" if tty else "\n", file=sys.stderr,
                  flush=True)

    with tempfile.TemporaryDirectory(prefix="svg-conformance-") as tmp:
        fontconf = fontconfig_file(data, Path(tmp)) if "cairosvg" in args.renderers else None
        Pool(args.jobs, args.timeout, data, diffs, fontconf).run(tasks, report)
    wall = time.monotonic() - start
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for e in entries:  # renderer order in the record does not depend on finishing order
        e["results"] = {r: e["results"][r] for r in args.renderers}

    print(table(entries, args.renderers))
    print(f"\nwall time {wall:.1f} s; rule: {RULE}")
    print(error_summary(entries, args.renderers))
    if args.list_failures and "ours" not in args.renderers:
        print("(--list-failures lists the failures of `ours`, which was not run)",
              file=sys.stderr)
    if args.list_failures and "ours" in args.renderers:
        fails = [e for e in entries if not e["results"]["ours"]["passed"]]
        print(f"\n{len(fails)} failures of ours:")
        for e in fails:
            o = e["results"]["ours"]
            detail = o["error"] or f"mean {o['mean']:.4f}  over {o['frac_over']:.4f}"
            print(f"  {e['path']}  {detail}")
    if args.group or args.filter:
        print("(subset run: results files not written)", file=sys.stderr)
        return 0
    command = "python " + " ".join(shlex.quote(a) for a in
                                   [os.path.relpath(__file__, REPO), *sys.argv[1:]])
    meta = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command, "renderers": args.renderers, "jobs": args.jobs,
            "timeout_s": args.timeout, "wall_s": round(wall, 1), "machine": machine(),
            "versions": versions(), "ddm_lang": ddm_lang_source()}
    paths = write_record(args.out.resolve(), entries, args.renderers, meta, data)
    print("wrote " + ", ".join(os.path.relpath(p) for p in paths), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
