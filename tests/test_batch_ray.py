"""`ddm batch --engine ray` on a local Ray instance makes what the local engine makes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_batch import make_catalogue

from ddm_lang.batch import manifest
from ddm_lang.batch.command import main

pytestmark = pytest.mark.ray

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_engine_makes_the_same_creatives_as_the_local_engine(
        tmp_path: Path, local_ray: None) -> None:
    folder = tmp_path / "cat"
    folder.mkdir()
    catalogue = make_catalogue(folder)
    common = ["--templates", "price_tag,product_hero", "--catalogue", str(catalogue),
              "--formats", "rectangle,leaderboard"]
    assert main([*common, "--out", str(tmp_path / "local"), "--workers", "1"]) == 0
    assert main([*common, "--out", str(tmp_path / "ray"), "--engine", "ray",
                 "--workers", "2"]) == 0
    local, _ = manifest.read(tmp_path / "local" / "manifest.jsonl")
    on_ray, _ = manifest.read(tmp_path / "ray" / "manifest.jsonl")
    assert set(on_ray) == set(local) and len(local) == 12
    for key, row in on_ray.items():
        assert row["status"] == "ok", row.get("error")
        assert row["path"] == local[key]["path"]
        assert row["sha256"] == local[key]["sha256"]
        assert (tmp_path / "ray" / row["path"]).read_bytes() == \
            (tmp_path / "local" / row["path"]).read_bytes()
    assert len({row["worker"] for row in on_ray.values()}) == 2, "both actors took work"
    # resume is shared: the same batch on Ray again has nothing to do
    assert main([*common, "--out", str(tmp_path / "ray"), "--engine", "ray"]) == 0
    assert len(manifest.read(tmp_path / "ray" / "manifest.jsonl")[0]) == 12


@pytest.mark.model
def test_missing_perception_is_computed_by_ray_tasks(tmp_path: Path, local_ray: None) -> None:
    """A library without the catalogue's images is filled by the pre-pass on Ray (tasks that
    would ask for a share of a GPU on a cluster with one), with the records perception
    gives in this process, and the creatives are those of a local batch."""
    import sqlite3

    from ddm_lang.batch.prepass import missing_materials
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.perception.library import MaterialLibrary

    folder = tmp_path / "cat"
    folder.mkdir()
    catalogue = make_catalogue(folder, ("sample-bottle", "sample-mug"))
    common = ["--templates", "price_tag", "--catalogue", str(catalogue), "--formats",
              "rectangle"]
    on_ray, local = tmp_path / "ray.sqlite", tmp_path / "local.sqlite"
    materials = missing_materials(load_catalogue(catalogue), MaterialLibrary(on_ray))
    assert materials, "a new library lacks the catalogue's images"
    assert main([*common, "--out", str(tmp_path / "ray"), "--engine", "ray",
                 "--library", str(on_ray)]) == 0
    assert main([*common, "--out", str(tmp_path / "local"), "--workers", "1",
                 "--library", str(local)]) == 0

    def stored(path: Path) -> dict[str, tuple[str, bytes]]:
        with sqlite3.connect(path) as db:
            return {sha: (record, mask) for sha, record, mask in
                    db.execute("SELECT sha256, record, mask FROM records")}

    assert set(stored(on_ray)) >= {m.sha256 for m in materials}
    assert stored(on_ray) == stored(local)
    ray_rows = manifest.read(tmp_path / "ray" / "manifest.jsonl")[0]
    local_rows = manifest.read(tmp_path / "local" / "manifest.jsonl")[0]
    assert {k: r["sha256"] for k, r in ray_rows.items()} == \
        {k: r["sha256"] for k, r in local_rows.items()}
