"""Runs docs/tutorial.md as a reader would, so that its steps stay true.

The tutorial is a sequence of fenced blocks:

- ```` ```ddm file=NAME ````: the whole of file NAME at this point; written into the
  working folder before the next command runs.
- ```` ```ddm file=NAME as-is ````: file NAME as the steps so far left it (the runner
  checks that it is, word for word), shown whole.
- ```` ```diff file=NAME ````: a change to file NAME: lines starting `-` are taken out,
  `+` put in, ` ` (a space) stay; a line starting `@@` separates changes to different
  places. The lines to take out, with the ones that stay, must occur exactly once.
- ```` ```console ````: lines starting with `$ ` are commands, run in the working folder;
  the lines after one, up to the next command, are what it prints (standard output and
  error together, trailing spaces ignored; progress lines, whose rates vary with the
  machine, are left out).
- `![...](images/tutorial/NAME.jpg)` right after a console block: the picture that block's
  last command wrote to NAME.png (or .jpg) in the working folder, as committed, scaled
  down. `tools/update_tutorial.py` writes the pictures; the test compares them with what
  the commands produce now, with the golden images' tolerance.

Only `ddm` commands are run (in this process, through `ddm_lang.cli.main`), so a step
cannot do anything a reader's shell would do differently.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
PICTURES = ROOT / "docs" / "images" / "tutorial"
PICTURE_SIDE = 800
"""The longest side of a picture in the tutorial, in pixels."""

_BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```\n"
                    r"(?:\s*!\[[^\]]*\]\((images/tutorial/[\w.-]+)\))?", re.S | re.M)


_PROGRESS = re.compile(r"\S+: \d+/\d+ \(\d+(\.\d+)?/s, ETA [\d:?]+\)$")


@dataclass
class Command:
    argv: list[str]
    expected: str
    line: int  # where it is written in the tutorial, 1-based


@dataclass
class Step:
    """A file written, or console commands run (and the picture shown after them)."""

    line: int
    file: str | None = None
    text: str = ""
    commands: list[Command] = field(default_factory=list)
    picture: str | None = None
    patch: bool = False  # `text` is a change to the file, not the whole of it
    as_is: bool = False  # `text` is the file as it stands, shown: checked, not written


def patched(text: str, change: str, where: str = "") -> str:
    """`text` with a ```diff block's changes made (see the module's docstring)."""
    hunks: list[list[str]] = [[]]
    for line in change.splitlines():
        if line.startswith("@@"):
            hunks.append([])
        else:
            hunks[-1].append(line)
    for hunk in filter(None, hunks):
        old = "".join(line[1:] + "\n" for line in hunk if line[:1] in (" ", "-", ""))
        new = "".join(line[1:] + "\n" for line in hunk if line[:1] in (" ", "+", ""))
        assert all(line[:1] in (" ", "-", "+", "") for line in hunk), \
            f"{where}: a diff line starts with `-`, `+` or a space"
        count = text.count(old)
        assert count == 1, f"{where}: the lines to change occur {count} times, not once:\n{old}"
        text = text.replace(old, new)
    return text


def steps(doc: str | None = None) -> list[Step]:
    """The tutorial's steps, in order."""
    doc = TUTORIAL.read_text("utf-8") if doc is None else doc
    out = []
    for m in _BLOCK.finditer(doc):
        kind, info, body, picture = m.group(1), m.group(2), m.group(3), m.group(4)
        line = doc.count("\n", 0, m.start()) + 1
        f = re.search(r"\bfile=(\S+)", info)
        if kind == "ddm" and f:
            out.append(Step(line, file=f.group(1), text=body, as_is="as-is" in info.split()))
        elif kind == "diff" and f:
            out.append(Step(line, file=f.group(1), text=body, patch=True))
        elif kind == "console":
            out.append(Step(line, commands=list(_commands(body, line)),
                            picture=picture and Path(picture).name))
    return out


def _commands(body: str, first_line: int) -> Iterator[Command]:
    current: Command | None = None
    for n, text in enumerate(body.splitlines(), first_line + 1):
        if text.startswith("$ "):
            if current is not None:
                yield current
            current = Command(shlex.split(text[2:]), "", n)
        elif current is not None:
            current.expected += text.rstrip() + "\n"
    if current is not None:
        yield current


@dataclass
class Ran:
    command: Command
    status: int
    printed: str


def run(folder: Path, upto: int | None = None) -> Iterator[tuple[Step, list[Ran]]]:
    """Follow the tutorial in `folder` (an empty one), yielding each step with what its
    commands printed."""
    from ddm_lang.cli import main

    for step in steps()[:upto]:
        if step.file is not None:
            target = folder / step.file
            target.parent.mkdir(parents=True, exist_ok=True)
            text = step.text
            if step.as_is:
                assert target.is_file() and target.read_text("utf-8") == text, \
                    f"tutorial line {step.line}: {step.file} is not what the steps made it"
            if step.patch:
                assert target.is_file(), f"tutorial line {step.line}: {step.file} is changed " \
                    "before it is written"
                text = patched(target.read_text("utf-8"), step.text,
                               f"tutorial line {step.line}")
            target.write_text(text, "utf-8")
            yield step, []
            continue
        done = []
        for command in step.commands:
            assert command.argv[:1] == ["ddm"], \
                f"tutorial line {command.line}: only `ddm` commands are run"
            buffer = io.StringIO()
            with _inside(folder), contextlib.redirect_stdout(buffer), \
                    contextlib.redirect_stderr(buffer):
                try:
                    status = main(command.argv[1:])
                except SystemExit as exit_:  # argparse's usage errors
                    status = int(exit_.code or 0)
            printed = "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()
                              if not _PROGRESS.match(line))
            done.append(Ran(command, status, printed))
        yield step, done


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def written_picture(folder: Path, step: Step) -> Path:
    """The image the step's last command wrote, which the tutorial shows as its picture."""
    assert step.picture is not None
    stem = Path(step.picture).stem
    found = [p for p in folder.glob(f"{stem}.*") if p.suffix in (".png", ".jpg", ".webp")]
    assert found, f"the tutorial shows {step.picture}, but no command wrote {stem}.png/.jpg"
    return found[0]


def as_picture(path: Path) -> np.ndarray:
    """An image as the tutorial shows it: RGB, its longest side `PICTURE_SIDE`."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        scale = PICTURE_SIDE / max(rgb.size)
        if scale < 1:
            rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)),
                             Image.Resampling.LANCZOS)
        return np.asarray(rgb)
