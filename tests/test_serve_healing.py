"""`ddm serve` under failure and abuse, on a real socket with real worker processes: a
killed worker, a runaway render, SIGTERM during a render, errors that must stay JSON,
idle and slow connections, an editor driven from another site, replayed reload URLs."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from _uvicorn import serving_app
from test_serve import SECRET, make_site, url

from ddm_lang.serve.app import create_app
from ddm_lang.serve.config import ServeConfig
from ddm_lang.serve.connections import uvicorn_options
from ddm_lang.serve.signing import RELOAD_MAX_TTL, sign_query

# A blur and a dilation over four megapixels of the largest canvas: within the renderer's
# work budget, but a second or more of CPU, and longer to encode.
SLOW = """template slow "A render that runs for a long time"
formats big 4096x4096

raw \"\"\"
<filter id="heavy" filterUnits="userSpaceOnUse" x="0" y="0" width="2000" height="2000">
  <feGaussianBlur stdDeviation="40"/><feMorphology radius="30"/>
</filter>
<rect width="2000" height="2000" fill="#cc3333" filter="url(#heavy)"/>
\"\"\"
"""
RUNAWAY = "ab " * 666       # 1998 characters, under the catalogue's limit of 2000


def add_products(catalogue: Path, *products: dict[str, object]) -> None:
    records = json.loads(catalogue.read_text("utf-8"))
    catalogue.write_text(json.dumps(records + list(products)), "utf-8")


@pytest.fixture
def site(tmp_path: Path) -> ServeConfig:
    templates, catalogue = make_site(tmp_path)
    add_products(catalogue, {"id": "runaway", "title": RUNAWAY, "images": ["photo.jpg"]})
    (templates / "slow.ddm").write_text(SLOW, "utf-8")
    return ServeConfig(template_dirs=(templates,), catalogue=catalogue, secret=SECRET,
                       pool="process", max_concurrency=1, queue_size=4)


def serving(config: ServeConfig, app=None):  # type: ignore[no-untyped-def]
    """The service under uvicorn with the connection settings `ddm serve` uses."""
    return serving_app(app or create_app(config), **uvicorn_options(config))


def health(base: str) -> httpx.Response:
    return httpx.get(f"{base}/healthz", timeout=30)


def wait_for(predicate, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


# ---- worker processes ---------------------------------------------------------------------

@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_health_tells(site):
    with serving(site.with_(max_concurrency=2)) as base:
        assert httpx.get(base + url(seed=1), timeout=60).status_code == 200
        workers = multiprocessing.active_children()
        assert len(workers) == 2
        for worker in workers:            # as the OOM killer would
            os.kill(worker.pid, signal.SIGKILL)
        for worker in workers:
            worker.join(10)
        r = httpx.get(base + url(seed=2), timeout=60)
        assert r.status_code == 200, r.text
        state = health(base)
        assert state.status_code == 200, state.text
        assert state.json()["status"] == "ok"
        assert state.json()["workers"]["alive"] == state.json()["workers"]["expected"] == 2
        assert state.json()["workers"]["restarts"] >= 2
        assert not {w.pid for w in workers} & {w.pid for w in multiprocessing.active_children()}


def test_health_is_503_while_no_worker_can_serve(site):
    # Before the pool started (no lifespan yet) there is no worker: a balancer must not route.
    from starlette.testclient import TestClient
    r = TestClient(create_app(site)).get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "unavailable"
    assert r.json()["workers"] == {"alive": 0, "expected": 1, "restarts": 0}


@pytest.mark.slow
def test_a_render_past_its_time_limit_frees_its_worker(site):
    with serving(site.with_(timeout=1.0)) as base:
        started = time.monotonic()
        r = httpx.get(base + url("slow", "big.png", product="runaway"), timeout=60)
        assert r.status_code == 504 and r.json()["code"] == "gateway_timeout"
        assert time.monotonic() - started < 10
        # The runaway's process was killed and replaced: the one slot is free again.
        wait_for(lambda: health(base).json()["running"] == 0, 60, "the worker stayed busy")
        assert health(base).json()["workers"]["restarts"] == 1
        ok = httpx.get(base + url(product="p1", seed=4), timeout=60)
        assert ok.status_code == 200, ok.text


@pytest.mark.slow
def test_sigterm_drains_and_exits_within_the_graceful_timeout(site):
    templates, catalogue = site.template_dirs[0], site.catalogue
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ddm_lang.serve", "--unsigned", "--templates", str(templates),
         "--catalogue", str(catalogue), "--port", str(port), "--timeout", "300",
         "--max-concurrency", "1", "--graceful-timeout", "2"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        def up() -> bool:
            assert proc.poll() is None, proc.communicate()[0]
            try:
                return health(base).status_code == 200
            except httpx.TransportError:
                return False
        wait_for(up, 90, "server did not start")
        runaway = threading.Thread(target=lambda: _get_quietly(
            f"{base}/render/slow/big.png?product=runaway"), daemon=True)
        runaway.start()
        wait_for(lambda: health(base).json()["running"] == 1, 30, "the render did not start")
        stopping = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert time.monotonic() - stopping < 2 + 8    # the graceful timeout, then the pool
    finally:
        if proc.poll() is None:
            proc.kill()
        output = proc.communicate(timeout=30)[0]
    # uvicorn ends by re-raising the signal it shut down for
    assert proc.returncode in (0, -signal.SIGTERM), output


def _get_quietly(address: str) -> None:
    with contextlib.suppress(httpx.TransportError):   # the server goes away mid-request
        httpx.get(address, timeout=120)


# ---- errors stay JSON ---------------------------------------------------------------------

def test_an_unexpected_exception_is_a_json_500_without_paths(site):
    app = create_app(site.with_(pool="thread"))

    async def boom(request):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"cannot open {site.catalogue}")
    app.add_route("/boom", boom)
    with serving(site, app) as base:
        r = httpx.get(f"{base}/boom")
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    assert r.json()["code"] == "internal_server_error" and r.json()["error"]
    assert str(site.catalogue.parent) not in r.text and "Traceback" not in r.text
    assert r.headers["cache-control"] == "no-store"


# ---- connections --------------------------------------------------------------------------

@pytest.mark.slow
def test_idle_and_slow_connections_are_closed_and_health_still_answers(site):
    config = site.with_(pool="thread", max_connections=40, header_timeout=1.0,
                        keep_alive=1.0)
    with serving(config) as base:
        port = int(base.rpartition(":")[2])
        socks = []
        for i in range(300):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if i % 3 == 0:        # slowloris: a request head that never ends
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socks.append(sock)
        try:
            r = health(base)
            assert r.status_code == 200, r.text
            time.sleep(config.header_timeout + 1.5)
            for sock in socks:
                sock.settimeout(5)
                with contextlib.suppress(ConnectionResetError):
                    assert sock.recv(1024) == b"", "an idle connection was left open"
            with httpx.Client() as client:    # keep-alive ends after `keep_alive` seconds
                assert client.get(f"{base}/healthz").status_code == 200
                time.sleep(config.keep_alive + 1)
                assert client.get(f"{base}/healthz").status_code == 200
        finally:
            for sock in socks:
                sock.close()


# ---- the editor ---------------------------------------------------------------------------

HUGE = """template huge "Too large to download"
formats giant 16384x16384

