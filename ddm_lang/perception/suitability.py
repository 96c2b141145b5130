"""The suitability perceiver: is the background a scene or plain/studio, is the image pure
text, a collage, of low quality.

A small MLP over hand-made features (`ddm_lang.perception.features`) trained by
`training/train_suitability.py` and shipped in the package as
`weights/suitability.onnx` with its contract `weights/suitability.json` (feature version and
width, input and output names, head order, per-head thresholds, validation metrics). The
model is small and runs on the CPU in well under a millisecond per image, so it needs no
provisioning step. Whether a background is transparent is read from the alpha channel by
the caller, not guessed here.

Another ONNX file can stand in for the shipped one if it honours the contract: input
`features` float32 [N, D], output `probabilities` float32 [N, 4] in the contract's head
order. Its own json (same name, `.json`) is used when present, the shipped one otherwise;
anything that does not match raises `ModelError` before a prediction is made.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ddm_lang.perception.features import FEATURE_DIM, FEATURE_VERSION, image_features
from ddm_lang.perception.models import (
    WEIGHTS_DIR,
    ModelError,
    file_sha256,
    model_path,
    onnx_session,
)

MODEL_VERSION = "suitability-1"
VERSION = f"{MODEL_VERSION}+features-{FEATURE_VERSION}"  # part of perception cache keys
DEFAULT_ONNX = WEIGHTS_DIR / "suitability.onnx"
DEFAULT_CONTRACT = WEIGHTS_DIR / "suitability.json"
HEADS = ("scene", "pure_text", "collage", "low_quality")
INPUT_NAME = "features"
OUTPUT_NAME = "probabilities"


class SuitabilityModel:
    """One loaded suitability model: its ONNX session and the contract it was checked
    against. Cheap to construct again (the session is cached per file)."""

    def __init__(self, path: str | Path | None = None,
                 contract: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else DEFAULT_ONNX
        if not self.path.is_file():
            raise ModelError(f"{self.path}: suitability model file not found")
        if contract is None:
            sibling = self.path.with_suffix(".json")
            contract = sibling if sibling.is_file() else DEFAULT_CONTRACT
        self.contract_path = Path(contract)
        self.contract = _read_contract(self.contract_path)
        self.heads: tuple[str, ...] = tuple(self.contract["heads"])
        self.thresholds: dict[str, float] = {h: float(self.contract["thresholds"][h])
                                             for h in self.heads}
        self.session = onnx_session(self.path)
        self._check_session()
        default = self.path.resolve() == DEFAULT_ONNX.resolve()
        self.version = VERSION if default else \
            f"suitability-{file_sha256(self.path)[:16]}+features-{FEATURE_VERSION}"

    def _check_session(self) -> None:
        """The graph must take [N, D] `features` and give [N, heads] `probabilities`;
        a mismatch would otherwise surface as a wrong answer, not an error."""
        inputs = self.session.get_inputs()
        outputs = self.session.get_outputs()
        where = f"{self.path}"
        if len(inputs) != 1 or inputs[0].name != INPUT_NAME:
            raise ModelError(f"{where}: expected one input named {INPUT_NAME!r}, got "
                             f"{[i.name for i in inputs]}")
        if not any(o.name == OUTPUT_NAME for o in outputs):
            raise ModelError(f"{where}: expected an output named {OUTPUT_NAME!r}, got "
                             f"{[o.name for o in outputs]}")
        shape = inputs[0].shape
        if len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != FEATURE_DIM):
            raise ModelError(f"{where}: input {INPUT_NAME!r} has shape {shape}, the "
                             f"features (version {FEATURE_VERSION}) are [N, {FEATURE_DIM}]")
        if "float" not in inputs[0].type:
            raise ModelError(f"{where}: input {INPUT_NAME!r} is {inputs[0].type}, expected "
                             "tensor(float)")
        out = next(o for o in outputs if o.name == OUTPUT_NAME)
        if len(out.shape) != 2 or (isinstance(out.shape[1], int)
                                   and out.shape[1] != len(self.heads)):
            raise ModelError(f"{where}: output {OUTPUT_NAME!r} has shape {out.shape}, "
                             f"expected [N, {len(self.heads)}] for heads {self.heads}")

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Raw head probabilities, float32 [N, heads], for a batch of feature rows."""
        x = np.asarray(features, dtype=np.float32)
        if x.ndim == 1:
            x = x[None]
        if x.ndim != 2 or x.shape[1] != FEATURE_DIM:
            raise ModelError(f"features of shape {x.shape}; the model wants [N, {FEATURE_DIM}]")
        if len(x) == 0:
            return np.zeros((0, len(self.heads)), np.float32)
        out = self.session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]
        out = np.asarray(out, dtype=np.float32)
        if out.shape != (len(x), len(self.heads)):
            raise ModelError(f"{self.path}: output of shape {out.shape}, expected "
                             f"{(len(x), len(self.heads))}")
        return out

    def predict(self, features: np.ndarray) -> list[dict[str, Any]]:
        """One result per feature row (see `suitability` for the keys)."""
        return [self._result(row) for row in self.probabilities(features)]

    def _result(self, probs: np.ndarray) -> dict[str, Any]:
        p = {h: float(v) for h, v in zip(self.heads, probs, strict=True)}
        flags = {h: p[h] >= self.thresholds[h] for h in self.heads}
        return {
            "background_scene": p["scene"],
            "background": "scene" if flags["scene"] else "plain",
            "pure_text": flags["pure_text"],
            "collage": flags["collage"],
            "low_quality": flags["low_quality"],
            "probabilities": p,
        }


