"""Templates for `ddm compile`: deep nesting, long chains, raw-SVG bombs, huge literals and
titles, loops, imports, files out of the roots and broken sources."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .assets import SECRET_DIR, copy_asset
from .corpus_svg import blur_chain, use_bomb
from .model import BOUNDED, OK, REFUSED, Builder, Family

HEADER = 'template hostile "A hostile template"\nformats square 200x200\n'
PRODUCT = {"id": "hostile-1", "title": "Evergreen Olive Oil", "images": ["photo.png"],
           "price": {"amount": 12.9, "currency": "USD"}}
LEAF = 'rect r { box: 0 0 10% 10%; fill: #2e6e54 }'


def template_file(source: str | bytes, fmt: str = "square", product: dict | None = None,
                  output: str = "out.png") -> Builder:
    """A builder writing case.ddm, product.json and its photo; compiles one format."""
    def build(case: Path, assets: Path) -> list[str]:
        data = source.encode("utf-8") if isinstance(source, str) else source
        (case / "case.ddm").write_bytes(data)
        (case / "product.json").write_text(json.dumps(product or PRODUCT), "utf-8")
        copy_asset(assets, "photo.png", case)
        return ["compile", "case.ddm", "--product", "product.json", "--format", fmt,
                "-o", output]
    return build


def body(text: str, fmt: str = "square 200x200") -> str:
    return f'template hostile "A hostile template"\nformats {fmt}\n{text}\n'


def families() -> list[Family]:
    return [_nesting(), _chains(), _raw(), _sizes(), _loops(), _imports(), _paths(), _garbage(),
            _formats()]


def _nesting() -> Family:
    f = Family("tpl-nesting")
    for depth in (64, 200, 256, 300, 1000, 10_000):
        expect = OK if depth <= 64 else BOUNDED if depth <= 200 else REFUSED
        says = ("case.ddm",) if expect == REFUSED else ()
        f.add(f"group-depth-{depth}", expect, template_file(
            body("g {\n" * depth + LEAF + "\n}" * depth)), finding="template-deep-nesting",
            says=says)
        f.add(f"when-depth-{depth}", expect, template_file(
            body("when true {\n" * depth + LEAF + "\n}" * depth)),
            finding="template-deep-nesting", says=says)
        f.add(f"else-when-{depth}", OK if depth <= 64 else BOUNDED, template_file(body(
            "when false { " + LEAF + " }" + "".join(" else when false { " + LEAF + " }"
                                                    for _ in range(depth)) + " else { " + LEAF
            + " }")), finding="template-deep-nesting")
    for depth in (100, 1000, 10_000):
        f.add(f"paren-depth-{depth}", OK if depth <= 100 else BOUNDED, template_file(body(
            "let x = " + "(" * depth + "1" + ")" * depth + "\n" + LEAF)),
            finding="template-deep-nesting")
        f.add(f"unary-depth-{depth}", OK if depth <= 100 else BOUNDED, template_file(body(
            "let x = " + "not " * depth + "true\n" + LEAF)), finding="template-deep-nesting")
        f.add(f"list-depth-{depth}", OK if depth <= 100 else BOUNDED, template_file(body(
            "let x = " + "[" * depth + "1" + "]" * depth + "\n" + LEAF)),
            finding="template-deep-nesting")
    return f


def _chains() -> Family:
    f = Family("tpl-chains")
    for n in (100, 1000, 10_000, 100_000):
        expect = OK if n <= 100 else BOUNDED
        f.add(f"plus-chain-{n}", expect, template_file(body(
            'let s = "a"' + ' + "a"' * n + '\ntext t = s { box: 0 0 100% 100%; size: fit(4, 20) }')),
            finding="template-long-chains")
        f.add(f"minus-chain-{n}", expect, template_file(body(
            "let x = 1" + " - 1" * n + "\n" + LEAF)), finding="template-long-chains")
        f.add(f"and-chain-{n}", expect, template_file(body(
            "let x = true" + " and true" * n + "\n" + LEAF)), finding="template-long-chains")
        f.add(f"member-chain-{n}", BOUNDED, template_file(body(
            "let x = product" + ".a" * n + "\n" + LEAF)), finding="template-long-chains")
    for n in (1000, 100_000):
        f.add(f"lets-{n}", BOUNDED, template_file(body(
            "let v0 = 1\n" + "".join(f"let v{i} = v{i - 1} + 1\n" for i in range(1, n)) + LEAF)))
        f.add(f"list-items-{n}", BOUNDED, template_file(body(
            "let x = [" + ", ".join("1" for _ in range(n)) + "]\n" + LEAF)))
        f.add(f"interpolations-{n}", BOUNDED, template_file(body(
            'let s = "' + "{1}" * n + '"\n' + LEAF)))
    return f


def raw(markup: str) -> str:
    return body(f'raw """{markup}"""')


def _raw() -> Family:
    f = Family("tpl-raw")
    for fanout, levels in ((2, 10), (10, 3), (10, 6), (10, 9), (1000, 3)):
        total = fanout ** levels
        inner = use_bomb(fanout, levels).split(">", 1)[1].rsplit("</svg>", 1)[0]
        f.add(f"use-bomb-{fanout}x{levels}", OK if total <= 1000 else
              BOUNDED if total <= 100_000 else REFUSED, template_file(raw(inner)),
              finding="template-raw-use-bomb", says=("case.ddm",) if total > 100_000 else ())
    refused = {
        "script": "<script>alert(1)</script>",
        "onload": '<rect width="5" height="5" onload="alert(1)"/>',
        "foreign-object": '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/></foreignObject>',
        "animate": '<rect><animate attributeName="x" to="9"/></rect>',
        "href-http": '<image href="http://10.255.255.1/a.png" width="5" height="5"/>',
        "href-file": '<image href="file:///etc/passwd" width="5" height="5"/>',
        "href-traversal": '<image href="../../../etc/passwd" width="5" height="5"/>',
        "xlink-http": '<image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://10.255.255.1/a.png"/>',
        "feimage-http": '<filter id="f"><feImage href="http://10.255.255.1/a.png"/></filter>',
        "doctype-entity": '<!DOCTYPE g [<!ENTITY a "b">]><g>&a;</g>',
        "billion-laughs": "<!DOCTYPE g [" + "".join(
            f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "lol"}">'
            for i in range(10)) + "]><g>&l9;</g>",
        "xinclude": '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>',
        "css-import": "<style>@import url(http://10.255.255.1/x.css);</style>",
        "html-element": '<div xmlns="http://www.w3.org/1999/xhtml">x</div>',
        "not-xml": "<g><rect></g>",
        "data-svg": '<image href="data:image/svg+xml;base64,PHN2Zy8+" width="5" height="5"/>',
    }
    for name, markup in refused.items():
        f.add(name, REFUSED, template_file(raw(markup)), says=("case.ddm",))
    f.add("blur-chain-256", BOUNDED, template_file(raw(
        blur_chain(256).split(">", 1)[1].rsplit("</svg>", 1)[0])), finding="renderer-chained-blurs")
    f.add("markup-2mb", REFUSED, template_file(raw("<g/>" * 500_000)), says=("case.ddm",))
    f.add("nesting-300", REFUSED, template_file(raw("<g>" * 300 + "</g>" * 300)),
          says=("case.ddm",), finding="template-raw-use-bomb")
    return f


def _sizes() -> Family:
    f = Family("tpl-sizes")
    for size, label in ((1000, "1k"), (100_000, "100k"), (1_000_000, "1m"), (10_000_000, "10m")):
        expect = OK if size <= 1000 else BOUNDED if size <= 100_000 else REFUSED
        says = ("case.ddm",) if expect == REFUSED else ()
        literal = BOUNDED if size == 1_000_000 else expect
        f.add(f"string-literal-{label}", literal, template_file(body(
            f'let s = "{"x" * size}"\n' + LEAF)), finding="template-huge-literals",
            says=says if literal == REFUSED else ())
        f.add(f"text-literal-{label}", literal, template_file(body(
            f'text t = "{"word " * (size // 5)}" {{ box: 0 0 100% 100%; size: fit(4, 20) }}')),
            finding="template-huge-literals", says=says if literal == REFUSED else ())
        f.add(f"title-{label}", expect, template_file(
            f'template hostile "{"T" * size}"\nformats square 200x200\n{LEAF}\n'),
            finding="template-huge-titles", says=says)
    f.add("title-10k", BOUNDED, template_file(
        f'template hostile "{"T" * 10_000}"\nformats square 200x200\n{LEAF}\n'),
        finding="template-huge-titles")
    f.add("comment-10m", BOUNDED, template_file(body("/*" + " " * 10_000_000 + "*/\n" + LEAF)))
    f.add("name-100k", BOUNDED, template_file(body(f"let {'n' * 100_000} = 1\n" + LEAF)))
    f.add("number-10k-digits", BOUNDED, template_file(body(f"let n = {'9' * 10_000}\n" + LEAF)))
    f.add("number-1e400", BOUNDED, template_file(body("let n = 1e400\n" + LEAF)))
    f.add("properties-10k", BOUNDED, template_file(body(
        "rect r { box: 0 0 10% 10%; " + "".join(f"data-p{i}: {i}; " for i in range(10_000))
        + "}")))
    f.add("elements-100k", REFUSED, template_file(body(
        "".join(f"rect r{i} {{ box: 0 0 1% 1% }}\n" for i in range(100_000)))),
        says=("case.ddm",), finding="template-element-count")
    return f


def _loops() -> Family:
    f = Family("tpl-loops")
    f.add("range-1000", OK, template_file(body(
        "for i in range(1000) { rect r { box: 0 0 1% 1%; fill: #111111 } }")))
    f.add("range-1e9", REFUSED, template_file(body(
        "for i in range(1000000000) { rect r { box: 0 0 1% 1% } }")), says=("case.ddm",))
    f.add("nested-1000x1000", REFUSED, template_file(body(
        "for i in range(1000) { for j in range(1000) { rect r { box: 0 0 1% 1% } } }")),
        says=("case.ddm",))
    f.add("nested-5-deep-10", REFUSED, template_file(body(
        "for a in range(10) {" * 5 + " rect r { box: 0 0 1% 1% } " + "}" * 5)),
        says=("case.ddm",))
    f.add("text-loop-20000", REFUSED, template_file(body(
        "for i in range(1000) { for j in range(30) { text t = \"{i} {j}\" "
        "{ box: 0 0 10% 10%; size: fit(4, 40) } } }")), says=("case.ddm",),
        finding="template-element-count")
    f.add("component-self-call", REFUSED, template_file(body(
        "component c() { c() }\nc()")), says=("case.ddm",))
    f.add("component-mutual", REFUSED, template_file(body(
        "component a() { b() }\ncomponent b() { a() }\na()")), says=("case.ddm",))
    f.add("let-cycle", REFUSED, template_file(body("let a = b\nlet b = a\n" + LEAF)),
          says=("case.ddm",))
    f.add("repeat-string-huge", BOUNDED, template_file(body(
        'let s = join(range(1000), "' + "x" * 10_000 + '")\n'
        'text t = s { box: 0 0 100% 100%; size: fit(4, 20) }')))
    return f


def _imports() -> Family:
    f = Family("tpl-imports")
    for name, target in (("etc-passwd", "/etc/passwd"), ("traversal", "../../../../etc/passwd"),
                         ("dev-zero", "/dev/zero"), ("proc", "/proc/self/environ"),
                         ("http", "http://10.255.255.1/x.ddm"), ("file-url", "file:///etc/passwd"),
                         ("self", "case.ddm"), ("missing", "nowhere.ddm")):
        f.add(f"import-{name}", REFUSED, template_file(body(f'import "{target}"\n' + LEAF)),
              says=("case.ddm",), finding="template-import-paths")

    def chain(n: int) -> Builder:
        def build(case: Path, assets: Path) -> list[str]:
            for i in range(n):
                nxt = f'import "lib{i + 1}.ddm"\n' if i + 1 < n else ""
                (case / f"lib{i}.ddm").write_text(f"{nxt}let v{i} = {i}\n", "utf-8")
            return template_file(body('import "lib0.ddm"\n' + LEAF))(case, assets)
        return build
    f.add("import-chain-8", OK, chain(8))
    f.add("import-chain-40", REFUSED, chain(40), says=("lib",))

    def cycle(case: Path, assets: Path) -> list[str]:
        (case / "a.ddm").write_text('import "b.ddm"\nlet a = 1\n', "utf-8")
        (case / "b.ddm").write_text('import "a.ddm"\nlet b = 2\n', "utf-8")
        return template_file(body('import "a.ddm"\n' + LEAF))(case, assets)
    f.add("import-cycle", BOUNDED, cycle)

    def outside(case: Path, assets: Path) -> list[str]:
        lib = assets / SECRET_DIR / "lib.ddm"
        lib.write_text("let secret = 1\n", "utf-8")
        (case / "link.ddm").symlink_to(lib)
        return template_file(body('import "link.ddm"\n' + LEAF))(case, assets)
    f.add("import-symlink-outside", BOUNDED, outside)
    return f


def _paths() -> Family:
    f = Family("tpl-paths")

    def image(kind: str) -> Builder:
        def build(case: Path, assets: Path) -> list[str]:
            target = (assets / SECRET_DIR / "red.png").resolve()
            path = {"abs": str(target), "traversal": os.path.relpath(target, case),
                    "file-url": target.as_uri(), "http": "http://10.255.255.1/a.png",
                    "symlink": "link.png", "dev": "/dev/zero", "proc": "/proc/self/mem"}[kind]
            if kind == "symlink":
                (case / "link.png").symlink_to(target)
            return template_file(body(
                'rect bg { box: 0 0 100% 100%; fill: #ffffff }\n'
                f'image stamp = "{path}" {{ box: 0 0 100% 100%; fit: fill }}'))(case, assets)
        return build
    for kind in ("abs", "traversal", "file-url", "http", "symlink", "dev", "proc"):
        f.add(f"image-{kind}", BOUNDED, image(kind), secret_red=True)

    def output(path: str) -> Builder:
        def build(case: Path, assets: Path) -> list[str]:
            return template_file(body(LEAF), output=path)(case, assets)
        return build
    f.add("output-folder-missing", BOUNDED, output("no/such/dir/out.png"))
    f.add("output-unknown-type", REFUSED, output("out.exe"), says=("exe",))
    f.add("output-svg", OK, output("out.svg"))
    return f


def _garbage() -> Family:
    f = Family("tpl-garbage")
    sources: dict[str, tuple[str, bytes]] = {
        "empty": (REFUSED, b""),
        "only-comment": (REFUSED, b"// nothing\n"),
        "binary": (REFUSED, bytes(range(256)) * 16),
        "invalid-utf8": (REFUSED, body(LEAF).encode() + b"\xff\xfe"),
        "nul-byte": (REFUSED, body(LEAF).encode().replace(b"rect", b"re\0ct")),
        "utf8-bom": (BOUNDED, b"\xef\xbb\xbf" + body(LEAF).encode()),
        "unterminated-string": (REFUSED, body('let s = "abc').encode()),
        "unterminated-comment": (REFUSED, body("/* " + LEAF).encode()),
        "unterminated-raw": (REFUSED, body('raw """<g/>').encode()),
        "unbalanced-braces": (REFUSED, body("g { g { " + LEAF).encode()),
        "closing-braces-10k": (REFUSED, body(LEAF + "}" * 10_000).encode()),
        "control-chars": (REFUSED, body("let s = \x01\x02\x1b[31m\n" + LEAF).encode()),
        "rtl-override": (BOUNDED, body('let s = "\u202eabc"\n' + LEAF).encode()),
        "lone-surrogate": (REFUSED, body(LEAF).encode() + b'\nlet s = "\xed\xa0\x80"\n'),
        "crlf": (OK, body(LEAF).replace("\n", "\r\n").encode()),
        "cr-only": (BOUNDED, body(LEAF).replace("\n", "\r").encode()),
        "tabs-and-formfeeds": (BOUNDED, body(LEAF).replace(" ", "\t\f").encode()),
        "duplicate-header": (REFUSED, (body(LEAF) + HEADER).encode()),
        "keyword-soup": (REFUSED, b"template formats let when for raw import object " * 1000),
        "unknown-property": (REFUSED, body("rect r { box: 0 0 1% 1%; onclick: 1 }").encode()),
        "href-outside": (REFUSED, body('use u { href: "http://10.255.255.1/#a" }').encode()),
        "division-by-zero": (BOUNDED, body("let x = 1 / 0\nrect r { box: 0 0 x x }").encode()),
        "nan-box": (BOUNDED, body("rect r { box: 0 0 (0 / 0) 10% }").encode()),
        "huge-box": (BOUNDED, body("rect r { box: 0 0 1e308 1e308 }").encode()),
    }
    for name, (expect, data) in sources.items():
        f.add(name, expect, template_file(data), says=("case.ddm",) if expect == REFUSED else ())

    def missing(case: Path, assets: Path) -> list[str]:
        template_file(body(LEAF))(case, assets)
        return ["compile", "nowhere.ddm", "--product", "product.json", "--format", "square",
                "-o", "out.png"]

    def folder(case: Path, assets: Path) -> list[str]:
        argv = template_file(body(LEAF))(case, assets)
        (case / "case.ddm").unlink()
        (case / "case.ddm").mkdir()
        return argv
    f.add("missing-file", REFUSED, missing, says=("nowhere.ddm",))
    f.add("directory-as-template", REFUSED, folder, says=("case.ddm",))
    return f


def _formats() -> Family:
    f = Family("tpl-formats")
    sizes = {"1x1": OK, "2000x2000": OK, "4000x4000": BOUNDED, "16384x16384": BOUNDED, "16385x16385": REFUSED,
             "100000x100000": REFUSED, "1x10000000": REFUSED, "0x0": REFUSED,
             "99999999999999999999x1": REFUSED}
    for size, expect in sizes.items():
        f.add(f"size-{size}", expect, template_file(body(LEAF, f"square {size}")),
              says=("case.ddm",) if expect == REFUSED else (),
              finding="renderer-huge-canvas" if expect == REFUSED else None)
    f.add("formats-10k", BOUNDED, template_file(body(
        LEAF, ", ".join(f"f{i} {10 + i}x10" for i in range(10_000)).replace("f0 ", "square "))))
    f.add("unknown-format", REFUSED, template_file(body(LEAF), fmt="nope"), says=("nope",))
    f.add("format-all", OK, template_file(body(LEAF, "square 50x50, wide 80x40"), fmt="all"))
    return f
