"""Connection limits for uvicorn: a cap on open connections and a deadline for a request's
head, which uvicorn lacks.

uvicorn closes a keep-alive connection `timeout_keep_alive` seconds after a response, but
a connection that never sends a request, or sends its headers a byte at a time
(slowloris), stays open for ever: enough of them exhaust the process's file descriptors
and nothing, `/healthz` included, is answered any more. `GuardedH11Protocol` is uvicorn's
h11 protocol with two additions:

- the head of each request (request line and headers) must arrive within
  `header_timeout` seconds of the connection opening or of the previous response, else
  the connection is closed;
- at most `max_connections` are open: a new one beyond that closes the oldest connection
  that is waiting for a request head (idle or slow), so a real request always gets in;
  when every connection is busy with a request, the new one is closed instead.

`uvicorn_options(config)` gives the keyword arguments for `uvicorn.Config`/`uvicorn.run`.
"""

from __future__ import annotations

import asyncio
import functools
import resource
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import ServeConfig

RESERVED_FDS = 256
"""File descriptors kept for everything but client connections (workers' pipes, cache
files, templates, fonts)."""


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int
    header_timeout: float


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and a connection cap."""

    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.head_timer: asyncio.TimerHandle | None = None
        self.waiting_since = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections and not self._evict_idle():
            transport.close()       # every connection is busy with a request: refuse
            return
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is None:  # refused in connection_made: uvicorn never saw it
            return
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._awaiting_head():
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()

    # ---- the head deadline -------------------------------------------------------------

    def _awaiting_head(self) -> bool:
        """No request being handled: idle, or part of a head received."""
        return self.cycle is None or self.cycle.response_complete

    def _await_head(self) -> None:
        self._cancel_head_timer()
        self.waiting_since = self.loop.time()
        self.head_timer = self.loop.call_later(self.limits.header_timeout, self._head_late)

    def _cancel_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_late(self) -> None:
        self.head_timer = None
        if self._awaiting_head() and not self.transport.is_closing():
            self.transport.close()

    def _evict_idle(self) -> bool:
        """Close the connection that has waited longest for a request head; False when
        every connection is handling a request."""
        idle = [c for c in self.connections
                if isinstance(c, GuardedH11Protocol) and c._awaiting_head()
                and not c.transport.is_closing()]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.waiting_since)
        oldest._cancel_head_timer()
        oldest.transport.close()
        # connection_lost comes on a later loop turn; count the slot as free now
        self.connections.discard(oldest)
        return True


def uvicorn_options(config: ServeConfig) -> dict[str, Any]:
    """`uvicorn.Config` keyword arguments for the service's connection settings."""
    limits = ConnectionLimits(config.max_connections, config.header_timeout)
    ensure_fd_limit(config.max_connections + RESERVED_FDS)
    return {"http": functools.partial(GuardedH11Protocol, limits=limits),
            "timeout_keep_alive": config.keep_alive,
            "timeout_graceful_shutdown": config.graceful_timeout,
            # a backstop: the cap above keeps connections below this
            "limit_concurrency": config.max_connections + 1}


def ensure_fd_limit(needed: int) -> None:
    """Raise the soft file-descriptor limit towards `needed` (up to the hard limit), so
    the connection cap, not the kernel, decides when connections are refused."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
