"""`ddm samples` gives a newcomer the sample catalogue to write templates against: a copy
that loads as a catalogue with every photo in place, never written over a folder in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddm_lang.cli import main
from ddm_lang.perception.catalogue import load_catalogue
from ddm_lang.stdlib_templates import stdlib_dir


def test_the_copy_is_a_whole_catalogue(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "samples"
    assert main(["samples", str(target)]) == 0
    catalogue = load_catalogue(target / "catalogue.json")
    bundled = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    assert [p.id for p in catalogue.products] == [p.id for p in bundled.products]
    for product in catalogue.products:
        for image in product.images:
            assert (target / image).is_file(), image
    assert not (target / "README.md").exists()
    assert capsys.readouterr().out.startswith(f"{target}/catalogue.json: the sample catalogue")


def test_a_folder_in_use_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    assert main(["samples", str(tmp_path)]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]
