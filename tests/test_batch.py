"""`ddm batch` with the local engine: outputs and manifest, resume, errors, a killed run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from ddm_lang.api import load_template
from ddm_lang.batch import manifest
from ddm_lang.batch.command import main
from ddm_lang.batch.plan import (
    BatchError,
    Settings,
    load_templates,
    make_plan,
    output_path,
    template_paths,
)
from ddm_lang.perception.catalogue import load_catalogue
from ddm_lang.stdlib_templates import stdlib_dir

SAMPLES = stdlib_dir() / "samples"
PRODUCTS = ("sample-bottle", "sample-mug", "sample-sneaker")
TEMPLATES = "product_hero,price_tag"
FORMATS = "rectangle,leaderboard"


def make_catalogue(folder: Path, products: tuple[str, ...] = PRODUCTS,
                   missing_image: str | None = None) -> Path:
    """A few sample products with their images copied beside a catalogue file in `folder`;
    `missing_image` names a product whose photo is not there."""
    records = [p for p in json.loads((SAMPLES / "catalogue.json").read_text("utf-8"))
               if p["id"] in products]
    for record in records:
        for rel in record["images"] + record["brand"]["logos"]:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            if record["id"] != missing_image or rel not in record["images"]:
                shutil.copy(SAMPLES / rel, folder / rel)
    path = folder / "catalogue.json"
    path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    return path


def batch(catalogue: Path, out: Path, *extra: str, formats: str = FORMATS) -> int:
    return main(["--templates", TEMPLATES, "--catalogue", str(catalogue), "--formats", formats,
                 "--out", str(out), "--workers", "1", *extra])


def rows_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir()
    return make_catalogue(folder)


@pytest.mark.slow
@pytest.mark.model
def test_batch_writes_every_creative_and_a_manifest_row_for_each(
        catalogue: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert batch(catalogue, out) == 0
    rows = rows_of(out)
    assert len(rows) == 3 * 2 * 2
    assert {(r["template"], r["product"], r["format"]) for r in rows} == {
        (t, p, f) for t in ("product_hero", "price_tag") for p in PRODUCTS
        for f in ("rectangle", "leaderboard")}
    assert len({r["key"] for r in rows}) == len(rows)
    for row in rows:
        assert row["status"] == "ok", row.get("error")
        data = (out / row["path"]).read_bytes()
        assert row["path"] == f"{row['template']}/{row['product']}-{row['format']}.jpg"
        assert row["bytes"] == len(data)
        assert row["sha256"] == __import__("hashlib").sha256(data).hexdigest()
        assert Image.open(out / row["path"]).size == (row["width"], row["height"])
        assert set(row["ms"]) == {"compile", "raster", "encode", "write"}
        assert row["inputs"]["template_sha256"] and row["inputs"]["product_sha256"]
        assert all(len(h) == 64 for h in row["inputs"]["materials"].values())
    # the batch's bytes are those of the library's own compile → render path
    row = rows[0]
    base = catalogue.parent
    product = load_catalogue(catalogue).get(row["product"])
    assert product is not None
    template = load_template(stdlib_dir() / f"{row['template']}.ddm")
    expected = template.compile(product.as_dict(), row["format"], base_dir=base).render("jpg")
    assert (out / row["path"]).read_bytes() == expected
    assert "12 to do" in capsys.readouterr().out


@pytest.mark.slow
def test_rerun_with_nothing_changed_does_nothing_and_a_change_redoes_only_its_creatives(
        catalogue: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert batch(catalogue, out) == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.jpg")}
    lines = len(rows_of(out))
    capsys.readouterr()
    assert batch(catalogue, out) == 0
    assert "0 to do: all 12 creatives" in capsys.readouterr().out
    assert len(rows_of(out)) == lines
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.jpg")} == before

    records = json.loads(catalogue.read_text("utf-8"))
    records[1]["title"] = "Terracotta Mug, Second Edition"
    catalogue.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    (out / "price_tag" / "sample-bottle-rectangle.jpg").unlink()     # a lost output
    assert batch(catalogue, out) == 0
    redone = rows_of(out)[lines:]
    assert sorted((r["product"], r["template"], r["format"]) for r in redone) == sorted(
        [("sample-mug", t, f) for t in ("product_hero", "price_tag")
         for f in ("rectangle", "leaderboard")] + [("sample-bottle", "price_tag", "rectangle")])


def test_a_bad_product_is_a_manifest_error_and_the_rest_is_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cat"
    folder.mkdir()
    catalogue = make_catalogue(folder, missing_image="sample-mug")
    out = tmp_path / "out"
    assert batch(catalogue, out) == 1
    rows = rows_of(out)
    bad = [r for r in rows if r["status"] != "ok"]
    assert {r["product"] for r in bad} == {"sample-mug"} and len(bad) == 4
    assert all("mug.jpg" in r["error"] and "sample-mug" in r["error"] for r in bad)
    assert all(not (out / r["path"]).exists() for r in bad)
    good = [r for r in rows if r["status"] == "ok"]
    assert len(good) == 8 and all((out / r["path"]).is_file() for r in good)
    assert "sample-mug" in capsys.readouterr().err
    # a rerun retries only the failed creatives: once the photo is there they succeed
    shutil.copy(SAMPLES / "images" / "mug.jpg", folder / "images" / "mug.jpg")
    assert batch(catalogue, out) == 0
    retried = rows_of(out)[len(rows):]
    assert {r["product"] for r in retried} == {"sample-mug"}
    assert all(r["status"] == "ok" for r in retried) and len(retried) == 4


@pytest.mark.slow
def test_a_killed_batch_resumes_with_only_the_missing_work(catalogue: Path, tmp_path: Path
                                                           ) -> None:
    out = tmp_path / "out"
    formats = "rectangle,leaderboard,banner"
    args = [sys.executable, "-m", "ddm_lang.batch", "--templates", TEMPLATES, "--catalogue",
            str(catalogue), "--formats", formats, "--out", str(out), "--workers", "1"]
    assert batch(catalogue, tmp_path / "warm", formats="rectangle") == 0  # perception cached
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=os.environ.copy())
    path = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= 3:
            break
        assert process.poll() is None, "the batch ended before it could be killed"
        time.sleep(0.01)
    assert process.poll() is None
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    first, _ = manifest.read(path)
    assert 3 <= len(first) < 18, "the kill should land half-way"
    with path.open("ab") as fh:  # as if the kill had torn the last line
        fh.write(b'{"key": "torn')
    for jpg in out.rglob("*.jpg"):  # nothing half-written under a final name
        Image.open(jpg).load()
    undone = next(f"{t}/{p}-{f}.jpg" for t in ("price_tag", "product_hero") for p in PRODUCTS
                  for f in formats.split(",")
                  if f"{t}/{p}-{f}.jpg" not in {r["path"] for r in first.values()})
    leftover = out / Path(undone).with_name(f".{Path(undone).name}.x1y2z3")  # write_atomic's
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"partial")

    assert main(args[3:]) == 0
    rows, torn = manifest.read(path)
    assert torn == 1 and len(rows) == 18 and all(r["status"] == "ok" for r in rows.values())
    lines = path.read_text().splitlines()
    redone = [json.loads(line)["key"] for line in lines[len(first) + 1:]]
    assert sorted(redone) == sorted(set(rows) - set(first)), "only the missing work is redone"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.jpg")) == sorted(
        r["path"] for r in rows.values())
    assert not leftover.exists()
    assert [p.name for p in out.rglob(".*")] == []


def test_keys_follow_inputs_and_paths_stay_inside(catalogue: Path) -> None:
    templates = load_templates(template_paths(["price_tag"]))
    cat = load_catalogue(catalogue)

    def keys(settings: Settings, formats: list[str] | None = None) -> dict:
        plan = make_plan(templates, cat, settings, formats, "v1")
        return {(u.product, u.format): u.key for u in plan.units}

    base = keys(Settings())
    assert base == keys(Settings())
    assert set(base) == {(p, f.name) for p in PRODUCTS for f in templates["price_tag"].formats}
    assert not set(base.values()) & set(keys(Settings(quality=80)).values())
    assert not set(base.values()) & set(keys(Settings(image_format="png")).values())
    assert not set(base.values()) & set(keys(Settings(seed=1)).values())
    assert set(keys(Settings(), ["feed"])) == {(p, "feed") for p in PRODUCTS}
    assert output_path("t", "Fruit/Apple/Golden Delicious", "feed", "jpg") == \
        "t/Fruit/Apple/Golden_Delicious-feed.jpg"
    assert output_path("t", "../../etc/passwd", "feed", "jpg") == "t/etc/passwd-feed.jpg"
    with pytest.raises(BatchError, match="served by none"):
        make_plan(templates, cat, Settings(), ["poster"], "v1")
    with pytest.raises(BatchError, match="bundled"):
        template_paths(["no_such_template"])
    with pytest.raises(BatchError, match="quality"):
        Settings(quality=0)


def test_usage_errors_are_messages_not_tracebacks(catalogue: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--templates", "nope", "--catalogue", str(catalogue), "--out",
                 str(tmp_path / "o")]) == 1
    assert "ddm: error: template `nope`" in capsys.readouterr().err
    assert main(["--templates", "price_tag", "--catalogue", str(tmp_path / "none.json"),
                 "--out", str(tmp_path / "o")]) == 1
    assert "catalogue not found" in capsys.readouterr().err
    assert main(["--templates", "price_tag", "--catalogue", str(catalogue),
                 "--out", "memory://bucket/x"]) == 1
    assert "--manifest" in capsys.readouterr().err


def test_outputs_to_an_fsspec_url(catalogue: Path, tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    out = "memory://ddm-batch-test/run"
    assert main(["--templates", "price_tag", "--catalogue", str(catalogue), "--formats",
                 "rectangle", "--out", out, "--manifest", str(tmp_path / "m.jsonl"),
                 "--workers", "1"]) == 0
    fs = fsspec.filesystem("memory")
    rows, _ = manifest.read(tmp_path / "m.jsonl")
    assert len(rows) == 3
    for row in rows.values():
        assert fs.cat_file(f"{out}/{row['path']}")[:3] == b"\xff\xd8\xff"


def test_manifest_reader_skips_a_torn_line_and_the_writer_starts_a_new_one(
        tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    with manifest.Writer(path) as writer:
        writer.write({"key": "a", "status": "ok"})
    with path.open("ab") as fh:
        fh.write(b'{"key": "b", "sta')
    with manifest.Writer(path) as writer:
        writer.write({"key": "c", "status": "error"})
        writer.write({"key": "a", "status": "error"})
    rows, bad = manifest.read(path)
    assert bad == 1
    assert {k: r["status"] for k, r in rows.items()} == {"a": "error", "c": "error"}
