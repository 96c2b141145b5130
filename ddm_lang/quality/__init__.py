"""Creative quality: the named checks `ddm check --product` runs on every compiled creative.

A template that checks can still produce creatives a viewer would reject: copy jammed
against the canvas edge, a bullet dot with no selling point beside it, a headline that
lost the product's noun, a line that starts with a dash. Each such defect is a `Check`
with a threshold; `run_checks` returns the `Finding`s of one creative. The geometric
layout metrics the checks build on live in `ddm_lang.quality.layout_metrics`.
"""

from __future__ import annotations

from .checks import (
    CHECKS,
    Check,
    CheckContext,
    Finding,
    check_names,
    headline_names,
    run_checks,
    safe_margin,
)

__all__ = ["CHECKS", "Check", "CheckContext", "Finding", "check_names", "headline_names",
           "run_checks", "safe_margin"]
