"""Attribute salience: which of a product's attributes a copywriter would mention.

Human copy does not state every attribute: in AdvertiseGen, a top (类型#上衣) is almost
never called 上衣 but 衬衫 or 卫衣, and 牛仔布 is written 牛仔, while 图案 and 风格
values are almost always named. The writer states the most salient attributes first, so
the few characters a box holds go to what a copywriter would have said.

The model is a small MLP over hashed features of one (category, key, value) pair in the
context of the product's other attributes (`pair_features`), trained by
`training/train_salience.py` on AdvertiseGen and shipped as `weights/salience.onnx` with
its contract `weights/salience.json`. It runs with onnxruntime only. The contract also
carries the frequency baseline (how often copy mentions a key in a category) that the
model is measured against, and which stands in when onnxruntime is missing.

Contract: input `features` float32 [N, DIM] (counts of hashed feature strings, crc32 mod
DIM), output `probabilities` float32 [N], the probability that copy mentions the value.
Another file honouring it can be named by `DDM_MODEL_COPY_SALIENCE=path` (its json is
the sibling `.json` when present).
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ddm_lang.errors import UserError

from .facts import Facts

FEATURE_VERSION = "1"
DIM = 2048
WEIGHTS = Path(__file__).with_name("weights")
DEFAULT_ONNX = WEIGHTS / "salience.onnx"
INPUT_NAME = "features"
OUTPUT_NAME = "probabilities"
ENV = "DDM_MODEL_COPY_SALIENCE"

Pair = tuple[str, str]


class SalienceError(UserError):
    """The salience model or its contract cannot be used."""


def pair_features(category: str | None, key: str, value: str,
                  pairs: Sequence[Pair]) -> list[str]:
    """Feature strings of one attribute in its product. Value characters and bigrams let
    the model generalise to values it never saw; the context features (other keys, a
    value repeated under another key or contained in another value) capture redundancy,
    which is what makes copywriters leave an attribute out."""
    v = value.casefold()
    c = category or "-"
    feats = ["bias", f"k={key}", f"v={v}", f"kv={key}|{v}", f"ck={c}|{key}", f"cv={c}|{v}",
             f"len={min(len(v), 6)}", f"klen={key}|{min(len(v), 6)}",
             f"n={min(len(pairs), 12)}"]
    feats += [f"ch={ch}" for ch in v] + [f"bi={v[i:i + 2]}" for i in range(len(v) - 1)]
    others = [(k2, v2.casefold()) for k2, v2 in pairs if (k2, v2) != (key, value)]
    if any(v2 == v for _, v2 in others):
        feats += ["dupv", f"dupv|{key}"]
    if any(v in v2 and v != v2 for _, v2 in others):
        feats += ["sub", f"sub|{key}"]
    if any(v2 in v and v != v2 for _, v2 in others):
        feats += ["sup", f"sup|{key}"]
    feats.append(f"samek={key}|{min(sum(k2 == key for k2, _ in others), 3)}")
    feats += [f"ko={key}|{k2}" for k2, _ in others]
    return feats


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % DIM


def featurise(category: str | None, pairs: Sequence[Pair]) -> np.ndarray:
    """float32 [len(pairs), DIM]: hashed feature counts of every attribute of a product."""
    x = np.zeros((len(pairs), DIM), np.float32)
    for i, (key, value) in enumerate(pairs):
        for f in pair_features(category, key, value, pairs):
            x[i, _bucket(f)] += 1.0
    return x


def label(key: str, value: str, summary: str) -> int:
    """Training label: the copy mentions the value (or names the key)."""
    s = summary.casefold()
    return int(value.casefold() in s or key.casefold() in s)


# ---- the frequency baseline -----------------------------------------------------------
def baseline_scores(table: dict[str, Any], category: str | None,
                    pairs: Sequence[Pair], kind: str = "key") -> np.ndarray:
    """The salience a frequency table gives. `kind="key"` (the baseline): how often copy
    mentions this key in this category (smoothed), else the key's rate over all
    categories, else the global rate. `kind="value"`: how often copy mentions this very
    value under this key, backing off to the key baseline for values never seen."""
    by_ck, by_k, glob = table["category_key"], table["key"], float(table["global"])
    by_v = table.get("value", {})
    out = []
    for key, value in pairs:
        score = by_ck.get(f"{category or '-'}|{key}", by_k.get(key, glob))
        if kind == "value":
            score = by_v.get(f"{key}|{value.casefold()}", score)
        out.append(score)
    return np.asarray(out, np.float32)


# ---- the model --------------------------------------------------------------------------
class SalienceModel:
    """The loaded ONNX model and its contract; one per file per process (`model()`)."""

    def __init__(self, path: Path) -> None:
        from ddm_lang.perception.models import ModelError, onnx_session

        self.path = path
        sibling = path.with_suffix(".json")
        contract_path = sibling if sibling.is_file() else DEFAULT_ONNX.with_suffix(".json")
        try:
            self.contract: dict[str, Any] = json.loads(contract_path.read_text())
        except (OSError, ValueError) as err:
            raise SalienceError(f"{contract_path}: unreadable salience contract ({err})") \
                from None
        if str(self.contract.get("feature_version")) != FEATURE_VERSION or \
                int(self.contract.get("dim", -1)) != DIM:
            raise SalienceError(f"{contract_path}: model built for features "
                                f"v{self.contract.get('feature_version')} x "
                                f"{self.contract.get('dim')}, this package computes "
                                f"v{FEATURE_VERSION} x {DIM}; retrain it "
                                "(training/train_salience.py)")
        try:
            self.session = onnx_session(path)
        except ModelError as err:
            raise SalienceError(str(err)) from None
        names = [i.name for i in self.session.get_inputs()]
        outs = [o.name for o in self.session.get_outputs()]
        if names != [INPUT_NAME] or OUTPUT_NAME not in outs:
            raise SalienceError(f"{path}: expected input {INPUT_NAME!r} and output "
                                f"{OUTPUT_NAME!r}, got {names} → {outs}")
        self.threshold = float(self.contract.get("threshold", 0.5))

    def scores(self, category: str | None, pairs: Sequence[Pair]) -> np.ndarray:
        if not pairs:
            return np.zeros(0, np.float32)
        out = self.session.run([OUTPUT_NAME], {INPUT_NAME: featurise(category, pairs)})[0]
        return np.asarray(out, np.float32).reshape(len(pairs))


def model_path() -> Path:
    env = os.environ.get(ENV)
    return Path(env) if env else DEFAULT_ONNX


def model() -> SalienceModel:
    """The process's salience model (loaded on first use)."""
    path = model_path()
    if not path.is_file():
        raise SalienceError(f"{path}: salience model not found"
                            + (f" (set by {ENV})" if os.environ.get(ENV) else
                               "; reinstall ddm_lang or run training/train_salience.py"))
    return _load(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _load(path: str, mtime: int) -> SalienceModel:
    return SalienceModel(Path(path))


@cache
def contract() -> dict[str, Any]:
    """The shipped contract (thresholds, baseline table, recorded metrics)."""
    return json.loads(DEFAULT_ONNX.with_suffix(".json").read_text())


def rank(facts: Facts, *, baseline: bool = False) -> list[tuple[str, str, float]]:
    """The product's statable attributes (`Facts.copy_attributes`), most salient first;
    ties keep the data's order. `baseline=True` ranks with the frequency table instead."""
    pairs = list(facts.copy_attributes())
    if not pairs:
        return []
    if baseline:
        scores = baseline_scores(contract()["baseline"], facts.category, pairs)
    else:
        scores = model().scores(facts.category, pairs)
    order = sorted(range(len(pairs)), key=lambda i: (-float(scores[i]), i))
    return [(pairs[i][0], pairs[i][1], float(scores[i])) for i in order]
