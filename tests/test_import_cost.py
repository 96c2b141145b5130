"""The front end stays cheap: parsing, formatting and checking a template load no imaging
or model library (skia, OpenCV, numpy, Pillow, onnxruntime), which cost half a second
to import before `ddm_lang` loaded its public names lazily."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("skia", "cv2", "numpy", "PIL", "onnxruntime")


def _heavy_after(code: str, heavy: tuple[str, ...] = HEAVY) -> str:
    """The modules of `heavy` a fresh interpreter has loaded after running `code`."""
    probe = f"import sys\n{code}\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return out.splitlines()[-1].strip()  # the probe's line comes last


def test_the_parser_formatter_and_checker_import_no_imaging_library() -> None:
    loaded = _heavy_after("import ddm_lang.syntax.parser, ddm_lang.syntax.formatter, "
                          "ddm_lang.semantics.checker")
    assert loaded == "", f"importing the front end loaded {loaded}"


def test_ddm_check_and_fmt_load_no_imaging_library(tmp_path: Path) -> None:
    """`ddm check` (without --product) and `ddm fmt` run whole without skia or numpy:
    loading a template through the API and its default environment builds no service."""
    template = tmp_path / "t.ddm"
    template.write_text('template t "T"\nformats feed 100x100\nrect r { box: 0 0 10 10 }\n')
    loaded = _heavy_after("from ddm_lang.cli import main\n"
                          f"assert main(['check', {str(template)!r}]) == 0\n"
                          f"main(['fmt', {str(template)!r}])")
    assert loaded == "", f"ddm check and ddm fmt loaded {loaded}"


def test_ddm_check_loads_only_what_checking_needs(tmp_path: Path) -> None:
    """Checking a template without raw SVG needs no XML parser, catalogue reader, scene,
    environment or copy writer: each is loaded by the first thing that uses it (a raw
    block, a product, a compile), not by every `ddm check`."""
    template = tmp_path / "t.ddm"
    template.write_text('template t "T"\nformats feed 100x100\n'
                        'text t = price(12, "EUR") { box: 0 0 10 10 }\n')
    later = ("lxml", "ddm_lang.perception.catalogue", "ddm_lang.scene", "ddm_lang.environment",
             "ddm_lang.copy.facts", "ddm_lang.copy.prices")
    loaded = _heavy_after("from ddm_lang.cli import main\n"
                          f"assert main(['check', {str(template)!r}]) == 0", later)
    assert loaded == "", f"ddm check loaded {loaded}"


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


def test_the_parser_tables_are_kept_in_the_user_cache_and_rebuilt_when_damaged(
        tmp_path: Path) -> None:
    """Building the LALR tables is most of a `ddm fmt` start; they are cached in the
    user's own cache folder (a pickle never goes to a shared temporary folder), and an
    unreadable cache is rebuilt, not an error."""
    code = ("from ddm_lang.syntax.parser import parse\n"
            "print(len(parse('template t \"T\"\\nformats feed 1x1\\n').items))\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> str:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, check=True).stdout.strip()

    first = run()
    tables = tmp_path / "ddm_lang" / "grammar-tables.lark"
    assert tables.stat().st_size > 10_000
    tables.write_bytes(b"not the tables")
    assert run() == first
    assert tables.stat().st_size > 10_000   # written again
