"""`ddm batch` with the local engine when processes die: the batch's own (its workers must
die with it), one of its workers (the batch goes on), or every try of one creative (that
creative is recorded as failed). Also the file modes of atomic writes. Real processes and
real kills throughout."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_batch import TEMPLATES, make_catalogue

from ddm_lang.batch import manifest
from ddm_lang.batch.command import main
from ddm_lang.files import write_atomic

FORMATS = "rectangle,leaderboard"
COPIES = 6                   # of each sample product: 18 products, 72 creatives

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds worker processes through /proc")


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """Many products (copies of the samples under new ids), their photos perceived."""
    folder = tmp_path / "cat"
    folder.mkdir()
    path = make_catalogue(folder)
    assert main(["--templates", TEMPLATES, "--catalogue", str(path), "--formats", "rectangle",
                 "--out", str(tmp_path / "warm"), "--workers", "1"]) == 0
    records = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps([{**r, "id": f"{r['id']}-{n}"} for n in range(COPIES)
                                for r in records]), "utf-8")
    return path


def start_batch(catalogue: Path, out: Path) -> subprocess.Popen[bytes]:
    """`ddm batch` on two workers in a process of its own; its output goes to files beside
    `out` (`finish` reads them)."""
    args = [sys.executable, "-m", "ddm_lang.batch", "--templates", TEMPLATES, "--catalogue",
            str(catalogue), "--formats", FORMATS, "--out", str(out), "--workers", "2"]
    with open(f"{out}.stdout", "wb") as stdout, open(f"{out}.stderr", "wb") as stderr:
        return subprocess.Popen(args, stdout=stdout, stderr=stderr, env=os.environ.copy())


def finish(process: subprocess.Popen[bytes], out: Path) -> tuple[int, str, str]:
    """The batch's exit status, stdout and stderr once it ends."""
    status = process.wait(timeout=300)
    return (status, Path(f"{out}.stdout").read_text("utf-8"),
            Path(f"{out}.stderr").read_text("utf-8"))


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: state, parent pid, ...; None once gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    fields = stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")   # a zombie has ended


def workers_of(parent: int) -> set[int]:
    """The live pool workers (spawned `multiprocessing` children) of `parent`."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = stat_fields(int(entry))
        if fields is None or fields[1] != str(parent) or not alive(int(entry)):
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if b"spawn_main" in cmdline:
            found.add(int(entry))
    return found


def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def busy(process: subprocess.Popen[bytes], out: Path) -> set[int]:
    """Wait until the batch has two workers and has recorded a creative; the workers."""
    def ready() -> bool:
        assert process.poll() is None, finish(process, out)
        return len(workers_of(process.pid)) == 2 and lines(out / "manifest.jsonl") >= 1
    until(ready, 120, "the batch's workers to start making creatives")
    return workers_of(process.pid)


def next_worker(process: subprocess.Popen[bytes], out: Path, seen: set[int]) -> int:
    """Wait for the batch's one live worker not in `seen`."""
    def fresh() -> bool:
        assert process.poll() is None, finish(process, out)
        return bool(workers_of(process.pid) - seen)
    until(fresh, 60, "a worker to try the suspect creatives alone")
    new = workers_of(process.pid) - seen
    assert len(new) == 1, new
    return new.pop()


@pytest.fixture
def reap() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Batches a test started, killed at its end if still running."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.model
def test_workers_die_with_a_killed_batch(catalogue: Path, tmp_path: Path,
                                         reap: list[subprocess.Popen[bytes]]) -> None:
    out = tmp_path / "out"
    process = start_batch(catalogue, out)
    reap.append(process)
    workers = busy(process, out)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    try:
        until(lambda: not any(alive(pid) for pid in workers), 5, "the orphaned workers to end")
    finally:
        for pid in workers:              # never leave them running, even when this fails
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_the_batch_finishes(
        catalogue: Path, tmp_path: Path, reap: list[subprocess.Popen[bytes]]) -> None:
    out = tmp_path / "out"
    process = start_batch(catalogue, out)
    reap.append(process)
    victim = min(busy(process, out))
    os.kill(victim, signal.SIGKILL)
    status, stdout, stderr = finish(process, out)
    assert status == 0, stderr
    assert "BrokenProcessPool" not in stderr
    rows, torn = manifest.read(out / "manifest.jsonl")
    assert torn == 0 and len(rows) == COPIES * 3 * 2 * 2
    assert all(r["status"] == "ok" for r in rows.values())
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.jpg")) == sorted(
        r["path"] for r in rows.values())
    assert f"{COPIES * 12} made, 0 failed" in stdout


