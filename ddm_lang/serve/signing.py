"""Signed URLs: HMAC-SHA256 over the path and the sorted query, with an optional expiry.

A render URL is a capability: whoever holds it makes the server spend a render. Signing
lets only the ad server that knows the secret mint them, so nobody can enumerate
products or flood the cache with made-up seeds. The message signed is

    PATH "?" QUERY

with PATH the decoded request path and QUERY every parameter except `sig`, sorted by name
then value, percent-encoded the one canonical way (`urlencode` with `quote`), so the same
URL signs the same however a client orders or encodes its query. `exp` (unix seconds) is
an ordinary parameter and so part of what is signed: it cannot be extended without the
secret. `sig` is the MAC in unpadded base64url (43 characters).

A reload URL changes the server's state, so it must carry an `exp` at most
`RELOAD_MAX_TTL` seconds ahead: a leaked one cannot be replayed for ever.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable
from urllib.parse import quote, urlencode

SIG = "sig"
EXP = "exp"
RELOAD_PATH = "/admin/reload"
RELOAD_TTL = 300
"""Lifetime `ddm sign --reload` gives a reload URL by default, seconds."""
RELOAD_MAX_TTL = 3600
"""Longest lifetime a reload URL may have: its `exp` no further ahead than this."""


class SignatureError(Exception):
    """Why a URL's signature is refused (the server answers 403 with this message)."""


def canonical(path: str, params: Iterable[tuple[str, str]]) -> bytes:
    """The bytes that are signed: the path and the query without `sig`, sorted."""
    pairs = sorted((k, v) for k, v in params if k != SIG)
    return f"{quote(path, safe='/')}?{urlencode(pairs, quote_via=quote)}".encode()


def signature(secret: bytes, path: str, params: Iterable[tuple[str, str]]) -> str:
    mac = hmac.new(secret, canonical(path, params), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def sign_query(secret: bytes, path: str, params: dict[str, str | int],
               expires: int | None = None) -> str:
    """The query string (without `?`) for `path` with `params`, `exp` and `sig` added."""
    pairs = [(k, str(v)) for k, v in params.items() if k not in (SIG, EXP)]
    if expires is not None:
        pairs.append((EXP, str(int(expires))))
    pairs.sort()
    pairs.append((SIG, signature(secret, path, pairs)))
    return urlencode(pairs, quote_via=quote)


def verify(secret: bytes, path: str, params: list[tuple[str, str]],
           now: float | None = None, max_ttl: int | None = None) -> None:
    """Return if the signature is valid and not expired; else raise SignatureError.

    The MAC is compared in constant time, and checked before the expiry, so an attacker
    learns nothing about `exp` from a forged URL. With `max_ttl`, `exp` is required and
    may lie at most that many seconds ahead (URLs that change state must not live long).
    """
    sigs = [v for k, v in params if k == SIG]
    if not sigs:
        raise SignatureError("this server only renders signed URLs: the `sig` parameter is "
                             "missing (sign the URL with `ddm sign`)")
    if len(sigs) > 1:
        raise SignatureError("more than one `sig` parameter")
    expected = signature(secret, path, params)
    if not hmac.compare_digest(expected.encode("ascii"), sigs[0].encode("utf-8", "replace")):
        raise SignatureError("the signature does not match this URL (it was altered, or "
                             "signed with another secret)")
    exps = [v for k, v in params if k == EXP]
    if len(exps) > 1:
        raise SignatureError("more than one `exp` parameter")
    if not exps:
        if max_ttl is not None:
            raise SignatureError("this URL must expire: sign it with an `exp` at most "
                                 f"{max_ttl} s ahead (`ddm sign --reload --ttl SECONDS`)")
        return
    try:
        deadline = int(exps[0])
    except ValueError:
        raise SignatureError(f"`exp` must be unix seconds, got {exps[0]!r}") from None
    moment = time.time() if now is None else now
    if moment > deadline:
        raise SignatureError(f"the URL expired at {deadline} (unix seconds)")
    if max_ttl is not None and deadline - moment > max_ttl:
        raise SignatureError(f"the URL's `exp` is more than {max_ttl} s ahead; sign it "
                             "with a shorter --ttl")


def render_path(template: str, format_name: str, ext: str) -> str:
    return f"/render/{quote(template, safe='')}/{quote(format_name, safe='')}.{ext}"


def signed_render_url(secret: bytes, template: str, format_name: str, ext: str, product: str, *,
                      seed: int | None = None, quality: int | None = None,
                      expires: int | None = None, base_url: str = "") -> str:
    """A signed `/render/...` URL (relative unless `base_url` is given)."""
    path = render_path(template, format_name, ext)
    params: dict[str, str | int] = {"product": product}
    if seed is not None:
        params["seed"] = seed
    if quality is not None:
        params["quality"] = quality
    return f"{base_url.rstrip('/')}{path}?{sign_query(secret, path, params, expires)}"
