"""The installed package's version, read from its metadata (pyproject.toml's `version`), so
it is written in one place. A source tree that was never installed reports "0+unknown"."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ddm_lang")
except PackageNotFoundError:  # imported from a source tree without `pip install -e .`
    __version__ = "0+unknown"
