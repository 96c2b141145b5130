"""The raw SVG sanitiser refuses everything that could run, load or expand."""

from __future__ import annotations

import pytest

from ddm_lang.semantics.raw_svg import check_raw_svg

SAFE = [
    '<circle cx="5" cy="5" r="4"/>',
    '<g opacity="0.5"><path d="M0 0L10 10"/></g>',
    '<use href="#badge"/>',
    '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>',
    '<rect fill="url(#grad)" width="5" height="5"/>',
    "<text>Fish &amp; chips</text>",
]

UNSAFE = [
    ("<script>alert(1)</script>", "script"),
    ('<rect onload="x()"/>', "event handler"),
    ('<image href="http://evil.example/a.png"/>', "leaves the document"),
    ('<image href="file:///etc/passwd"/>', "leaves the document"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/></foreignObject>', "foreignObject"),
    ('<!DOCTYPE svg [<!ENTITY x "y">]><text>&x;</text>', "DOCTYPE"),
    ("<text>&lol;</text>", "entity"),
    ('<rect style="fill: url(http://evil.example/a)"/>', "external"),
    ("<style>@import url(http://evil.example/x.css);</style>", "external"),
    ('<html:p xmlns:html="http://www.w3.org/1999/xhtml"/>', "namespace"),
    ("<rect", "well-formed"),
    ('<animate attributeName="href" to="javascript:alert(1)"/>', "not allowed"),
]


@pytest.mark.parametrize("markup", SAFE)
def test_safe_markup_passes(markup: str) -> None:
    assert check_raw_svg(markup) is None


@pytest.mark.parametrize(("markup", "reason"), UNSAFE)
def test_unsafe_markup_is_refused_with_a_reason(markup: str, reason: str) -> None:
    problem = check_raw_svg(markup)
    assert problem is not None and reason in problem.message


def test_billion_laughs_does_not_expand() -> None:
    bomb = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            "<text>&b;</text>")
    problem = check_raw_svg(bomb)
    assert problem is not None
