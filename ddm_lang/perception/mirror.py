"""Where a feed's image URL lives on disk: the local image mirror's one naming rule.

Why: feeds name their images by URL, but the catalogue reads files only inside its own
folder (so a feed can never make the renderer open files elsewhere) and nothing is
downloaded unless the user asks. A mirror folder next to the feed holds the images; the
loader looks each URL up there, and the downloader (`perception.fetch`) writes there, both
through `mirror_path`, so the two can never disagree about a file's name.

The name is readable where the URL allows it, so a shop can fill the mirror from its own
CDN export with `rsync`/`wget -x` rather than through us: `https://cdn.shop.com/img/a.jpg`
→ `cdn.shop.com/img/a.jpg`. A URL whose path has a query, characters outside a safe set,
dot segments or no file name is named by its hash instead (`cdn.shop.com/_/3fa9….jpg`),
which keeps every name inside the mirror and unique per URL.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from urllib.parse import unquote, urlsplit

REMOTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~+-]{0,119}\Z")
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\Z")
_SUFFIX = re.compile(r"\.(jpe?g|png|webp|gif|avif)\Z", re.IGNORECASE)
MAX_DEPTH = 8          # path segments kept readable; a deeper path is hashed
HASHED = "_"           # folder (under the host) of names made from the URL's hash
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_remote(ref: str) -> bool:
    """Whether an image reference is a URL (any scheme) rather than a path."""
    return REMOTE.match(ref) is not None


def mirror_path(url: str) -> str | None:
    """The mirror-relative POSIX path of an http(s) URL, None for any other reference
    (a relative path, a `data:` or `ftp:` URL, a URL without a usable host)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not _HOST.match(host):
        return None
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}_{port}"
    segments = [unquote(s) for s in parts.path.split("/") if s]
    readable = (not parts.query and segments and len(segments) <= MAX_DEPTH
                and all(_SEGMENT.match(s) and s not in (".", "..") for s in segments)
                and _SUFFIX.search(segments[-1]) is not None)
    if readable:
        return posixpath.join(host, *segments)
    last = segments[-1] if segments else ""
    suffix = m.group(0).lower() if (m := _SUFFIX.search(last)) else ""
    digest = hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:24]
    return posixpath.join(host, HASHED, digest + suffix)
