"""Bounded concurrency for renders: a pool of workers, a queue of fixed length, then 503.

Rendering is CPU-bound and takes tens to hundreds of milliseconds, so it runs in a pool
off the event loop, which stays free to answer cache hits, health checks and 503s while
renders run. At most `workers` renders run and `queue_size` wait; a request beyond that
is refused at once (the client or CDN retries after `Retry-After`) instead of queueing
without bound until every request times out. The time limit counts from admission, queue
wait included; a render that passes it answers 504, and its slot is freed only when the
work really stops (a queued job is cancelled, a running one finishes), so the bound on
CPU work holds even under timeouts.

`thread` runs renders in this process (the renderer and encoders release the GIL for part
of the work); `process` runs them in spawned worker processes, each loading templates,
fonts and models once. benchmarks/serve_load.py measures both.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import multiprocessing
import time
from collections.abc import Callable

from . import render
from .render import RenderJob


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class TimedOut(Exception):
    """The render passed the per-request time limit."""


class RenderPool:
    def __init__(self, kind: str, workers: int, queue_size: int, library: str | None = None,
                 on_render: Callable[[float], None] | None = None) -> None:
        self.kind = kind
        self.workers = workers
        self.limit = workers + queue_size
        self.inflight = 0            # admitted and not finished; touched on the loop only
        self.on_render = on_render
        self.executor: cf.Executor
        if kind == "process":
            self.executor = cf.ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=render.init_worker, initargs=(library,))
        else:
            self.executor = cf.ThreadPoolExecutor(workers, thread_name_prefix="ddm-render")

    @property
    def queue_depth(self) -> int:
        return max(0, self.inflight - self.workers)

    @property
    def running(self) -> int:
        return min(self.inflight, self.workers)

    async def start(self) -> None:
        """Start every worker now (a spawned process imports skia and loads fonts), so
        the first requests do not pay for it."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self.executor, render.warm, i)
                               for i in range(self.workers)))

    def close(self) -> None:
        # Worker processes are waited for (a render in flight ends within the request time
        # limit): left running, they would outlive the server holding its stdout.
        self.executor.shutdown(wait=self.kind == "process", cancel_futures=True)

    async def run(self, job: RenderJob, timeout: float) -> bytes:
        """The job's bytes; Busy when the queue is full, TimedOut past `timeout` seconds."""
        if self.inflight >= self.limit:
            raise Busy()
        loop = asyncio.get_running_loop()
        self.inflight += 1
        try:
            future = self.executor.submit(_timed, job)
        except BaseException:
            self.inflight -= 1
            raise

        def finished(done: cf.Future[tuple[bytes, float]]) -> None:
            # RuntimeError: the loop is closed, the server is shutting down
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._release, done)

        future.add_done_callback(finished)
        try:
            data, _ = await asyncio.wait_for(asyncio.wrap_future(future), max(0.0, timeout))
        except TimeoutError:
            future.cancel()
            raise TimedOut() from None
        return data

    def _release(self, done: cf.Future[tuple[bytes, float]]) -> None:
        self.inflight -= 1
        if self.on_render is not None and not done.cancelled() and done.exception() is None:
            self.on_render(done.result()[1])


def _timed(job: RenderJob) -> tuple[bytes, float]:
    start = time.perf_counter()
    data = render.run(job)
    return data, time.perf_counter() - start
