"""Bounded concurrency for renders: a pool of workers, a queue of fixed length, then 503.

Rendering is CPU-bound and takes tens to hundreds of milliseconds, so it runs in a pool
off the event loop, which stays free to answer cache hits, health checks and 503s while
renders run. At most `workers` renders run and `queue_size` wait; a request beyond that
is refused at once (the client or CDN retries after `Retry-After`) instead of queueing
without bound until every request times out. The time limit counts from admission, queue
wait included; a render that passes it answers 504.

`process` (the default) runs renders in spawned worker processes of our own, one pipe
each, so a worker can be ended on its own: a render past its time limit has its process
killed and replaced, which frees the slot at once (a runaway render cannot hold capacity
for minutes), and a worker that died (the OOM killer, a crash) is replaced and the render
retried once on a fresh one. `concurrent.futures` can do neither: it cannot stop one task,
and one dead worker breaks its whole pool for good.

`thread` runs renders in this process. A thread cannot be stopped: a timed-out render
answers 504 but keeps its slot until it finishes, so the bound on CPU work holds, and
the server cannot exit before it ends. Use it for small development servers only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import pickle
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from . import render
from .render import RenderJob

log = logging.getLogger("ddm.serve")

WARM_SECONDS = 120.0
"""Limit for a fresh worker's start (imports, fonts): far above its usual second or two."""
STOP_SECONDS = 2.0
"""How long `close` lets idle workers exit before killing them."""


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class TimedOut(Exception):
    """The render passed the per-request time limit."""


class WorkerLost(Exception):
    """The worker process died during the render, and again on the one retry."""


class _Died(Exception):
    """The worker's process went away while it held a job (killed, crashed)."""


class _Worker:
    """One spawned render process and the pipe to it; one job at a time."""

    def __init__(self, context: Any, library: str | None) -> None:
        self.conn, child = context.Pipe()
        # Daemonic: if the server dies without closing the pool, they go with it.
        self.process = context.Process(target=_worker_main, args=(child, library),
                                       name="ddm-render", daemon=True)
        self.process.start()
        child.close()
        self.killed = False

    def alive(self) -> bool:
        return not self.killed and self.process.is_alive()

    def call(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """`fn(arg)` in the worker (blocking: run it in a thread); _Died when it exits."""
        try:
            self.conn.send((fn, arg))
            ok, value = self.conn.recv()
        except (EOFError, OSError) as err:
            raise _Died() from err
        if ok:
            return value
        raise value

    def kill(self) -> None:
        """End the process now (SIGKILL): a render in C code ignores anything gentler."""
        self.killed = True
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()

    def stop(self) -> None:
        """Ask an idle worker to exit (it finishes nothing: it holds no job)."""
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)


