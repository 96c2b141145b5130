"""The local engine: a pool of worker processes, one per core by default.

Each process loads the templates once (the pool's initializer) and then takes whole jobs
(one product × its templates and formats). Jobs are submitted a few per worker ahead, not
all at once, so a catalogue of millions of products does not sit in the queue's memory.
With one worker everything runs in this process: no start-up cost for small batches.

Workers die with the batch process (`processes.follow_parent`). A worker that dies (killed,
out of memory, a crash in native code) breaks its pool; the batch goes on with a new pool.
The jobs a worker had started when the pool broke are suspects: each of their creatives
is made again on its own, in a one-process pool, so a creative that kills its worker
every time is pinned down and recorded as failed after `RETRIES` more tries, and the
others are made.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ddm_lang.batch.plan import BatchError, Job, Settings
from ddm_lang.batch.worker import Worker, died_rows, init_process, run_in_process

AHEAD = 4     # jobs in flight per worker
RETRIES = 2   # tries, after the first, of a creative whose worker died making it
Rows = list[dict[str, Any]]
# spawn, not fork: the parent may hold onnxruntime sessions and threads (perception)
CONTEXT = multiprocessing.get_context("spawn")


def run_local(jobs: Iterable[Job], *, template_paths: list[str], settings: Settings, out: str,
              base_dir: str, library: str | None, workers: int) -> Iterator[Rows]:
    """Manifest rows per finished job, in completion order."""
    if workers <= 1:
        worker = Worker(template_paths, settings, out, base_dir, library)
        for job in jobs:
            yield worker.run(job)
        return
    initargs = (template_paths, settings, out, base_dir, library)
    source = iter(jobs)
    again: deque[Job] = deque()     # jobs a broken pool had queued but no worker started
    barren = 0                      # pools in a row that broke before any job started
    while True:
        pool = _Pool(workers, initargs)
        try:
            yield from pool.feed(_chain(again, source), workers * AHEAD)
        finally:
            pool.close()
        if not pool.broken:
            return
        suspects, unstarted = pool.leftovers()
        again.extendleft(reversed(unstarted))
        barren = 0 if suspects or pool.finished else barren + 1
        if barren > RETRIES:
            raise BatchError(f"the worker processes died {barren} times before taking any "
                             "work: see the errors above, or the system log (out of memory?)")
        yield from _isolate(suspects, initargs, settings)


def _chain(first: deque[Job], rest: Iterator[Job]) -> Iterator[Job]:
    """Jobs from `first` (emptied as they are taken), then from `rest`."""
    while first:
        yield first.popleft()
    yield from rest


def _isolate(jobs: list[Job], initargs: tuple[Any, ...], settings: Settings
             ) -> Iterator[Rows]:
    """Each creative of `jobs` alone on a one-process pool, up to RETRIES tries: a death
    now is its own doing, and after the last it is recorded as failed."""
    pool: _Pool | None = None
    try:
        for job in jobs:
            for unit in job.units:
                single = Job(job.product, (unit,))
                for _ in range(RETRIES):
                    pool = pool or _Pool(1, initargs)
                    rows = pool.run_one(single)
                    if rows is not None:
                        yield rows
                        break
                    pool.close()
                    pool = None
                else:
                    yield died_rows(single, settings, RETRIES + 1)
    finally:
        if pool is not None:
            pool.close()


class _Pool:
    """A process pool that knows which of its jobs a worker had started when it broke:
    each worker puts a job's tag on `started` before running it."""

    def __init__(self, size: int, initargs: tuple[Any, ...]) -> None:
        self.started = CONTEXT.SimpleQueue()
        self.executor = ProcessPoolExecutor(size, CONTEXT, init_process,
                                            (*initargs, os.getpid(), self.started))
        self.pending: dict[Future[Rows], tuple[int, Job]] = {}
        self.unsent: list[tuple[int, Job]] = []     # refused by a pool already broken
        self.begun: set[int] = set()                # tags of the jobs workers started
        self.tags = 0
        self.finished = 0          # jobs this pool completed
        self.broken = False

    def feed(self, jobs: Iterator[Job], ahead: int) -> Generator[Rows, None, None]:
        """Run `jobs`, at most `ahead` in flight, yielding their rows; stops early, with
        `broken` set, if a worker dies (the jobs not taken stay in `jobs`)."""
        for job in jobs:
            if not self.submit(job):      # broke since the last collect
                if self.pending:
                    yield from self.collect(everything=True)
                return
            while len(self.pending) >= ahead:
                yield from self.collect()
                if self.broken:
                    return
        while self.pending and not self.broken:
            yield from self.collect()

    def run_one(self, job: Job) -> Rows | None:
        """The rows of `job` run alone, or None if its worker died."""
        if self.submit(job):
            for rows in self.collect():
                return rows
        return None

    def submit(self, job: Job) -> bool:
        self.tags += 1
        try:
            future = self.executor.submit(run_in_process, job, self.tags)
        except BrokenProcessPool:
            self.broken = True
            self.unsent.append((self.tags, job))
            return False
        self.pending[future] = (self.tags, job)
        return True

    def collect(self, everything: bool = False) -> Iterator[Rows]:
        """The rows of the jobs that finished (of all of them: `everything`). When a worker
        died, the rows of every job that finished before, `broken` set, and the jobs lost
        left in `pending`."""
        self._read_started()   # a pipe nobody reads fills up, and its writers block
        done, _ = wait(self.pending, return_when=ALL_COMPLETED if everything
                       else FIRST_COMPLETED)
        if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
            self.broken = True    # the pool fails every job it holds: wait for all of them
            done, _ = wait(self.pending, return_when=ALL_COMPLETED)
        for future in done:
            if isinstance(future.exception(), BrokenProcessPool):
                continue
            del self.pending[future]
            self.finished += 1
            yield future.result()

    def leftovers(self) -> tuple[list[Job], list[Job]]:
        """After a break and `close`: the jobs a worker had started (suspects) and the jobs none had."""
        jobs = sorted([*self.pending.values(), *self.unsent], key=lambda entry: entry[0])
        return ([job for tag, job in jobs if tag in self.begun],
                [job for tag, job in jobs if tag not in self.begun])

    def close(self) -> None:
        """Stop the workers, then read which jobs they started (`leftovers` needs it)."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self._read_started()
        self.started.close()

    def _read_started(self) -> None:
        """Move the tags workers have put on `started` into `begun`. Read as the batch
        goes, not only at the end: the queue is a pipe, and once some thousands of tags
        fill it every worker blocks on its next put and the batch stops."""
        while not self.started.empty():
            self.begun.add(self.started.get())
