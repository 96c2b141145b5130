"""The standard template library: the `.ddm` files in this folder, with sample products.

It sits at the bottom of the package (it imports nothing), so the demo, the batch and the
service find the templates without importing one another."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def stdlib_dir() -> Path:
    """The folder holding the standard templates (and `samples/`)."""
    return Path(str(resources.files("ddm_lang.stdlib_templates")))
