"""The package's version is the installed metadata's (pyproject.toml's `version`)."""

from __future__ import annotations

from importlib.metadata import version

import ddm_lang
from ddm_lang.version import __version__


def test_version_is_the_installed_metadata() -> None:
    assert ddm_lang.__version__ == version("ddm_lang") == __version__
