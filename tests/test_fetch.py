"""The image downloader against real HTTP(S) servers on loopback addresses.

Nothing in the HTTP layer is replaced: each test starts `ThreadingHTTPServer`s in threads
and counts what reaches them, so "refused before any connection" is checked by a hit count
of zero, not by trusting the code path. The positive cases use a policy that allows plain
http and exempts 127.0.0.1 from the private-address rule; everything else (127.0.0.2, ::1,
the default policy) must stay blocked.
"""

from __future__ import annotations

import datetime
import io
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from ddm_lang.perception.fetch import (
    FetchPolicy,
    FetchResult,
    fetch_image,
    fetch_images,
    fetched_from,
    sniff,
)
from ddm_lang.perception.mirror import mirror_path

LOCAL = FetchPolicy(schemes=("http", "https"), allow_addresses=("127.0.0.1",),
                    timeout=1.0, deadline=5.0)

Route = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-body (as the downloader does on purpose) is normal."""


class Site:
    """A real HTTP server on a loopback address: routes by path, a log of every request."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()  # lets stalled handlers go at teardown
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.hits.append((self.path, dict(self.headers)))
                route = site.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                route(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = _Server((host, 0), Handler)
        self.scheme = "http"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()

    def url(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.hits]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Site]]:
    sites: list[Site] = []

    def start(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Site:
        sites.append(Site(host, tls))
        return sites[-1]

    yield start
    for s in sites:
        s.close()


def _png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 160, 60)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header declares `width`×`height`; no pixel data needs to follow."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def image(body: bytes, ctype: str = "image/png", etag: str | None = None) -> Route:
    """A resource with an ETag that honours If-None-Match."""
    def route(h: BaseHTTPRequestHandler) -> None:
        if etag is not None and h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        if etag is not None:
            h.send_header("ETag", etag)
        h.end_headers()
        h.wfile.write(body)
    return route


def redirect(location: str, code: int = 302) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


