"""`ddm`: check, format, compile and render templates from the command line.

Exit codes: 0 success, 1 a template, product or image problem (printed as diagnostics),
2 a usage problem. User mistakes never print a Python traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SettingError, UserError
from .syntax.diagnostics import DiagnosticError

if TYPE_CHECKING:
    from collections import Counter

    from .api import Template
    from .perception.catalogue import Product


def _cmd_check(args: argparse.Namespace) -> int:
    from .api import load_template
    from .stdlib_templates import TemplateNotFoundError, resolve_template
    for flag, given in (("--all-formats", args.all_formats), ("--id", args.product_id)):
        if given and not args.product:
            print(f"ddm check: {flag} needs --product", file=sys.stderr)
            return 2
    checks: list[str] = []
    if args.product or args.checks:  # the creative checks measure pixels: load them only here
        from .quality import check_names
        checks = check_names()
    if args.checks:
        wanted = [c.strip() for c in args.checks.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in checks]
        if unknown:
            print(f"ddm check: unknown check {', '.join(unknown)}; the checks are "
                  f"{', '.join(checks)}", file=sys.stderr)
            return 2
        checks = wanted
    failed = 0
    for path in args.templates:
        try:
            template = load_template(resolve_template(path))
        except DiagnosticError as err:
            print(err.render(), file=sys.stderr)
            failed += 1
            continue
        except TemplateNotFoundError as err:  # the next template is still checked
            print(f"ddm: error: {err}", file=sys.stderr)
            failed += 1
            continue
        formats = ", ".join(f"{f.name} {f.width}x{f.height}" for f in template.formats)
        print(f"{path}: ok ({template.name}; formats: {formats or 'none'})")
        if args.product:
            failed += _check_layout(template, Path(args.product), args.product_id,
                                    args.all_formats, args.max_occlusion, checks)
    return 1 if failed else 0


def _check_layout(template: Template, source: Path, product_id: str | None, all_formats: bool,
                  max_occlusion: float, checks: Sequence[str]) -> int:
    """Compile for every product of `source` (one product file or a catalogue; only the one
    with `product_id` when given) in every format (or the first), print each creative's
    layout metrics and the findings of the creative checks (`ddm_lang.quality`), then one
    line per check with its count and threshold; the number of creatives that failed to
    compile or have a finding."""
    from collections import Counter

    from .quality import headline_names, run_checks
    from .quality.layout_metrics import measure
    products, base = _products(source, product_id)
    formats = template.formats if all_formats else template.formats[:1]
    headlines = headline_names(template)
    findings: Counter[str] = Counter()
    creatives: Counter[str] = Counter()
    failed = total = 0
    for product in products:
        for fmt in formats:
            total += 1
            label = f"  {product.get('id', '?')} · {fmt.name} {fmt.width}x{fmt.height}"
            try:
                creative = template.compile(product, fmt.name, base_dir=base)
            except DiagnosticError as err:
                print(f"{label}: does not compile", file=sys.stderr)
                print(err.render(), file=sys.stderr)
                failed += 1
                continue
            metrics = measure(creative, occlusion_limit=max_occlusion)
            found = run_checks(creative, product=product, headlines=headlines, checks=checks,
                               metrics=metrics, occlusion_limit=max_occlusion)
            print(f"{label}: {metrics.summary()}{'  FAIL' if found else ''}")
            for f in found:  # the layout failures read as they always have
                legacy = f.check in ("overflow", "off-canvas", "occlusion")
                print(f"    {f.message}" if legacy else f"    {f.check}: {f.message}")
            for note in creative.scene.notes:  # what the contrast guarantee changed
                print(f"    note: {note}")
            findings.update(f.check for f in found)
            creatives.update({f.check for f in found})
            failed += bool(found)
    for line in _check_lines(checks, findings, creatives, max_occlusion):
        print(line)
    print(f"  {total} creatives, {failed} failed")
    return failed


def _check_lines(checks: Sequence[str], findings: Counter[str], creatives: Counter[str],
                 max_occlusion: float) -> list[str]:
    """One line per check: its findings (in how many creatives) and its threshold."""
    from .quality import CHECKS
    width = max(len(name) for name in checks)
    out = []
    for name in checks:
        check = CHECKS[name]
        threshold = check.threshold_text
        if name == "occlusion":
            threshold = f"{max_occlusion:.0%} of a text's box over the subject"
        count = findings[name]
        out.append(f"  {name:<{width}}  {count} finding{'s' * (count != 1)} in "
                   f"{creatives[name]} creative{'s' * (creatives[name] != 1)}  "
                   f"(threshold: {threshold})")
    return out


def _products(source: Path, product_id: str | None = None, *, what: str = "file"
              ) -> tuple[list[dict], Path]:
    """The products of `source` (`read_products`) as the binder's dicts, and their images'
    folder. With `product_id`, only that product: a catalogue without it is an error naming
    the catalogue and the ids it has."""
    from .perception.catalogue import read_products
    from .perception.feeds import detect_feed
    if source.is_file() and detect_feed(source):   # a feed's rows left out are reported
        from .perception.feeds.command import open_catalogue
        catalogue = open_catalogue(source, argparse.Namespace())
        records, base = catalogue.products, catalogue.base_dir
    else:
        records, base = read_products(source, what=what)
    if product_id is not None:
        records = (_find_product(records, product_id, source),)
    return [p.as_dict() for p in records], base


def _find_product(products: Sequence[Product], product_id: str, source: Path) -> Product:
    """The product with `product_id`; else a one-line error naming the catalogue and the
    ids nearest to it (or its first few)."""
    import difflib

    from .perception.catalogue import CatalogueError
    found = next((p for p in products if p.id == product_id), None)
    if found is not None:
        return found
    ids = [p.id for p in products]
    near = difflib.get_close_matches(product_id, ids, n=3, cutoff=0.6)
    hint = (f"did you mean {', '.join(f'`{i}`' for i in near)}?" if near
            else f"its ids: {_some_ids(ids)}")
    raise CatalogueError(f"{source}: no product with id `{product_id}`; {hint}", str(source))


def _some_ids(ids: Sequence[str], shown: int = 5) -> str:
    """A few ids of a catalogue, for a message: `a, b, c, d, e and 35 more`."""
    if not ids:
        return "none, the catalogue is empty"
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def _compile_product(args: argparse.Namespace) -> tuple[dict, Path]:
    """The one product `ddm compile` makes creatives of: `--product FILE` (a product JSON
    file or a catalogue holding one product) or `--catalogue FILE --id ID`; `--id` may be
    left out of a catalogue of one product."""
    flag, given = ("--product", args.product) if args.product else ("--catalogue",
                                                                    args.catalogue)
    source = Path(given)
    products, base = _products(source, args.product_id,
                               what="product file" if args.product else "catalogue")
    if len(products) == 1:
        return products[0], base
    ids = _some_ids([str(p.get("id", "?")) for p in products])
    pick = f"--catalogue {source} --id ID" if args.product else "--id ID"
    raise SettingError(f"{flag} {source}: holds {len(products)} products; pick one with "
                       f"{pick} (ids: {ids})")


def _cmd_fmt(args: argparse.Namespace) -> int:
    from .files import write_atomic
    from .stdlib_templates import TemplateNotFoundError, resolve_template
    from .syntax.formatter import format_source
    status = 0
    for path in args.templates:
        try:  # a file only: the bundled templates are not rewritten in place
            p = resolve_template(path, bundled=False)
        except TemplateNotFoundError as err:
            print(f"ddm: error: {err}", file=sys.stderr)
            status = 1
            continue
        source = p.read_text("utf-8")
        try:
            formatted = format_source(source, str(p))
        except DiagnosticError as err:
            print(err.render(), file=sys.stderr)
            status = 1
            continue
        if args.check:
            if formatted != source:
                print(f"{path}: would reformat", file=sys.stderr)
                status = 1
        elif args.write:
            if formatted != source:
                write_atomic(p, formatted.encode("utf-8"))
                print(f"{path}: reformatted")
        else:
            sys.stdout.write(formatted)
    return status


def _cmd_compile(args: argparse.Namespace) -> int:
    from .api import load_template
    from .environment import Environment
    from .stdlib_templates import resolve_template
    # the --font-dir fonts are measured by the binder and drawn by the renderer alike
    env = Environment.from_environ(more_font_dirs=args.font_dir)
    template = load_template(resolve_template(args.template), environment=env)
    names = [f.name for f in template.formats] if args.format == "all" else [args.format]
    out = Path(args.output)
    product, base = _compile_product(args)   # read and checked once, not per format
    for name in names:
        target = out if len(names) == 1 else out.with_name(f"{out.stem}-{name}{out.suffix}")
        creative = template.compile(product, name, base_dir=base, seed=args.seed)
        creative.save(target, quality=args.quality)
        print(f"{target}: {creative.format.width}x{creative.format.height} ({name})")
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    from .files import write_atomic
    from .renderer import RenderError, render_to_bytes
    src = Path(args.svg)
    out = Path(args.output)
    fmt = out.suffix.lower().lstrip(".")
    fonts = None
    if args.font_dir:
        from .renderer.fonts import FontRegistry
        fonts = FontRegistry()
        for folder in args.font_dir:
            fonts.add_directory(folder)
    roots = (src.parent.resolve(), *(Path(r).resolve() for r in args.allow))
    try:
        data = render_to_bytes(src.read_bytes(), fmt, width=args.width, height=args.height,
                               background=args.background, quality=args.quality,
                               allowed_roots=roots, base_dir=src.parent.resolve(), fonts=fonts)
    except RenderError as err:  # name the file: a batch of assets fails one file at a time
        raise RenderError(f"{src}: {err}") from None
    write_atomic(out, data)
    print(f"{out}: {len(data)} bytes")
    return 0


_TEMPLATE_HELP = "a .ddm file, or a bundled template's name (product_hero, price_tag, ...)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ddm", description="DDM templates → ad creatives")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="check templates and report every problem")
    c.add_argument("templates", nargs="+", help=_TEMPLATE_HELP)
    c.add_argument("--product", help="also compile for this product JSON or catalogue "
                   "(.json, .jsonl, .csv, folder) and report layout metrics")
    c.add_argument("--id", dest="product_id", metavar="ID",
                   help="with --product: only the product with this id")
    c.add_argument("--all-formats", action="store_true",
                   help="with --product: every format the template serves (default: the first)")
    c.add_argument("--max-occlusion", type=float, default=0.10,
                   help="with --product: largest share of a text over the product (default 0.10)")
    c.add_argument("--checks", help="with --product: the creative checks to run, comma "
                   "separated (default: all; docs/quality.md lists them)")
    c.set_defaults(func=_cmd_check)

    f = sub.add_parser("fmt", help="print templates in canonical form")
    f.add_argument("templates", nargs="+", help=".ddm files")
    mode = f.add_mutually_exclusive_group()
    mode.add_argument("--write", "-w", action="store_true", help="rewrite the files in place")
    mode.add_argument("--check", action="store_true", help="fail if a file is not formatted")
    f.set_defaults(func=_cmd_fmt)

    k = sub.add_parser("compile", help="compile a template for a product and a format")
    k.add_argument("template", help=_TEMPLATE_HELP)
    source = k.add_mutually_exclusive_group(required=True)
    source.add_argument("--product", help="product JSON file (or a catalogue of one product)")
    source.add_argument("--catalogue", help="catalogue .json / .jsonl / .csv or photo folder; "
                        "the product is picked with --id")
    k.add_argument("--id", dest="product_id", metavar="ID",
                   help="the product's id in the catalogue")
    k.add_argument("--format", required=True, help="format name, or `all`")
    k.add_argument("-o", "--output", required=True, help="out.svg | out.png | out.jpg | out.webp")
    k.add_argument("--seed", type=int, default=0)
    k.add_argument("--quality", type=int, default=90)
    k.add_argument("--font-dir", action="append", default=[],
                   help="extra folder of .ttf/.otf/.ttc fonts the template may name (repeatable)")
    k.set_defaults(func=_cmd_compile)

    r = sub.add_parser("render", help="rasterise an SVG file")
    r.add_argument("svg")
    r.add_argument("-o", "--output", required=True, help="out.png | out.jpg | out.webp")
    r.add_argument("--width", type=int)
    r.add_argument("--height", type=int)
    r.add_argument("--background", help="CSS colour under the drawing (default transparent)")
    r.add_argument("--quality", type=int, default=90, help="JPEG/WebP quality 1..100")
    r.add_argument("--font-dir", action="append", default=[],
                   help="extra folder of .ttf/.otf fonts (repeatable)")
    r.add_argument("--allow", action="append", default=[],
                   help="extra folder images may be read from (the SVG's own folder always is)")
    r.set_defaults(func=_cmd_render)

    from .batch.arguments import (
        add_extract_parser,
        add_feed_arguments,
        add_fetch_parser,
        add_harvest_parser,
    )
    m = sub.add_parser("materials", help="perceive catalogue images into the material library")
    msub = m.add_subparsers(dest="materials_command", required=True)
    ma = msub.add_parser("add", help="perceive every image of a catalogue (cached by content)")
    ma.add_argument("catalogue", help="catalogue .json / .jsonl / .csv, a folder of images, or "
                                      "a product feed")
    ma.add_argument("--library", help="SQLite file (default: $DDM_LIBRARY or the user cache)")
    ma.add_argument("--jobs", "-j", type=int, default=1, help="worker processes")
    add_feed_arguments(ma)
    ma.set_defaults(func=_cmd_materials_add)
    add_fetch_parser(msub)
    add_harvest_parser(msub)
    add_extract_parser(msub)
    mi = msub.add_parser("inspect", help="print a material's record and write an overlay picture")
    mi.add_argument("id", help="product id, image path or content-hash prefix")
    mi.add_argument("--library", help="SQLite file (default: $DDM_LIBRARY or the user cache)")
    mi.add_argument("-o", "--output", help="overlay PNG (default: ID-inspect.png)")
    mi.set_defaults(func=_cmd_materials_inspect)

    mo = sub.add_parser("models", help="install or list the perception models")
    mosub = mo.add_subparsers(dest="models_command", required=True)
    mn = mosub.add_parser("install", help="provision u2netp.onnx into the model directory")
    mn.add_argument("--dir", help="model directory (default: $DDM_MODEL_DIR or the environment's)")
    mn.set_defaults(func=_cmd_models_install)
    ml = mosub.add_parser("list", help="each model role's file, version and the ONNX providers")
    ml.set_defaults(func=_cmd_models_list)

    g = sub.add_parser("gallery", help="a contact sheet of a template: products × formats")
    g.add_argument("template", help=_TEMPLATE_HELP)
    g.add_argument("--catalogue", required=True,
                   help="catalogue file or photo folder (or one product JSON)")
    g.add_argument("-o", "--output", default=None,
                   help="sheet image (.jpg, .png or .webp; default TEMPLATE-sheet.jpg)")
    g.add_argument("--limit", type=int, default=12,
                   help="products on the sheet, spread over the catalogue (0: all)")
    g.set_defaults(func=_cmd_gallery)

    d = sub.add_parser("demo", help="compile the bundled templates against the sample catalogue")
    d.add_argument("--out", default="demo-out")
    d.set_defaults(func=_cmd_demo)

    m = sub.add_parser("samples", help="copy the sample catalogue (products and photos) into a "
                       "folder, to write templates against",
                       description="Copies the catalogue the demo and the docs use "
                                   "(catalogue.json and its images/) into FOLDER.")
    m.add_argument("folder", nargs="?", default="samples")
    m.set_defaults(func=_cmd_samples)

    from .serve.commands import add_serve_parser, add_sign_parser
    add_serve_parser(sub)
    add_sign_parser(sub)
    from .batch.arguments import add_batch_parser
    add_batch_parser(sub, _cmd_batch)
    from .lsp.command import add_parser as add_lsp_parser
    add_lsp_parser(sub)
    from .generate.command import add_parser as add_generate_parser
    add_generate_parser(sub)
    return p


def _optional_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _cmd_materials_add(args: argparse.Namespace) -> int:
    from .perception.commands import add
    from .perception.feeds.command import open_catalogue
    return add(open_catalogue(args.catalogue, args), _optional_path(args.library),
               max(1, args.jobs))


def _cmd_materials_inspect(args: argparse.Namespace) -> int:
    from .perception.commands import inspect
    return inspect(args.id, _optional_path(args.library), _optional_path(args.output))


def _cmd_models_install(args: argparse.Namespace) -> int:
    from .perception.commands import models_install
    return models_install(_optional_path(args.dir))


def _cmd_models_list(args: argparse.Namespace) -> int:
    from .perception.commands import models_list
    return models_list()


def _cmd_gallery(args: argparse.Namespace) -> int:
    from .api import load_template
    from .files import write_atomic
    from .gallery import compile_cells, contact_sheet, spread
    from .progress import Progress
    from .renderer.encode import encode
    from .stdlib_templates import resolve_template
    template = load_template(resolve_template(args.template))
    products, base = _products(Path(args.catalogue))
    products = spread(products, args.limit)
    out = Path(args.output or f"{Path(args.template).stem}-sheet.jpg")
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("jpg", "jpeg", "png", "webp"):
        raise SettingError(f"{out}: the sheet is written as .jpg, .png or .webp")
    total = len(products) * len(template.formats)
    rows = compile_cells(template, products, base, progress=Progress(total, template.name))
    failed = [c for row in rows for c in row if c.error]
    for cell in failed:
        print(cell.error, file=sys.stderr)
    sheet = contact_sheet(f"{template.name}: {template.title}", rows)
    write_atomic(out, encode(sheet, "jpg" if fmt == "jpeg" else fmt, 88))
    print(f"{out}: {len(products)} products × {len(template.formats)} formats"
          f"{f', {len(failed)} failed' if failed else ''}")
    return 1 if failed else 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch.command import run_batch
    return run_batch(args)


def _cmd_samples(args: argparse.Namespace) -> int:
    import shutil

    from .stdlib_templates import stdlib_dir
    target = Path(args.folder)
    if target.exists() and any(target.iterdir()):
        print(f"ddm samples: {target} is not empty; name a new folder", file=sys.stderr)
        return 1
    source = stdlib_dir() / "samples"
    shutil.copytree(source, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md", "__pycache__"))
    count = len(list((target / "images").iterdir()))
    print(f"{target}/catalogue.json: the sample catalogue, with {count} images in "
          f"{target}/images")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo
    return run_demo(Path(args.out))


# A path the user named that cannot be read or written: the message names it.
_FILE_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
                UnicodeDecodeError)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except DiagnosticError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except (UserError, *_FILE_ERRORS) as err:
        print(f"ddm: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
