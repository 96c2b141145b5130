"""Debian's headless Chromium driven by Playwright, for the editor's end-to-end tests: the
browser they share and what they wait for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOAD_TIMEOUT_MS = 180_000  # the first previews perceive the product photos from scratch
NEEDS_CHROMIUM = [pytest.mark.browser,
                  pytest.mark.skipif(not CHROMIUM.exists(),
                                     reason="needs Debian's chromium at /usr/bin/chromium "
                                            "(apt-get install chromium)")]

ALL_PREVIEWS_LOADED = """([count, version]) => {
  const imgs = [...document.querySelectorAll('.cell img.preview')];
  const r = window.ddmEditor && window.ddmEditor.lastRefresh;
  return r && (!version || r.version !== version) && imgs.length === count
    && imgs.every((i) => i.complete && i.naturalWidth > 0 && i.src.includes(r.version));
}"""


@contextmanager
def browser_page(profile: Path, width: int = 1600, height: int = 1000) -> Iterator[Any]:
    """A page of a fresh headless Chromium with its profile in `profile`."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            chromium_sandbox=False, viewport={"width": width, "height": height})
        try:
            yield context.new_page()
        finally:
            context.close()