def _files(folder: Path) -> list[str]:
    """Every file under `folder`, temporary ones included."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# --- fetching and the mirror ---------------------------------------------------------


def test_png_and_jpeg_land_at_their_mirror_paths_with_a_record(serve, tmp_path):
    site = serve()
    png, jpeg = _png(), _jpeg()
    site.routes["/img/a.png"] = image(png, etag='"a1"')
    site.routes["/img/b.jpg"] = image(jpeg, "image/jpeg")
    for url, body, kind in ((site.url("/img/a.png"), png, "image/png"),
                            (site.url("/img/b.jpg"), jpeg, "image/jpeg")):
        result = fetch_image(url, tmp_path, LOCAL)
        assert result.status == "fetched", result.reason
        assert result.path == mirror_path(url) == f"127.0.0.1_{site.port}/{url.split('/', 3)[3]}"
        assert (tmp_path / result.path).read_bytes() == body
        assert result.bytes == len(body)
        record = fetched_from(tmp_path, result.path)
        assert record is not None
        assert record["url"] == url and record["content_type"] == kind
        assert record["bytes"] == len(body)
        assert len(record["sha256"]) == 64
    assert fetched_from(tmp_path, f"127.0.0.1_{site.port}/img/a.png")["etag"] == '"a1"'
    # written whole: no temporary files left beside the image or its record
    assert _files(tmp_path) == [
        f".fetch/127.0.0.1_{site.port}/img/a.png.json",
        f".fetch/127.0.0.1_{site.port}/img/b.jpg.json",
        f"127.0.0.1_{site.port}/img/a.png",
        f"127.0.0.1_{site.port}/img/b.jpg",
    ]
    ua = site.hits[0][1]["User-Agent"]
    assert ua.startswith("ddm_lang/")


def test_a_mirrored_url_is_not_requested_again(serve, tmp_path):
    site = serve()
    site.routes["/a.png"] = image(_png())
    assert fetch_image(site.url("/a.png"), tmp_path, LOCAL).status == "fetched"
    again = fetch_image(site.url("/a.png"), tmp_path, LOCAL)
    assert again.status == "cached" and again.bytes == 0
    assert site.paths() == ["/a.png"]


def test_refresh_revalidates_with_the_stored_etag(serve, tmp_path):
    site = serve()
    png = _png()
    site.routes["/a.png"] = image(png, etag='"v1"')
    url = site.url("/a.png")
    first = fetch_image(url, tmp_path, LOCAL)
    fetched_at = fetched_from(tmp_path, first.path)["fetched_at"]
    result = fetch_image(url, tmp_path, LOCAL, refresh=True)
    assert result.status == "revalidated", result.reason
    assert site.hits[-1][1]["If-None-Match"] == '"v1"'
    assert (tmp_path / result.path).read_bytes() == png
    assert fetched_from(tmp_path, result.path)["fetched_at"] == fetched_at
    # a changed resource is downloaded again
    site.routes["/a.png"] = image(_jpeg(), "image/jpeg", etag='"v2"')
    changed = fetch_image(url, tmp_path, LOCAL, refresh=True)
    assert changed.status == "fetched"
    assert fetched_from(tmp_path, changed.path)["etag"] == '"v2"'
    assert (tmp_path / changed.path).read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_redirect_on_an_allowed_server_is_followed(serve, tmp_path):
    site = serve()
    site.routes["/old.png"] = redirect("/new.png", 301)
    site.routes["/new.png"] = image(_png())
    result = fetch_image(site.url("/old.png"), tmp_path, LOCAL)
    assert result.status == "fetched", result.reason
    assert result.path == f"127.0.0.1_{site.port}/old.png"
    assert fetched_from(tmp_path, result.path)["final_url"] == site.url("/new.png")


# --- where a request may go ----------------------------------------------------------


def test_the_default_policy_refuses_plain_http():
    result = fetch_image("http://cdn.example.com/a.png", "/nonexistent", FetchPolicy())
    assert result.status == "refused"
    assert "scheme http is not allowed" in result.reason
    assert result.reason.startswith("http://cdn.example.com/a.png: refused: ")


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "2130706433", "[::1]", "[::ffff:127.0.0.1]",
    "[2002:7f00:1::]", "10.0.0.5", "169.254.169.254", "224.0.1.1", "0.0.0.0",
    "[fe80::1]", "100.64.0.1",
])
def test_the_default_policy_refuses_private_addresses_before_connecting(serve, tmp_path, host):
    site = serve()
    site.routes["/a.png"] = image(_png())
    result = fetch_image(f"https://{host}:{site.port}/a.png", tmp_path, FetchPolicy())
    assert result.status == "refused", result.reason
    assert "address" in result.reason
    assert site.hits == []
    assert _files(tmp_path) == []


def test_a_redirect_to_a_blocked_address_is_refused(serve, tmp_path):
    allowed, other = serve("127.0.0.1"), serve("127.0.0.2")
    other.routes["/a.png"] = image(_png())
    allowed.routes["/a.png"] = redirect(other.url("/a.png"))
    result = fetch_image(allowed.url("/a.png"), tmp_path, LOCAL)
    assert result.status == "refused"
    assert f"redirected to {other.url('/a.png')}" in result.reason
    assert "127.0.0.2 is a loopback address" in result.reason
    assert allowed.paths() == ["/a.png"] and other.hits == []


def test_redirect_loops_and_chains_are_cut(serve, tmp_path):
    site = serve()
    site.routes["/a.png"] = redirect("/b.png")
    site.routes["/b.png"] = redirect("/a.png")
    loop = fetch_image(site.url("/a.png"), tmp_path, LOCAL)
    assert loop.status == "refused" and "redirect loop" in loop.reason
    for i in range(10):
        site.routes[f"/r{i}.png"] = redirect(f"/r{i + 1}.png", 307)
    chain = fetch_image(site.url("/r0.png"), tmp_path, FetchPolicy(
        schemes=("http",), allow_addresses=("127.0.0.1",), max_redirects=3, timeout=1.0))
    assert chain.status == "refused" and "more than 3 redirects" in chain.reason
    assert site.paths()[-4:] == ["/r0.png", "/r1.png", "/r2.png", "/r3.png"]


def test_credentials_in_urls_are_refused_and_not_repeated(serve, tmp_path):
    site = serve()
    site.routes["/a.png"] = image(_png())
    url = f"http://user:s3cret@127.0.0.1:{site.port}/a.png"
    result = fetch_image(url, tmp_path, LOCAL)
    assert result.status == "refused" and "credentials" in result.reason
    assert "s3cret" not in result.reason
    assert site.hits == []


@pytest.mark.parametrize("ref", ["ftp://cdn.example.com/a.png", "data:image/png;base64,AAAA",
                                 "img/a.png", "", "file:///etc/passwd"])
def test_references_that_are_not_http_urls_are_refused(tmp_path, ref):
    result = fetch_image(ref, tmp_path, LOCAL)
    assert result.status == "refused"
    assert "only http(s) URLs" in result.reason


def test_the_host_allow_list(serve, tmp_path):
    site = serve()
    site.routes["/a.png"] = image(_png())
    policy = FetchPolicy(schemes=("http",), allow_addresses=("127.0.0.1",),
                         allow_hosts=("*.shop.example",), timeout=1.0)
    result = fetch_image(site.url("/a.png"), tmp_path, policy)
    assert result.status == "refused" and "not in the allowed hosts" in result.reason
    assert site.hits == []


def test_a_symbolic_link_cannot_carry_a_write_out_of_the_mirror(serve, tmp_path):
    site = serve()
    site.routes["/a.png"] = image(_png())
    mirror, outside = tmp_path / "mirror", tmp_path / "outside"
    mirror.mkdir()
    outside.mkdir()
    (mirror / f"127.0.0.1_{site.port}").symlink_to(outside)
    result = fetch_image(site.url("/a.png"), mirror, LOCAL)
    assert result.status == "refused" and "outside the mirror" in result.reason
    assert _files(outside) == []


# --- what a response may contain -----------------------------------------------------


def test_a_content_length_over_the_cap_is_refused_before_reading(serve, tmp_path):
    site = serve()

    def huge(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Content-Length", str(10**9))
        h.end_headers()
        h.wfile.write(_png())

    site.routes["/a.png"] = huge
    result = fetch_image(site.url("/a.png"), tmp_path, LOCAL)
    assert result.status == "refused" and "Content-Length 1000000000" in result.reason
    assert result.bytes == 0
    assert _files(tmp_path) == []


def test_a_body_of_unknown_length_is_cut_at_the_cap(serve, tmp_path):
    site = serve()

    def endless(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        block = _png()[:8] + b"\0" * 8192
        try:
            for _ in range(1000):  # ~8 MB at most
                h.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    site.routes["/a.png"] = endless
    policy = FetchPolicy(schemes=("http",), allow_addresses=("127.0.0.1",),
                         max_bytes=50_000, timeout=1.0)
    result = fetch_image(site.url("/a.png"), tmp_path, policy)
    assert result.status == "refused" and "over the 48.8 KiB limit" in result.reason
    assert 50_000 < result.bytes < 200_000
    assert _files(tmp_path) == []


def test_an_html_page_served_as_jpeg_is_refused_by_its_bytes(serve, tmp_path):
    site = serve()
    site.routes["/a.jpg"] = image(b"<!DOCTYPE html><html><body>Not found</body></html>",
                                  "image/jpeg")
    result = fetch_image(site.url("/a.jpg"), tmp_path, LOCAL)
    assert result.status == "refused"
    assert "HTML page" in result.reason and "image/jpeg" in result.reason
    assert _files(tmp_path) == []


def test_svg_and_gif_are_refused():
    assert sniff(b"<svg xmlns=") is None
    assert sniff(b"GIF89a\x01\x00") is None
    assert sniff(_png()[:12]) == "image/png"
    assert sniff(b"RIFF\0\0\0\0WEBP") == "image/webp"


def test_a_decompression_bomb_is_refused_from_its_header(serve, tmp_path):
    site = serve()
    site.routes["/bomb.png"] = image(_bomb_png(100_000, 100_000))
    site.routes["/big.png"] = image(_png((200, 200)))
    bomb = fetch_image(site.url("/bomb.png"), tmp_path, LOCAL)
    assert bomb.status == "refused" and "too large" in bomb.reason
    small_limit = FetchPolicy(schemes=("http",), allow_addresses=("127.0.0.1",),
                              max_pixels=10_000, timeout=1.0)
    big = fetch_image(site.url("/big.png"), tmp_path, small_limit)
    assert big.status == "refused" and "200x200 is more than" in big.reason
    assert _files(tmp_path) == []


# --- network failures ----------------------------------------------------------------


def test_a_stalled_server_fails_after_the_timeout(serve, tmp_path):
    site = serve()
    site.routes["/a.png"] = lambda h: site.release.wait(10)
    policy = FetchPolicy(schemes=("http",), allow_addresses=("127.0.0.1",), timeout=0.5)
    start = time.monotonic()
    result = fetch_image(site.url("/a.png"), tmp_path, policy)
    assert result.status == "failed"
    assert result.reason.endswith("failed: no answer within 0.5 s")
    assert time.monotonic() - start < 3


def test_a_dripping_server_is_cut_at_the_deadline(serve, tmp_path):
    site = serve()

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(_png()[:16])
        try:
            while not site.release.wait(0.1):
                h.wfile.write(b"\0")
                h.wfile.flush()
        except OSError:
            pass

    site.routes["/a.png"] = drip
    policy = FetchPolicy(schemes=("http",), allow_addresses=("127.0.0.1",), timeout=1.0,
                         deadline=0.8)
    start = time.monotonic()
    result = fetch_image(site.url("/a.png"), tmp_path, policy)
    assert result.status == "failed" and "0.8 s deadline" in result.reason
    assert time.monotonic() - start < 3


def test_network_errors_are_failures_with_a_reason(serve, tmp_path):
    site = serve()
    closed = serve()
    closed_url = closed.url("/a.png")
    closed.close()
    refused = fetch_image(closed_url, tmp_path, LOCAL)
    assert refused.status == "failed" and "connection refused" in refused.reason
    missing = fetch_image(site.url("/missing.png"), tmp_path, LOCAL)
    assert missing.status == "failed" and "HTTP 404" in missing.reason


# --- many URLs -----------------------------------------------------------------------


def test_many_urls_are_fetched_once_each(serve, tmp_path):
    site = serve()
    for i in range(6):
        site.routes[f"/{i}.png"] = image(_png((10 + i, 10)))
    urls = [site.url(f"/{i}.png") for i in range(6)]
    same_file = f"HTTP://127.0.0.1:{site.port}/0.png"  # another spelling of urls[0]
    seen: list[FetchResult] = []
    report = fetch_images([*urls, urls[2], same_file, "ftp://x/a.png"], tmp_path, LOCAL,
                          jobs=3, progress=seen.append)
    assert [r.url for r in report.results] == [*urls, same_file, "ftp://x/a.png"]
    assert report.counts == {"fetched": 6, "cached": 1, "revalidated": 0, "refused": 1,
                             "failed": 0}
    assert len(seen) == 8
    assert sorted(site.paths()) == sorted(f"/{i}.png" for i in range(6))
    assert report.reasons == ["ftp://x/a.png: refused: only http(s) URLs can be fetched, "
                              "not ftp"]
    assert not report.ok
    assert "6 fetched, 1 cached" in report.summary()


def test_the_run_budget_stops_later_downloads(serve, tmp_path):
    site = serve()
    body = _png()
    for i in range(3):
        site.routes[f"/{i}.png"] = image(body)
    policy = FetchPolicy(schemes=("http",), allow_addresses=("127.0.0.1",), timeout=1.0,
                         max_total_bytes=len(body))
    report = fetch_images([site.url(f"/{i}.png") for i in range(3)], tmp_path, policy, jobs=1)
    assert [r.status for r in report.results] == ["fetched", "refused", "refused"]
    assert all("download budget" in reason for reason in report.reasons)
    assert site.paths() == ["/0.png"]
    assert report.downloaded == len(body)


# --- HTTPS: the pinned address still verifies the host name --------------------------


def _certificate(folder: Path, names: list[str]) -> tuple[str, str]:
    """A self-signed certificate (its own CA) for `names`: (cert file, key file)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / f"{names[0]}.pem", folder / f"{names[0]}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