def _read_contract(path: Path) -> dict[str, Any]:
    try:
        contract = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelError(f"{path}: suitability contract not found") from None
    except (OSError, ValueError) as err:
        raise ModelError(f"{path}: unreadable suitability contract ({err})") from None
    missing = [k for k in ("feature_version", "feature_dim", "heads", "thresholds")
               if k not in contract]
    if missing:
        raise ModelError(f"{path}: contract lacks {', '.join(missing)}")
    if str(contract["feature_version"]) != FEATURE_VERSION:
        raise ModelError(f"{path}: model trained on features version "
                         f"{contract['feature_version']}, this package computes version "
                         f"{FEATURE_VERSION}; retrain it (training/train_suitability.py)")
    if int(contract["feature_dim"]) != FEATURE_DIM:
        raise ModelError(f"{path}: contract says {contract['feature_dim']} features, the "
                         f"feature function gives {FEATURE_DIM}")
    if tuple(contract["heads"]) != HEADS:
        raise ModelError(f"{path}: heads {contract['heads']}, expected {list(HEADS)}")
    if any(h not in contract["thresholds"] for h in HEADS):
        raise ModelError(f"{path}: contract lacks a threshold for some of {list(HEADS)}")
    if contract.get("input", INPUT_NAME) != INPUT_NAME or \
            contract.get("output", OUTPUT_NAME) != OUTPUT_NAME:
        raise ModelError(f"{path}: contract names input/output "
                         f"{contract.get('input')}/{contract.get('output')}, expected "
                         f"{INPUT_NAME}/{OUTPUT_NAME}")
    return contract


def default_model() -> SuitabilityModel:
    """The registry's model (the shipped one unless `DDM_MODEL_SUITABILITY` or
    `models.use_model` names another), loaded once per file per process."""
    return _model(model_path("suitability"))


@cache
def _model(path: Path) -> SuitabilityModel:
    return SuitabilityModel(path)


def suitability(rgb: np.ndarray, alpha: np.ndarray | None = None,
                model: SuitabilityModel | None = None) -> dict[str, Any]:
    """Suitability of one (H, W, 3) uint8 image: `background_scene` (probability that the
    background is a scene rather than plain/studio), `background` ("scene" or "plain"),
    `pure_text`, `collage`, `low_quality` (booleans at the contract's thresholds) and
    `probabilities` (every head's probability). With `alpha`, transparent parts count as
    a plain background."""
    model = model or default_model()
    return model.predict(image_features(rgb, alpha)[None])[0]
