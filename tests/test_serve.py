"""`ddm serve` through Starlette's test client: rendering, signatures, validation, caching,
limits, reload and path safety. The real-socket tests are in test_serve_http.py."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image, ImageDraw
from starlette.testclient import TestClient

from ddm_lang.serve.app import create_app
from ddm_lang.serve.commands import add_sign_parser, config_from_args
from ddm_lang.serve.config import ConfigError, ServeConfig
from ddm_lang.serve.signing import (
    SignatureError,
    canonical,
    sign_query,
    signed_render_url,
    verify,
)

# Each test starts the service with its render worker processes (about a second apiece,
# some ninety tests): together they outlast the fast subset (`make test-unit`).
pytestmark = pytest.mark.slow

SECRET = b"test-secret-0123456789abcdef"

CARD = """template card "A test card"
formats square 200x200, wide 300x120, poster 2400x2400

object hero = image from product.images

rect background { box: 0 0 100% 100%; fill: #f4f1ea }
image hero | place in slot(10% 10% 80% 55%) fit contain
text title { content: "{product.title} #{seed}"; box: 5% 70% 90% 25%; font: "Inter" 700;
  size: fit(8, 40); fill: #222222 }
"""

BANNER = """template banner "A second template, added while the server runs"
formats strip 320x50

rect background { box: 0 0 100% 100%; fill: #203040 }
text title { content: product.title; box: 4% 10% 92% 80%; font: "Inter" 700;
  size: fit(8, 30); fill: #ffffff }
"""

CATALOGUE = """[
 {"id": "p1", "title": "Olive Oil", "images": ["photo.jpg"],
  "price": {"amount": 12.9, "currency": "USD"}},
 {"id": "p2", "title": "Stoneware Mug", "images": ["photo.jpg"]},
 {"id": "broken", "title": "Gone", "images": ["missing.jpg"]}
]"""


def make_site(root: Path) -> tuple[Path, Path]:
    """A template folder and a catalogue with one photo: (templates, catalogue file)."""
    templates, shop = root / "templates", root / "shop"
    templates.mkdir()
    shop.mkdir()
    (templates / "card.ddm").write_text(CARD, "utf-8")
    photo = Image.new("RGB", (240, 180), (200, 210, 220))
    ImageDraw.Draw(photo).rectangle((80, 50, 160, 130), fill=(200, 30, 30))
    photo.save(shop / "photo.jpg", quality=90)
    (shop / "catalogue.json").write_text(CATALOGUE, "utf-8")
    (root / "secret.txt").write_text("outside the roots", "utf-8")
    return templates, shop / "catalogue.json"


@pytest.fixture
def site(tmp_path: Path) -> ServeConfig:
    templates, catalogue = make_site(tmp_path)
    return ServeConfig(template_dirs=(templates,), catalogue=catalogue, secret=SECRET,
                       cache_dir=tmp_path / "cache", max_concurrency=2, queue_size=8)


@pytest.fixture
def client(site: ServeConfig):
    with TestClient(create_app(site)) as c:
        yield c


def url(template: str = "card", file: str = "square.png", product: str = "p1",
        **params: int) -> str:
    fmt, _, ext = file.rpartition(".")
    return signed_render_url(SECRET, template, fmt, ext, product, **params)


def metric(client: TestClient, name: str) -> float:
    text = client.get("/metrics").text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


# ---- rendering -------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "ctype", "pil", "size"), [
    ("square.png", "image/png", "PNG", (200, 200)),
    ("wide.jpg", "image/jpeg", "JPEG", (300, 120)),
    ("wide.webp", "image/webp", "WEBP", (300, 120)),
])
def test_renders_each_raster_type_at_the_format_size(client, file, ctype, pil, size):
    r = client.get(url(file=file))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == ctype
    image = Image.open(io.BytesIO(r.content))
    assert (image.format, image.size) == (pil, size)
    assert r.headers["cache-control"] == "public, max-age=86400"
    assert r.headers["etag"].startswith('"') and len(r.headers["etag"]) == 66


def test_svg_is_the_compiled_svg(client):
    r = client.get(url(file="wide.svg", seed=7))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert 'width="300"' in r.text and 'height="120"' in r.text
    assert "Olive Oil #7" in r.text


def test_quality_changes_lossy_output_only(client):
    low = client.get(url(file="square.jpg", quality=20))
    high = client.get(url(file="square.jpg", quality=95))
    assert low.headers["etag"] != high.headers["etag"]
    assert len(low.content) < len(high.content)


# ---- signatures ------------------------------------------------------------------------

def test_missing_signature_is_403(client):
    r = client.get("/render/card/square.png?product=p1")
    assert r.status_code == 403
    assert "sig" in r.json()["error"]
    assert r.headers["cache-control"] == "no-store"


def test_tampered_url_is_403(client):
    good = url(seed=1)
    assert client.get(good).status_code == 200
    for bad in (good.replace("seed=1", "seed=2"), good.replace("product=p1", "product=p2"),
                good.replace("square.png", "wide.png"), good[:-2] + ("AA" if good[-2:] != "AA"
                                                                    else "BB")):
        r = client.get(bad)
        assert r.status_code == 403, bad
        assert "does not match" in r.json()["error"]


def test_signature_with_another_secret_is_403(client):
    other = signed_render_url(b"another-secret-0123456789", "card", "square", "png", "p1")
    assert client.get(other).status_code == 403


def test_expiry_is_signed_and_enforced(client):
    future = int(time.time()) + 600
    ok = url(file="wide.png", expires=future)  # type: ignore[arg-type]
    r = client.get(ok)
    assert r.status_code == 200
    age = int(r.headers["cache-control"].rsplit("=", 1)[1])
    assert 0 < age <= 600            # a CDN never keeps it past the URL's expiry
    extended = ok.replace(f"exp={future}", f"exp={future + 10_000}")
    assert client.get(extended).status_code == 403
    expired = url(file="wide.png", expires=int(time.time()) - 5)  # type: ignore[arg-type]
    r = client.get(expired)
    assert r.status_code == 403 and "expired" in r.json()["error"]


def test_canonical_form_ignores_query_order_and_sig():
    a = canonical("/render/x/y.png", [("seed", "1"), ("product", "a b"), ("sig", "zz")])
    b = canonical("/render/x/y.png", [("product", "a b"), ("seed", "1")])
    assert a == b == b"/render/x/y.png?product=a%20b&seed=1"
    query = sign_query(SECRET, "/p", {"product": "x/y z", "seed": 3}, expires=2_000_000_000)
    pairs = [tuple(p.split("=", 1)) for p in query.split("&")]
    from urllib.parse import unquote
    verify(SECRET, "/p", [(k, unquote(v)) for k, v in pairs], now=1_999_999_999)
    with pytest.raises(SignatureError, match="expired"):
        verify(SECRET, "/p", [(k, unquote(v)) for k, v in pairs], now=2_000_000_001)


def test_unsigned_mode_renders_without_signature(site):
    with TestClient(create_app(site.with_(unsigned=True, secret=None))) as c:
        r = c.get("/render/card/square.png?product=p2")
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-cache"   # development: always revalidate


def test_config_refuses_unsafe_settings(tmp_path):
    with pytest.raises(ConfigError, match="no signing secret"):
        ServeConfig()
    with pytest.raises(ConfigError, match="at least 16"):
        ServeConfig(secret=b"short")
    with pytest.raises(ConfigError, match="--editor"):
        ServeConfig(secret=SECRET, editor=True)
    with pytest.raises(ConfigError, match="--max-concurrency"):
        ServeConfig(unsigned=True, max_concurrency=0)


def test_config_round_trips_through_the_environment(site):
    env = site.to_env()
    assert SECRET.decode() not in env["DDM_SERVE_CONFIG"]
    assert ServeConfig.from_env(env) == site


def test_sign_command_prints_a_url_the_server_accepts(client, tmp_path, capsys, monkeypatch):
    import argparse
    monkeypatch.setenv("DDM_SERVE_SECRET", SECRET.decode())
    parser = argparse.ArgumentParser()
    add_sign_parser(parser.add_subparsers())
    args = parser.parse_args(["sign", "card", "wide.webp", "--product", "p2", "--seed", "4",
                              "--ttl", "60"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("/render/card/wide.webp?") and "exp=" in printed
    assert client.get(printed).status_code == 200


# ---- validation ------------------------------------------------------------------------

@pytest.mark.parametrize(("template", "file", "product", "says"), [
    ("nope", "square.png", "p1", "no template \"nope\" on this server; templates: card"),
    ("card", "huge.png", "p1", "has no format \"huge\"; its formats: square, wide, poster"),
    ("card", "square.gif", "p1", "unknown output type \".gif\""),
    ("card", "square", "p1", "name the format and the output type"),
    ("card", "square.png", "p9", "no product \"p9\" in the catalogue"),
])
def test_unknown_names_are_404_with_clear_messages(client, template, file, product, says):
    path = f"/render/{template}/{file}"
    r = client.get(f"{path}?{sign_query(SECRET, path, {'product': product})}")
    assert r.status_code == 404
    assert says in r.json()["error"]


@pytest.mark.parametrize(("params", "says"), [
    ({"product": "p1", "seed": "abc"}, "`seed` must be a whole number"),
    ({"product": "p1", "seed": "-1"}, "`seed` must be 0..2147483647"),
    ({"product": "p1", "seed": "1.5"}, "`seed` must be a whole number"),
    ({"product": "p1", "quality": "101"}, "`quality` must be 1..100"),
    ({"product": "p1", "size": "9999"}, "unknown query parameter 'size'"),
    ({}, "`product` query parameter is required"),
])
def test_bad_queries_are_400(client, params, says):
    path = "/render/card/square.png"
    r = client.get(f"{path}?{sign_query(SECRET, path, params)}")
    assert r.status_code == 400
    assert says in r.json()["error"]


def test_repeated_parameter_is_400(site):
    with TestClient(create_app(site.with_(unsigned=True, secret=None))) as c:
        r = c.get("/render/card/square.png?product=p1&product=p2")
        assert r.status_code == 400 and "more than once" in r.json()["error"]


def test_product_whose_image_is_missing_is_422(client):
    r = client.get(url(product="broken"))
    assert r.status_code == 422
    assert "missing.jpg" in r.json()["error"] and "not found" in r.json()["error"]


# ---- caching ---------------------------------------------------------------------------

def test_repeat_is_a_memory_hit_and_metrics_count_it(client):
    first = client.get(url(seed=11))
    again = client.get(url(seed=11))
    assert first.headers["x-ddm-cache"] == "miss"
    assert again.headers["x-ddm-cache"] == "hit-memory"
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert metric(client, "ddm_cache_misses_total") == 1
    assert metric(client, 'ddm_cache_hits_total{store="memory"}') == 1
    assert metric(client, "ddm_render_seconds_count") == 1
    assert metric(client, 'ddm_requests_total{route="render",status="200"}') == 2
    assert metric(client, 'ddm_request_seconds_count{route="render"}') == 2


def test_if_none_match_is_304_without_a_render(client):
    etag = client.get(url(seed=12)).headers["etag"]
    r = client.get(url(seed=12), headers={"If-None-Match": f'W/"x", {etag}'})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == etag
    other = client.get(url(seed=13), headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert metric(client, "ddm_not_modified_total") == 1
    assert metric(client, "ddm_render_seconds_count") == 2


def test_key_changes_with_seed_product_and_format(client):
    tags = {client.get(u).headers["etag"] for u in (
        url(seed=1), url(seed=2), url(product="p2", seed=1), url(file="wide.png", seed=1),
        url(file="square.webp", seed=1))}
    assert len(tags) == 5


def test_disk_cache_survives_a_new_app(site):
    with TestClient(create_app(site)) as c:
        first = c.get(url(seed=21))
        assert first.headers["x-ddm-cache"] == "miss"
    stored = list((site.cache_dir or Path()).rglob("*.png"))
    assert len(stored) == 1 and stored[0].read_bytes() == first.content
    with TestClient(create_app(site)) as c:
        again = c.get(url(seed=21))
        assert again.headers["x-ddm-cache"] == "hit-disk"
        assert again.content == first.content
        assert c.get(url(seed=21)).headers["x-ddm-cache"] == "hit-memory"
        assert metric(c, "ddm_render_seconds_count") == 0


def test_memory_cache_is_bounded_by_bytes(site):
    with TestClient(create_app(site.with_(memory_cache_bytes=20_000, cache_dir=None))) as c:
        for seed in range(12):
            assert c.get(url(seed=seed)).status_code == 200
        assert metric(c, "ddm_memory_cache_bytes") <= 20_000
        assert 0 < metric(c, "ddm_memory_cache_entries") < 12


# ---- limits ----------------------------------------------------------------------------

def test_format_over_the_pixel_limit_is_422(site):
    with TestClient(create_app(site.with_(max_pixels=100_000))) as c:
        r = c.get(url(file="poster.png"))
        assert r.status_code == 422 and "--max-pixels" in r.json()["error"]
        assert c.get(url(file="poster.svg")).status_code == 200  # no pixels in an SVG


def test_output_over_the_byte_limit_is_422(site):
    with TestClient(create_app(site.with_(max_bytes=1000))) as c:
        r = c.get(url(file="square.png", seed=99))
        assert r.status_code == 422 and "--max-bytes" in r.json()["error"]


def test_render_past_the_time_limit_is_504(site):
    with TestClient(create_app(site.with_(timeout=0.001, cache_dir=None))) as c:
        r = c.get(url(file="poster.png", seed=5))
        assert r.status_code == 504 and "--timeout" in r.json()["error"]
        assert metric(c, "ddm_timeouts_total") == 1


# ---- reload ----------------------------------------------------------------------------

def test_reload_picks_up_a_new_template_and_keeps_a_broken_one(client, site):
    assert client.get(url("banner", "strip.png")).status_code == 404
    (site.template_dirs[0] / "banner.ddm").write_text(BANNER, "utf-8")
    assert client.post("/admin/reload").status_code == 403       # reload is signed too
    reload_url = f"/admin/reload?{sign_query(SECRET, '/admin/reload', {}, time.time() + 60)}"
    r = client.post(reload_url)
    assert r.status_code == 200 and r.json()["templates"] == ["banner", "card"]
    strip = client.get(url("banner", "strip.png"))
    assert strip.status_code == 200
    assert Image.open(io.BytesIO(strip.content)).size == (320, 50)

    before = client.get(url(seed=31)).headers["etag"]
    (site.template_dirs[0] / "card.ddm").write_text(CARD.replace("fill: #f4f1ea", "fill: ???"))
    r = client.post(reload_url)
    assert "previous version of `card` is still served" in "\n".join(r.json()["problems"])
    assert client.get(url(seed=31)).headers["etag"] == before

    (site.template_dirs[0] / "card.ddm").write_text(CARD.replace("#f4f1ea", "#102030"))
    client.post(reload_url)
    changed = client.get(url(seed=31))
    assert changed.headers["etag"] != before and changed.headers["x-ddm-cache"] == "miss"
    assert metric(client, "ddm_reloads_total") == 3


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() | {"status": "ok", "templates": 1, "products": 3} == r.json()


# ---- path safety -----------------------------------------------------------------------

@pytest.mark.parametrize(("template", "file", "product"), [
    ("..", "secret.txt", "p1"),
    ("%2E%2E", "secret.png", "p1"),
    ("..%2F..%2Fsecret", "square.png", "p1"),
    ("card", "..%2F..%2Fsecret.txt", "p1"),
    ("card", "%2Fetc%2Fpasswd%00.png", "p1"),
    ("%2Fetc%2Fpasswd", "square.png", "p1"),
    ("card", "square.png", "../secret.txt"),
    ("card", "square.png", "/etc/passwd"),
    ("card", "square.png", "..%2F..%2Fsecret.txt"),
])
def test_path_traversal_is_refused(site, template, file, product):
    with TestClient(create_app(site.with_(unsigned=True, secret=None))) as c:
        r = c.get(f"/render/{template}/{file}?product={quote(product, safe='%')}")
        assert r.status_code == 404, r.text
        assert b"outside the roots" not in r.content and b"root:" not in r.content


def test_cli_flags_build_the_config(tmp_path):
    import argparse

    from ddm_lang.serve.commands import add_serve_parser
    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers())
    (tmp_path / "k").write_text("  0123456789abcdef0123  \n")
    args = parser.parse_args(["serve", "--secret-file", str(tmp_path / "k"), "--templates",
                              str(tmp_path), "--max-concurrency", "3", "--pool", "process"])
    config = config_from_args(args)
    assert config.secret == b"0123456789abcdef0123"
    assert (config.max_concurrency, config.pool, config.template_dirs) == (3, "process",
                                                                           (tmp_path,))


# ---- the editor ------------------------------------------------------------------------

def test_editor_is_mounted_only_in_development_and_its_saves_reload(site, client):
    assert client.get("/editor/").status_code == 404          # not on a signed server
    dev = site.with_(unsigned=True, secret=None, editor=True)
    with TestClient(create_app(dev), base_url="http://localhost") as c:
        page = c.get("/editor/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        token = re.search(r'name="ddm-editor-token" content="([^"]+)"', page.text).group(1)
        assert c.get("/render/banner/strip.png?product=p1").status_code == 404
        saved = c.post("/editor/api/save", json={"name": "banner", "source": BANNER},
                       headers={"X-DDM-Editor-Token": token})
        assert saved.status_code == 200 and saved.json()["ok"], saved.text
        assert "reloading it failed" not in saved.json()["message"]
        assert c.get("/render/banner/strip.png?product=p1").status_code == 200
        assert metric(c, "ddm_reloads_total") == 1
    with pytest.raises(ConfigError, match="--templates"):
        create_app(ServeConfig(unsigned=True, editor=True))
