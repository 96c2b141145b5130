"""A product feed read as a catalogue: detection before suffix, the image mirror, rows left
out with their reasons, and a feed going from file to creatives with `ddm batch`."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from ddm_lang.batch.command import main as batch_main
from ddm_lang.cli import main as ddm_main
from ddm_lang.perception.catalogue import CatalogueError, load_catalogue, validate_product
from ddm_lang.perception.commands import origins
from ddm_lang.perception.feeds.load import image_urls
from ddm_lang.perception.mirror import mirror_path
from ddm_lang.stdlib_templates import stdlib_dir

SAMPLES = stdlib_dir() / "samples"
SHOP = "https://shop.example/media/"
FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def sample_records(ids: tuple[str, ...]) -> list[dict]:
    records = json.loads((SAMPLES / "catalogue.json").read_text("utf-8"))
    return [r for r in records if r["id"] in ids]


def write_rss(folder: Path, ids: tuple[str, ...], *, mirror: bool = True,
              skip_mirror: tuple[str, ...] = (), shop: str = SHOP) -> Path:
    """A Merchant Center RSS feed of sample products whose images are shop URLs, with the
    image mirror filled from the sample photos (except for `skip_mirror` products)."""
    items = []
    for r in sample_records(ids):
        url = shop + Path(r["images"][0]).name
        if mirror and r["id"] not in skip_mirror:
            target = folder / "images" / str(mirror_path(url))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(SAMPLES / r["images"][0], target)
        price = r["price"]
        brand = f'<g:brand>{escape(r["brand"]["name"])}</g:brand>' if r.get("brand") else ""
        sale = round(price["amount"] * (1 - price.get("discount", 0) / 100), 2)
        items.append(f"""<item>
