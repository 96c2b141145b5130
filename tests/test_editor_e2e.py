"""The template editor in a real browser: Debian's headless Chromium driven by Playwright,
against the editor served by uvicorn on a loopback port.

One walk through what an author does: open a stdlib template, break it, see the problem at
its line, fix it, see the previews change, save. The time from the fixing keystroke to the
last preview loaded is printed (not asserted: CPU timings on shared machines are noise).
Set DDM_EDITOR_SCREENSHOT=path to also keep the final screenshot there (docs/images/).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import ALL_PREVIEWS_LOADED, LOAD_TIMEOUT_MS, NEEDS_CHROMIUM, browser_page
from _uvicorn import serving_app

pytestmark = NEEDS_CHROMIUM

TEMPLATE = "hero_split"
BROKEN_LINE = 13          # `let paper = tint(tone, 0.9)` in stdlib hero_split.ddm


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    from ddm_lang.stdlib_templates import stdlib_dir
    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(stdlib_dir() / f"{TEMPLATE}.ddm", folder)
    return folder


@pytest.fixture
def editor_url(template_dir: Path) -> Iterator[str]:
    """The editor alone, served by uvicorn on a free loopback port in a thread."""
    from ddm_lang.perception.catalogue import load_catalogue
    from ddm_lang.serve.editor import editor_app
    from ddm_lang.stdlib_templates import stdlib_dir
    full = load_catalogue(stdlib_dir() / "samples" / "catalogue.json")
    catalogue = dataclasses.replace(full, products=full.products[:2])
    app = editor_app(template_dir=template_dir, catalogue=catalogue)
    with serving_app(app, lifespan="on") as base:
        yield f"{base}/"


@pytest.fixture
def page(tmp_path: Path):
    with browser_page(tmp_path / "chromium-profile") as page:
        yield page


def _previews(page) -> list[str]:
    return page.eval_on_selector_all(".cell img.preview", "imgs => imgs.map(i => i.src)")


def _select(page, line: int, col: int, length: int) -> None:
    """Select `length` characters from 1-based `line`:`col` in the editor, as a user would."""
    page.evaluate("""([line, col, length]) => {
      const ta = document.getElementById('source');
      const lines = ta.value.split('\\n');
      let offset = col - 1;
      for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
      ta.focus();
      ta.setSelectionRange(offset, offset + length);
    }""", [line, col, length])


def test_edit_break_fix_preview_and_save(page, editor_url: str, template_dir: Path,
                                         tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    source_file = template_dir / f"{TEMPLATE}.ddm"
    original = source_file.read_text("utf-8")
    line_text = original.splitlines()[BROKEN_LINE - 1]
    assert line_text == "let paper = tint(tone, 0.9)"
    formats = 5  # hero_split serves feed, portrait, story, banner, rectangle

    # Open: every preview of both products in every format loads.
    page.goto(f"{editor_url}?template={TEMPLATE}")
    page.wait_for_function(ALL_PREVIEWS_LOADED, arg=[2 * formats, ""], timeout=LOAD_TIMEOUT_MS)
    assert page.input_value("#source") == original
    assert page.locator(".gutter .ln").count() >= len(original.splitlines())
    assert page.locator("#highlight .tok-keyword").first.text_content() == "template"
    before = _previews(page)
    version = page.evaluate("window.ddmEditor.lastRefresh.version")

    # Break it: `tint` → `tnt`, typed over the selection.
    col = line_text.index("tint") + 1
    _select(page, BROKEN_LINE, col, 4)
    page.keyboard.type("tnt")
    # (Waiting for this message, not for any marker: on a slow machine a check may run
    # between two typed characters and report `t` or `tn` first.)
    page.wait_for_function("[...document.querySelectorAll('.inline-diag')]"
                           ".some((e) => e.textContent === 'unknown function tnt')",
                           timeout=10_000)
    marker = page.locator(f'.gutter .ln.marked[data-line="{BROKEN_LINE}"]')
    assert page.locator(".gutter .ln.marked").count() == 1
    assert "unknown function `tnt`" in (marker.get_attribute("title") or "")
    assert page.locator(".inline-diag").all_text_contents() == ["unknown function tnt"]
    assert page.locator(".inline-diag code").text_content() == "tnt"
    assert page.locator("#highlight .squiggle").first.text_content().startswith("tnt")
    problem = page.locator(".problem.sev-error")
    assert problem.count() == 1
    assert problem.locator(".pos").text_content() == f"{BROKEN_LINE}:{col}"
    assert "did you mean tint?" in problem.text_content()
    assert "stale" in (page.get_attribute("#grid", "class") or "")
    assert _previews(page) == before  # the last version that compiled stays on show

    # Fix it with a different value: the diagnostic goes, every preview is re-rendered.
    _select(page, BROKEN_LINE, col, len("tnt(tone, 0.9)"))
    page.keyboard.type("tint(tone, 0.8)")
    page.wait_for_function(ALL_PREVIEWS_LOADED, arg=[2 * formats, version], timeout=60_000)
    after = _previews(page)
    assert len(after) == len(before) and not set(after) & set(before)
    assert page.locator(".gutter .ln.marked").count() == 0
    assert page.locator(".inline-diag").count() == 0
    assert "stale" not in (page.get_attribute("#grid", "class") or "")
    refresh = page.evaluate("window.ddmEditor.lastRefresh")
    with capsys.disabled():
        print(f"\neditor: {refresh['count']} previews loaded {refresh['ms'] / 1000:.2f} s "
              f"after the fixing keystroke (150 ms of it the typing pause)")

    # A creative downloads at full size.
    download = page.request.get(editor_url + page.get_attribute(".cell a.png", "href"))
    assert download.ok and download.headers["content-type"] == "image/png"

    # One format, one product.
    page.select_option("#format-select", "banner")
    page.locator(".product-chip input").nth(1).uncheck()
    page.wait_for_function("document.querySelectorAll('.cell img.preview').length === 1")

    # Save: the file on disk is the edited text.
    page.click("#save")
    page.wait_for_function("document.getElementById('status').textContent.startsWith('saved')")
    assert page.text_content("#status") == f"saved {TEMPLATE}.ddm"
    saved = source_file.read_text("utf-8")
    assert saved == original.replace(line_text, "let paper = tint(tone, 0.8)")

    page.select_option("#format-select", "")
    page.locator(".product-chip input").nth(1).check()
    page.wait_for_function(ALL_PREVIEWS_LOADED, arg=[2 * formats, ""])
    shot = tmp_path / "editor.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("DDM_EDITOR_SCREENSHOT"):
        shutil.copy(shot, os.environ["DDM_EDITOR_SCREENSHOT"])
    assert errors == []
