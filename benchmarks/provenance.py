"""Where a benchmark figure came from: machine, package versions and the ddm_lang commit.

Both benchmarks record these next to their figures: a time or a pass count without the
machine and the renderer's commit cannot be compared with anything.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("skia-python", "cairosvg", "numpy", "pillow", "uharfbuzz", "ddm_lang")


def versions() -> dict[str, str]:
    """Versions of the packages whose behaviour the figures depend on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def cpu_name() -> str:
    """The CPU model (from /proc/cpuinfo on Linux): core counts alone don't compare hosts."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    return {"platform": platform.platform(), "processor": cpu_name(), "cpus": os.cpu_count()}


def ddm_lang_source() -> dict[str, str]:
    """Which ddm_lang was measured: its folder and git commit ("-dirty" when that folder has
    uncommitted changes). The renderer changes often; a figure without its commit is noise."""
    spec = importlib.util.find_spec("ddm_lang")
    if spec is None or not spec.origin:
        return {"path": "not installed", "commit": "unknown"}
    folder = Path(spec.origin).resolve().parent
    path = os.path.relpath(folder, REPO) if folder.is_relative_to(REPO) else str(folder)
    try:
        def git(*cmd: str) -> str:
            return subprocess.run(["git", "-C", str(folder), *cmd], capture_output=True,
                                  text=True, check=True, timeout=30).stdout.strip()
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".")
    except (OSError, subprocess.SubprocessError):
        return {"path": path, "commit": "unknown"}
    return {"path": path, "commit": commit + ("-dirty" if dirty else "")}


def write_results(folder: Path, name: str, record: dict[str, Any], markdown: str,
                  indent: int = 1) -> None:
    """Record a benchmark's figures as `name.json` (everything) and `name.md` (for people)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(record, indent=indent) + "\n")
    (folder / f"{name}.md").write_text(markdown)



def run_lines(record: dict[str, Any]) -> list[str]:
    """The "## Run" section of a results page: when, how, where and with what it ran."""
    m = record["machine"]
    return [
        "## Run", "",
        f"- date: {record['date']}",
        f"- command: `{record['command']}`",
        f"- machine: {m['processor']}, {m['cpus']} CPUs, {m['platform']}",
        f"- ddm_lang: {record['ddm_lang'].get('commit', 'unknown')}",
        f"- versions: {', '.join(f'{k} {v}' for k, v in record['versions'].items())}",
        "",
    ]
