"""The bytes behind a page's image reference: a file saved next to the page, a `data:` URI,
or a download through the fetcher the caller gives.

A browser's "save page" writes the page and a `NAME_files/` folder beside it and rewrites the
references to relative paths into that folder, so a relative reference is looked for next to
the page first. It must stay inside the page's folder: a page is data from the web, and
`../../.ssh/id_rsa` or a link out of the folder in it must not make a harvest read (and copy
into its output) a file the page's author chose. Anything else (an absolute http(s) URL, or
a relative one with no file beside the page) is downloaded only by the `fetch` callable the
caller passes, which owns the network policy (hosts, sizes, time-outs); without one, remote
references are reported as not downloaded.
"""

from __future__ import annotations

import base64
import binascii
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ddm_lang.errors import UserError
from ddm_lang.perception.materials import MAX_BYTES

from .page import ImageRef

Fetch = Callable[[str], Path | None]
"""Downloads a URL to a local file and returns its path, or None when it cannot."""


@dataclass(frozen=True)
class Obtained:
    """A reference's bytes, or why there are none. `where` names what was read: the local
    path relative to the page's folder, the URL, or `data: URI`."""

    data: bytes | None
    where: str
    why: str | None = None


def obtain(ref: ImageRef, page_dir: Path | None, fetch: Fetch | None) -> Obtained:
    """The bytes of one reference of a page saved in `page_dir` (None for a page read from
    elsewhere: no local files then)."""
    raw = ref.raw or ref.url
    if raw.lower().startswith("data:"):
        return _data_uri(raw)
    parts = urlsplit(raw)
    local = parts.scheme.lower() == "file" or (not parts.scheme and not parts.netloc
                                               and not raw.startswith("/"))
    if local and page_dir is not None:
        found = _local(unquote(parts.path), page_dir)
        if found.data is not None or found.why is not None:
            return found
    url = ref.url
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        where = raw
        if page_dir is None or not local:
            return Obtained(None, where, "a relative reference and no page address to resolve "
                                         "it against (give the page's URL)")
        return Obtained(None, where, "not found next to the page")
    if fetch is None:
        return Obtained(None, url, "not downloaded (no downloader given)")
    try:
        path = fetch(url)
    except (UserError, OSError) as err:
        return Obtained(None, url, f"download failed: {err}")
    if path is None:
        return Obtained(None, url, "download failed")
    return _read(Path(path), url)


def _local(path: str, page_dir: Path) -> Obtained:
    """A file next to the page: (bytes, where) when found inside the folder, a refusal when
    the path leaves it, and neither (both None) when there is no such file."""
    if not path:
        return Obtained(None, path)
    folder = page_dir.resolve()
    candidate = Path(path) if Path(path).is_absolute() else page_dir / path
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError):   # a symlink loop
        return Obtained(None, path, "refused: cannot be resolved (a link loop)")
    if not real.is_relative_to(folder):
        return Obtained(None, path, "refused: the path leaves the page's folder")
    try:
        st = real.stat()
    except OSError:
        return Obtained(None, path)
    if not stat.S_ISREG(st.st_mode):
        return Obtained(None, path, "not a file")
    return _read(real, real.relative_to(folder).as_posix())


def _read(path: Path, where: str) -> Obtained:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Obtained(None, where, f"{size:,} bytes; the most read of an image is "
                                         f"{MAX_BYTES:,}")
        return Obtained(path.read_bytes(), where)
    except OSError as err:
        return Obtained(None, where, f"cannot read ({err.strerror or 'error'})")


def _data_uri(uri: str) -> Obtained:
    """A base64 `data:` URI's bytes (the page is bounded, so they are too)."""
    head, sep, payload = uri.partition(",")
    if not sep:
        return Obtained(None, "data: URI", "a data: URI without data")
    if ";base64" not in head.lower():
        return Obtained(unquote(payload).encode("latin-1", errors="replace"), "data: URI")
    try:
        return Obtained(base64.b64decode(payload, validate=False), "data: URI")
    except (binascii.Error, ValueError):
        return Obtained(None, "data: URI", "a data: URI that is not valid base64")
