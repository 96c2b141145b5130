"""`ddm serve` on a real socket: uvicorn on loopback, concurrent clients, the queue bound,
the process pool, and the command line with SIGHUP reload."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from _uvicorn import serving_app
from test_serve import BANNER, SECRET, make_site, url

from ddm_lang.serve.app import create_app
from ddm_lang.serve.config import ServeConfig

pytestmark = pytest.mark.slow  # real servers on sockets, with worker processes


def serving(config: ServeConfig):  # type: ignore[no-untyped-def]
    """The service under uvicorn in a thread, on a loopback port the OS picked."""
    return serving_app(create_app(config))


def metric(base: str, name: str) -> float:
    text = httpx.get(f"{base}/metrics").text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


async def fetch_all(urls: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=120) as client:
        return await asyncio.gather(*(client.get(u) for u in urls))


def wait_idle(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        health = httpx.get(f"{base}/healthz").json()
        if health["running"] == 0 and health["queued"] == 0:
            return
        assert time.monotonic() < deadline, health
        time.sleep(0.05)


@pytest.fixture
def site(tmp_path: Path) -> ServeConfig:
    templates, catalogue = make_site(tmp_path)
    return ServeConfig(template_dirs=(templates,), catalogue=catalogue, secret=SECRET)


def test_full_queue_answers_503_and_the_server_recovers(site):
    # One render at a time and one waiting: a burst of distinct large renders must overflow.
    config = site.with_(max_concurrency=1, queue_size=1)
    with serving(config) as base:
        burst = [base + url(file="poster.png", seed=s) for s in range(10)]
        responses = asyncio.run(fetch_all(burst))
        codes = [r.status_code for r in responses]
        assert set(codes) == {200, 503}, codes
        busy = [r for r in responses if r.status_code == 503]
        assert all(r.headers["retry-after"] == "1" and "busy" in r.json()["error"]
                   for r in busy)
        assert metric(base, "ddm_rejected_total") == len(busy)
        assert metric(base, 'ddm_requests_total{route="render",status="503"}') == len(busy)
        wait_idle(base)
        retry = httpx.get(base + url(file="poster.png", seed=codes.index(503)), timeout=120)
        assert retry.status_code == 200


def test_identical_concurrent_requests_share_one_render(site):
    with serving(site.with_(max_concurrency=1, queue_size=0)) as base:
        same = [base + url(file="poster.jpg", seed=77)] * 6
        responses = asyncio.run(fetch_all(same))
        assert [r.status_code for r in responses] == [200] * 6
        assert len({r.content for r in responses}) == 1
        assert metric(base, "ddm_render_seconds_count") == 1


def test_process_pool_renders_the_same_bytes(site):
    with serving(site) as base:
        threaded = httpx.get(base + url(file="wide.png", seed=3), timeout=60)
    with serving(site.with_(pool="process", max_concurrency=1)) as base:
        spawned = httpx.get(base + url(file="wide.png", seed=3), timeout=60)
        assert spawned.status_code == 200, spawned.text
        assert spawned.headers["x-ddm-cache"] == "miss"
    assert spawned.content == threaded.content
    assert spawned.headers["etag"] == threaded.headers["etag"]


def test_command_line_server_reloads_on_sighup(tmp_path):
    templates, catalogue = make_site(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ddm_lang.serve", "--unsigned", "--templates", str(templates),
         "--catalogue", str(catalogue), "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.communicate()[0]
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        assert httpx.get(f"{base}/render/banner/strip.png?product=p1").status_code == 404
        (templates / "banner.ddm").write_text(BANNER, "utf-8")
        proc.send_signal(signal.SIGHUP)
        while httpx.get(f"{base}/healthz").json()["generation"] < 2:
            assert time.monotonic() < deadline, "no reload after SIGHUP"
            time.sleep(0.05)
        r = httpx.get(f"{base}/render/banner/strip.png?product=p1", timeout=60)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "UNSIGNED mode" in output and "Traceback" not in output