<g:id>{escape(r["id"])}</g:id><title>{escape(r["title"])}</title>
<description>{escape("; ".join(r.get("selling_points", [])))}</description>
<link>https://shop.example/p/{r["id"]}</link><g:image_link>{url}</g:image_link>
{brand}
<g:price>{price["amount"]:.2f} {price["currency"]}</g:price>
<g:sale_price>{sale:.2f} {price["currency"]}</g:sale_price>
<g:availability>in_stock</g:availability><g:product_type>Shop &gt; {r["category"]}</g:product_type>
</item>""")
    feed = folder / "shop-feed.xml"
    feed.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                    'xmlns:g="http://base.google.com/ns/1.0"><channel><title>Shop</title>'
                    "<language>en</language>" + "".join(items) + "</channel></rss>", "utf-8")
    return feed


def test_a_feed_loads_as_a_catalogue_with_its_images_from_the_mirror(tmp_path: Path) -> None:
    feed = write_rss(tmp_path, ("sample-bottle", "sample-mug"))
    catalogue = load_catalogue(feed)
    assert catalogue.kind == "gmc-rss" and catalogue.notes == ()
    bottle = catalogue.get("sample-bottle")
    assert bottle is not None
    assert bottle.images == ("images/shop.example/media/bottle.jpg",)
    assert bottle.image_paths()[0].is_file()
    assert bottle.price is not None and bottle.price.currency == "USD"
    assert bottle.price.amount == 12.9 and bottle.price.discount == pytest.approx(20, abs=0.1)
    assert bottle.category == "grocery" and bottle.lang == "en"
    assert bottle.brand is not None and bottle.brand.name == "Grove & Co"
    assert bottle.attributes["availability"] == "in_stock"
    assert list(image_urls(feed)) == [SHOP + "bottle.jpg", SHOP + "mug.jpg"]


def test_rows_without_local_images_are_left_out_and_say_how_to_fetch(tmp_path: Path) -> None:
    feed = write_rss(tmp_path, ("sample-bottle", "sample-mug"), skip_mirror=("sample-mug",))
    catalogue = load_catalogue(feed)
    assert [p.id for p in catalogue] == ["sample-bottle"]
    text = "\n".join(catalogue.notes)
    assert 'product "sample-mug": no image in the mirror images/' in text
    assert SHOP + "mug.jpg → shop.example/media/mug.jpg" in text
    assert f"ddm materials fetch {feed}" in text


def test_a_feed_with_no_usable_row_is_refused_with_every_reason(tmp_path: Path) -> None:
    feed = write_rss(tmp_path, ("sample-bottle", "sample-mug"), mirror=False)
    with pytest.raises(CatalogueError) as err:
        load_catalogue(feed)
    assert sum("no image in the mirror" in p for p in err.value.problems) == 2


def test_the_mirror_must_lie_inside_the_feeds_folder(tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    feed = write_rss(folder, ("sample-bottle",))
    with pytest.raises(CatalogueError, match="must be inside the feed's folder"):
        load_catalogue(feed, images=tmp_path / "elsewhere")
    with pytest.raises(CatalogueError, match="must be inside the feed's folder"):
        load_catalogue(feed, images="../elsewhere")


def test_a_meta_csv_named_csv_is_read_as_a_feed_not_as_our_csv(tmp_path: Path) -> None:
    """The suffix decides nothing: a Meta catalogue CSV would otherwise fail our own CSV's
    column check."""
    feed = tmp_path / "meta.csv"
    shutil.copy(FEEDS / "meta_gbase.csv", feed)
    with pytest.raises(CatalogueError) as err:
        load_catalogue(feed)
    assert all("unknown column" not in p for p in err.value.problems)
    assert any("no image in the mirror" in p for p in err.value.problems)


def test_a_shopify_feed_takes_the_currency_it_lacks_from_the_caller(tmp_path: Path) -> None:
    feed = tmp_path / "products.json"
    shutil.copy(FEEDS / "shopify_products.json", feed)
    urls = list(image_urls(feed, currency="USD"))
    assert urls and all(u.startswith("https://cdn.shopify.com/") for u in urls)
    for url in urls:
        target = tmp_path / "images" / str(mirror_path(url))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / "images" / "mug.jpg", target)
    catalogue = load_catalogue(feed, currency="USD")
    assert catalogue.kind == "shopify-json" and len(catalogue) >= 1
    assert all(p.price is None or p.price.currency == "USD" for p in catalogue)
    # the product without any image stays out, named
    assert any('field "images" is required' in n for n in catalogue.notes)


def test_sources_say_where_facts_came_from_and_are_checked(tmp_path: Path) -> None:
    record = {"id": "a", "title": "A", "images": ["a.jpg"],
              "selling_points": ["Keeps tea hot for 12 hours"],
              "sources": {"selling_point:0": "images/detail.jpg, block 3"}}
    product = validate_product(record, source="p.json", base=tmp_path)
    assert product.sources["selling_point:0"] == "images/detail.jpg, block 3"
    assert product.as_dict()["sources"] == record["sources"]
    assert "sources" not in validate_product({**record, "sources": None}, source="p.json",
                                             base=tmp_path).as_dict()
    with pytest.raises(CatalogueError, match=r'field "sources\.Not an id"'):
        validate_product({**record, "sources": {"Not an id": "x"}}, source="p.json",
                         base=tmp_path)
    with pytest.raises(CatalogueError, match=r'field "sources\.title" must be a string'):
        validate_product({**record, "sources": {"title": 3}}, source="p.json", base=tmp_path)


def test_materials_fetch_refuses_what_is_not_a_feed(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "catalogue.json"
    own.write_text(json.dumps(sample_records(("sample-bottle",))), "utf-8")
    assert ddm_main(["materials", "fetch", str(own)]) != 0
    assert "not a product feed" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.model
def test_a_feed_goes_from_file_to_creatives_with_one_command(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = write_rss(tmp_path, ("sample-bottle", "sample-coffee", "sample-lamp"),
                     skip_mirror=("sample-lamp",))
    out = tmp_path / "out"
    code = batch_main(["--templates", "product_hero", "--catalogue", str(feed), "--formats",
                       "rectangle", "--out", str(out), "--workers", "1",
                       "--library", str(tmp_path / "lib.sqlite")])
    assert code == 0
    err = capsys.readouterr().err
    assert 'product "sample-lamp": no image in the mirror' in err
    assert "2 products read, 1 rows left out" in err
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.jpg"))
    assert len(made) == 2 and any("sample-bottle" in m for m in made) \
        and any("sample-coffee" in m for m in made), made


@pytest.fixture
def image_server() -> Iterator[str]:
    """The sample photos served over HTTP on the loopback address, as a shop's CDN."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(SAMPLES / "images"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_materials_fetch_fills_the_mirror_within_the_policy(
        tmp_path: Path, image_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    feed = write_rss(tmp_path, ("sample-bottle", "sample-mug"), mirror=False, shop=image_server)
    assert ddm_main(["materials", "fetch", str(feed), "--allow-http"]) == 1
    assert "loopback" in capsys.readouterr().err       # private addresses need consent
    assert not (tmp_path / "images").exists()
    args = ["materials", "fetch", str(feed), "--allow-http", "--allow-address", "127.0.0.1"]
    assert ddm_main(args) == 0
    assert "2 fetched" in capsys.readouterr().out
    catalogue = load_catalogue(feed)
    assert [p.id for p in catalogue] == ["sample-bottle", "sample-mug"]
    photo = catalogue.products[0].image_paths()[0]
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    found = origins(photo, sha)
    assert len(found) == 1 and found[0].startswith(f"downloaded from {image_server}bottle.jpg (")
    assert "changed" not in found[0]
    assert "the file has changed since" in origins(photo, "0" * 64)[0]
    assert ddm_main(args) == 0
    assert "2 cached" in capsys.readouterr().out
    assert ddm_main([*args, "--max-image-mb", "-1"]) != 0
    assert "download limits" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.model
