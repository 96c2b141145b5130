"""SVG documents for `ddm render`: work bombs, nesting, hrefs out of the roots, parser
attacks, broken files and numeric edge values."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path

from .assets import SECRET_DIR
from .model import BOUNDED, OK, REFUSED, Builder, Family

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def doc(body: str, size: str = 'width="200" height="200"', extra: str = "") -> str:
    return f'<svg {NS} {size}{extra}>{body}</svg>'


def svg_file(text: str | bytes | Callable[[Path, Path], str | bytes]) -> Builder:
    """A builder writing case.svg (text, or made from the case and assets folders)."""
    def build(case: Path, assets: Path) -> list[str]:
        data = text(case, assets) if callable(text) else text
        raw = data.encode("utf-8") if isinstance(data, str) else data
        (case / "case.svg").write_bytes(raw)
        return ["render", "case.svg", "-o", "out.png"]
    return build


def blur_chain(n: int, size: int = 1000) -> str:
    prims = "".join(f'<feGaussianBlur in="{"SourceGraphic" if i == 0 else f"b{i - 1}"}" '
                    f'stdDeviation="20" result="b{i}"/>' for i in range(n))
    return doc(f'<filter id="f">{prims}</filter><rect width="100%" height="100%" fill="#36c" '
               'filter="url(#f)"/>', f'width="{size}" height="{size}"')


def filter_heavy(rects: int, size: int = 2000) -> str:
    shapes = "".join(f'<rect x="{i % 50}" y="{i % 40}" width="{size}" height="{size}" '
                     'fill="#c63" filter="url(#f)"/>' for i in range(rects))
    return doc('<filter id="f" x="-50%" y="-50%" width="200%" height="200%">'
               '<feGaussianBlur stdDeviation="30"/><feOffset dx="5" dy="5"/>'
               '<feMorphology radius="20"/></filter>' + shapes, f'width="{size}" height="{size}"')


def nested(depth: int, tag: str = "g") -> str:
    inner = '<rect width="10" height="10" fill="#080"/>'
    return doc(f"<{tag}>" * depth + inner + f"</{tag}>" * depth)


def use_bomb(fanout: int, levels: int) -> str:
    """Level k holds `fanout` uses of level k-1: fanout**levels rects once expanded."""
    defs = ['<g id="l0"><rect width="1" height="1" fill="#000"/></g>']
    for k in range(1, levels + 1):
        uses = "".join(f'<use href="#l{k - 1}" x="{i % 3}"/>' for i in range(fanout))
        defs.append(f'<g id="l{k}">{uses}</g>')
    return doc(f'<defs>{"".join(defs)}</defs><use href="#l{levels}"/>')


def use_chain(length: int) -> str:
    """A chain of uses each pointing at the previous: deep nesting built by reference."""
    parts = ['<rect id="u0" width="5" height="5"/>']
    parts += [f'<use id="u{i}" href="#u{i - 1}" x="0.01"/>' for i in range(1, length)]
    return doc(f'<defs>{"".join(parts)}</defs><use href="#u{length - 1}"/>')


def image_doc(href: str, *, tag: str = "image") -> str:
    """White page with the referenced image drawn over most of it."""
    if tag == "feImage":
        body = (f'<filter id="f"><feImage href="{href}"/></filter>'
                '<rect width="200" height="200" fill="#fff" filter="url(#f)"/>')
    else:
        body = (f'<rect width="200" height="200" fill="#fff"/>'
                f'<image x="10" y="10" width="180" height="180" xlink:href="{href}"/>')
    return doc(body)


def outside(assets: Path, name: str = "red.png") -> Path:
    return (assets / SECRET_DIR / name).resolve()


def families() -> list[Family]:
    return [_work(), _nesting(), _use(), _canvas(), _parser(), _hrefs(), _images(), _markup(),
            _garbage(), _numbers()]


def _work() -> Family:
    f = Family("svg-work")
    for n in (8, 32, 64, 256):
        f.add(f"blur-chain-{n}", OK if n == 8 else BOUNDED, svg_file(blur_chain(n)),
              finding="renderer-chained-blurs")
    for n in (8, 64):
        f.add(f"blur-chain-{n}-4k", BOUNDED, svg_file(blur_chain(n, 4000)),
              finding="renderer-chained-blurs")
    for n in (1, 10, 100, 1000):
        f.add(f"filter-heavy-rects-{n}", BOUNDED, svg_file(filter_heavy(n)),
              finding="renderer-filter-heavy-rects")
    for sd in ("0.5", "100", "5000", "1e9", "1e308"):
        f.add(f"blur-std-{sd}", OK, svg_file(doc(
            f'<filter id="f"><feGaussianBlur stdDeviation="{sd}"/></filter>'
            '<rect width="1000" height="1000" fill="#36c" filter="url(#f)"/>',
            'width="1000" height="1000"')))
    for r in ("5", "500", "1e6"):
        f.add(f"morphology-radius-{r}", BOUNDED, svg_file(doc(
            f'<filter id="f"><feMorphology operator="dilate" radius="{r}"/></filter>'
            '<rect width="1000" height="1000" fill="#36c" filter="url(#f)"/>',
            'width="1000" height="1000"')))
    for octaves in (1, 10, 1000, 1_000_000):
        f.add(f"turbulence-octaves-{octaves}", BOUNDED, svg_file(doc(
            f'<filter id="f"><feTurbulence baseFrequency="0.05" numOctaves="{octaves}"/>'
            '</filter><rect width="1000" height="1000" filter="url(#f)"/>',
            'width="1000" height="1000"')))
    for order in ("3", "50", "1000"):
        kernel = " ".join(["1"] * (int(order) ** 2 if int(order) <= 50 else 9))
        f.add(f"convolve-order-{order}", BOUNDED, svg_file(doc(
            f'<filter id="f"><feConvolveMatrix order="{order}" kernelMatrix="{kernel}"/>'
            '</filter><rect width="800" height="800" fill="#36c" filter="url(#f)"/>',
            'width="800" height="800"')))
    for n in (10, 1000, 100_000):
        f.add(f"gradient-stops-{n}", BOUNDED, svg_file(doc(
            '<linearGradient id="g">' + "".join(
                f'<stop offset="{i / n:.6f}" stop-color="#{i % 256:02x}3366"/>'
                for i in range(n)) + '</linearGradient><rect width="200" height="200" '
            'fill="url(#g)"/>')))
    for n in (1000, 100_000):
        f.add(f"path-commands-{n}", BOUNDED, svg_file(doc(
            '<path d="M0 0 ' + " ".join(f"L{i % 200} {(i * 7) % 200}" for i in range(n))
            + '" stroke="#000" fill="none"/>')))
    for n in (10, 100, 1000):
        f.add(f"pattern-nesting-{n}", BOUNDED, svg_file(doc(
            "".join(f'<pattern id="p{i}" width="4" height="4" patternUnits="userSpaceOnUse">'
                    f'<rect width="2" height="2" fill="{"#000" if i == 0 else f"url(#p{i - 1})"}"/>'
                    "</pattern>" for i in range(n))
            + f'<rect width="200" height="200" fill="url(#p{n - 1})"/>')))
    for n in (10, 100, 1000):
        f.add(f"mask-chain-{n}", BOUNDED, svg_file(doc(
            "".join(f'<mask id="m{i}"><rect width="200" height="200" fill="#fff"'
                    f'{"" if i == 0 else " mask=" + chr(34) + f"url(#m{i - 1})" + chr(34)}/>'
                    "</mask>" for i in range(n))
            + f'<rect width="200" height="200" fill="#c00" mask="url(#m{n - 1})"/>')))
    f.add("text-100k-chars", BOUNDED, svg_file(doc(
        '<text x="0" y="20" font-size="12">' + "lorem ipsum " * 8334 + "</text>")),
        finding="text-layout-speed")
    f.add("text-10k-tspans", BOUNDED, svg_file(doc(
        '<text x="0" y="20">' + "<tspan dx='1'>ab</tspan>" * 10_000 + "</text>")),
        finding="text-layout-speed")
    return f


def _nesting() -> Family:
    f = Family("svg-nesting")
    for depth in (64, 200, 255, 256, 257, 300, 10_000):
        expect = OK if depth <= 200 else BOUNDED if depth <= 256 else REFUSED
        f.add(f"g-depth-{depth}", expect, svg_file(nested(depth)), finding="renderer-svg-nesting",
              says=("case.svg",) if expect == REFUSED else ())
        f.add(f"svg-depth-{depth}", expect, svg_file(nested(depth, "svg")),
              finding="renderer-svg-nesting", says=("case.svg",) if expect == REFUSED else ())
    for depth in (64, 300):
        f.add(f"clip-depth-{depth}", BOUNDED, svg_file(doc(
            "".join(f'<clipPath id="c{i}"{"" if i == 0 else " clip-path=" + chr(34) + f"url(#c{i - 1})" + chr(34)}>'
                    '<rect width="100" height="100"/></clipPath>' for i in range(depth))
            + f'<rect width="200" height="200" clip-path="url(#c{depth - 1})"/>')))
    f.add("a-depth-300", REFUSED, svg_file(nested(300, "a")), says=("case.svg",))
    f.add("switch-depth-300", REFUSED, svg_file(nested(300, "switch")), says=("case.svg",))
    return f


def _use() -> Family:
    f = Family("svg-use")
    for fanout, levels in ((2, 10), (10, 3), (10, 5), (10, 6), (10, 9), (4, 20), (100, 3),
                           (1000, 2), (2, 40)):
        total = fanout ** levels
        f.add(f"use-bomb-{fanout}x{levels}", OK if total <= 1000 else
              BOUNDED if total <= 100_000 else REFUSED,
              svg_file(use_bomb(fanout, levels)), finding="renderer-nested-use",
              says=("case.svg",) if total > 100_000 else ())
    for length in (10, 100, 255, 1000, 10_000):
        f.add(f"use-chain-{length}", OK if length <= 100 else BOUNDED, svg_file(use_chain(length)),
              finding="renderer-nested-use")
    f.add("use-self", BOUNDED, svg_file(doc('<g id="a"><use href="#a"/></g>')))
    f.add("use-cycle-2", BOUNDED, svg_file(doc(
        '<defs><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></defs>'
        '<use href="#a"/>')))
    f.add("use-missing", OK, svg_file(doc('<use href="#nowhere"/>')))
    f.add("use-in-pattern-bomb", BOUNDED, svg_file(doc(
        use_bomb(10, 4)[len(f"<svg {NS} "):].split(">", 1)[1].rsplit("</svg>", 1)[0]
        .replace('<use href="#l4"/>', "")
        + '<pattern id="p" width="2" height="2" patternUnits="userSpaceOnUse">'
          '<use href="#l4"/></pattern><rect width="200" height="200" fill="url(#p)"/>')),
        finding="renderer-nested-use")
    return f


def _canvas() -> Family:
    f = Family("svg-canvas")
    sizes = {"1x1": OK, "2000x2000": OK, "4000x4000": BOUNDED, "16384x16384": BOUNDED, "16385x16385": REFUSED,
             "100000x100000": REFUSED, "1x100000000": REFUSED, "1e9x1e9": REFUSED,
             "1e308x1e308": REFUSED, "0x0": BOUNDED, "-5x-5": BOUNDED, "NaNxNaN": BOUNDED,
             "infxinf": BOUNDED}
    for size, expect in sizes.items():
        w, h = size.split("x")
        f.add(f"size-{size}", expect, svg_file(doc('<rect width="10" height="10"/>',
                                                  f'width="{w}" height="{h}"')),
              finding="renderer-huge-canvas" if expect == REFUSED else None,
              says=("case.svg",) if expect == REFUSED else ())
    for vb in ("0 0 1e-300 1e-300", "0 0 0 0", "0 0 -10 -10", "0 0 1e308 1e308",
               "nan nan nan nan"):
        f.add(f"viewbox-{vb.replace(' ', '_')}", BOUNDED, svg_file(doc(
            '<rect width="10" height="10"/>', 'width="100" height="100"', f' viewBox="{vb}"')))

    def cli_size(w: str, h: str) -> Builder:
        def build(case: Path, assets: Path) -> list[str]:
            (case / "case.svg").write_text(doc('<rect width="10" height="10"/>'), "utf-8")
            return ["render", "case.svg", "-o", "out.png", "--width", w, "--height", h]
        return build
    for w, h, expect in (("100000", "100000", REFUSED), ("0", "0", BOUNDED),
                         ("-1", "-1", BOUNDED), ("16384", "1", OK)):
        f.add(f"cli-size-{w}x{h}", expect, cli_size(w, h), finding="renderer-huge-canvas")
    return f


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">'
                            for i in range(1, 10))
                  + f']><svg {NS} width="10" height="10"><text>&lol9;</text></svg>')


def _parser() -> Family:
    f = Family("svg-parser")
    f.add("billion-laughs", REFUSED, svg_file(BILLION_LAUGHS), says=("case.svg", "entit"))
    f.add("quadratic-blowup", REFUSED, svg_file(
        '<!DOCTYPE svg [<!ENTITY a "' + "x" * 50_000 + '">]>'
        + doc("<text>" + "&a;" * 5000 + "</text>")), says=("case.svg",))
    f.add("external-entity-file", REFUSED, svg_file(
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + doc("<text>&x;</text>")),
        says=("case.svg",))
    f.add("external-entity-http", REFUSED, svg_file(
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "http://10.255.255.1/x">]>'
        + doc("<text>&x;</text>")), says=("case.svg",))
    f.add("parameter-entity", REFUSED, svg_file(
        '<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://10.255.255.1/p.dtd"> %p;]>' + doc("")),
        says=("case.svg",))
    f.add("external-dtd-http", BOUNDED, svg_file(
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://10.255.255.1/svg11.dtd">'
        + doc('<rect width="5" height="5"/>')))
    f.add("external-dtd-file", BOUNDED, svg_file(
        '<!DOCTYPE svg SYSTEM "file:///etc/passwd">' + doc('<rect width="5" height="5"/>')))
    f.add("xinclude-file", BOUNDED, svg_file(
        doc('<xi:include href="file:///etc/passwd" parse="text"/>',
            extra=' xmlns:xi="http://www.w3.org/2001/XInclude"')))
    f.add("xinclude-http", BOUNDED, svg_file(
        doc('<xi:include href="http://10.255.255.1/x.svg"/>',
            extra=' xmlns:xi="http://www.w3.org/2001/XInclude"')))
    f.add("xml-stylesheet-pi", BOUNDED, svg_file(
        '<?xml-stylesheet href="http://10.255.255.1/x.css"?>' + doc('<rect width="5" height="5"/>')))
    f.add("css-import-http", BOUNDED, svg_file(doc(
        '<style>@import url(http://10.255.255.1/x.css); rect{fill:red}</style>'
        '<rect width="5" height="5"/>')))
    f.add("css-url-file", BOUNDED, svg_file(lambda case, assets: doc(
        f'<style>rect{{fill:url(file://{outside(assets)})}}</style>'
        '<rect width="200" height="200"/>')), secret_red=True)
    f.add("css-100k-rules", BOUNDED, svg_file(doc(
        "<style>" + "".join(f".c{i} rect{{fill:#{i % 4096:03x}}}" for i in range(100_000))
        + '</style><rect width="5" height="5"/>')))
    f.add("attributes-100k", BOUNDED, svg_file(doc(
        "<rect " + " ".join(f'a{i}="{i}"' for i in range(100_000)) + ' width="5" height="5"/>')))
    f.add("elements-300k", REFUSED, svg_file(doc("<g/>" * 300_000)), says=("case.svg",))
    f.add("size-over-50mb", REFUSED, svg_file(lambda case, assets: doc(
        "<!--" + "x" * 51_000_000 + "-->")), says=("case.svg",))
    return f


def _hrefs() -> Family:
    f = Family("svg-hrefs")
    for tag in ("image", "feImage"):
        for name, href in (("http", "http://10.255.255.1/a.png"),
                           ("https", "https://10.255.255.1/a.png"),
                           ("ftp", "ftp://10.255.255.1/a.png"),
                           ("file-passwd", "file:///etc/passwd"),
                           ("abs-passwd", "/etc/passwd"),
                           ("traversal-passwd", "../../../../../../etc/passwd"),
                           ("proc-self", "/proc/self/environ"),
                           ("dev-zero", "/dev/zero"),
                           ("dev-urandom", "/dev/urandom"),
                           ("javascript", "javascript:alert(1)"),
                           ("data-garbage", "data:image/png;base64,AAAA"),
                           ("data-not-base64", "data:image/png;base64,%%%%")):
            f.add(f"{tag}-{name}", BOUNDED, svg_file(image_doc(href, tag=tag)),
                  finding="renderer-feimage-network" if tag == "feImage" and "tp" in name else None)

        def secret(kind: str, tag: str = tag) -> Builder:
            def text(case: Path, assets: Path) -> str:
                target = outside(assets)
                if kind == "abs":
                    href = str(target)
                elif kind == "file-url":
                    href = target.as_uri()
                elif kind == "traversal":
                    href = os.path.relpath(target, case)
                else:
                    (case / "link.png").symlink_to(target)
                    href = "link.png"
                return image_doc(href, tag=tag)
            return svg_file(text)
        for kind in ("abs", "file-url", "traversal", "symlink"):
            f.add(f"{tag}-outside-{kind}", BOUNDED, secret(kind), secret_red=True)

    def symlink_dir(case: Path, assets: Path) -> str:
        (case / "sub").symlink_to(outside(assets).parent, target_is_directory=True)
        return image_doc("sub/red.png")
    f.add("image-symlinked-folder", BOUNDED, svg_file(symlink_dir), secret_red=True)
    return f


def _images() -> Family:
    f = Family("svg-images")
    for asset in ("bomb_claim.png", "bomb_wide.png", "bomb_zero.png", "bomb_mid.png",
                  "truncated.png", "header_only.png", "garbage.png", "empty.png",
                  "truncated.jpg", "text.png", "svg_as.png"):
        stem = asset.replace(".", "-").replace("_", "-")

        def by_file(case: Path, assets: Path, asset: str = asset) -> str:
            (case / asset).write_bytes((assets / asset).read_bytes())
            return image_doc(asset)

        def by_data(case: Path, assets: Path, asset: str = asset) -> str:
            data = base64.b64encode((assets / asset).read_bytes()).decode()
            return image_doc(f"data:image/png;base64,{data}")
        f.add(f"file-{stem}", BOUNDED, svg_file(by_file), finding="renderer-message-paths")
        f.add(f"data-{stem}", BOUNDED, svg_file(by_data))

    def directory(case: Path, assets: Path) -> str:
        (case / "folder.png").mkdir()
        return image_doc("folder.png")
    f.add("file-directory", BOUNDED, svg_file(directory))
    recursive = doc('<image width="100" height="100" href="case.svg"/>')
    f.add("svg-image-self", BOUNDED, svg_file(recursive))
    inner = base64.b64encode(image_doc("data:image/svg+xml;base64,").encode()).decode()
    f.add("svg-image-data-nest", BOUNDED, svg_file(image_doc(f"data:image/svg+xml;base64,{inner}")))
    bomb = base64.b64encode(use_bomb(10, 9).encode()).decode()
    f.add("svg-image-data-use-bomb", REFUSED, svg_file(image_doc(
        f"data:image/svg+xml;base64,{bomb}")), says=("case.svg",), finding="renderer-nested-use")
    return f


def _markup() -> Family:
    f = Family("svg-markup")
    snippets = {
        "script": "<script>while(1){}</script>",
        "onload": '<rect width="5" height="5" onload="alert(1)"/>',
        "root-onload": "",
        "foreign-object": '<foreignObject width="100" height="100"><iframe xmlns="http://www.w3.org/1999/xhtml" src="http://10.255.255.1/"/></foreignObject>',
        "animate": '<rect width="5" height="5"><animate attributeName="x" values="0;1e9" dur="1ms" repeatCount="indefinite"/></rect>',
        "set": '<rect width="5" height="5"><set attributeName="fill" to="url(http://10.255.255.1/#x)"/></rect>',
        "a-javascript": '<a href="javascript:alert(1)"><rect width="5" height="5"/></a>',
        "unknown-elements": "<blink><marquee><rect width='5' height='5'/></marquee></blink>",
        "html-namespace": '<html:script xmlns:html="http://www.w3.org/1999/xhtml">x</html:script>',
        "font-face-url": '<style>@font-face{font-family:x;src:url(http://10.255.255.1/f.ttf)}</style><text font-family="x">a</text>',
        "cdata-script": "<script><![CDATA[alert(1)]]></script>",
        "processing-instruction": "<?php system('id'); ?>",
    }
    for name, body in snippets.items():
        extra = ' onload="alert(1)"' if name == "root-onload" else ""
        f.add(name, OK, svg_file(doc(body, extra=extra)))
    return f


def _garbage() -> Family:
    f = Family("svg-garbage")
    whole = doc('<rect width="50" height="50" fill="#c00"/>')
    files: dict[str, tuple[str, bytes]] = {
        "empty": (REFUSED, b""),
        "whitespace": (REFUSED, b"   \n\t "),
        "truncated-half": (REFUSED, whole.encode()[: len(whole) // 2]),
        "truncated-tag": (REFUSED, whole.encode()[:-3]),
        "not-xml": (REFUSED, b"hello, world"),
        "binary": (REFUSED, bytes(range(256)) * 64),
        "png-bytes": (REFUSED, b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
        "invalid-utf8": (REFUSED, doc("<text>\xff\xfe</text>").encode("latin-1")),
        "nul-bytes": (REFUSED, whole.encode().replace(b"<rect", b"<re\0ct")),
        "utf16": (BOUNDED, ('<?xml version="1.0" encoding="UTF-16"?>' + whole).encode("utf-16")),
        "utf8-bom": (OK, b"\xef\xbb\xbf" + whole.encode()),
        "html-root": (REFUSED, b"<html><body>hi</body></html>"),
        "no-namespace": (BOUNDED, b'<svg width="10" height="10"><rect width="5" height="5"/></svg>'),
        "unclosed-1000": (REFUSED, (doc("") [:-6] + "<g>" * 1000).encode()),
        "long-attribute-10mb": (BOUNDED, doc(f'<rect width="5" height="5" class="{"a" * 10_000_000}"/>').encode()),
        "long-name-1mb": (REFUSED, f"<{'a' * 1_000_000}/>".encode()),
        "two-roots": (REFUSED, (whole + whole).encode()),
    }
    for name, (expect, data) in files.items():
        f.add(name, expect, svg_file(data), says=("case.svg",) if expect == REFUSED else ())

    def missing(case: Path, assets: Path) -> list[str]:
        return ["render", "nowhere.svg", "-o", "out.png"]

    def folder(case: Path, assets: Path) -> list[str]:
        (case / "dir.svg").mkdir()
        return ["render", "dir.svg", "-o", "out.png"]

    def unwritable(case: Path, assets: Path) -> list[str]:
        (case / "case.svg").write_text(whole, "utf-8")
        return ["render", "case.svg", "-o", "no/such/folder/out.png"]
    f.add("missing-file", REFUSED, missing, says=("nowhere.svg",))
    f.add("directory-as-svg", REFUSED, folder, says=("dir.svg",))
    f.add("output-folder-missing", BOUNDED, unwritable)
    f.add("output-type-unknown", REFUSED, lambda c, a: [*svg_file(whole)(c, a)[:3], "out.exe"],
          says=("exe",))
    return f


def _numbers() -> Family:
    f = Family("svg-numbers")
    values = ("1e308", "-1e308", "1e-320", "NaN", "inf", "-0", "99999999999999999999999",
              "0x10", "1e", "--5")
    for v in values:
        f.add(f"rect-{v}", BOUNDED, svg_file(doc(
            f'<rect x="{v}" y="{v}" width="{v}" height="{v}" rx="{v}" stroke-width="{v}" '
            'stroke="#000" fill="#c00"/>')))
        f.add(f"transform-{v}", BOUNDED, svg_file(doc(
            f'<g transform="scale({v}) rotate({v}) translate({v} {v}) skewX({v})">'
            '<circle r="50" cx="50" cy="50"/></g>')))
    for dash in ("0.0001", "1e-300", "0 0", "1 " * 10_000):
        f.add(f"dasharray-{dash[:10].strip().replace(' ', '_')}", BOUNDED, svg_file(doc(
            f'<path d="M0 0 L10000 10000" stroke="#000" stroke-dasharray="{dash}"/>')),
            finding="renderer-message-reprs")
    f.add("font-size-1e9", BOUNDED, svg_file(doc('<text font-size="1e9" y="100">ab</text>')))
    f.add("letter-spacing-1e9", BOUNDED, svg_file(doc(
        '<text letter-spacing="1e9" y="100">' + "ab" * 1000 + "</text>")))
    f.add("stroke-miter-1e308", BOUNDED, svg_file(doc(
        '<polyline points="0,0 100,0.0001 0,0.0002" stroke="#000" stroke-width="50" '
        'stroke-miterlimit="1e308" fill="none"/>')))
    return f
