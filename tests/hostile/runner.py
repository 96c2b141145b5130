"""Run hostile cases cheaply and bounded: ddm_lang is imported once here, then each case
runs in a forked child with a 5 s timer and an address-space limit, and reports its
outcome through a pipe; the parent reads the child's peak RSS from `os.wait4`.

A fork costs milliseconds where a fresh interpreter costs a second and a half of imports,
which is what makes a corpus of hundreds of cases fit in a CI minute or two.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import ddm_lang
import ddm_lang.api
import ddm_lang.bind
import ddm_lang.emit
import ddm_lang.perception.catalogue
import ddm_lang.renderer
from ddm_lang.cli import main as ddm_main

from .assets import has_red, make_assets
from .model import BOUNDED, OK, REFUSED, Case

LIMIT_S = 5.0
"""Wall time one case may take."""
LIMIT_BYTES = 1 << 30
"""Memory one case may add to what its child inherits from the parent (the imported
libraries, fonts and models): to its peak RSS, and to its address space (RLIMIT_AS)."""
BUILD_S = 60.0
"""Time a child may spend writing the case's files before the case starts."""

CRASH, UNCLEAR, LEAK, WRONG, TIMEOUT, MEMORY, HARNESS = (
    "crash", "unclear", "leak", "wrong", "timeout", "memory", "harness")
"""Outcomes besides ok and refused: an exception or signal, a refusal whose message is not
clear, a drawn result showing a file outside the roots, a result its `verify` finds wrong, the
time or memory bound hit, and
a broken case (a bug in the corpus, not in ddm_lang)."""

PACKAGE_DIR = str(Path(ddm_lang.__file__).resolve().parent)
_LEAKY = ("Traceback (most recent call last)", " object at 0x", PACKAGE_DIR)


@dataclass
class Result:
    """What one case did."""

    name: str
    family: str
    expect: str
    outcome: str
    elapsed: float
    peak_rss: int
    """Peak resident bytes of the child, inherited pages included."""
    added_rss: int = 0
    """Of those, what the case added beyond the resident set it started with."""
    detail: str = ""
    message: str = ""
    finding: str | None = None

    @property
    def bounded(self) -> bool:
        return (self.outcome not in (TIMEOUT, MEMORY) and self.elapsed <= LIMIT_S
                and self.added_rss <= LIMIT_BYTES)

    @property
    def meets(self) -> bool:
        """The outcome is the expected one (either, for a `bounded` expectation)."""
        if self.expect == BOUNDED:
            return self.outcome in (OK, REFUSED)
        return self.outcome == self.expect

    @property
    def passed(self) -> bool:
        return self.bounded and self.meets

    def as_dict(self) -> dict:
        return dict(asdict(self), bounded=self.bounded, passed=self.passed)


def unclear_reason(message: str, case: Case, hidden: Iterable[str]) -> str:
    """Why a refusal message is not clear ('' when it is): empty, a traceback, an object
    repr, an absolute server path, or missing the file/field/limit the case names."""
    if not message.strip():
        return "empty message"
    for bad in (*_LEAKY, *hidden):
        if bad and bad in message:
            return f"message shows {bad[:40]!r}"
    lowered = message.lower()
    missing = [s for s in case.says if s.lower() not in lowered]
    return f"message does not name {', '.join(missing)}" if missing else ""


def _run_cli(argv: list[str]) -> tuple[str, str, str]:
    """(outcome, detail, message) of one in-process `ddm` command."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = ddm_main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except MemoryError:
        return MEMORY, "MemoryError", err.getvalue()
    except RecursionError:
        return CRASH, "RecursionError", err.getvalue()
    except BaseException as exc:
        tb = traceback.format_exception(exc)
        return CRASH, f"{type(exc).__name__}: {str(exc)[:300]}", "".join(tb)[-3000:]
    message = err.getvalue()
    if code == 0:
        return OK, "", message
    if code in (1, 2):
        return REFUSED, f"exit {code}", message
    return CRASH, f"exit {code}", message


def _run_http(case: Case, base: str) -> tuple[str, str, str]:
    from .server import send
    assert case.request is not None
    try:
        status, body = send(base, case.request, LIMIT_S)
    except TimeoutError:
        return TIMEOUT, "no answer in time", ""
    except (ConnectionResetError, http.client.RemoteDisconnected):
        return REFUSED, "connection closed", "connection closed by the server"
    except OSError as exc:
        return CRASH, f"{type(exc).__name__}: {exc}", ""
    text = body[:4000].decode("utf-8", "replace")
    if 200 <= status < 400:
        return OK, f"HTTP {status}", text
    if status == 0 or 400 <= status < 500 or status in (503, 504):
        return REFUSED, f"HTTP {status}", text if status else "connection closed"
    return CRASH, f"HTTP {status}", text


def _child(case: Case, case_dir: Path, assets: Path, base: str, out: int) -> None:
    """Run one case in this forked child and write its report to `out`; never returns."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.chdir(case_dir)
        argv = case.build(case_dir, assets) if case.build is not None else []
        os.write(out, b"B%d\n" % _status_bytes("VmRSS"))
        vsz = _status_bytes("VmSize")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (vsz + LIMIT_BYTES, hard))
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, LIMIT_S)
        start = time.perf_counter()
        outcome, detail, message = (_run_http(case, base) if case.kind == "http"
                                    else _run_cli(argv))
        elapsed = time.perf_counter() - start
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        outcome, detail = _judge(case, case_dir, assets, outcome, detail, message)
        report = {"outcome": outcome, "detail": detail, "message": message[-3000:],
                  "elapsed": elapsed}
    except BaseException as exc:
        report = {"outcome": HARNESS, "detail": f"{type(exc).__name__}: {exc}"[:500],
                  "message": traceback.format_exc()[-3000:], "elapsed": 0.0}
        code = 1
    os.write(out, b"R" + json.dumps(report).encode() + b"\n")
    os._exit(code)


