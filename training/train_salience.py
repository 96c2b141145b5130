"""Train the attribute-salience model, export it to ONNX and write its contract.

    .venv/bin/python training/train_salience.py

Reads AdvertiseGen through `salience_data.py`, trains a small MLP (hashed features of
`ddm_lang.copy.salience.pair_features` → 16 ReLU units → one sigmoid) on 90 % of
train.jsonl, picks the epoch count and the decision threshold on the other 10 %, and
writes (see training/README.md):

- ddm_lang/copy/weights/salience.onnx: input `features` float32 [N, 2048], output
  `probabilities` float32 [N];
- ddm_lang/copy/weights/salience.json: the contract (feature version and width, input and
  output names, threshold), the frequency baselines' tables (fitted on all of train.jsonl)
  and the tuning and dev metrics of the model and of the baselines;
- ddm_lang/copy/weights/vocab.json: the domain vocabulary of attribute values (every value
  of train.jsonl), which the factuality check uses to spot values a candidate invents.

Everything is seeded, and torch runs deterministic kernels on one thread; on the same
machine and library versions the run repeats exactly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import salience_data as sd  # noqa: E402

from ddm_lang.copy import metrics as cm  # noqa: E402
from ddm_lang.copy.salience import (  # noqa: E402
    DIM,
    FEATURE_VERSION,
    INPUT_NAME,
    OUTPUT_NAME,
    baseline_scores,
    featurise,
)

WEIGHTS = ROOT / "ddm_lang" / "copy" / "weights"
MODEL_VERSION = "salience-1"
SEED = 11
HIDDEN = 16
MAX_EPOCHS = 30
BATCH = 256
LR = 3e-3
WEIGHT_DECAY = 1e-4
SMOOTHING = 5.0      # pseudo-counts pulling a rare (category, key) toward the key's rate
MIN_VOCAB_LEN = 2    # single characters (裙, 棉) are too ambiguous to police


def stack(rows: list[sd.Row]) -> tuple[np.ndarray, np.ndarray]:
    xs = [featurise(r.facts.category, r.pairs) for r in rows]
    ys = [np.asarray(r.labels, np.float32) for r in rows]
    return np.concatenate(xs), np.concatenate(ys)


def frequency_tables(rows: list[sd.Row]) -> dict:
    """Mention rates per (category, key), per key, per (key, value), and overall."""
    n_ck, m_ck, n_k, m_k, n_v, m_v = (Counter() for _ in range(6))
    for r in rows:
        for (k, v), y in zip(r.pairs, r.labels, strict=True):
            ck, kv = f"{r.facts.category or '-'}|{k}", f"{k}|{v.casefold()}"
            n_ck[ck] += 1
            m_ck[ck] += y
            n_k[k] += 1
            m_k[k] += y
            n_v[kv] += 1
            m_v[kv] += y
    glob = sum(m_k.values()) / sum(n_k.values())
    key = {k: (m_k[k] + SMOOTHING * glob) / (n_k[k] + SMOOTHING) for k in sorted(n_k)}
    cat_key = {ck: (m_ck[ck] + SMOOTHING * key[ck.split("|", 1)[1]]) / (n_ck[ck] + SMOOTHING)
               for ck in sorted(n_ck)}
    value = {}
    for kv in sorted(n_v):
        prior = key[kv.split("|", 1)[0]]
        value[kv] = (m_v[kv] + SMOOTHING * prior) / (n_v[kv] + SMOOTHING)
    rnd = lambda d: {k: round(v, 4) for k, v in d.items()}  # noqa: E731
    return {"global": round(glob, 4), "key": rnd(key), "category_key": rnd(cat_key),
            "value": rnd(value), "smoothing": SMOOTHING}


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """Threshold with the best F1 on the tuning rows (grid 0.05..0.95)."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1s = [cm.f1_at(scores.tolist(), labels.tolist(), float(t))["f1"] for t in grid]
    return float(grid[int(np.argmax(f1s))])


