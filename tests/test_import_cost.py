"""The front end stays cheap: parsing, formatting and checking a template load no imaging
or model library (skia, OpenCV, numpy, Pillow, onnxruntime), which cost half a second
to import before `ddm_lang` loaded its public names lazily."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("skia", "cv2", "numpy", "PIL", "onnxruntime")


def _heavy_after(code: str) -> str:
    """The heavy libraries a fresh interpreter has loaded after running `code`."""
    probe = f"import sys\n{code}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_parser_formatter_and_checker_import_no_imaging_library() -> None:
    loaded = _heavy_after("import ddm_lang.syntax.parser, ddm_lang.syntax.formatter, "
                          "ddm_lang.semantics.checker")
    assert loaded == "", f"importing the front end loaded {loaded}"


def test_the_cli_builds_its_parser_without_the_batch_machinery() -> None:
    """`ddm fmt` and `ddm check` build every sub-command's parser: the batch command's
    arguments live apart from its engines, and the file writer apart from the encoders."""
    loaded = _heavy_after("from ddm_lang.cli import _parser\n"
                          "from ddm_lang.files import write_atomic\n_parser()")
    assert loaded == "", f"building the CLI's parser loaded {loaded}"


def test_the_public_names_still_load_on_first_use() -> None:
    import ddm_lang

    assert ddm_lang.load_template.__module__ == "ddm_lang.api"
    assert ddm_lang.render.__module__ == "ddm_lang.renderer.raster"
    assert sorted(ddm_lang.__all__) == sorted(ddm_lang._HOMES)
