"""Requests for the running `ddm serve`, described as data: signatures, names out of the
roots, odd parameters, malformed HTTP, floods and oversized requests."""

from __future__ import annotations

from .model import BOUNDED, OK, REFUSED, Family, HttpRequest

RENDER = "/render/card/square.png"


def get(path: str, **kw: object) -> HttpRequest:
    return HttpRequest("GET", path, **kw)  # type: ignore[arg-type]


def families() -> list[Family]:
    return [_signatures(), _names(), _params(), _protocol(), _load()]


def _signatures() -> Family:
    f = Family("http-signatures")
    f.add("signed-render", OK, request=get(RENDER + "?{sign:product=p1}"))
    f.add("signed-render-svg", OK, request=get("/render/card/square.svg?{sign:product=p1}"))
    f.add("unsigned", REFUSED, request=get(RENDER + "?product=p1"), says=("sig",))
    f.add("tampered", REFUSED, request=get(RENDER + "?{sign:product=p1}&seed=5"))
    f.add("bad-sig", REFUSED, request=get(RENDER + "?product=p1&sig=" + "0" * 64))
    f.add("sig-not-hex", REFUSED, request=get(RENDER + "?product=p1&sig=%FF%FE%00"))
    f.add("two-sigs", REFUSED, request=get(RENDER + "?{sign:product=p1}&sig=abc"))
    f.add("expired", REFUSED, request=get(RENDER + "?{sign-expired:product=p1}"),
          says=("expir",))
    f.add("two-exps", REFUSED, request=get(RENDER + "?{sign:product=p1}&exp=1&exp=2"))
    f.add("exp-huge", BOUNDED, request=get(RENDER + "?{sign-exp=99999999999999999999:product=p1}"))
    f.add("exp-not-number", REFUSED, request=get(RENDER + "?{sign-exp=soon:product=p1}"))
    f.add("reload-unsigned", REFUSED, request=HttpRequest("POST", "/admin/reload"))
    f.add("reload-without-exp", REFUSED, request=HttpRequest("POST", "/admin/reload?{sign:}"),
          finding="service-reload-exp", says=("exp",))
    f.add("reload-exp-far", REFUSED, request=HttpRequest(
        "POST", "/admin/reload?{sign-exp=+100000000:}"), finding="service-reload-exp")
    f.add("reload-signed", OK, request=HttpRequest("POST", "/admin/reload?{sign-exp=+60:}"))
    f.add("reload-get", REFUSED, request=get("/admin/reload?{sign-exp=+60:}"))
    return f


def _names() -> Family:
    f = Family("http-names")
    paths = {
        "template-traversal": "/render/..%2F..%2F..%2Fetc%2Fpasswd/square.png",
        "template-dots": "/render/../square.png",
        "template-absolute": "/render/%2Fetc%2Fpasswd/square.png",
        "template-nul": "/render/card%00/square.png",
        "template-unknown": "/render/nope/square.png",
        "template-long": "/render/" + "a" * 10_000 + "/square.png",
        "format-unknown": "/render/card/nope.png",
        "ext-unknown": "/render/card/square.exe",
        "ext-missing": "/render/card/square",
        "file-traversal": "/render/card/..%2F..%2Fsecret.png",
        "format-huge-poster": "/render/card/poster.png",
    }
    for name, path in paths.items():
        expect = BOUNDED if name == "format-huge-poster" else REFUSED
        f.add(name, expect, request=get(path + "?{sign:product=p1}"))
    products = {"traversal": "../../etc/passwd", "absolute": "/etc/passwd", "unknown": "nope",
                "broken-image": "broken", "nul": "p1\x00", "long": "p" * 100_000,
                "long-title": "longtitle", "empty": ""}
    for name, product in products.items():
        expect = OK if name == "long-title" else REFUSED
        f.add(f"product-{name}", expect,
              request=get(RENDER + "?{sign:product=" + product + "}"))
    return f