def test_batch_fetches_a_feeds_images_then_makes_the_creatives(
        tmp_path: Path, image_server: str) -> None:
    feed = write_rss(tmp_path, ("sample-sneaker",), mirror=False, shop=image_server)
    out = tmp_path / "out"
    assert batch_main(["--templates", "price_tag", "--catalogue", str(feed), "--formats",
                       "rectangle", "--out", str(out), "--workers", "1", "--library",
                       str(tmp_path / "lib.sqlite"), "--fetch-images", "--allow-http",
                       "--allow-address", "127.0.0.1"]) == 0
    assert len(list(out.rglob("*.jpg"))) == 1


@pytest.mark.slow
@pytest.mark.model
def test_compile_takes_one_product_of_a_feed_and_reports_what_it_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = write_rss(tmp_path, ("sample-bottle", "sample-mug"), skip_mirror=("sample-mug",))
    out = tmp_path / "bottle.svg"
    assert ddm_main(["compile", "product_hero", "--catalogue", str(feed), "--id",
                     "sample-bottle", "--format", "feed", "-o", str(out)]) == 0
    assert "Evergreen" in out.read_text("utf-8")
    assert 'product "sample-mug": no image in the mirror' in capsys.readouterr().err


def test_a_feeds_listing_data_is_not_copy(tmp_path: Path) -> None:
    """Merchant Center's availability ("in_stock") is for the shop system: a caption that
    said "In_stock" under the title was the first thing a feed's creative showed."""
    from ddm_lang.copy.facts import Facts
    feed = write_rss(tmp_path, ("sample-bottle",))
    facts = Facts.from_product(load_catalogue(feed).products[0])
    assert ("availability", "in_stock") in facts.attributes
    assert all(key != "availability" for key, _ in facts.copy_attributes())


def test_a_woocommerce_export_loads_with_its_variations_folded_in(tmp_path: Path) -> None:
    """Variation rows are not products of their own (the reader says so in a note, with no
    problem); they must not be counted as rows left out, nor break the loader."""
    feed = tmp_path / "export.csv"
    shutil.copy(FEEDS / "woocommerce_export.csv", feed)
    for url in image_urls(feed, currency="USD"):
        target = tmp_path / "images" / str(mirror_path(url))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / "images" / "mug.jpg", target)
    catalogue = load_catalogue(feed, currency="USD")
    assert catalogue.kind == "woocommerce-csv" and len(catalogue) >= 3
    assert not any(n.startswith("left out: ") for n in catalogue.notes)
    assert any("variation" in n for n in catalogue.notes)
