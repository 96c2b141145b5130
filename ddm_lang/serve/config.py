"""`ddm serve` settings: one frozen value, built from the command line or the environment.

The server is configured once at start; every worker process (uvicorn `--workers`) and
every render process rebuilds the same value from `DDM_SERVE_CONFIG` (JSON) and the
secret from `DDM_SERVE_SECRET`, so the secret never lands in a config file or a process
listing.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddm_lang.errors import SettingError

if TYPE_CHECKING:
    from ddm_lang.environment import Environment

SECRET_ENV = "DDM_SERVE_SECRET"
CONFIG_ENV = "DDM_SERVE_CONFIG"
MIN_SECRET_BYTES = 16
POOLS = ("thread", "process")


class ConfigError(SettingError):
    """A setting that cannot work; the message names the option and what to change."""


@dataclass(frozen=True)
class ServeConfig:
    """Everything the render service needs to know; see docs/serve.md for each option."""

    template_dirs: tuple[Path, ...] = ()          # empty: the stdlib templates
    catalogue: Path | None = None                 # None: the sample catalogue
    library: Path | None = None                   # material library (None: $DDM_LIBRARY/default)
    secret: bytes | None = field(default=None, repr=False)
    unsigned: bool = False                        # development only: no signature required
    editor: bool = False                          # mount the template editor at /editor
    cache_dir: Path | None = None                 # on-disk response store (None: memory only)
    memory_cache_bytes: int = 256 * 1024 * 1024
    max_age: int = 86_400                         # Cache-Control max-age of signed responses
    max_concurrency: int = 2                      # renders running at once
    queue_size: int = 16                          # renders waiting; beyond that: 503
    timeout: float = 30.0                         # seconds per request, queue wait included
    max_pixels: int = 4096 * 4096                 # largest format served (width × height)
    max_bytes: int = 20 * 1024 * 1024             # largest encoded response
    pool: str = "process"                         # process | thread
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1                              # uvicorn worker processes
    max_connections: int = 1000                   # open connections; beyond: idle ones close
    keep_alive: float = 5.0                       # idle seconds after a response, then close
    header_timeout: float = 10.0                  # seconds for a request's head to arrive
    graceful_timeout: float = 10.0                # SIGTERM: seconds to drain, then exit

    def __post_init__(self) -> None:
        problems = []
        if not self.unsigned and not self.secret:
            problems.append(f"no signing secret: give --secret-file FILE or set {SECRET_ENV} "
                            "(or --unsigned on a development machine)")
        if self.secret is not None and len(self.secret) < MIN_SECRET_BYTES:
            problems.append(f"the signing secret is {len(self.secret)} bytes; use at least "
                            f"{MIN_SECRET_BYTES} random bytes")
        if self.editor and not self.unsigned:
            problems.append("--editor has no authentication of its own; it is only served "
                            "together with --unsigned (a development server)")
        for name in ("max_concurrency", "workers", "max_pixels", "max_bytes",
                     "max_connections"):
            if getattr(self, name) < 1:
                problems.append(f"{_flag(name)} must be at least 1, got {getattr(self, name)}")
        for name in ("queue_size", "memory_cache_bytes", "max_age"):
            if getattr(self, name) < 0:
                problems.append(f"{_flag(name)} must not be negative, got {getattr(self, name)}")
        for name in ("timeout", "keep_alive", "header_timeout", "graceful_timeout"):
            if not getattr(self, name) > 0:
                problems.append(f"{_flag(name)} must be positive, got {getattr(self, name)}")
        if self.pool not in POOLS:
            problems.append(f"--pool must be one of {', '.join(POOLS)}, got {self.pool!r}")
        if not 0 <= self.port <= 65535:
            problems.append(f"--port must be 0..65535, got {self.port}")
        if problems:
            raise ConfigError("; ".join(problems))

    def environment(self) -> Environment:
        """The environment this configuration compiles in: the `DDM_*` variables' with the
        configured material library."""
        from ddm_lang.environment import Environment
        return Environment.from_environ(library=self.library)

    def to_env(self) -> dict[str, str]:
        """Environment variables from which `from_env` rebuilds this config in a child."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "secret":
                continue
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [str(v) for v in value]
            elif isinstance(value, Path):
                value = str(value)
            data[f.name] = value
        env = {CONFIG_ENV: json.dumps(data)}
        if self.secret:
            env[SECRET_ENV] = self.secret.decode("utf-8", "surrogateescape")
        return env

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServeConfig:
        env = os.environ if environ is None else environ
        data = json.loads(env.get(CONFIG_ENV, "{}"))
        paths = {"catalogue", "library", "cache_dir"}
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name == "template_dirs":
                value = tuple(Path(v) for v in value)
            elif f.name in paths and value is not None:
                value = Path(value)
            kwargs[f.name] = value
        secret = env.get(SECRET_ENV)
        if secret:
            kwargs["secret"] = secret.encode("utf-8", "surrogateescape")
        return cls(**kwargs)

    def with_(self, **changes: Any) -> ServeConfig:
        return replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """The settings as shown on /healthz and at start, without the secret."""
        out = {k: v for k, v in asdict(self).items() if k != "secret"}
        return {k: ([str(p) for p in v] if isinstance(v, tuple) else
                    str(v) if isinstance(v, Path) else v) for k, v in out.items()}


def read_secret(secret_file: str | Path | None) -> bytes | None:
    """The secret from a file (surrounding whitespace dropped) or from `DDM_SERVE_SECRET`."""
    if secret_file:
        path = Path(secret_file)
        try:
            data = path.read_bytes().strip()
        except OSError as err:
            raise ConfigError(f"--secret-file {path}: cannot read "
                              f"({err.strerror or err})") from None
        if not data:
            raise ConfigError(f"--secret-file {path} is empty")
        return data
    env = os.environ.get(SECRET_ENV, "").strip()
    return env.encode("utf-8") if env else None


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")
