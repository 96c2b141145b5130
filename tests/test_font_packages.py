"""The bundled font packages are required: the default registry refuses to start without one
(no silent fallback to other faces), and says which package to install."""

from __future__ import annotations

import sys
from importlib.metadata import requires

import pytest

from ddm_lang.renderer import fonts as fonts_module
from ddm_lang.renderer.fonts import FONT_PACKAGES, FontPackageError, FontRegistry


def _fresh_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the process-wide registry for this test (it is restored afterwards)."""
    monkeypatch.setattr(FontRegistry, "_default", None)


@pytest.mark.parametrize("module", FONT_PACKAGES)
def test_a_missing_font_package_is_an_error_that_names_it(
        monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    _fresh_default(monkeypatch)
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails: not installed
    with pytest.raises(FontPackageError) as err:
        FontRegistry.default()
    message = str(err.value)
    dist = module.replace("_", "-")
    assert f"font package {dist} (module {module}) is not installed" in message
    assert "pip install -e ." in message
    assert f"pip install '{dist}" in message
    assert FontRegistry._default is None  # nothing half-built was kept


def test_the_message_gives_the_pinned_version() -> None:
    pins = [r for r in requires("ddm_lang") or [] if r.startswith("fontpkg-inter")]
    message = fonts_module._missing_packages_message(["fontpkg_inter"])
    assert pins and f"pip install '{pins[0].replace(' ', '')}'" in message


def test_every_missing_package_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "_package_folder", lambda module: None)
    with pytest.raises(FontPackageError, match="are not installed") as err:
        FontRegistry()
    for module in FONT_PACKAGES:
        assert f"{module.replace('_', '-')} (module {module})" in str(err.value)


def test_the_installed_packages_build_the_default_registry(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_default(monkeypatch)
    registry = FontRegistry.default()
    assert {"inter", "noto sans"} <= set(registry.families)


def test_a_registry_without_packages_needs_none() -> None:
    # user fonts only (add_directory, DDM_FONT_DIRS): no package is looked up
    assert FontRegistry(packages=()).families == []