def _params() -> Family:
    f = Family("http-params")
    values = {"seed": ("-1", "1e9", "9" * 100, "NaN", "abc", ""),
              "quality": ("0", "101", "-5", "9" * 50, "abc")}
    for param, vals in values.items():
        for v in vals:
            f.add(f"{param}-{v[:12] or 'empty'}", BOUNDED,
                  request=get(RENDER + "?{sign:product=p1&" + f"{param}={v}" + "}"))
    f.add("unknown-param", BOUNDED, request=get(RENDER + "?{sign:product=p1&evil=1}"))
    f.add("repeated-product", REFUSED, request=get(RENDER + "?{sign:product=p1&product=p2}"))
    f.add("query-1mb", REFUSED, request=get(RENDER + "?product=p1&x=" + "a" * 1_000_000))
    f.add("query-10k-params", REFUSED, request=get(
        RENDER + "?" + "&".join(f"k{i}=v" for i in range(10_000))))
    return f


def _protocol() -> Family:
    f = Family("http-protocol")
    for method in ("POST", "PUT", "DELETE", "PATCH", "TRACE", "OPTIONS", "FOO"):
        f.add(f"method-{method.lower()}", REFUSED, request=HttpRequest(
            method, RENDER + "?{sign:product=p1}", body=b"{}"))
    f.add("healthz", OK, request=get("/healthz"))
    f.add("metrics", OK, request=get("/metrics"))
    f.add("not-found", REFUSED, request=get("/etc/passwd"))
    f.add("dot-dot-path", REFUSED, request=get("/../../etc/passwd"))
    f.add("reload-json-garbage", BOUNDED, request=HttpRequest(
        "POST", "/admin/reload?{sign-exp=+60:}", (("content-type", "application/json"),),
        b"{not json"), finding="service-json-errors")
    f.add("reload-json-deep", BOUNDED, request=HttpRequest(
        "POST", "/admin/reload?{sign-exp=+60:}", (("content-type", "application/json"),),
        b"[" * 100_000 + b"]" * 100_000), finding="service-json-errors")
    f.add("reload-body-20mb", BOUNDED, request=HttpRequest(
        "POST", "/admin/reload?{sign-exp=+60:}", body=b"x" * 20_000_000))
    f.add("header-100kb", BOUNDED, request=get("/healthz", headers=(("x-big", "a" * 100_000),)))
    f.add("headers-1000", BOUNDED, request=get(
        "/healthz", headers=tuple((f"x-h{i}", "v") for i in range(1000))))
    f.add("host-evil", BOUNDED, request=get("/healthz", headers=(("host", "evil.example"),)))
    f.add("if-none-match-huge", BOUNDED, request=get(
        RENDER + "?{sign:product=p1}", headers=(("if-none-match", '"x", ' * 20_000),)))
    raws = {
        "raw-garbage": b"\x00\x01\x02\x03garbage\r\n\r\n",
        "raw-http09": b"GET /healthz\r\n\r\n",
        "raw-bad-version": b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
        "raw-no-host": b"GET /healthz HTTP/1.1\r\n\r\n",
        "raw-bad-content-length": b"POST /admin/reload HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "raw-chunked-garbage": b"POST /admin/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "raw-smuggle": b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "raw-unicode-path": "GET /render/kärt/square.png HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    }
    for name, raw in raws.items():
        f.add(name, BOUNDED, request=HttpRequest("RAW", "", raw=raw))
    return f


def _load() -> Family:
    f = Family("http-load")
    for n in (50, 200):
        f.add(f"idle-connections-{n}", OK, request=get("/healthz", connections=n),
              finding="service-connection-flood" if n == 200 else None)
    f.add("slow-render-timeout", BOUNDED, request=get(
        "/render/slow/big.png?{sign:product=p1}"), finding="service-timeouts")
    f.add("healthz-after-slow", OK, request=get("/healthz"), finding="service-timeouts")
    return f
