"""`ddm batch --out s3://...` over a real S3 protocol stack: s3fs speaking HTTP to moto's S3
server on the loopback address. The endpoint and credentials reach the batch, and its
spawned workers, only through the standard AWS environment variables."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from PIL import Image
from test_batch import PRODUCTS, make_catalogue

from ddm_lang.batch.command import main

pytestmark = pytest.mark.s3

s3fs = pytest.importorskip("s3fs")
boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

TEMPLATES = ("product_hero", "price_tag")
FORMAT = "rectangle"
MAGIC = {"jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}


class Bucket(NamedTuple):
    name: str
    client: Any   # a plain boto3 client, to look at the bucket independently of s3fs

    def objects(self) -> dict[str, str]:
        """Key → ETag of every object in the bucket."""
        listing = self.client.list_objects_v2(Bucket=self.name)
        return {o["Key"]: o["ETag"] for o in listing.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.name, Key=key)["Body"].read())


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for this module's tests."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        assert host == "127.0.0.1"
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Bucket]:
    """A fresh bucket, and the AWS environment pointing at the server (spawned workers
    inherit it)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION",
                 *(n for n in os.environ if n.startswith("FSSPEC_S3"))):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    s3fs.S3FileSystem.clear_instance_cache()   # no client made for another endpoint
    made = Bucket(f"ddm-batch-{uuid.uuid4().hex[:12]}", boto3.client("s3"))
    made.client.create_bucket(Bucket=made.name)
    yield made
    s3fs.S3FileSystem.clear_instance_cache()


def batch(catalogue: Path, out: str, manifest: Path, *extra: str) -> int:
    return main(["--templates", ",".join(TEMPLATES), "--catalogue", str(catalogue),
                 "--formats", FORMAT, "--out", out, "--manifest", str(manifest), *extra])


def lines(manifest: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in manifest.read_text("utf-8").splitlines()]


def test_batch_writes_to_s3_and_resumes_from_what_the_bucket_holds(
        bucket: Bucket, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cat"
    folder.mkdir()
    catalogue = make_catalogue(folder)
    out = f"s3://{bucket.name}/run"
    manifest = tmp_path / "manifest.jsonl"
    expected = {f"{t}/{p}-{FORMAT}.jpg" for t in TEMPLATES for p in PRODUCTS}

    # a URL output keeps its manifest in a local file, which must be named
    assert main(["--templates", TEMPLATES[0], "--catalogue", str(catalogue),
                 "--out", out]) == 1
    assert "--manifest" in capsys.readouterr().err
    assert bucket.objects() == {}

    # spawned workers write the objects: the endpoint reaches them through the environment
    assert batch(catalogue, out, manifest, "--workers", "2") == 0
    assert f"{len(expected)} to do" in capsys.readouterr().out
    rows = lines(manifest)
    assert [r["status"] for r in rows] == ["ok"] * len(expected)
    assert {r["path"] for r in rows} == expected
    assert os.getpid() not in {r["worker"] for r in rows}
    made = bucket.objects()
    assert set(made) == {f"run/{rel}" for rel in expected}   # creatives only: no manifest
    for row in rows:
        data = bucket.read(f"run/{row['path']}")
        assert data.startswith(MAGIC[row["image_format"]])
        assert len(data) == row["bytes"] > 2000
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert Image.open(io.BytesIO(data)).size == (row["width"], row["height"])

    # the same run again: every creative is in the manifest and in the bucket
    assert batch(catalogue, out, manifest, "--workers", "1") == 0
    assert f"0 to do: all {len(expected)} creatives" in capsys.readouterr().out
    assert lines(manifest) == rows
    assert bucket.objects() == made

    # an object lost from the bucket is made again, and only that one
    lost = f"{TEMPLATES[1]}/{PRODUCTS[0]}-{FORMAT}.jpg"
    bucket.client.delete_object(Bucket=bucket.name, Key=f"run/{lost}")
    assert f"run/{lost}" not in bucket.objects()
    assert batch(catalogue, out, manifest, "--workers", "1") == 0
    assert f"1 to do ({len(expected) - 1} of {len(expected)} already done" in \
        capsys.readouterr().out
    redone = lines(manifest)[len(rows):]
    assert [(r["path"], r["status"]) for r in redone] == [(lost, "ok")]
    assert bucket.objects() == made   # the same bytes again, the rest untouched
    assert hashlib.sha256(bucket.read(f"run/{lost}")).hexdigest() == redone[0]["sha256"]