@pytest.mark.slow
def test_a_creative_whose_worker_dies_every_time_fails_alone(
        catalogue: Path, tmp_path: Path, reap: list[subprocess.Popen[bytes]]) -> None:
    """The first worker killed makes its job a suspect; its creatives are then tried one by
    one on a one-process pool, whose process is killed twice: the creative it was making
    fails (three deaths), every other is made, and a rerun makes the failed one."""
    out = tmp_path / "out"
    process = start_batch(catalogue, out)
    reap.append(process)
    first = busy(process, out)
    os.kill(min(first), signal.SIGKILL)
    seen = set(first)
    for _ in range(2):                    # the next two workers are the one-process pools'
        fresh = next_worker(process, out, seen)
        seen.add(fresh)
        os.kill(fresh, signal.SIGKILL)
    status, _, stderr = finish(process, out)
    assert status == 1, stderr
    assert "BrokenProcessPool" not in stderr
    rows, _ = manifest.read(out / "manifest.jsonl")
    assert len(rows) == COPIES * 3 * 2 * 2
    failed = [r for r in rows.values() if r["status"] != "ok"]
    assert len(failed) == 1 and failed[0]["stage"] == "worker"
    error = failed[0]["error"]
    assert f'product "{failed[0]["product"]}"' in error
    assert f'format "{failed[0]["format"]}"' in error and "died" in error and "3 times" in error
    assert error in stderr
    assert all((out / r["path"]).is_file() for r in rows.values() if r["status"] == "ok")

    assert main(["--templates", TEMPLATES, "--catalogue", str(catalogue), "--formats",
                 FORMATS, "--out", str(out), "--workers", "2"]) == 0
    again, _ = manifest.read(out / "manifest.jsonl")
    assert all(r["status"] == "ok" for r in again.values())


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_batch_creatives_get_the_umask_mode(catalogue: Path, tmp_path: Path,
                                            umask_022: None) -> None:
    out = tmp_path / "out"
    records = json.loads(catalogue.read_text("utf-8"))[:1]
    catalogue.write_text(json.dumps(records), "utf-8")
    assert main(["--templates", "price_tag", "--catalogue", str(catalogue), "--formats",
                 "rectangle", "--out", str(out), "--workers", "1"]) == 0
    made = list(out.rglob("*.jpg"))
    assert made and all(mode(p) == 0o644 for p in made)


def test_atomic_writes_keep_a_files_mode_and_give_new_files_the_umask_mode(
        tmp_path: Path, umask_022: None) -> None:
    new = tmp_path / "sub" / "new.bin"
    write_atomic(new, b"one")
    assert mode(new) == 0o644 and new.read_bytes() == b"one"
    kept = tmp_path / "kept.bin"
    kept.write_bytes(b"old")
    os.chmod(kept, 0o640)
    write_atomic(kept, b"new")
    assert mode(kept) == 0o640 and kept.read_bytes() == b"new"
    os.umask(0o077)
    private = tmp_path / "private.bin"
    write_atomic(private, b"x")
    assert mode(private) == 0o600
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "kept.bin", "new.bin", "private.bin", "sub"]


def test_fmt_write_keeps_the_templates_mode(tmp_path: Path, umask_022: None) -> None:
    template = tmp_path / "ugly.ddm"
    source = Path(__file__).parent.parent / "ddm_lang" / "stdlib_templates" / "price_tag.ddm"
    template.write_text(source.read_text("utf-8").replace("\n", "\n\n\n", 3), "utf-8")
    os.chmod(template, 0o644)
    done = subprocess.run([sys.executable, "-m", "ddm_lang.cli", "fmt", "--write",
                           str(template)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "reformatted" in done.stdout
    assert mode(template) == 0o644
