"""Files written whole or not at all (the one writer every stage and command uses), and
the user's cache folder.

Creatives, caches, saved templates and reports are read while they are written (a web
server, a resumed batch, an editor's preview), so each is written beside its target and
renamed over it.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename, so no reader sees half a file.

    The file gets the mode an ordinary write would give it: a file it replaces keeps its
    mode, and a new one gets 0o666 less the umask (the kernel applies it to `os.open`'s
    mode). `tempfile.mkstemp` would make every file 0600, unreadable to a web server or a
    colleague. The temporary name is `.<name>.<8 hex digits>`, which a batch sweeps.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _create_beside(target: Path) -> tuple[int, str]:
    """A new file `.<name>.<random>` in the target's folder, opened for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(target.parent / f".{target.name}.{secrets.token_hex(4)}")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{target.parent}: no free temporary name for {target.name}")


def _keep_mode(target: Path, tmp: str) -> None:
    """Give the temporary file the mode of the file it is about to replace, if any."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(tmp, mode)


def cache_dir() -> Path:
    """ddm_lang's folder in the user's cache (`$XDG_CACHE_HOME`, else ~/.cache): what can be
    rebuilt (perception records, the parser's tables) and is never shared with other users."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ddm_lang"
