"""The local engine: a pool of worker processes, one per core by default.

Each process loads the templates once (the pool's initializer) and then takes whole jobs
(one product × its templates and formats). Jobs are submitted a few per worker ahead, not
all at once, so a catalogue of millions of products does not sit in the queue's memory.
With one worker everything runs in this process: no start-up cost for small batches.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from ddm_lang.batch.plan import Job, Settings
from ddm_lang.batch.worker import Worker, init_process, run_in_process

AHEAD = 4   # jobs in flight per worker


def run_local(jobs: Iterable[Job], *, template_paths: list[str], settings: Settings, out: str,
              base_dir: str, library: str | None, workers: int
              ) -> Iterator[list[dict[str, Any]]]:
    """Manifest rows per finished job, in completion order."""
    if workers <= 1:
        worker = Worker(template_paths, settings, out, base_dir, library)
        for job in jobs:
            yield worker.run(job)
        return
    # spawn, not fork: the parent may hold onnxruntime sessions and threads (perception)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, context, init_process,
                             (template_paths, settings, out, base_dir, library)) as pool:
        pending: set[Future[list[dict[str, Any]]]] = set()
        queue = iter(jobs)
        for job in queue:
            pending.add(pool.submit(run_in_process, job))
            if len(pending) >= workers * AHEAD:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
