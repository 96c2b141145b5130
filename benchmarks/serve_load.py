"""Load on `ddm serve` over loopback: throughput and latency for cache misses and hits, and
the server's memory over a few thousand requests.

Why this exists: the render service's promise is a bounded, steady server: misses limited
by CPU (so what matters is how close the service gets to rendering the same creatives
directly), hits limited only by HTTP (a CDN's revalidations and repeats must be cheap), and
no memory growth with traffic. Everything is measured in one run against one baseline, a
sequential in-process compile+render of the same creatives, so the ratios compare across
machines even where the absolute figures do not.

The server runs as a subprocess (`python -m ddm_lang.serve`, signed mode, stdlib templates,
sample catalogue, a fresh material library perceived first) for each render pool (`thread`,
`process`); an asyncio httpx client drives it at concurrencies 1, 4 and 16. The client
shares the machine with the server, so on a small machine it takes CPU the server could
use: the hit figures are a floor. The run is bounded by `--budget` seconds; a phase cut
short says so in the table.

    .venv/bin/python benchmarks/serve_load.py               # writes results/serve_load.md
    .venv/bin/python benchmarks/serve_load.py --budget 120 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from provenance import ddm_lang_source, machine, run_lines, versions

from ddm_lang.api import load_template
from ddm_lang.files import write_atomic
from ddm_lang.perception.catalogue import load_catalogue
from ddm_lang.serve.signing import signed_render_url
from ddm_lang.stdlib_templates import stdlib_dir

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "results" / "serve_load.md"
SECRET = b"serve-load-benchmark-secret-0123456789"
MISS_TEMPLATES = ("product_hero", "price_tag", "hero_split", "spotlight")
MISS_FORMAT, MISS_EXT = "feed", "jpg"
CONCURRENCY = (1, 4, 16)
MISS_REQUESTS = {1: 16, 4: 32, 16: 48}
HIT_REQUESTS = 1000
SOAK_REQUESTS = 3000
SOAK_SAMPLES = 12
HIT_SET = 16
ROUNDS = 2


@dataclass
class Phase:
    pool: str
    traffic: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    cut_short: bool = False

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


# ---- the server ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m ddm_lang.serve` in a subprocess on loopback."""

    def __init__(self, pool: str, library: Path, workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DDM_LIBRARY": str(library), "DDM_SERVE_SECRET": SECRET.decode()}
        self.command = [sys.executable, "-m", "ddm_lang.serve", "--port", str(self.port),
                        "--pool", pool, "--max-concurrency", str(workers),
                        "--queue-size", "64", "--memory-cache-mb", "64"]
        self.proc = subprocess.Popen(self.command, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited: {self.proc.communicate()[1]}")
            try:
                if httpx.get(f"{self.base}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start in 120 s")
            time.sleep(0.1)

    def rss_mb(self) -> float:
        """Resident memory of the server and its render processes, MiB."""
        pids = [self.proc.pid, *_children(self.proc.pid)]
        return sum(_rss_kb(p) for p in pids) / 1024

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---- the client ------------------------------------------------------------------------

async def drive(base: str, urls: list[str], concurrency: int, phase: Phase, deadline: float,
                on_progress: tuple[int, object] | None = None) -> None:
    """GET every URL with `concurrency` requests in flight; latencies into `phase`."""
    queue = list(reversed(urls))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    done = 0

    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        async def worker() -> None:
            nonlocal done
            while queue:
                if time.monotonic() > deadline:
                    phase.cut_short = True
                    return
                url = queue.pop()
                start = time.perf_counter()
                r = await client.get(url)
                phase.latencies.append(time.perf_counter() - start)
                phase.statuses[r.status_code] = phase.statuses.get(r.status_code, 0) + 1
                done += 1
                if on_progress is not None and done % on_progress[0] == 0:
                    on_progress[1]()  # type: ignore[operator]

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        phase.seconds += time.perf_counter() - start


def miss_urls(products: list[str], start_seed: int, n: int) -> list[str]:
    """`n` distinct creatives (template × product × seed), each new to the server."""
    out = []
    for i in range(n):
        template = MISS_TEMPLATES[i % len(MISS_TEMPLATES)]
        product = products[(i // len(MISS_TEMPLATES)) % len(products)]
        out.append(signed_render_url(SECRET, template, MISS_FORMAT, MISS_EXT, product,
                                     seed=start_seed + i))
    return out


# ---- the run ---------------------------------------------------------------------------

def baseline(products: dict[str, dict], base_dir: Path, n: int) -> float:
    """Seconds per creative, compiled and encoded in this process, one at a time."""
    templates = {name: load_template(stdlib_dir() / f"{name}.ddm") for name in MISS_TEMPLATES}
    ids = list(products)
    jobs = [(MISS_TEMPLATES[i % len(MISS_TEMPLATES)], ids[(i // len(MISS_TEMPLATES)) % len(ids)],
             10_000 + i) for i in range(n)]
    for name, pid, seed in jobs[:len(MISS_TEMPLATES)]:  # warm: fonts, models, first loads
        templates[name].compile(products[pid], MISS_FORMAT, base_dir=base_dir,
                                seed=seed).render(MISS_EXT)
    start = time.perf_counter()
    for name, pid, seed in jobs:
        templates[name].compile(products[pid], MISS_FORMAT, base_dir=base_dir,
                                seed=seed + 1_000).render(MISS_EXT)
    return (time.perf_counter() - start) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=300, help="seconds for the whole run")
    parser.add_argument("--pools", default="thread,process")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="--max-concurrency of the server (default: the CPU count)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    began = time.monotonic()
    deadline = began + args.budget

    catalogue_path = stdlib_dir() / "samples" / "catalogue.json"
    catalogue = load_catalogue(catalogue_path)
    products = {p.id: p.as_dict() for p in catalogue.products}
    work = Path(tempfile.mkdtemp(prefix="ddm-serve-load-"))
    library = work / "materials.sqlite"
    os.environ["DDM_LIBRARY"] = str(library)
    print("perceiving the sample catalogue into a fresh library ...", file=sys.stderr)
    from ddm_lang.perception.commands import add
    add(catalogue_path, library, jobs=min(2, os.cpu_count() or 1))

    per_creative = baseline(products, catalogue.base_dir, 12)
    print(f"baseline: {per_creative * 1000:.0f} ms per creative in-process", file=sys.stderr)

    pools = [p.strip() for p in args.pools.split(",") if p.strip()]
    servers = {pool: Server(pool, library, args.workers) for pool in pools}
    memory: dict[str, list[tuple[int, float]]] = {p: [(0, s.rss_mb())] for p, s in
                                                  servers.items()}
    served = dict.fromkeys(pools, 0)
    phases: list[Phase] = []
    load = [os.getloadavg()[0]]
    seed = 0

    def measured(phase: Phase) -> None:
        served[phase.pool] += len(phase.latencies)
        memory[phase.pool].append((served[phase.pool], servers[phase.pool].rss_mb()))
        _report(phase)

    try:
        # Misses: the pools take turns, round by round, so a change in the machine's load
        # (other work on a shared host) falls on both alike.
        hit_sets: dict[str, list[str]] = {}
        for c in CONCURRENCY:
            by_pool = {pool: Phase(pool, "miss", c) for pool in pools}
            for _ in range(ROUNDS):
                for pool in pools:
                    urls = miss_urls(list(products), seed, MISS_REQUESTS[c] // ROUNDS)
                    seed += len(urls)
                    known = hit_sets.setdefault(pool, [])
                    known += urls[:HIT_SET - len(known)]
                    asyncio.run(drive(servers[pool].base, urls, c, by_pool[pool], deadline))
            for phase in by_pool.values():
                phases.append(phase)
                measured(phase)
        for c in CONCURRENCY:
            for pool in pools:
                urls = [hit_sets[pool][i % len(hit_sets[pool])] for i in range(HIT_REQUESTS)]
                phase = Phase(pool, "hit", c)
                asyncio.run(drive(servers[pool].base, urls, c, phase, deadline))
                phases.append(phase)
                measured(phase)
        # Soak: a few thousand requests, one miss in 50, memory sampled throughout.
        for pool in pools:
            soak = []
            for i in range(SOAK_REQUESTS):
                if i % 50 == 0:
                    soak += miss_urls(list(products), seed, 1)
                    seed += 1
                else:
                    soak.append(hit_sets[pool][i % len(hit_sets[pool])])
            phase = Phase(pool, "soak", 16)

            def sample(phase: Phase = phase, first: int = served[pool]) -> None:
                memory[phase.pool].append((first + len(phase.latencies),
                                           servers[phase.pool].rss_mb()))

            asyncio.run(drive(servers[pool].base, soak, 16, phase, deadline,
                              (SOAK_REQUESTS // SOAK_SAMPLES, sample)))
            phases.append(phase)
            served[pool] += len(phase.latencies)
            _report(phase)
    finally:
        for server in servers.values():
            server.stop()
    load.append(os.getloadavg()[0])
    after = baseline(products, catalogue.base_dir, 12)
    print(f"baseline again: {after * 1000:.0f} ms per creative", file=sys.stderr)
    per_creative = (per_creative + after) / 2

    elapsed = time.monotonic() - began
    markdown = _markdown(phases, memory, per_creative, args, elapsed, load)
    print(markdown)
    if not args.no_write:
        write_atomic(OUT, markdown.encode("utf-8"))
        print(f"wrote {OUT.relative_to(REPO)}", file=sys.stderr)
    return 0


def _report(phase: Phase) -> None:
    print(f"{phase.pool:7} {phase.traffic:4} c={phase.concurrency:<2} "
          f"{len(phase.latencies):5} req {phase.rps:7.1f} rps  p50 {phase.pct(0.5):7.1f} ms  "
          f"p99 {phase.pct(0.99):7.1f} ms  {phase.statuses}"
          f"{'  (cut short)' if phase.cut_short else ''}", file=sys.stderr)


def _markdown(phases: list[Phase], memory: dict[str, list[tuple[int, float]]],
              per_creative: float, args: argparse.Namespace, elapsed: float,
              load: list[float]) -> str:
    record = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "command": " ".join(["benchmarks/serve_load.py", *map(shlex.quote,
                                                                     sys.argv[1:])]),
              "machine": machine(), "versions": versions(), "ddm_lang": ddm_lang_source()}
    base_rps = 1 / per_creative
    lines = [
        "# Serve load: `ddm serve` over loopback", "",
        f"Misses: distinct creatives ({', '.join(MISS_TEMPLATES)}; format `{MISS_FORMAT}` "
        f"1080×1080, {MISS_EXT}; sample catalogue; new seeds), rendered by the server. "
        f"Hits: {HIT_SET} of those URLs repeated ({HIT_REQUESTS} requests a row), served "
        "from the in-memory cache. Signed URLs; the server runs with "
        f"`--max-concurrency {args.workers} --queue-size 64`. The client (httpx, asyncio) "
        "runs on the same machine and takes CPU from the server.", "",
        f"Misses alternate between the pools in {ROUNDS} rounds per concurrency, so changes "
        "in the machine's load fall on both; the 1-minute load average was "
        f"{load[0]:.1f} at the start and {load[-1]:.1f} at the end.", "",
        f"Baseline (same run, before and after, averaged): compile + render + encode in one "
        "process, one at a time: "
        f"**{per_creative * 1000:.0f} ms per creative = {base_rps:.2f} creatives/s**. "
        "`× baseline` is the server's miss throughput over that.", "",
        "| pool | traffic | concurrency | requests | req/s | × baseline | p50 ms | p99 ms "
        "| statuses |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in phases:
        ratio = f"{p.rps / base_rps:.2f}×" if p.traffic == "miss" else ""
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(p.statuses.items()))
        lines.append(f"| {p.pool} | {p.traffic}{' (cut short)' if p.cut_short else ''} "
                     f"| {p.concurrency} | {len(p.latencies)} | {p.rps:.1f} | {ratio} "
                     f"| {p.pct(0.5):.1f} | {p.pct(0.99):.1f} | {statuses} |")
    lines += ["", "## Memory", "",
              "Resident memory of the server (and its render processes), MiB, after the "
              "number of requests served. The soak phase is "
              f"{SOAK_REQUESTS} requests at concurrency 16, one miss in 50.", ""]
    for pool, samples in memory.items():
        points = ", ".join(f"{n}: {mb:.0f}" for n, mb in samples)
        soak = [mb for n, mb in samples[-SOAK_SAMPLES:]]
        spread = f"{max(soak) - min(soak):.1f}" if soak else "n/a"
        lines += [f"- **{pool}**: {points}", f"  - over the soak: {spread} MiB between the "
                  f"lowest and highest sample ({min(soak):.0f}–{max(soak):.0f} MiB)"
                  if soak else ""]
    lines += [""]
    best = {}
    for pool in memory:
        misses = [p for p in phases if p.pool == pool and p.traffic == "miss"]
        if misses:
            best[pool] = max(p.rps for p in misses)
    if len(best) == 2:
        winner = max(best, key=best.__getitem__)
        other = min(best, key=best.__getitem__)
        lines += [f"Best miss throughput: **{winner}** pool {best[winner]:.2f} req/s against "
                  f"{other} {best[other]:.2f} req/s "
                  f"({best[winner] / best[other]:.2f}×).", ""]
    lines += [f"Whole run: {elapsed:.0f} s.", ""]
    lines += run_lines(record)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
