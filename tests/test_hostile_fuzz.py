"""A few seconds of grammar fuzzing per component (hostile.fuzz): the parser, the checker,
the catalogue loader and the renderer end in a result or their own error type, each input
within the deadline. `benchmarks/hostile.py --fuzz-minutes N` runs the same for longer."""

from __future__ import annotations

import pytest
from hostile.fuzz import TARGETS, fuzz_test


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_raises_only_its_documented_errors(target: str) -> None:
    fuzz_test(target, examples=25, deadline_ms=5000)()