rect background { box: 0 0 100% 100%; fill: #203040 }
"""


@pytest.fixture
def editor(site):  # type: ignore[no-untyped-def]
    dev = site.with_(unsigned=True, secret=None, editor=True, pool="thread")
    (site.template_dirs[0] / "huge.ddm").write_text(HUGE, "utf-8")
    with serving(dev) as base:
        page = httpx.get(f"{base}/editor/")
        token = page.text.split('name="ddm-editor-token" content="')[1].split('"')[0]
        yield base, token


def test_the_editor_refuses_saves_from_other_sites(site, editor):
    base, token = editor
    card = site.template_dirs[0] / "card.ddm"
    before = card.read_text("utf-8")
    body = json.dumps({"name": "card", "source": before + "\n// changed\n"})
    forged = [  # a form or fetch from another page: text/plain needs no preflight
        {"Content-Type": "text/plain", "Origin": "http://evil.example"},
        {"Content-Type": "text/plain"},
        {"Content-Type": "text/plain", "X-DDM-Editor-Token": token,
         "Origin": "http://evil.example"},
        {"Content-Type": "text/plain", "X-DDM-Editor-Token": token,
         "Sec-Fetch-Site": "cross-site"},
        {"Content-Type": "application/json", "X-DDM-Editor-Token": "guess"},
    ]
    for headers in forged:
        r = httpx.post(f"{base}/editor/api/save", content=body, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", (headers, r.text)
    assert card.read_text("utf-8") == before
    own = {"X-DDM-Editor-Token": token, "Origin": base, "Sec-Fetch-Site": "same-origin"}
    r = httpx.post(f"{base}/editor/api/save", content=body, headers=own)
    assert r.status_code == 200 and r.json()["ok"], r.text


def test_the_editor_refuses_other_host_names(editor):
    base, _token = editor
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        r = httpx.get(f"{base}/editor/api/templates", headers={"Host": host})
        assert r.status_code == 421, (host, r.text)
    port = base.rpartition(":")[2]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "[::1]"):
        assert httpx.get(f"{base}/editor/api/templates", headers={"Host": host}).status_code \
            == 200, host


def test_editor_downloads_honour_the_pixel_limit(editor):
    base, token = editor
    check = httpx.post(f"{base}/editor/api/check", json={"source": HUGE, "client": "t"},
                       headers={"X-DDM-Editor-Token": token})
    assert check.status_code == 200 and check.json()["ok"], check.text
    r = httpx.get(f"{base}/editor/api/download", timeout=30, params={
        "v": check.json()["version"], "product": "p1", "format": "giant", "type": "png"})
    assert r.status_code == 422 and "--max-pixels" in r.json()["error"]


# ---- signed reload ------------------------------------------------------------------------

def test_a_reload_url_must_expire_soon(site):
    with serving(site.with_(pool="thread")) as base:
        path = "/admin/reload"
        forever = httpx.post(f"{base}{path}?{sign_query(SECRET, path, {})}")
        assert forever.status_code == 403 and "expire" in forever.json()["error"]
        far = sign_query(SECRET, path, {}, int(time.time()) + RELOAD_MAX_TTL + 600)
        assert httpx.post(f"{base}{path}?{far}").status_code == 403
        soon = sign_query(SECRET, path, {}, int(time.time()) + 60)
        assert httpx.post(f"{base}{path}?{soon}", timeout=60).status_code == 200
