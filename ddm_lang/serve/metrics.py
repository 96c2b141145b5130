"""Counters and histograms in the Prometheus text format, for `GET /metrics`.

Small on purpose (no client library): request counts by route and status, request and
render latency histograms, cache hits by store and misses, and gauges read at scrape time
(queue depth, renders in flight, cache size). Each uvicorn worker process keeps its own
numbers; Prometheus sums them per instance.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0, 30.0)


class Histogram:
    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)     # the last one is +Inf
        self.total = 0.0
        self.n = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.n += 1

    def lines(self, name: str, labels: str = "") -> list[str]:
        sep = "," if labels else ""
        out, running = [], 0
        for bound, count in zip((*self.buckets, float("inf")), self.counts, strict=True):
            running += count
            le = "+Inf" if bound == float("inf") else repr(bound)
            out.append(f'{name}_bucket{{{labels}{sep}le="{le}"}} {running}')
        brace = f"{{{labels}}}" if labels else ""
        out += [f"{name}_sum{brace} {self.total:.6f}", f"{name}_count{brace} {self.n}"]
        return out


class Metrics:
    """The service's numbers; methods are safe to call from the loop and pool threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, int], int] = defaultdict(int)
        self.latency: dict[str, Histogram] = defaultdict(Histogram)
        self.render_latency = Histogram()
        self.cache_hits: dict[str, int] = defaultdict(int)
        self.cache_misses = 0
        self.not_modified = 0
        self.rejected = 0          # 503: queue full
        self.timeouts = 0          # 504
        self.reloads = 0
        self.gauges: dict[str, tuple[str, Callable[[], float]]] = {}

    def request(self, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, status)] += 1
            self.latency[route].observe(seconds)

    def render(self, seconds: float) -> None:
        with self._lock:
            self.render_latency.observe(seconds)

    def hit(self, store: str) -> None:
        with self._lock:
            self.cache_hits[store] += 1

    def miss(self) -> None:
        with self._lock:
            self.cache_misses += 1

    def count(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        self.gauges[name] = (help_text, read)

    def text(self) -> str:
        with self._lock:
            lines = ["# HELP ddm_requests_total HTTP requests by route and status.",
                     "# TYPE ddm_requests_total counter"]
            lines += [f'ddm_requests_total{{route="{r}",status="{s}"}} {n}'
                      for (r, s), n in sorted(self.requests.items())]
            lines += ["# HELP ddm_request_seconds Request latency, queue wait included.",
                      "# TYPE ddm_request_seconds histogram"]
            for route, hist in sorted(self.latency.items()):
                lines += hist.lines("ddm_request_seconds", f'route="{route}"')
            lines += ["# HELP ddm_render_seconds Time a render took in the pool.",
                      "# TYPE ddm_render_seconds histogram",
                      *self.render_latency.lines("ddm_render_seconds"),
                      "# HELP ddm_cache_hits_total Responses served from a cache store.",
                      "# TYPE ddm_cache_hits_total counter"]
            lines += [f'ddm_cache_hits_total{{store="{s}"}} {self.cache_hits.get(s, 0)}'
                      for s in ("memory", "disk")]
            for name, help_text, value in (
                    ("ddm_cache_misses_total", "Responses that needed a render.",
                     self.cache_misses),
                    ("ddm_not_modified_total", "304 answers to If-None-Match.",
                     self.not_modified),
                    ("ddm_rejected_total", "503 answers: the render queue was full.",
                     self.rejected),
                    ("ddm_timeouts_total", "504 answers: a render passed the time limit.",
                     self.timeouts),
                    ("ddm_reloads_total", "Registry reloads.", self.reloads)):
                lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter",
                          f"{name} {value}"]
        for name, (help_text, read) in sorted(self.gauges.items()):
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {read():g}"]
        return "\n".join(lines) + "\n"
