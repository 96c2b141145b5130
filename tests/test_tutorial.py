"""docs/tutorial.md compiles exactly as written: every command prints what the tutorial
says it prints, and every picture is what its commands draw now (tests/_tutorial.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _goldens import MAX_MEAN_DIFF, MIN_SSIM, compare
from _tutorial import PICTURES, TUTORIAL, as_picture, patched, run, steps, written_picture

pytestmark = pytest.mark.slow


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    shown = 0
    for step, ran in run(tmp_path):
        for r in ran:
            where = f"{TUTORIAL.name}:{r.command.line}: $ {' '.join(r.command.argv)}"
            assert r.printed == r.command.expected, \
                f"{where}\nprinted:\n{r.printed}\nthe tutorial says:\n{r.command.expected}"
        if step.picture is not None:
            fresh = as_picture(written_picture(tmp_path, step))
            stored = as_picture(PICTURES / step.picture)
            similarity, difference = compare(fresh, stored)
            assert similarity >= MIN_SSIM and difference <= MAX_MEAN_DIFF, \
                (f"{step.picture} (tutorial line {step.line}) no longer shows what its "
                 f"commands draw: SSIM {similarity:.3f}, mean difference {difference:.3f}; "
                 "run tools/update_tutorial.py and look at it")
            shown += 1
    assert shown >= 5


def test_every_picture_in_the_folder_is_shown() -> None:
    shown = {s.picture for s in steps() if s.picture}
    assert sorted(p.name for p in PICTURES.iterdir()) == sorted(shown)


def test_the_runner_reads_files_commands_and_pictures() -> None:
    doc = ("text\n\n```ddm file=a.ddm\ntemplate a\n```\n\n```console\n$ ddm check a.ddm\n"
           "a.ddm: ok\n$ ddm compile a.ddm -o x.png\nx.png: 1x1 (feed)\n```\n\n"
           "![x](images/tutorial/x.jpg)\n\n```ddm\nnot a step\n```\n")
    found = steps(doc)
    assert [s.file for s in found] == ["a.ddm", None]
    assert found[0].text == "template a\n"
    assert [c.argv for c in found[1].commands] == [["ddm", "check", "a.ddm"],
                                                  ["ddm", "compile", "a.ddm", "-o", "x.png"]]
    assert found[1].commands[0].expected == "a.ddm: ok\n"
    assert found[1].picture == "x.jpg"


def test_a_change_takes_out_and_puts_in_lines_where_they_occur_once() -> None:
    text = "a\nb\nc\nd\n"
    assert patched(text, " a\n-b\n+B\n+B2\n c\n@@\n-d\n+D\n") == "a\nB\nB2\nc\nD\n"
    with pytest.raises(AssertionError, match="occur 0 times"):
        patched(text, "-x\n")
    with pytest.raises(AssertionError, match="occur 2 times"):
        patched("a\na\n", "-a\n+b\n")