def _tls_server_context(cert: str, key: str, sni: list[str | None]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: sni.append(name)
    return context


def test_https_to_the_pinned_address_verifies_the_host_name(serve, tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    cert, key = _certificate(certs, ["localhost"])
    sni: list[str | None] = []
    site = serve(tls=_tls_server_context(cert, key, sni))
    site.routes["/a.png"] = image(_png())
    policy = FetchPolicy(allow_addresses=("127.0.0.1", "::1"), ca_file=cert, timeout=1.0)
    result = fetch_image(site.url("/a.png", host="localhost"), tmp_path / "mirror", policy)
    assert result.status == "fetched", result.reason
    assert result.path == f"localhost_{site.port}/a.png"
    assert "localhost" in sni


def test_https_refuses_a_certificate_for_another_name(serve, tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    cert, key = _certificate(certs, ["images.example"])
    sni: list[str | None] = []
    site = serve(tls=_tls_server_context(cert, key, sni))
    site.routes["/a.png"] = image(_png())
    policy = FetchPolicy(allow_addresses=("127.0.0.1", "::1"), ca_file=cert, timeout=1.0)
    result = fetch_image(site.url("/a.png", host="localhost"), tmp_path / "mirror", policy)
    assert result.status == "failed"
    assert "certificate verification failed" in result.reason
    assert "localhost" in sni and site.hits == []


def test_policies_that_cannot_work_are_refused_when_made():
    with pytest.raises(ValueError, match="schemes"):
        FetchPolicy(schemes=("ftp",))
    with pytest.raises(ValueError, match="allow_addresses"):
        FetchPolicy(allow_addresses=("not an address",))
    with pytest.raises(ValueError, match="max_bytes"):
        FetchPolicy(max_bytes=0)