def build_net():
    import torch
    from torch import nn

    class Net(nn.Module):
        """Hashed counts → 16 ReLU units → probability the copy mentions the value."""

        def __init__(self) -> None:
            super().__init__()
            self.hidden = nn.Linear(DIM, HIDDEN)
            self.out = nn.Linear(HIDDEN, 1)

        def logits(self, x: torch.Tensor) -> torch.Tensor:
            return self.out(torch.relu(self.hidden(torch.log1p(x)))).squeeze(-1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.sigmoid(self.logits(x))

    return Net()


def train(x: np.ndarray, y: np.ndarray, x_tune: np.ndarray, y_tune: np.ndarray,
          epochs: int) -> tuple[object, list[float]]:
    """Train for `epochs`; returns the net and the tuning log-loss after each epoch."""
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    net = build_net()
    xt, yt = torch.tensor(x), torch.tensor(y)
    xv, yv = torch.tensor(x_tune), torch.tensor(y_tune)
    opt = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(SEED)
    curve = []
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), BATCH):
            idx = perm[i:i + BATCH]
            loss = loss_fn(net.logits(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            curve.append(round(float(loss_fn(net.logits(xv), yv)), 5))
    return net, curve


def export(net: object, path: Path) -> None:
    import torch

    program = torch.onnx.export(
        net, (torch.zeros(3, DIM),), None, dynamo=True, opset_version=18,
        input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_shapes=({0: torch.export.Dim("N")},))
    program.optimize()
    tmp = path.with_suffix(".tmp.onnx")
    program.save(str(tmp), external_data=False)
    os.replace(tmp, path)


def evaluate(rows: list[sd.Row], score_fn, threshold: float) -> dict:
    products = [(score_fn(r).tolist(), list(r.labels)) for r in rows]
    return {k: round(v, 4) for k, v in cm.ranking_report(products, threshold).items()}


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    started = time.perf_counter()
    train_rows, dev_rows = sd.read("train"), sd.read("dev")
    fit_rows = [r for r in train_rows if not sd.is_tune(r)]
    tune_rows = [r for r in train_rows if sd.is_tune(r)]
    x_fit, y_fit = stack(fit_rows)
    x_tune, y_tune = stack(tune_rows)

    # epoch count: the tuning loss's minimum in a first run, then a clean run to it
    _, curve = train(x_fit, y_fit, x_tune, y_tune, MAX_EPOCHS)
    epochs = int(np.argmin(curve)) + 1
    net, _ = train(x_fit, y_fit, x_tune, y_tune, epochs)

    import torch
    with torch.no_grad():
        p_tune = net(torch.tensor(x_tune)).numpy()
    threshold = best_threshold(p_tune, y_tune)

    WEIGHTS.mkdir(parents=True, exist_ok=True)
    onnx_path = WEIGHTS / "salience.onnx"
    export(net, onnx_path)
    import onnxruntime as ort
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])

    def model_scores(r: sd.Row) -> np.ndarray:
        return sess.run([OUTPUT_NAME], {INPUT_NAME: featurise(r.facts.category, r.pairs)})[0]

    x_dev, _ = stack(dev_rows)
    with torch.no_grad():
        p_dev = net(torch.tensor(x_dev)).numpy()
    max_diff = float(np.abs(sess.run([OUTPUT_NAME], {INPUT_NAME: x_dev})[0] - p_dev).max())
    assert max_diff < 1e-4, f"ONNX and torch disagree by {max_diff}"

    # the baselines' tables: fitted on the fitting rows for their tuning threshold, on all
    # of train.jsonl for what ships (the model never sees the tuning rows' labels either)
    tables_fit = frequency_tables(fit_rows)
    tables = frequency_tables(train_rows)
    thresholds = {"model": threshold}
    for kind in ("key", "value"):
        s = np.concatenate([baseline_scores(tables_fit, r.facts.category, r.pairs, kind)
                            for r in tune_rows])
        thresholds[f"{kind}_frequency"] = best_threshold(s, y_tune)

    def base(kind: str):
        return lambda r: baseline_scores(tables, r.facts.category, r.pairs, kind)

    dev = {"model": evaluate(dev_rows, model_scores, threshold),
           "key_frequency_baseline": evaluate(dev_rows, base("key"),
                                              thresholds["key_frequency"]),
           "value_frequency_baseline": evaluate(dev_rows, base("value"),
                                                thresholds["value_frequency"])}
    tune = {"model": evaluate(tune_rows, model_scores, threshold)}

    vocab: dict[str, list[str]] = defaultdict(list)
    for r in train_rows:
        for k, v in r.pairs:
            if len(v) >= MIN_VOCAB_LEN and k not in vocab[v]:
                vocab[v].append(k)
    onnx_bytes = onnx_path.read_bytes()
    contract = {
        "model_version": MODEL_VERSION,
        "feature_version": FEATURE_VERSION,
        "dim": DIM,
        "input": INPUT_NAME,
        "output": OUTPUT_NAME,
        "threshold": threshold,
        "onnx_sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "data_sha256": sd.digest(),
        "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "training": {"seed": SEED, "hidden": HIDDEN, "epochs": epochs, "batch": BATCH,
                     "lr": LR, "weight_decay": WEIGHT_DECAY, "torch": torch.__version__,
                     "fit_products": len(fit_rows), "tune_products": len(tune_rows),
                     "tune_loss_curve": curve, "parameters":
                     sum(p.numel() for p in net.parameters()),
                     "max_abs_diff_onnx_vs_torch": max_diff},
        "baseline_thresholds": {k: v for k, v in thresholds.items() if k != "model"},
        "tuning": tune,
        "dev": dev,
        "baseline": tables,
    }
    (WEIGHTS / "salience.json").write_text(
        json.dumps(contract, ensure_ascii=False, indent=1, sort_keys=False) + "\n")
    (WEIGHTS / "vocab.json").write_text(json.dumps(
        {"source": "copy-advertisegen/train.jsonl attribute values",
         "min_length": MIN_VOCAB_LEN, "values": dict(sorted(vocab.items()))},
        ensure_ascii=False, indent=0) + "\n")
    print(json.dumps({"epochs": epochs, "threshold": threshold, "onnx_bytes": len(onnx_bytes),
                      "dev": dev, "seconds": round(time.perf_counter() - started, 1)},
                     ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