def _judge(case: Case, case_dir: Path, assets: Path, outcome: str, detail: str,
           message: str) -> tuple[str, str]:
    """Turn a refusal with an unclear message into UNCLEAR, a drawn secret into LEAK."""
    hidden = {str(case_dir), str(case_dir.resolve()), str(Path.home()) + "/"}
    if not case.secret_red:  # those cases name the outside file themselves
        hidden |= {str(assets), str(assets.resolve())}
    if outcome == REFUSED:
        reason = unclear_reason(message, case, hidden)
        if reason:
            return UNCLEAR, f"{detail}: {reason}"
    if outcome == OK and case.secret_red:
        drawn = case_dir / case.output
        if drawn.suffix == ".png" and drawn.exists() and has_red(drawn):
            return LEAK, "the drawn image shows the file outside the roots"
    if outcome == OK and case.verify is not None:
        reason = case.verify(case_dir)
        if reason:
            return WRONG, reason
    return outcome, detail


def warm_up(folder: Path, assets: Path) -> None:
    """Compile and draw one small creative here, before forking, so every child inherits
    the loaded fonts and warmed caches instead of paying for them inside its 5 s."""
    from .corpus_product import GOOD, catalogue_file, product_file
    folder.mkdir(parents=True, exist_ok=True)
    runs = [product_file(GOOD)(folder, assets),
            catalogue_file(json.dumps([dict(GOOD, id="w1")]))(folder, assets)]
    cwd = os.getcwd()
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for argv in runs:
                ddm_main(argv)
    finally:
        os.chdir(cwd)


def _status_bytes(key: str) -> int:
    """A size from /proc/self/status (VmRSS, VmSize) in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class _Running:
    case: Case
    pid: int
    fd: int
    started: float
    built_at: float | None = None
    start_rss: int = 0
    buffer: bytes = b""


def run_cases(cases: list[Case], *, jobs: int = 2, base: str = "",
              workdir: Path | None = None, server_rss: object = None) -> Iterator[Result]:
    """Run the cases, `jobs` at a time (HTTP cases one at a time, after the others),
    yielding each result as it completes."""
    with contextlib.ExitStack() as stack:
        root = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hostile-")))
        assets = root / "assets" if (root / "assets").is_dir() else make_assets(root / "assets")
        warm_up(root / "warm-up", assets)
        cli = [c for c in cases if c.kind == "cli"]
        http = [c for c in cases if c.kind == "http"]
        yield from _pool(cli, jobs, root, assets, base, None)
        yield from _pool(http, 1, root, assets, base, server_rss)


def _pool(cases: list[Case], jobs: int, root: Path, assets: Path, base: str,
          server_rss: object) -> Iterator[Result]:
    pending = list(reversed(cases))
    running: dict[int, _Running] = {}
    while pending or running:
        while pending and len(running) < max(1, jobs):
            run = _fork(pending.pop(), root, assets, base)
            running[run.fd] = run
        ready, _, _ = select.select(list(running), [], [], 0.2)
        for fd in ready:
            run = running[fd]
            chunk = os.read(fd, 65536)
            run.buffer += chunk
            if run.built_at is None and run.buffer.startswith(b"B") and b"\n" in run.buffer:
                run.built_at = time.monotonic()
                run.start_rss = int(run.buffer[1:run.buffer.index(b"\n")])
            if not chunk:
                del running[fd]
                yield _reap(run, root, server_rss)
        now = time.monotonic()
        for run in list(running.values()):
            limit = (run.built_at + LIMIT_S + 2.0) if run.built_at else run.started + BUILD_S
            if now > limit:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(run.pid, signal.SIGKILL)


def _fork(case: Case, root: Path, assets: Path, base: str) -> _Running:
    case_dir = root / "cases" / case.name
    shutil.rmtree(case_dir, ignore_errors=True)
    case_dir.mkdir(parents=True)
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _child(case, case_dir, assets, base, write)
    os.close(write)
    return _Running(case, pid, read, time.monotonic())


def _reap(run: _Running, root: Path, server_rss: object) -> Result:
    os.close(run.fd)
    _, status, usage = os.wait4(run.pid, 0)
    peak = usage.ru_maxrss * 1024
    added = max(0, peak - run.start_rss)
    if callable(server_rss):  # the service's growth is what an HTTP case costs
        added = max(added, server_rss())
    case = run.case
    lines = run.buffer.split(b"\n")
    report = next((json.loads(x[1:]) for x in lines if x.startswith(b"R")), None)
    elapsed = time.monotonic() - run.built_at if run.built_at else 0.0
    if report is None:
        sig = -os.waitstatus_to_exitcode(status) if os.WIFSIGNALED(status) else 0
        name = signal.Signals(sig).name if sig else f"exit {os.WEXITSTATUS(status)}"
        if sig in (signal.SIGALRM, signal.SIGKILL) and run.built_at:
            outcome, detail = TIMEOUT, f"killed after {elapsed:.1f} s"
        elif added > LIMIT_BYTES:
            outcome, detail = MEMORY, f"died: {name}"
        else:
            outcome, detail = CRASH, f"died: {name}"
        report = {"outcome": outcome, "detail": detail, "message": "", "elapsed": elapsed}
    shutil.rmtree(root / "cases" / case.name, ignore_errors=True)
    return Result(case.name, case.family, case.expect, report["outcome"],
                  round(float(report["elapsed"]), 3), peak, added, report["detail"],
                  report["message"], case.finding)