class RenderPool:
    def __init__(self, kind: str, workers: int, queue_size: int, library: str | None = None,
                 on_render: Callable[[float], None] | None = None) -> None:
        self.kind = kind
        self.workers = workers
        self.limit = workers + queue_size
        self.library = library
        self.on_render = on_render
        self.waiting = 0                       # admitted, waiting for a slot (loop only)
        self.busy: set[int] = set()            # slots running a render or starting a worker
        self.restarts = 0                      # workers replaced since start
        self._slots: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(workers):
            self._slots.put_nowait(slot)
        self._procs: list[_Worker | None] = [None] * workers
        self._context = multiprocessing.get_context("spawn")
        self._threads = cf.ThreadPoolExecutor(workers * 2 if kind == "process" else workers,
                                              thread_name_prefix="ddm-render")
        self._respawning: set[asyncio.Task[None]] = set()
        self._closed = False
        if kind == "thread":  # renders run in this process: it compiles in the configured one
            render.init_worker(library)

    @property
    def queue_depth(self) -> int:
        return self.waiting

    @property
    def running(self) -> int:
        return len(self.busy)

    async def start(self) -> None:
        """Start every worker now (a spawned process imports skia and loads fonts), so
        the first requests do not pay for it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WARM_SECONDS
        if self.kind == "process":
            await asyncio.gather(*(self._in_process(render.warm, i, deadline)
                                   for i in range(self.workers)))
        else:
            await asyncio.gather(*(loop.run_in_executor(self._threads, render.warm, i)
                                   for i in range(self.workers)))

    def health(self) -> dict[str, int]:
        """Workers able to take a render now, after replacing idle ones that died."""
        if self.kind != "process":
            return {"alive": self.workers, "expected": self.workers, "restarts": 0}
        for slot, worker in enumerate(self._procs):
            if slot not in self.busy and worker is not None and not worker.alive():
                try:
                    self._spawn(slot)
                except OSError as err:
                    log.error("cannot start a render worker: %s", err)
        alive = sum(1 for w in self._procs if w is not None and w.alive())
        return {"alive": alive, "expected": self.workers, "restarts": self.restarts}

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are killed (a request
        that outlived the graceful shutdown gets no answer anyway)."""
        self._closed = True
        for task in self._respawning:
            task.cancel()
        workers = [w for w in self._procs if w is not None]
        for slot, worker in enumerate(self._procs):
            if worker is not None:
                (worker.kill if slot in self.busy else worker.stop)()
        deadline = time.monotonic() + STOP_SECONDS
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.kill()
                worker.process.join(1)
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def run(self, job: RenderJob, timeout: float) -> bytes:
        """The job's bytes; Busy when the queue is full, TimedOut past `timeout` seconds,
        WorkerLost when its worker died twice."""
        if self.waiting + len(self.busy) >= self.limit:
            raise Busy()
        deadline = asyncio.get_running_loop().time() + max(0.0, timeout)
        if self.kind == "process":
            data, seconds = await self._in_process(_timed, job, deadline)
        else:
            data, seconds = await self._in_thread(job, deadline)
        if self.on_render is not None:
            self.on_render(seconds)
        return data

    # ---- slots -------------------------------------------------------------------------

    async def _slot(self, deadline: float) -> int:
        """A free slot, waiting in the queue until `deadline` at most."""
        self.waiting += 1
        try:
            remaining = deadline - asyncio.get_running_loop().time()
            slot = await asyncio.wait_for(self._slots.get(), max(0.0, remaining))
        except TimeoutError:
            raise TimedOut() from None
        finally:
            self.waiting -= 1
        self.busy.add(slot)
        return slot

    def _free(self, slot: int) -> None:
        self.busy.discard(slot)
        self._slots.put_nowait(slot)

    # ---- threads -----------------------------------------------------------------------

    async def _in_thread(self, job: RenderJob, deadline: float) -> tuple[bytes, float]:
        slot = await self._slot(deadline)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._threads, _timed, job)
        # The slot is freed when the thread really finishes, even after a 504.
        future.add_done_callback(lambda _: self._free(slot))
        future.add_done_callback(_retrieve)
        try:
            return await asyncio.wait_for(asyncio.shield(future), deadline - loop.time())
        except TimeoutError:
            raise TimedOut() from None

    # ---- processes ---------------------------------------------------------------------

    async def _in_process(self, fn: Callable[[Any], Any], arg: Any, deadline: float) -> Any:
        """`fn(arg)` in a worker process, retried once on a fresh worker if it died."""
        for attempt in (1, 2):
            slot = await self._slot(deadline)
            try:
                worker = self._worker(slot)
                return await self._call(worker, fn, arg, deadline)
            except _Died:
                log.warning("render worker %s died (exit code %s); replacing it",
                            worker.process.pid, worker.process.exitcode)
                if attempt == 2:
                    raise WorkerLost() from None
            finally:
                self._release(slot)
        raise AssertionError("unreachable")

    async def _call(self, worker: _Worker, fn: Callable[[Any], Any], arg: Any,
                    deadline: float) -> Any:
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(self._threads, worker.call, fn, arg)
        call.add_done_callback(_retrieve)
        try:
            return await asyncio.wait_for(asyncio.shield(call), deadline - loop.time())
        except TimeoutError:
            worker.kill()          # the only way to stop a render: its slot is free again
            raise TimedOut() from None
        except asyncio.CancelledError:
            worker.kill()          # shutting down: nobody waits for this render
            raise

    def _worker(self, slot: int) -> _Worker:
        worker = self._procs[slot]
        if worker is None or not worker.alive():
            try:
                worker = self._spawn(slot)
            except OSError as err:     # out of processes or file descriptors
                log.error("cannot start a render worker: %s", err)
                raise WorkerLost() from None
        return worker

    def _spawn(self, slot: int) -> _Worker:
        old = self._procs[slot]
        if old is not None:
            old.kill()
            self.restarts += 1
        worker = _Worker(self._context, self.library)
        self._procs[slot] = worker
        return worker

    def _release(self, slot: int) -> None:
        """Give the slot back; a worker that died or was killed is replaced and warmed
        first, so the next render does not pay for its start inside its time limit."""
        worker = self._procs[slot]
        if self._closed or worker is None or worker.alive():
            self._free(slot)
            return
        task = asyncio.ensure_future(self._respawn(slot))
        self._respawning.add(task)
        task.add_done_callback(self._respawning.discard)

    async def _respawn(self, slot: int) -> None:
        try:
            worker = self._spawn(slot)
            loop = asyncio.get_running_loop()
            await self._call(worker, render.warm, slot, loop.time() + WARM_SECONDS)
        except (OSError, _Died, TimedOut) as err:   # the next render tries again
            log.error("cannot start a render worker: %s", err)
        finally:
            self._free(slot)


def _timed(job: RenderJob) -> tuple[bytes, float]:
    start = time.perf_counter()
    data = render.run(job)
    return data, time.perf_counter() - start


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a result nobody may await (a 504's render) as seen, so it is not logged."""
    if not future.cancelled():
        future.exception()


def _worker_main(conn: Connection, library: str | None) -> None:
    """A render process: run each `(fn, arg)` received, answer `(ok, value)`; exit on
    None or when the server's end of the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C is the server's to handle
    render.init_worker(library)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, arg = message
        try:
            reply = (True, fn(arg))
        except Exception as err:
            reply = (False, _portable(err))
        conn.send(reply)


def _portable(err: Exception) -> Exception:
    """The exception itself if it survives the pipe, else a plain stand-in; unexpected
    ones are logged here with their traceback (the client gets no details)."""
    if not isinstance(err, render.RenderFailed | render.StaleTemplate | ValueError):
        log.error("render failed:\n%s", "".join(traceback.format_exception(err)))
    try:
        copy = pickle.loads(pickle.dumps(err))
    except Exception:
        return RuntimeError(f"{type(err).__name__}: {err}")
    return copy if isinstance(copy, Exception) else RuntimeError(str(err))
