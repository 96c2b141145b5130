"""The template editor's HTTP API, through Starlette's test client (no browser).

The templates here ask nothing of perception, so every preview renders in milliseconds;
tests/test_editor_e2e.py drives the page itself with a stdlib template.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from ddm_lang.perception.catalogue import Catalogue, load_catalogue
from ddm_lang.serve.editor import STATIC_DIR, TOKEN_HEADER, editor_app
from ddm_lang.serve.editor_previews import PREVIEW_SIDE
from ddm_lang.stdlib_templates import stdlib_dir

PLAIN = """// A template that needs no perception: a backdrop and the product's title.
template plain "Backdrop and title"
formats feed 1080x1080, banner 1200x628

rect background { box: 0 0 100% 100%; fill: #f0e0d0 }
text headline = product.title {
  box: 5% 5% 90% 30%;
  font: "Inter" 700;
  size: fit(12, 64);
  fill: #111111;
}
"""


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    full = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    return dataclasses.replace(full, products=full.products[:2])


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "plain.ddm").write_text(PLAIN, "utf-8")
    return folder


@pytest.fixture
def saved() -> list[str]:
    return []


@pytest.fixture
def client(template_dir: Path, catalogue: Catalogue, saved: list[str]) -> TestClient:
    app = editor_app(template_dir=template_dir, catalogue=catalogue, on_save=saved.append)
    with _client(app) as test_client:
        yield test_client


def _client(app: Starlette) -> TestClient:
    """A client as the editor's own page is: a loopback host, the page's token."""
    return TestClient(app, base_url="http://localhost",
                      headers={TOKEN_HEADER: app.state.token})


def _version(client: TestClient, source: str = PLAIN) -> str:
    body = client.post("/api/check", json={"source": source, "client": "t"}).json()
    assert body["ok"], body["diagnostics"]
    return body["version"]


# ---- the page and its assets ------------------------------------------------------------

def test_page_links_only_assets_the_package_serves(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<base href="/">' in page.text
    for asset in re.findall(r'(?:href|src)="(static/[^"]+)"', page.text):
        assert client.get("/" + asset).status_code == 200, asset
    assert client.get("/static/highlight.js").status_code == 200  # imported by editor.js
    for path in STATIC_DIR.rglob("*"):  # no CDN, no remote font, no remote anything
        if path.is_file():
            assert not re.search(r"https?://", path.read_text("utf-8")), path


def test_mounted_under_a_prefix_the_page_resolves_against_it(template_dir: Path,
                                                           catalogue: Catalogue) -> None:
    host = Starlette(routes=[Mount("/editor", editor_app(template_dir=template_dir,
                                                         catalogue=catalogue))])
    with TestClient(host, base_url="http://127.0.0.1:8000") as c:
        assert '<base href="/editor/">' in c.get("/editor/").text
        assert c.get("/editor/static/editor.js").status_code == 200
        assert [t["name"] for t in c.get("/editor/api/templates").json()["templates"]] == ["plain"]


def test_highlighted_words_come_from_the_grammar(client: TestClient) -> None:
    words = client.get("/api/language").json()
    assert {"template", "formats", "object", "where", "prefer", "let", "when", "else", "for",
            "import", "component", "raw", "and", "or", "not"} <= set(words["keywords"])
    assert "rect" in words["elements"] and "tint" in words["functions"]
    assert "cutout" in words["operations"]


# ---- templates and products -------------------------------------------------------------

def test_templates_are_listed_and_read(client: TestClient) -> None:
    listed = client.get("/api/templates").json()["templates"]
    assert listed == [{"name": "plain", "title": "Backdrop and title"}]
    assert client.get("/api/templates/plain").json()["source"] == PLAIN
    assert client.get("/api/templates/absent").status_code == 404
    assert client.get("/api/templates/..%2Fplain").status_code in (400, 404)


def test_products_come_with_thumbnails(client: TestClient, catalogue: Catalogue) -> None:
    products = client.get("/api/products").json()["products"]
    assert [p["id"] for p in products] == [p.id for p in catalogue.products]
    thumb = client.get("/" + products[0]["thumbnail"])
    assert thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 96
    assert client.get("/api/thumbnail", params={"product": "nope"}).status_code == 404


# ---- checking -----------------------------------------------------------------------------

def test_check_reports_the_line_and_column_of_a_mistake(client: TestClient) -> None:
    source = PLAIN.replace("fill: #f0e0d0", "fill: tnt(#f0e0d0, 0.5)")
    body = client.post("/api/check", json={"source": source}).json()
    assert body["ok"] is False and "version" not in body
    (d,) = body["diagnostics"]
    line = source.splitlines().index(next(x for x in source.splitlines() if "tnt(" in x)) + 1
    assert (d["code"], d["line"], d["col"]) == ("check.unknown-function", line,
                                                source.splitlines()[line - 1].index("tnt") + 1)
    assert d["end_line"] == line and d["end_col"] > d["col"]
    assert d["file"] == "<template>" and d["hint"] == "did you mean `tint`?"
    assert f"{line:>4} | " in d["rendered"] and "^^^" in d["rendered"]


def test_check_reports_a_syntax_error_where_it_is(client: TestClient) -> None:
    source = PLAIN.replace("size: fit(12, 64);", "size: fit(12, 64;")
    (d, *_) = client.post("/api/check", json={"source": source}).json()["diagnostics"]
    assert d["code"].startswith("syntax.")
    assert d["line"] == 9 and d["col"] == 19  # the `;` where `)` was due


def test_imports_cannot_leave_the_template_directory(client: TestClient) -> None:
    source = 'import "../../../etc/hostname"\n' + PLAIN
    (d,) = client.post("/api/check", json={"source": source}).json()["diagnostics"]
    assert (d["code"], d["line"], d["col"]) == ("check.import-outside", 1, 1)


def test_check_of_good_source_gives_a_version_and_formats(client: TestClient) -> None:
    body = client.post("/api/check", json={"source": PLAIN}).json()
    assert body["ok"] and body["diagnostics"] == [] and body["name"] == "plain"
    assert body["formats"] == [{"name": "feed", "width": 1080, "height": 1080},
                               {"name": "banner", "width": 1200, "height": 628}]
    again = client.post("/api/check", json={"source": PLAIN}).json()
    edited = client.post("/api/check", json={"source": PLAIN + "\n"}).json()
    assert again["version"] == body["version"] != edited["version"]


def test_requests_that_are_not_json_objects_are_refused(client: TestClient) -> None:
    assert client.post("/api/check", content=b"{oops").status_code == 400
    assert client.post("/api/check", json=["x"]).status_code == 400
    assert client.post("/api/check", json={"source": 3}).json()["error"] == \
        "`source` must be a string"
    # a body nested past the JSON depth bound is an error with its place, not a 500
    deep = client.post("/api/check", content=b"[" * 100_000 + b"]" * 100_000)
    assert deep.status_code == 400
    assert "nested deeper" in deep.json()["error"]


# ---- previews and downloads -----------------------------------------------------------------

def test_preview_is_a_small_jpeg_of_the_format(client: TestClient) -> None:
    version = _version(client)
    r = client.get("/api/preview", params={"v": version, "product": "sample-bottle",
                                           "format": "banner"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert "immutable" in r.headers["cache-control"]
    image = Image.open(io.BytesIO(r.content))
    assert image.size == (PREVIEW_SIDE, round(628 * PREVIEW_SIDE / 1200))
    assert image.getpixel((2, 2)) == pytest.approx((0xf0, 0xe0, 0xd0), abs=4)
    again = client.get("/api/preview", params={"v": version, "product": "sample-bottle",
                                               "format": "banner"})
    assert again.content == r.content  # the cached bytes


def test_preview_refuses_unknown_products_formats_and_versions(client: TestClient) -> None:
    version = _version(client)
    ask = {"v": version, "product": "sample-bottle", "format": "feed"}
    unknown_product = client.get("/api/preview", params={**ask, "product": "nope"})
    assert unknown_product.status_code == 404 and "nope" in unknown_product.json()["error"]
    assert client.get("/api/preview", params={**ask, "format": "story"}).status_code == 404
    assert client.get("/api/preview", params={**ask, "v": "0" * 20}).status_code == 410
    assert client.get("/api/preview", params={"v": version}).status_code == 400


def test_preview_of_a_creative_that_does_not_compile_explains_why(client: TestClient) -> None:
    source = PLAIN + "text note = product.missing.deeper { box: 0 0 10% 10% }\n"
    r = client.get("/api/preview", params={"v": _version(client, source),
                                           "product": "sample-mug", "format": "feed"})
    assert r.status_code == 422
    (d,) = r.json()["diagnostics"]
    assert d["code"] == "bind.missing-field" and d["line"] == len(source.splitlines())
    assert "sample-mug" in r.json()["message"]


def test_download_is_full_size(client: TestClient) -> None:
    version = _version(client)
    ask = {"v": version, "product": "sample-mug", "format": "banner"}
    png = client.get("/api/download", params={**ask, "type": "png"})
    assert png.headers["content-type"] == "image/png"
    assert 'filename="plain-sample-mug-banner.png"' in png.headers["content-disposition"]
    assert Image.open(io.BytesIO(png.content)).size == (1200, 628)
    jpg = client.get("/api/download", params={**ask, "type": "jpg"})
    assert Image.open(io.BytesIO(jpg.content)).format == "JPEG"
    assert client.get("/api/download", params={**ask, "type": "gif"}).status_code == 400


def test_a_page_that_moved_on_leaves_old_previews_unrendered(client: TestClient) -> None:
    old = _version(client)
    _version(client, PLAIN + "// edited\n")  # the same page ("t") checks newer text
    r = client.get("/api/preview", params={"v": old, "product": "sample-bottle",
                                           "format": "feed"})
    assert r.status_code == 410


# ---- saving -------------------------------------------------------------------------------------

def test_save_validates_writes_and_announces(client: TestClient, template_dir: Path,
                                             saved: list[str]) -> None:
    edited = PLAIN.replace("#f0e0d0", "#203040")
    r = client.post("/api/save", json={"name": "plain", "source": edited})
    assert r.status_code == 200 and r.json()["ok"], r.json()
    assert (template_dir / "plain.ddm").read_text("utf-8") == edited
    assert saved == ["plain"]
    r = client.post("/api/save", json={"name": "plain_copy", "source": edited})
    assert r.json()["message"] == "saved plain_copy.ddm"
    assert [t["name"] for t in client.get("/api/templates").json()["templates"]] == \
        ["plain", "plain_copy"]
    assert sorted(p.name for p in template_dir.iterdir()) == ["plain.ddm", "plain_copy.ddm"]


def test_save_refuses_source_with_problems(client: TestClient, template_dir: Path,
                                           saved: list[str]) -> None:
    broken = PLAIN.replace("fit(12, 64)", "fit(12, 64")
    r = client.post("/api/save", json={"name": "plain", "source": broken})
    assert r.status_code == 422 and not r.json()["ok"]
    assert r.json()["diagnostics"][0]["code"].startswith("syntax.")
    assert (template_dir / "plain.ddm").read_text("utf-8") == PLAIN
    assert saved == []


@pytest.mark.parametrize("name", ["../x", "a/b", "x.ddm", "", ".hidden", "-x", "x y", "..",
                                  "/etc/passwd", "x\\y", "ünï", "x-", "a--b", "-"])
def test_save_refuses_names_that_are_not_identifiers(client: TestClient, template_dir: Path,
                                                     name: str) -> None:
    r = client.post("/api/save", json={"name": name, "source": PLAIN})
    assert r.status_code == 400 and "not a template name" in r.json()["error"]
    assert [p.name for p in template_dir.parent.rglob("*")] == ["templates", "plain.ddm"]


def test_a_failing_reload_is_reported_after_the_save(template_dir: Path,
                                                     catalogue: Catalogue) -> None:
    def reload(name: str) -> None:
        raise RuntimeError(f"{name} is busy")

    with _client(editor_app(template_dir=template_dir, catalogue=catalogue,
                            on_save=reload)) as c:
        r = c.post("/api/save", json={"name": "plain", "source": PLAIN})
    assert r.json()["ok"] and r.json()["message"] == \
        "saved plain.ddm, but reloading it failed: plain is busy"


# ---- a generated design ---------------------------------------------------------------------

@pytest.mark.slow
def test_a_generated_design_opens_previews_and_saves_in_the_editor(
        tmp_path: Path, catalogue: Catalogue) -> None:
    """`ddm generate` names its templates `feed-1`, `banner-1`: the editor lists them,
    checks them, previews them for other products in every format and saves them back."""
    from ddm_lang.generate.command import folder_name
    from ddm_lang.generate.command import main as generate_main
    out = tmp_path / "out"
    assert generate_main(["--catalogue", str(stdlib_dir() / "samples" / "catalogue.json"),
                          "--id", "sample-tea", "--formats", "feed,banner", "-n", "1",
                          "-o", str(out)]) == 0
    folder = out / folder_name("sample-tea")
    saved: list[str] = []
    with _client(editor_app(template_dir=folder, catalogue=catalogue,
                            on_save=saved.append)) as c:
        listed = [t["name"] for t in c.get("/api/templates").json()["templates"]]
        assert listed == ["banner-1", "feed-1"]
        source = c.get("/api/templates/feed-1").json()["source"]
        assert source == (folder / "feed-1.ddm").read_text("utf-8")
        body = c.post("/api/check", json={"source": source, "client": "t"}).json()
        assert body["ok"], body["diagnostics"]
        assert [f["name"] for f in body["formats"]] == ["feed", "banner"]
        for product in ("sample-bottle", "sample-mug"):    # not the product it was made for
            for fmt in ("feed", "banner"):
                r = c.get("/api/preview", params={"v": body["version"], "product": product,
                                                  "format": fmt})
                assert r.status_code == 200, r.text
                assert Image.open(io.BytesIO(r.content)).format == "JPEG"
        edited = source.replace("// Generated by", "// Edited; generated by", 1)
        r = c.post("/api/save", json={"name": "feed-1", "source": edited})
        assert r.json()["ok"], r.json()
    assert (folder / "feed-1.ddm").read_text("utf-8") == edited and saved == ["feed-1"]


# ---- the canvas: layouts, edits, the inspector ---------------------------------------------

def _layout(client: TestClient, version: str, fmt: str = "feed", product: str = "sample-bottle",
            page: str = "t") -> dict:
    response = client.get("/api/layout", params={"v": version, "product": product,
                                                 "format": fmt, "client": page})
    assert response.status_code == 200, response.text
    return response.json()


def test_layout_maps_each_drawn_element_to_its_source(client: TestClient) -> None:
    version = _version(client)
    feed, banner = _layout(client, version), _layout(client, version, "banner")
    assert (feed["width"], feed["height"], feed["safe_margin"]) == (1080, 1080, 32.4)
    names = [e["name"] for e in feed["elements"]]
    assert names == ["background", "headline"]
    headline = feed["elements"][1]
    # the span is the element's text; the value the `box` a drag rewrites
    assert PLAIN[headline["span"]["start"]:].startswith("text headline = product.title {")
    assert PLAIN[headline["value"]["start"]:headline["value"]["end"]] == "5% 5% 90% 30%"
    assert headline["span"]["start16"] == headline["span"]["start"]  # no astral characters
    assert headline["form"] == "box" and headline["frame"] == [0, 0, 1080, 1080]
    assert headline["box"] == [54.0, 54.0, 972.0, 324.0]
    assert banner["elements"][1]["box"] == [60.0, 31.4, 1080.0, 188.4]  # the same %, another frame


def test_layout_spans_count_utf16_for_the_page(client: TestClient) -> None:
    source = PLAIN.replace("// A template", "// 🎨 A template")
    version = _version(client, source)
    headline = _layout(client, version)["elements"][1]
    assert headline["span"]["start16"] == headline["span"]["start"] + 1  # 🎨 is two units


def test_a_drag_is_written_back_in_the_units_of_the_source(client: TestClient) -> None:
    version = _version(client)
    headline = _layout(client, version)["elements"][1]
    response = client.post("/api/edit", json={
        "source": PLAIN, "client": "t", "op": "box", "element": headline["span"]["start"],
        "value": headline["value"]["start"], "box": [162, 54, 972, 324],
        "frame": headline["frame"]})
    body = response.json()
    assert response.status_code == 200 and body["ok"], body
    edit = body["edit"]
    after = PLAIN[:edit["start"]] + edit["text"] + PLAIN[edit["end"]:]
    assert "box: 15% 5% 90% 30%;" in after and after.count("box:") == 2
    # the edited text is checked in the same answer: its version previews at once
    assert body["check"]["ok"] and body["check"]["version"] == _version(client, after)
    moved = _layout(client, body["check"]["version"])["elements"][1]
    assert moved["box"][0] == 162.0


def test_an_edit_for_one_format_writes_an_override(client: TestClient) -> None:
    version = _version(client)
    headline = _layout(client, version)["elements"][1]
    body = client.post("/api/edit", json={
        "source": PLAIN, "op": "property", "element": headline["span"]["start"],
        "name": "fill", "value": "#aa0000", "only_format": "banner"}).json()
    after = PLAIN[:body["edit"]["start"]] + body["edit"]["text"] + PLAIN[body["edit"]["end"]:]
    assert 'when format.name == "banner" { fill: #aa0000 }' in after
    assert "fill: #111111;" in after
    banner = client.get("/api/download", params={"v": body["check"]["version"], "product":
                                                 "sample-bottle", "format": "banner",
                                                 "type": "png"})
    assert banner.status_code == 200


def test_edits_that_cannot_be_written_back_say_why(client: TestClient) -> None:
    version = _version(client)
    headline = _layout(client, version)["elements"][1]
    start = headline["span"]["start"]
    cases = [
        ({"op": "property", "element": start, "name": "fill", "value": "#fff } rect x {"},
         "not"),
        ({"op": "box", "element": start + 1, "box": [0, 0, 10, 10], "frame": [0, 0, 1080, 1080]},
         "no longer where it was"),
        ({"op": "box", "element": start, "box": [0, 0, 10], "frame": [0, 0, 1080, 1080]},
         "list of 4 numbers"),
        ({"op": "spin", "element": start}, "unknown edit"),
        ({"op": "insert", "kind": "hexagon"}, "nothing called"),
    ]
    for request, words in cases:
        response = client.post("/api/edit", json={"source": PLAIN, **request})
        assert response.status_code in (400, 422), (request, response.text)
        assert words in response.json()["error"], (request, response.json())


def test_edits_need_the_page_token(template_dir: Path, catalogue: Catalogue) -> None:
    app = editor_app(template_dir=template_dir, catalogue=catalogue)
    with TestClient(app, base_url="http://localhost") as stranger:
        response = stranger.post("/api/edit", json={"source": PLAIN, "op": "insert",
                                                    "kind": "rect"})
    assert response.status_code == 403


def test_the_inspector_reads_properties_overrides_and_conditions(client: TestClient) -> None:
    source = PLAIN.replace("  fill: #111111;\n}", '  fill: #111111;\n  when format.name == '
                           '"banner" { size: fit(10, 40) }\n}')
    source = source.replace("text headline", "when format.width > 100 {\ntext headline") + "}\n"
    version = _version(client, source)
    headline = _layout(client, version)["elements"][1]
    info = client.post("/api/inspect", json={"source": source,
                                             "element": headline["span"]["start"]}).json()
    assert (info["kind"], info["name"]) == ("text", "headline")
    assert info["conditions"] == ["format.width > 100"]
    props = {p["name"]: (p["value"], p["kind"]) for p in info["properties"]}
    assert props["fill"] == ("#111111", "color") and props["font"] == ('"Inter" 700', "font")
    assert props["size"] == ("fit(12, 64)", "size")
    assert info["overrides"] == [{"format": "banner", "condition": 'format.name == "banner"',
                                  "line": info["overrides"][0]["line"],
                                  "properties": [{"name": "size", "value": "fit(10, 40)",
                                                  "kind": "size",
                                                  "line": info["overrides"][0]["line"]}]}]


def test_the_backdrop_under_a_text_gives_its_contrast(client: TestClient) -> None:
    version = _version(client)
    headline = _layout(client, version)["elements"][1]
    body = client.get("/api/backdrop", params={"v": version, "product": "sample-bottle",
                                              "format": "feed",
                                              "element": headline["span"]["start"]}).json()
    assert body["backdrop"] == "#f0e0d0" and body["fill"] == "#111111"
    assert 14 < body["ratio"] < 16  # WCAG: #111 on a light beige


def test_fonts_and_product_images_for_the_panels(client: TestClient) -> None:
    families = client.get("/api/fonts").json()["families"]
    assert "Inter" in families  # as the font names itself, as templates write it
    image = client.get("/api/image", params={"product": "sample-bottle", "index": 0})
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    missing = client.get("/api/image", params={"product": "sample-bottle", "index": 7})
    assert missing.status_code == 422


def test_previews_of_products_scrolled_away_are_not_rendered(client: TestClient) -> None:
    version = _version(client)
    shown = client.post("/api/show", json={"client": "t", "products": ["sample-bottle"]})
    assert shown.status_code == 200
    away = client.get("/api/preview", params={"v": version, "product": "sample-mug",
                                              "format": "feed", "client": "t"})
    assert away.status_code == 410 and "scrolled away" in away.json()["error"]
    here = client.get("/api/preview", params={"v": version, "product": "sample-bottle",
                                              "format": "feed", "client": "t"})
    assert here.status_code == 200
    counts = client.app.state.previews.counts
    assert counts["hidden"] == 1 and counts["rendered"] == 1
    # another page's grid is its own
    other = client.get("/api/preview", params={"v": version, "product": "sample-mug",
                                               "format": "feed", "client": "u"})
    assert other.status_code == 200


def test_template_text_past_the_size_limit_is_refused_by_every_endpoint(
        client: TestClient) -> None:
    from ddm_lang.serve.editor_templates import MAX_SOURCE_BYTES
    huge = PLAIN + "// " + "x" * MAX_SOURCE_BYTES + "\n"
    for path, body in (("/api/check", {"source": huge, "client": "t"}),
                       ("/api/edit", {"source": huge, "op": "insert", "kind": "rect"}),
                       ("/api/inspect", {"source": huge, "element": 0})):
        response = client.post(path, json=body)
        assert response.status_code == 413, path
        assert "KiB" in response.json()["error"], path
