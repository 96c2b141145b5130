"""Shared fixtures: small product photos made on the fly (tests never read ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw


@pytest.fixture(autouse=True, scope="session")
def private_material_library(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Perception records go to a library of the test run's own, never the user's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DDM_LIBRARY", str(tmp_path_factory.mktemp("library") / "materials.sqlite"))
    yield
    mp.undo()


@pytest.fixture
def studio(tmp_path: Path) -> Path:
    """A folder with two product photos of different sizes and a transparent logo."""
    big = Image.new("RGB", (800, 600), (200, 210, 220))
    ImageDraw.Draw(big).rectangle((300, 200, 500, 400), fill=(200, 30, 30))
    big.save(tmp_path / "big.jpg", quality=92)
    Image.new("RGB", (200, 200), (30, 160, 60)).save(tmp_path / "small.png")
    logo = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((10, 10, 90, 90), fill=(20, 20, 20, 255))
    logo.save(tmp_path / "logo.png")
    return tmp_path


@pytest.fixture
def product() -> dict:
    return {"id": "sku-1", "title": "Evergreen Olive Oil", "images": ["small.png", "big.jpg"],
            "brand": {"name": "Grove", "logos": ["logo.png"]},
            "price": {"amount": 12.9, "currency": "USD", "discount": 20},
            "selling_points": ["Cold pressed", "Single estate", "Glass bottle", "Fourth"]}
