"""The Ray engine: the same jobs on a pool of Ray actors, on this machine or a cluster.

Each actor is a `Worker` (templates, fonts, ONNX sessions and the material library loaded
once) taking one CPU; the driver streams jobs to whichever actor is free and writes the
manifest itself, exactly as the local engine does. The perception pre-pass runs as Ray
tasks too, asking for a share of a GPU when the cluster has one.

On a cluster every node must see the catalogue's images, the templates and the material
library at the same paths (a shared filesystem), and the output must be a shared folder
or an object-store URL; docs/batch.md says how to start one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from ddm_lang.batch.plan import BatchError, Job, Settings
from ddm_lang.batch.worker import Worker
from ddm_lang.scene import Material


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BatchError("--engine ray needs Ray: pip install 'ddm_lang[ray]'") from None
    return ray


class RaySession:
    """`ray.init` for the batch's duration: a local instance when no address is given (with
    `workers` CPUs), else the cluster at `address`. A session someone else started (a
    notebook, a test) is used and left running."""

    def __init__(self, address: str | None, workers: int, library: str) -> None:
        self.ray = _ray()
        self.owned = not self.ray.is_initialized()
        if self.owned:
            env = {"env_vars": {"DDM_LIBRARY": library}}
            options: dict[str, Any] = {"include_dashboard": False, "runtime_env": env,
                                       "log_to_driver": False}
            try:
                if address:
                    self.ray.init(address=address, **options)
                else:
                    self.ray.init(num_cpus=workers, **options)
            except (ConnectionError, RuntimeError, ValueError) as err:
                where = f"the Ray cluster at {address}" if address else "a local Ray instance"
                raise BatchError(f"cannot start or join {where}: {err}") from None

    def cpus(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def gpus(self) -> float:
        return float(self.ray.cluster_resources().get("GPU", 0))

    def close(self) -> None:
        if self.owned:
            self.ray.shutdown()


def perceive_on_ray(session: RaySession, materials: list[Material], library: str
                    ) -> dict[str, str | None]:
    """Perception records for `materials` stored in the library by Ray tasks (a quarter of
    a GPU each when the cluster has GPUs); content hash → error text or None."""
    ray = session.ray

    def perceive(material: Material) -> tuple[str, str | None]:
        from ddm_lang.perception.library import LibraryError, MaterialLibrary
        from ddm_lang.perception.materials import MaterialError
        from ddm_lang.perception.models import ModelError
        try:
            MaterialLibrary(library).perceive(material)
        except (MaterialError, ModelError, LibraryError) as err:
            return material.sha256, str(err)
        return material.sha256, None

    options = {"num_cpus": 1, "num_gpus": 0.25} if session.gpus() else {"num_cpus": 1}
    task = ray.remote(**options)(perceive)
    return dict(ray.get([task.remote(m) for m in materials]))


def run_ray(session: RaySession, jobs: Iterable[Job], *, template_paths: list[str],
            settings: Settings, out: str, base_dir: str, library: str, workers: int
            ) -> Iterator[list[dict[str, Any]]]:
    """Manifest rows per finished job, in completion order, from `workers` actors."""
    from ray.util import ActorPool
    actor = session.ray.remote(num_cpus=1)(Worker)
    actors = [actor.remote(template_paths, settings, out, base_dir, library)
              for _ in range(max(1, workers))]
    try:
        pool = ActorPool(actors)
        yield from pool.map_unordered(lambda a, job: a.run.remote(job), list(jobs))
    finally:
        for a in actors:
            session.ray.kill(a)


def default_workers(session: RaySession | None) -> int:
    return session.cpus() if session is not None else (os.cpu_count() or 1)
