"""Downloading a feed's product images into the local mirror: opt-in, bounded and safe.

Why this module exists: feeds (Google Merchant Center and the like) name their images by
URL, but the catalogue reads files only inside its own folder. The images therefore live
in a mirror folder (named by `perception.mirror.mirror_path`), and this module fills it —
only when the user asks (`ddm materials fetch`, `--fetch-images`), never as a side effect
of loading a feed.

A feed and every URL in it are untrusted input, so a download is treated as an attack
surface, not a convenience:

* Where it may go. Only the allowed schemes (https unless http is opted into), no
  credentials in URLs, an optional host allow-list, and no private, loopback, link-local,
  multicast, reserved or unspecified address — in whatever form it is written (decimal
  IPv4, IPv4-mapped IPv6, 6to4, Teredo, NAT64) — unless `allow_addresses` names it. The
  host is resolved here and the connection made to the vetted address itself, so a DNS
  answer that changes between the check and the connection (DNS rebinding) cannot send the
  request elsewhere; TLS still verifies the certificate against the host name (SNI).
  Redirects are followed by hand and every hop is checked again.
* What it may cost. A per-request timeout, a per-file deadline enforced by a watchdog (a
  server dripping one byte a second cannot hold a worker), a per-file byte cap checked
  against Content-Length before reading and against the running count while reading, and a
  byte budget for the whole run.
* What it may write. Only PNG, JPEG or WebP recognised from the bytes themselves (an HTML
  error page served as `image/jpeg` is refused), whose header — read by Pillow without
  decoding the pixels — is within the project's pixel limit; written whole or not at all,
  and only inside the mirror folder.

Every network problem becomes a one-line reason naming the URL, never a traceback. Beside
each image, `<mirror>/.fetch/<mirror path>.json` records where it came from (URL, ETag,
Last-Modified, sha256, size, type, time): it lets `refresh` revalidate cheaply and lets
`ddm materials inspect` say where an image came from (`fetched_from`).
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeAlias
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from ddm_lang.files import write_atomic
from ddm_lang.perception.materials import MAX_PIXELS, MaterialError, opened
from ddm_lang.perception.mirror import DEFAULT_PORTS, mirror_path
from ddm_lang.version import __version__

Status = Literal["fetched", "cached", "revalidated", "refused", "failed"]
STATUSES: tuple[Status, ...] = ("fetched", "cached", "revalidated", "refused", "failed")
INDEX = ".fetch"                 # folder, inside the mirror, of the per-image records
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_IP: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
_NET: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_HEAD = 64                       # bytes looked at to tell what a body is
_SHOWN = 300                     # characters of a URL a reason quotes


@dataclass(frozen=True)
class FetchPolicy:
    """What a run of downloads may do. The defaults suit a shop's public CDN.

    `allow_hosts` empty means any public host; an entry is a host name, or `*.shop.com` for
    any subdomain of shop.com. `allow_addresses` lists IP addresses or networks that are
    exempt from the private-address rule (an intranet image server, a test server on the
    loopback address). `ca_file` replaces the system's certificate authorities with the
    ones in that PEM file (an intranet CA). `timeout` bounds each connect, resolve and read;
    `deadline` the whole of one file, redirects included.
    """

    schemes: tuple[str, ...] = ("https",)
    max_bytes: int = 25 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    timeout: float = 20.0
    deadline: float = 120.0
    max_redirects: int = 5
    max_pixels: int = MAX_PIXELS
    allow_hosts: tuple[str, ...] = ()
    allow_addresses: tuple[str, ...] = ()
    ca_file: str | None = None
    user_agent: str = f"ddm_lang/{__version__}"

    def __post_init__(self) -> None:
        """Refuse a policy that cannot work, when it is made rather than mid-run."""
        bad = [s for s in self.schemes if s not in DEFAULT_PORTS]
        if bad or not self.schemes:
            raise ValueError(f"fetch schemes must be http and/or https, not {bad or '()'}")
        for name in ("max_bytes", "max_total_bytes", "max_pixels"):
            if getattr(self, name) <= 0:
                raise ValueError(f"fetch {name} must be positive")
        if self.timeout <= 0 or self.deadline <= 0:
            raise ValueError("fetch timeout and deadline must be positive")
        if self.max_redirects < 0:
            raise ValueError("fetch max_redirects must be zero or more")
        self.networks()  # a malformed address fails here

    def networks(self) -> tuple[_NET, ...]:
        """`allow_addresses` parsed (an address is a one-address network)."""
        try:
            return tuple(ipaddress.ip_network(a.strip(), strict=False)
                         for a in self.allow_addresses)
        except ValueError as err:
            raise ValueError(f"fetch allow_addresses: {err}") from None


@dataclass(frozen=True)
class FetchResult:
    """What became of one URL.

    `path` is the mirror-relative POSIX path (None when the URL has none); `bytes` counts
    the body bytes received over the network for this URL (0 when cached or revalidated);
    `reason` is one line that names the URL, fit to print.
    """

    url: str
    status: Status
    path: str | None
    bytes: int
    reason: str

    @property
    def ok(self) -> bool:
        """Whether the image is now in the mirror."""
        return self.status in ("fetched", "cached", "revalidated")


@dataclass(frozen=True)
class FetchReport:
    """The results of a run, one per distinct URL, in the order the URLs were given."""

    results: tuple[FetchResult, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Results per status, every status present."""
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            counts[r.status] += 1
        return counts

    @property
    def downloaded(self) -> int:
        """Body bytes received over the network in the run."""
        return sum(r.bytes for r in self.results)

    @property
    def reasons(self) -> list[str]:
        """Why each refused or failed URL did not make it into the mirror."""
        return [r.reason for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        """Whether every URL is now in the mirror."""
        return all(r.ok for r in self.results)

    def summary(self) -> str:
        """`3 fetched, 2 cached, 0 revalidated, 1 refused, 0 failed (1.2 MB downloaded)`."""
        counts = ", ".join(f"{n} {s}" for s, n in self.counts.items())
        return f"{counts} ({self.downloaded / 1e6:.1f} MB downloaded)"


class _Refused(Exception):
    """The policy says no (the message says why, without the URL)."""


class _Failed(Exception):
    """The network or the server let the download down (the message says how)."""


class _Budget:
    """The run's byte budget, shared by the workers: bytes are charged as they arrive, so
    the run never receives more than the budget plus one chunk per worker."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0
        self._lock = threading.Lock()

    def exhausted(self) -> bool:
        with self._lock:
            return self.spent >= self.limit

    def left(self) -> int:
        with self._lock:
            return max(self.limit - self.spent, 0)

    def charge(self, n: int) -> bool:
        """Count `n` received bytes; False once the budget is overdrawn."""
        with self._lock:
            self.spent += n
            return self.spent <= self.limit

    def refusal(self) -> str:
        return f"the run's download budget of {_size(self.limit)} is spent"


class _Deadline:
    """One file's clock. Socket timeouts bound each wait, but a server that sends a byte
    just inside every timeout could hold a worker forever; so a timer shuts the file's
    sockets down when the deadline passes, which ends any read that is blocked on them."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def message(self) -> str:
        return f"took longer than the {self.seconds:g} s deadline"

    def wait(self, per_request: float) -> float:
        """The timeout for the next wait: the per-request one, or what is left if less."""
        left = self.end - time.monotonic()
        if self.expired or left <= 0:
            raise _Failed(self.message())
        return min(per_request, left)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            if self.expired:
                _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    """Shut a socket down for both directions, from another thread. The base class's method
    is called even on a TLS socket, whose own `shutdown` also drops its TLS state under a
    reader's feet; the reader then sees an ordinary end of stream."""
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# ---------------------------------------------------------------------------------------
# Where a request may go


def _shown(url: str) -> str:
    """A URL fit for a one-line message: credentials masked, control characters escaped
    (a feed could otherwise write terminal escapes or new lines into a log), cut short."""
    try:
        parts = urlsplit(url)
        if "@" in parts.netloc:
            url = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()
    except ValueError:
        pass
    text = "".join(c if c.isprintable() and c != " " else f"%{ord(c):02X}" for c in url)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


@dataclass(frozen=True)
class _Target:
    """A URL that passed the checks that need no network."""

    url: str
    scheme: str
    host: str          # ASCII (IDNA) host name or IP literal, no brackets
    port: int
    request_path: str  # path and query as sent, percent-encoded


def _check_url(url: str, policy: FetchPolicy) -> _Target:
    """The checks a URL must pass before anything is resolved or connected."""
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise _Refused(f"not a valid URL ({err})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _Refused(f"only http(s) URLs can be fetched, not {scheme or 'a relative path'}")
    if scheme not in policy.schemes:
        allowed = " or ".join(policy.schemes)
        raise _Refused(f"scheme {scheme} is not allowed (only {allowed})")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _Refused("URLs with credentials (user:password@) are not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _Refused("the URL has no host")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _Refused(f"host {host!r} is not a valid host name") from None
    if policy.allow_hosts and not _host_allowed(host, policy.allow_hosts):
        raise _Refused(f"host {host} is not in the allowed hosts")
    literal = _ip_literal(host)
    if literal is not None:
        problem = _address_problem(literal, policy.networks())
        if problem:
            raise _Refused(f"{problem}")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Target(url, scheme, host, port or DEFAULT_PORTS[scheme], path)


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if entry.startswith("*."):
            if host.endswith(entry[1:]):
                return True
        elif host == entry:
            return True
    return False


def _ip_literal(host: str) -> _IP | None:
    try:
        return ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return None


def _address_problem(ip: _IP, allowed: tuple[_NET, ...]) -> str | None:
    """Why a request must not go to `ip`, or None when it may.

    `is_global` is the base, but it is not enough on its own: multicast addresses count as
    global, and an IPv6 address can carry an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64)
    that the network delivers to — so the embedded address is judged too.
    """
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    embedded: list[ipaddress.IPv4Address] = []
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            embedded.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            embedded.append(ip.sixtofour)
        if ip.teredo is not None:
            embedded.extend(ip.teredo)
        if ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            problem = _address_problem(inner, allowed)
            return f"{ip} is a NAT64 form of a blocked address: {problem}" if problem else None
    for inner in embedded:
        problem = _address_problem(inner, allowed)
        if problem:
            return f"{ip} embeds a blocked address: {problem}"
    kind = _blocked_kind(ip)
    return f"{ip} is a {kind} address" if kind else None


def _blocked_kind(ip: _IP) -> str | None:
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-public"
    return None


_Addr: TypeAlias = tuple[socket.AddressFamily, tuple[Any, ...]]


def _resolve(target: _Target, policy: FetchPolicy, deadline: _Deadline) -> list[_Addr]:
    """Every address the host resolves to, each checked: one blocked address refuses the
    host, since the resolver may hand out a different one next time. The lookup runs in a
    helper thread because `getaddrinfo` has no timeout of its own."""
    found: list[Any] = []
    errors: list[OSError] = []

    def lookup() -> None:
        try:
            found.extend(socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM,
                                            proto=socket.IPPROTO_TCP))
        except OSError as err:
            errors.append(err)

    worker = threading.Thread(target=lookup, name="ddm-fetch-resolve", daemon=True)
    worker.start()
    worker.join(deadline.wait(policy.timeout))
    if worker.is_alive():
        raise _Failed(f"resolving {target.host} timed out")
    if errors:
        err = errors[0]
        raise _Failed(f"cannot resolve {target.host} ({err.strerror or err})")
    addrs: list[_Addr] = []
    networks = policy.networks()
    for family, _type, _proto, _name, sockaddr in found:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        problem = _address_problem(ip, networks)
        if problem:
            raise _Refused(f"{target.host} resolves to a blocked address: {problem}")
        addrs.append((family, tuple(sockaddr)))
    if not addrs:
        raise _Failed(f"{target.host} has no IPv4 or IPv6 address")
    return addrs


# ---------------------------------------------------------------------------------------
# Connections pinned to the vetted addresses


def _connect(addrs: list[_Addr], policy: FetchPolicy, deadline: _Deadline) -> socket.socket:
    """A TCP connection to the first vetted address that answers."""
    last: OSError | None = None
    for family, sockaddr in addrs:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.wait(policy.timeout))
            deadline.watch(sock)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as err:
            sock.close()
            last = err
    assert last is not None
    raise last


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to an address chosen beforehand; the Host header still names the host."""

    def __init__(self, host: str, port: int, opener: Callable[[], socket.socket],
                 timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._opener = opener

    def connect(self) -> None:
        self.sock = self._opener()


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address chosen beforehand, the certificate verified against the host
    name (which is also the SNI server name) rather than against the address."""

    def __init__(self, host: str, port: int, opener: Callable[[], socket.socket],
                 timeout: float, context: ssl.SSLContext, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._opener = opener
        self._tls = context
        self._deadline = deadline

    def connect(self) -> None:
        raw = self._opener()
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise
        self._deadline.watch(self.sock)


def _tls_context(policy: FetchPolicy) -> ssl.SSLContext:
    """Certificate and host name checks on (the default context's), TLS 1.2 or later."""
    context = ssl.create_default_context(cafile=policy.ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@contextmanager
def _request(target: _Target, headers: dict[str, str], policy: FetchPolicy,
             deadline: _Deadline, context: ssl.SSLContext | None
             ) -> Iterator[tuple[http.client.HTTPConnection, http.client.HTTPResponse]]:
    """One GET, its connection pinned to the addresses vetted for this very hop."""
    addrs = _resolve(target, policy, deadline)
    timeout = deadline.wait(policy.timeout)

    def opener() -> socket.socket:
        return _connect(addrs, policy, deadline)

    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = _PinnedHTTPS(target.host, target.port, opener, timeout,
                            context or _tls_context(policy), deadline)
    else:
        conn = _PinnedHTTP(target.host, target.port, opener, timeout)
    try:
        conn.request("GET", target.request_path, headers=headers)
        yield conn, conn.getresponse()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------
# What a response may contain


def sniff(head: bytes) -> str | None:
    """The MIME type of an image the catalogue can load, from its first 12 bytes, or None.
    The bytes decide, not the server's Content-Type: an error page served as image/jpeg is
    still an error page."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _what_it_is(head: bytes) -> str:
    """A name for content that is not an image we take, for the refusal."""
    text = head.lstrip().lower()
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF image (the catalogue loads PNG, JPEG or WebP)"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "an HTML page, not an image"
    if text.startswith((b"<?xml", b"<svg")):
        return "XML or SVG, not a PNG, JPEG or WebP image"
    if head.startswith(b"\x1f\x8b"):
        return "gzip-compressed data, not an image"
    if not head:
        return "empty"
    return "not a PNG, JPEG or WebP image"


def _check_image(data: bytes, url: str, policy: FetchPolicy) -> None:
    """Pillow reads the header only (no pixels are decoded) to check the size."""
    try:
        with opened(data, url) as img:
            width, height = img.size
    except MaterialError as err:
        raise _Refused(str(err).removeprefix(f"{url}: ")) from None
    if width * height > policy.max_pixels:
        raise _Refused(f"{width}x{height} is more than the limit of "
                       f"{policy.max_pixels / 1e6:g} megapixels")


def _read_body(resp: http.client.HTTPResponse, policy: FetchPolicy, budget: _Budget,
               deadline: _Deadline, conn: http.client.HTTPConnection, got: list[int]
               ) -> tuple[bytes, str]:
    """The body and its sniffed type, read in chunks under the per-file cap, the run's
    budget and the deadline; content that is not an image is refused at its first bytes."""
    declared = resp.getheader("Content-Type", "") or "no type"
    encoding = (resp.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise _Refused(f"the server sent {encoding}-encoded content, which is not fetched")
    length = resp.length
    if length is not None and length > policy.max_bytes:
        raise _Refused(f"Content-Length {length} is over the {_size(policy.max_bytes)} "
                       "limit per image")
    if length is not None and length > budget.left():
        raise _Refused(budget.refusal())
    parts: list[bytes] = []
    kind: str | None = None
    size = 0
    while True:
        if conn.sock is not None:
            conn.sock.settimeout(deadline.wait(policy.timeout))
        chunk = resp.read(min(_CHUNK, policy.max_bytes + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
        got[0] = size
        if not budget.charge(len(chunk)):
            raise _Refused(budget.refusal())
        if size > policy.max_bytes:
            raise _Refused(f"the body is over the {_size(policy.max_bytes)} limit per image")
        if kind is None and size >= _HEAD:
            kind = _sniffed(b"".join(parts)[:_HEAD], declared)
    if deadline.expired:
        raise _Failed(deadline.message())
    data = b"".join(parts)
    if kind is None:
        kind = _sniffed(data[:_HEAD], declared)
    return data, kind


def _sniffed(head: bytes, declared: str) -> str:
    kind = sniff(head)
    if kind is None:
        raise _Refused(f"the content is {_what_it_is(head)} (the server said {declared})")
    return kind


# ---------------------------------------------------------------------------------------
# The mirror and its index


def _inside(root: Path, rel: str) -> Path:
    """`root / rel`, refused unless it stays inside `root` once symbolic links are
    followed (a link planted in the mirror must not carry a write elsewhere)."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(p in ("", ".", "..") for p in pure.parts):
        raise _Refused(f"mirror path {rel!r} is not a plain relative path")
    target = root / Path(*pure.parts)
    if not target.resolve().is_relative_to(root):
        raise _Refused(f"mirror path {rel} leads outside the mirror folder")
    return target


def _index_file(root: Path, rel: str) -> Path:
    return _inside(root, f"{INDEX}/{rel}.json")


def fetched_from(mirror_dir: str | Path, rel_path: str) -> dict[str, Any] | None:
    """Where the mirror's image `rel_path` was downloaded from — url, final_url, etag,
    last_modified, sha256, bytes, content_type, fetched_at, checked_at — or None when it
    was not downloaded by this module (copied in by hand, say) or the record is unreadable.
    """
    root = Path(mirror_dir).resolve()
    try:
        record = json.loads(_index_file(root, rel_path).read_text("utf-8"))
    except (_Refused, OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_record(root: Path, rel: str, record: dict[str, Any]) -> None:
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(_index_file(root, rel), text.encode("utf-8"))


# ---------------------------------------------------------------------------------------
# Fetching


def fetch_image(url: str, mirror_dir: str | Path, policy: FetchPolicy | None = None, *,
                refresh: bool = False) -> FetchResult:
    """Download one image into `mirror_dir / mirror_path(url)` unless it is there already.

    With `refresh`, an image already in the mirror is requested again, conditionally (its
    stored ETag / Last-Modified), and a 304 keeps it. Never raises for the network, the
    server or the URL: the result says what happened.
    """
    policy = policy or FetchPolicy()
    return _fetch(url, Path(mirror_dir), policy, refresh, _Budget(policy.max_total_bytes))


def fetch_images(urls: Iterable[str], mirror_dir: str | Path,
                 policy: FetchPolicy | None = None, *, jobs: int = 4, refresh: bool = False,
                 progress: Callable[[FetchResult], None] | None = None) -> FetchReport:
    """Download many images, `jobs` at a time, each URL once.

    URLs that name the same mirror file (`HTTPS://Shop.com/a.jpg` and
    `https://shop.com:443/a.jpg`) are fetched one after another, so two workers never race
    for one file. Once the run's byte budget is spent no new download starts; the URLs left
    are refused with that reason (those already in the mirror are still `cached`).
    `progress` is called with each result as it comes, on the calling thread.
    """
    policy = policy or FetchPolicy()
    root = Path(mirror_dir)
    order = list(dict.fromkeys(u.strip() for u in urls))
    groups: dict[str, list[str]] = {}
    for u in order:
        groups.setdefault(mirror_path(u) or f"\0{u}", []).append(u)
    budget = _Budget(policy.max_total_bytes)
    context = _shared_context(policy)
    results: dict[str, FetchResult] = {}

    def run(group: list[str]) -> list[FetchResult]:
        return [_fetch(u, root, policy, refresh, budget, context) for u in group]

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="ddm-fetch") as pool:
        futures = [pool.submit(run, group) for group in groups.values()]
        for future in as_completed(futures):
            for result in future.result():
                results[result.url] = result
                if progress is not None:
                    progress(result)
    return FetchReport(tuple(results[u] for u in order))


def _shared_context(policy: FetchPolicy) -> ssl.SSLContext | None:
    """One TLS context per run (loading the CA store is slow); None when https is off or
    the CA file is unreadable, which then fails per URL with the reason."""
    if "https" not in policy.schemes:
        return None
    try:
        return _tls_context(policy)
    except (OSError, ValueError):
        return None


def _fetch(url: str, root: Path, policy: FetchPolicy, refresh: bool, budget: _Budget,
           context: ssl.SSLContext | None = None) -> FetchResult:
    """One URL, every outcome turned into a result."""
    url = url.strip()
    shown = _shown(url)
    rel = mirror_path(url)
    got = [0]

    def result(status: Status, text: str) -> FetchResult:
        return FetchResult(url, status, rel, got[0], f"{shown}: {text}")

    try:
        target = _check_url(url, policy)
        if rel is None:
            raise _Refused("the URL cannot be named in the mirror folder")
        root.mkdir(parents=True, exist_ok=True)
        root = root.resolve()
        path = _inside(root, rel)
        if path.exists() and not path.is_file():
            raise _Refused(f"mirror path {rel} exists and is not a file")
        if path.exists() and not refresh:
            return result("cached", f"already in the mirror as {rel}")
        if budget.exhausted():
            raise _Refused(budget.refusal())
        return _download(target, root, rel, path, policy, budget, context, got, result)
    except _Refused as err:
        return result("refused", f"refused: {err}")
    except _Failed as err:
        return result("failed", f"failed: {err}")
    except ssl.SSLCertVerificationError as err:
        return result("failed", f"failed: certificate verification failed "
                                f"({err.verify_message or err.reason})")
    except ssl.SSLError as err:
        return result("failed", f"failed: TLS error ({err.reason or err})")
    except TimeoutError:
        return result("failed", f"failed: no answer within {policy.timeout:g} s")
    except ConnectionRefusedError:
        return result("failed", "failed: connection refused")
    except OSError as err:
        return result("failed", f"failed: {err.strerror or err}")
    except http.client.IncompleteRead as err:
        return result("failed", f"failed: the connection closed after {len(err.partial)} "
                                "bytes of the body")
    except (http.client.HTTPException, ValueError, UnicodeError) as err:
        name = type(err).__name__
        return result("failed", f"failed: bad HTTP response ({name}: {_shown(str(err))})")


def _download(target: _Target, root: Path, rel: str, path: Path, policy: FetchPolicy,
              budget: _Budget, context: ssl.SSLContext | None, got: list[int],
              result: Callable[[Status, str], FetchResult]) -> FetchResult:
    """Follow redirects by hand to a 200 (or a 304 answering our conditional request),
    checking each hop as if it were the first URL, and store the image."""
    headers = {"User-Agent": policy.user_agent, "Accept": "image/webp,image/png,image/jpeg",
               "Connection": "close"}
    previous = fetched_from(root, rel) if path.exists() else None
    if previous:
        if isinstance(previous.get("etag"), str):
            headers["If-None-Match"] = previous["etag"]
        if isinstance(previous.get("last_modified"), str):
            headers["If-Modified-Since"] = previous["last_modified"]
    conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
    deadline = _Deadline(policy.deadline)
    seen = {target.url}
    hop = target
    try:
        for _ in range(policy.max_redirects + 1):
            with _request(hop, headers, policy, deadline, context) as (conn, resp):
                status = resp.status
                if status in _REDIRECTS:
                    hop = _next_hop(hop, resp.getheader("Location"), policy, seen)
                    continue
                if status == 304 and conditional:
                    _keep(root, rel, previous)
                    return result("revalidated", f"not modified; kept {rel}")
                if status != 200:
                    raise _Failed(f"HTTP {status} {_shown(resp.reason or '')}".rstrip())
                data, kind = _read_body(resp, policy, budget, deadline, conn, got)
                etag = resp.getheader("ETag")
                modified = resp.getheader("Last-Modified")
            _check_image(data, target.url, policy)
            _store(root, rel, path, data, {
                "url": target.url, "final_url": hop.url, "etag": etag,
                "last_modified": modified, "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data), "content_type": kind, "fetched_at": _now(),
                "checked_at": _now()})
            return result("fetched", f"fetched {_size(len(data))} ({kind}) into {rel}")
        raise _Refused(f"more than {policy.max_redirects} redirects")
    except _StoreError as err:
        raise _Failed(str(err)) from None
    except OSError:
        if deadline.expired:
            raise _Failed(deadline.message()) from None
        raise
    except http.client.HTTPException:
        if deadline.expired:
            raise _Failed(deadline.message()) from None
        raise
    finally:
        deadline.cancel()


def _next_hop(hop: _Target, location: str | None, policy: FetchPolicy,
              seen: set[str]) -> _Target:
    """The redirect's target, checked like a URL from the feed."""
    if not location:
        raise _Failed("a redirect without a Location")
    nxt = urljoin(hop.url, location.strip())
    if nxt in seen:
        raise _Refused(f"redirect loop at {_shown(nxt)}")
    seen.add(nxt)
    try:
        return _check_url(nxt, policy)
    except _Refused as err:
        raise _Refused(f"redirected to {_shown(nxt)}: {err}") from None


class _StoreError(OSError):
    """Writing into the mirror failed (the disk, permissions): a failure, with the path."""


def _store(root: Path, rel: str, path: Path, data: bytes, record: dict[str, Any]) -> None:
    """The image, then its record, each written whole; the image first, so a record
    never describes a file that is not there."""
    try:
        write_atomic(path, data)
        _write_record(root, rel, record)
    except OSError as err:
        raise _StoreError(f"cannot write {rel} in the mirror ({err.strerror or err})") from None


def _keep(root: Path, rel: str, previous: dict[str, Any] | None) -> None:
    """After a 304: the file stays; its record notes when it was last confirmed."""
    if previous is None:
        return
    try:
        _write_record(root, rel, {**previous, "checked_at": _now()})
    except OSError as err:
        raise _StoreError(f"cannot write the record of {rel} ({err.strerror or err})") from None


def _size(n: int) -> str:
    """1536 → `1.5 KiB`: byte counts as a person reads them."""
    if n < 1024:
        return f"{n} bytes"
    value = n / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"
