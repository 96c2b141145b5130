"""The real `ddm serve`, started once for the HTTP cases, and the request sender.

The server runs as its own process (the command line, as deployed), so the forked case
children never share its threads; each case sends one request with a 5 s bound.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from ddm_lang.serve.signing import signature

from .assets import copy_asset
from .model import HttpRequest

SECRET = b"hostile-secret-0123456789abcdef"

CARD = """template card "A test card"
formats square 200x200, poster 2400x2400

rect background { box: 0 0 100% 100%; fill: #f4f1ea }
image photo = product.images[0] { box: 10% 10% 80% 55%; fit: contain }
text title { content: "{product.title} #{seed}"; box: 5% 70% 90% 25%; font: "Inter" 700;
  size: fit(8, 40); fill: #222222 }
"""

SLOW = ('template slow "Work enough to pass the timeout"\nformats big 4000x4000\n'
        'raw """<filter id="f">' + "".join(
            f'<feGaussianBlur stdDeviation="40" result="b{i}"/>' for i in range(24))
        + '</filter><rect width="4000" height="4000" fill="#36c" filter="url(#f)"/>"""\n')

PRODUCTS = [
    {"id": "p1", "title": "Olive Oil", "images": ["photo.png"],
     "price": {"amount": 12.9, "currency": "USD"}},
    {"id": "p2", "title": "Stoneware Mug", "images": ["photo.png"]},
    {"id": "broken", "title": "Gone", "images": ["missing.png"]},
    {"id": "longtitle", "title": "Long " * 390, "images": ["photo.png"]},
]


@dataclass
class Server:
    """A started `ddm serve`: its base URL, process and site folder."""

    base: str
    process: subprocess.Popen
    site: Path
    baseline: int = 0   # peak_rss once started and warmed up

    def peak_rss(self) -> int:
        """Peak resident bytes of the server and its direct children (the render pool)."""
        pids = [self.process.pid, *children(self.process.pid)]
        return sum(_status_kb(pid, "VmHWM") for pid in pids) * 1024

    def added_rss(self) -> int:
        """What the service has grown by since it was warm: what HTTP cases can cost (its
        render workers hold fonts and models from the start, over a gigabyte together)."""
        return max(0, self.peak_rss() - self.baseline)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


def _status_kb(pid: int, key: str) -> int:
    try:
        match = re.search(rf"^{key}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


def make_site(root: Path, assets: Path) -> tuple[Path, Path]:
    templates, shop = root / "templates", root / "shop"
    templates.mkdir(parents=True)
    shop.mkdir()
    (templates / "card.ddm").write_text(CARD, "utf-8")
    (templates / "slow.ddm").write_text(SLOW, "utf-8")
    copy_asset(assets, "photo.png", shop)
    (shop / "catalogue.json").write_text(json.dumps(PRODUCTS), "utf-8")
    (root / "secret.key").write_bytes(SECRET)
    (root / "secret.png").write_bytes((assets / "secret" / "red.png").read_bytes())
    return templates, shop / "catalogue.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(root: Path, assets: Path, timeout: float = 60.0) -> Server:
    """`ddm serve` on a free loopback port with a signed site; waits until it answers."""
    templates, catalogue = make_site(root, assets)
    port = free_port()
    argv = [sys.executable, "-c", "import sys; from ddm_lang.cli import main; sys.exit(main())",
            "serve", "--templates", str(templates), "--catalogue", str(catalogue),
            "--secret-file", str(root / "secret.key"), "--host", "127.0.0.1",
            "--port", str(port), "--timeout", "4.5", "--max-concurrency", "2",
            "--queue-size", "4", "--pool", "process"]
    env = dict(os.environ, DDM_LIBRARY=str(root / "materials.sqlite"))
    log = open(root / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    server = Server(f"http://127.0.0.1:{port}", process, root)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ddm serve exited: {(root / 'server.log').read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                warm_up(server)
                server.baseline = server.peak_rss()
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("ddm serve did not answer /healthz in time")


def warm_up(server: Server) -> None:
    """One render before the cases, so the render pool's start-up is not any case's time."""
    for _ in range(3):
        try:
            if send(server.base, HttpRequest("GET", "/render/card/square.png?{sign:product=p2}"),
                    60)[0] == 200:
                return
        except OSError:
            time.sleep(1)


_SIGN = re.compile(r"\{sign(?P<kind>-expired|-exp=[^:]*)?:(?P<query>[^}]*)\}")


def expand(path: str, now: float | None = None) -> str:
    """Fill a `{sign[-expired|-exp=V]:k=v&...}` placeholder with a signed query."""
    match = _SIGN.search(path)
    if match is None:
        return path
    route = unquote(path[: path.index("?")])
    pairs = [tuple(p.split("=", 1)) if "=" in p else (p, "")
             for p in match.group("query").split("&") if p]
    now = time.time() if now is None else now
    kind = match.group("kind") or ""
    if kind == "-expired":
        pairs.append(("exp", str(int(now) - 100)))
    elif kind.startswith("-exp="):
        value = kind[len("-exp="):]
        pairs.append(("exp", str(int(now) + int(value[1:])) if value.startswith("+") else value))
    pairs.sort()
    pairs.append(("sig", signature(SECRET, route, pairs)))
    query = urlencode(pairs, quote_via=quote)
    return path[: match.start()] + query + path[match.end():]


def send(base: str, request: HttpRequest, timeout: float) -> tuple[int, bytes]:
    """Send one request; (status, body). Raw requests return status 0 when the server
    closes without an HTTP answer (a refusal at the protocol level)."""
    host, port = base.removeprefix("http://").split(":")
    held = [socket.create_connection((host, int(port)), timeout=timeout)
            for _ in range(request.connections)]
    try:
        if request.raw is not None:
            return _send_raw(host, int(port), request.raw, timeout)
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        headers = dict(request.headers)
        conn.putrequest(request.method, expand(request.path),
                        skip_host="host" in headers, skip_accept_encoding=True)
        for key, value in request.headers:
            conn.putheader(key, value)
        if request.body:
            conn.putheader("Content-Length", str(len(request.body)))
        conn.endheaders(request.body or None)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        for sock in held:
            sock.close()


def _send_raw(host: str, port: int, data: bytes, timeout: float) -> tuple[int, bytes]:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks):
                    break
        except TimeoutError:
            pass
    reply = b"".join(chunks)
    match = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    return (int(match.group(1)) if match else 0), reply
