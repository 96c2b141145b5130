"""Train the suitability model, export it to ONNX and record its metrics.

    .venv/bin/python training/train_suitability.py

Reads (or builds) the labelled feature set of `suitability_data.py`, trains a small MLP
with four independent sigmoid heads (scene background, pure text, collage, low quality) on
the train split, picks each head's threshold on the validation split, and writes (see
training/README.md):

- ddm_lang/perception/weights/suitability.onnx: input `features` float32 [N, D], output
  `probabilities` float32 [N, 4]; the feature standardisation is inside the graph, so the
  file is usable with nothing but the feature function;
- ddm_lang/perception/weights/suitability.json: the contract (feature version and width,
  head names, thresholds) with the validation metrics and the data recipe's digest;
- benchmarks/results/suitability_training.{md,json}: the run, with a one-feature rule
  baseline per head measured on the same split, and the model on the unmodified photos.

Everything is seeded; on the same machine and library versions the run repeats exactly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import suitability_data as sd  # noqa: E402

from ddm_lang.perception.features import (  # noqa: E402
    FEATURE_DIM,
    FEATURE_NAMES,
    FEATURE_VERSION,
    image_features,
)

WEIGHTS = ROOT / "ddm_lang" / "perception" / "weights"
RESULTS = ROOT / "benchmarks" / "results"
MODEL_VERSION = "suitability-1"
HEADS = sd.HEADS
TORCH_SEED = 7
HIDDEN = (64, 32)
EPOCHS = 200
BATCH = 256
DROPOUT = 0.1
WEIGHT_DECAY = 1e-3
# One named feature and direction per head for the rule baseline (threshold fitted on the
# train split): what a hand-written rule would look at first.
RULES = {"scene": ("border_std", 1), "pure_text": ("stroke_small", 1),
         "collage": ("seam_grid", 1), "low_quality": ("lap_var_1", -1)}


def mask_unseeable(y: np.ndarray, degradation: np.ndarray) -> np.ndarray:
    """Collage labels of heavily blurred or upscaled samples become unknown: that damage
    wipes out the seams and gutters that make a grid visible, and training the head on
    them teaches it that any very soft image is a collage."""
    y = y.copy()
    soft = np.array([("blur" in d or "downup" in d) and not d.endswith("-mild")
                     for d in degradation.tolist()])
    y[soft, HEADS.index("collage")] = -1
    return y


def metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float | int]:
    """Accuracy, precision, recall and F1 of boolean predictions on labelled rows."""
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = int((~pred & (y == 0)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    n = tp + fp + fn + tn
    return {"n": n, "positives": tp + fn, "accuracy": round((tp + tn) / max(1, n), 4),
            "precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}


def best_threshold(y: np.ndarray, score: np.ndarray, grid: np.ndarray,
                   prefer: float | None = None, tolerance: float = 0.0) -> float:
    """The threshold on `score` with the best F1; with `prefer`, the one closest to it
    among those within `tolerance` of the best, so a near-tie does not move a threshold
    far from the middle on the strength of a sample or two."""
    f1s = np.array([metrics(y, score >= t)["f1"] for t in grid], dtype=np.float64)
    best = float(f1s.max())
    ok = np.flatnonzero(f1s >= best - tolerance - 1e-12)
    if prefer is None:
        return float(grid[ok[0]])
    return float(grid[ok[np.argmin(np.abs(grid[ok] - prefer))]])


def train(x_tr: np.ndarray, y_tr: np.ndarray) -> tuple[object, dict]:
    import torch
    from torch import nn

    torch.manual_seed(TORCH_SEED)
    torch.set_num_threads(1)  # a model this small only loses time to thread hand-offs
    mean = x_tr.mean(axis=0)
    std = x_tr.std(axis=0) + 1e-4

    class Net(nn.Module):
        """Standardise, two hidden layers, four independent sigmoid heads."""

        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
            layers: list[nn.Module] = []
            width = FEATURE_DIM
            for h in HIDDEN:
                layers += [nn.Linear(width, h), nn.GELU(), nn.Dropout(DROPOUT)]
                width = h
            layers.append(nn.Linear(width, len(HEADS)))
            self.mlp = nn.Sequential(*layers)

        def logits(self, x: torch.Tensor) -> torch.Tensor:
            return self.mlp((x - self.mean) / self.std)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.sigmoid(self.logits(x))

    net = Net()
    x = torch.tensor(x_tr, dtype=torch.float32)
    y = torch.tensor(np.maximum(y_tr, 0), dtype=torch.float32)
    mask = torch.tensor(y_tr >= 0, dtype=torch.float32)
    # balance each head: positives weighted up to the negatives' count
    pos = (y * mask).sum(0)
    neg = ((1 - y) * mask).sum(0)
    pos_weight = (neg / pos.clamp(min=1)).clamp(max=4.0)
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=WEIGHT_DECAY)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    loss_fn = nn.BCEWithLogitsLoss(reduction="none", pos_weight=pos_weight)
    gen = torch.Generator().manual_seed(TORCH_SEED)
    t0 = time.perf_counter()
    last = 0.0
    for _ in range(EPOCHS):
        net.train()
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), BATCH):
            idx = perm[i:i + BATCH]
            loss = (loss_fn(net.logits(x[idx]), y[idx]) * mask[idx]).sum() / mask[idx].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        sched.step()
        last = total / len(x)
    net.eval()
    info = {"seconds": round(time.perf_counter() - t0, 1), "final_train_loss": round(last, 4),
            "epochs": EPOCHS, "batch": BATCH, "hidden": list(HIDDEN),
            "parameters": sum(p.numel() for p in net.parameters()),
            "torch": torch.__version__}
    return net, info


def export(net: object, path: Path) -> None:
    import torch

    example = (torch.zeros(3, FEATURE_DIM),)
    program = torch.onnx.export(
        net, example, None, dynamo=True, opset_version=18,
        input_names=["features"], output_names=["probabilities"],
        dynamic_shapes=({0: torch.export.Dim("N")},))
    program.optimize()
    tmp = path.with_suffix(".tmp.onnx")
    program.save(str(tmp), external_data=False)
    os.replace(tmp, path)


def machine() -> dict[str, str | int]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count() or 0,
            "os": platform.platform(), "python": platform.python_version()}


def real_photos() -> dict[str, tuple[np.ndarray, np.ndarray, float, float]]:
    """Features of the unmodified source photos: (features, in-validation-pool flags,
    mean wall and CPU milliseconds per image for the features; the CPU figure is the one
    that holds on a machine busy with other work)."""
    from PIL import Image

    out = {}
    src = sd.all_sources()
    for name, paths in (("grocery", sorted(src["train"].grocery + src["val"].grocery)),
                        ("ccp", sorted(src["train"].ccp + src["val"].ccp))):
        feats, val, wall, cpu = [], [], 0.0, 0.0
        for p in paths:
            rgb = np.asarray(Image.open(p).convert("RGB"))
            t0, c0 = time.perf_counter(), time.process_time()
            feats.append(image_features(rgb))
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
            val.append(sd._pool_of(p) == "val")
        out[name] = (np.stack(feats), np.array(val), 1000 * wall / len(paths),
                     1000 * cpu / len(paths))
    return out


def onnx_probabilities(path: Path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(["probabilities"], {"features": x.astype(np.float32)})[0]


def main() -> None:
    ap = argparse.ArgumentParser(description="train and export the suitability model")
    ap.add_argument("--workers", type=int, default=None, help="processes building the set")
    args = ap.parse_args()
    command = " ".join(["python training/train_suitability.py", *sys.argv[1:]])
    started = dt.datetime.now(dt.UTC)

    t0 = time.perf_counter()
    data = sd.build(args.workers)
    build_seconds = float(data["seconds"])
    load_seconds = time.perf_counter() - t0
    assert str(data["feature_version"]) == FEATURE_VERSION
    x, y, split = data["features"], data["labels"].astype(np.int64), data["split"]
    y = mask_unseeable(y, data["degradation"])
    tr, va = split == "train", split == "val"

    net, info = train(x[tr], y[tr])
    import torch
    with torch.no_grad():
        p_tr = net(torch.tensor(x[tr])).numpy()
        p_va = net(torch.tensor(x[va])).numpy()

    WEIGHTS.mkdir(parents=True, exist_ok=True)
    onnx_path = WEIGHTS / "suitability.onnx"
    export(net, onnx_path)
    p_onnx = onnx_probabilities(onnx_path, x[va])
    max_diff = float(np.abs(p_onnx - p_va).max())
    assert max_diff < 1e-4, f"ONNX and torch disagree by {max_diff}"

    grid = np.round(np.arange(0.1, 0.91, 0.05), 2)
    thresholds, val_metrics, val_at_half, train_metrics = {}, {}, {}, {}
    for i, head in enumerate(HEADS):
        lab_va, lab_tr = y[va][:, i] >= 0, y[tr][:, i] >= 0
        yv, pv = y[va][lab_va, i], p_va[lab_va, i]
        thresholds[head] = best_threshold(yv, pv, grid, prefer=0.5, tolerance=0.005)
        val_metrics[head] = metrics(yv, pv >= thresholds[head])
        val_at_half[head] = metrics(yv, pv >= 0.5)
        train_metrics[head] = metrics(y[tr][lab_tr, i], p_tr[lab_tr, i] >= thresholds[head])

    baseline = {}
    for i, head in enumerate(HEADS):
        fname, sign = RULES[head]
        j = FEATURE_NAMES.index(fname)
        lab_tr, lab_va = y[tr][:, i] >= 0, y[va][:, i] >= 0
        s_tr, s_va = sign * x[tr][lab_tr, j], sign * x[va][lab_va, j]
        grid_tr = np.unique(np.quantile(s_tr, np.linspace(0.01, 0.99, 197)))
        t = best_threshold(y[tr][lab_tr, i], s_tr, grid_tr)
        baseline[head] = {"rule": f"{fname} {'>' if sign > 0 else '<'} {sign * t:.4g}",
                          **metrics(y[va][lab_va, i], s_va >= t)}

    # per recipe, the heads that recipe labels (validation)
    per_recipe = {}
    for r in sorted(set(data["recipe"][va].tolist())):
        sel = data["recipe"][va] == r
        row = {}
        for i, head in enumerate(HEADS):
            lab = y[va][sel, i]
            ok = lab >= 0
            if ok.any():
                pred = p_va[sel, i][ok] >= thresholds[head]
                row[head] = round(float((pred == (lab[ok] == 1)).mean()), 4)
        per_recipe[r] = {"n": int(sel.sum()), "accuracy": row}

    photos = real_photos()
    real = {}
    for name, (feats, val, ms, cpu_ms) in photos.items():
        probs = onnx_probabilities(onnx_path, feats)
        scene = probs[:, 0] >= thresholds["scene"]
        entry = {"photos": len(feats), "validation_pool_photos": int(val.sum()),
                 "feature_ms_per_image": round(ms, 2),
                 "feature_cpu_ms_per_image": round(cpu_ms, 2)}
        want_scene = name == "ccp"
        entry["predicted_" + ("scene" if want_scene else "plain")] = round(
            float((scene == want_scene).mean()), 4)
        entry["predicted_" + ("scene" if want_scene else "plain") + "_validation_pool"] = round(
            float((scene[val] == want_scene).mean()), 4) if val.any() else None
        for i, head in enumerate(HEADS[1:], start=1):
            entry["flagged_" + head] = round(float((probs[:, i] >= thresholds[head]).mean()), 4)
        real[name] = entry

    onnx_bytes = onnx_path.read_bytes()
    finished = dt.datetime.now(dt.UTC)
    contract = {
        "model_version": MODEL_VERSION,
        "feature_version": FEATURE_VERSION,
        "feature_dim": FEATURE_DIM,
        "feature_names": list(FEATURE_NAMES),
        "input": "features",
        "output": "probabilities",
        "heads": list(HEADS),
        "thresholds": thresholds,
        "onnx_sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "data_recipe_sha256": str(data["recipe_sha256"]),
        "trained": finished.strftime("%Y-%m-%d"),
        "validation": val_metrics,
        "training": {k: v for k, v in info.items() if k != "seconds"},
    }
    (WEIGHTS / "suitability.json").write_text(json.dumps(contract, indent=1) + "\n")

    summary = sd.summary(data)
    result = {
        "benchmark": "suitability_training",
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "machine": machine(),
        "model_version": MODEL_VERSION,
        "feature_version": FEATURE_VERSION,
        "feature_dim": FEATURE_DIM,
        "data_recipe_sha256": str(data["recipe_sha256"]),
        "data": summary,
        "seconds": {"build_set": round(build_seconds, 1), "load_set": round(load_seconds, 1),
                    "train": info["seconds"]},
        "training": info,
        "onnx": {"bytes": len(onnx_bytes), "max_abs_diff_vs_torch": max_diff, "opset": 18},
        "thresholds": thresholds,
        "validation": val_metrics,
        "validation_at_0.5": val_at_half,
        "train": train_metrics,
        "rule_baseline_validation": baseline,
        "validation_accuracy_per_recipe": per_recipe,
        "unmodified_photos": real,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "suitability_training.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "suitability_training.md").write_text(markdown(result))
    print(markdown(result))


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        "# Suitability model training",
        "",
        f"- date: {r['date']}",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['os']}, Python {m['python']}, "
        f"torch {r['training']['torch']}",
        f"- command: `{r['command']}`",
        f"- model: {r['model_version']}, features v{r['feature_version']} "
        f"({r['feature_dim']} values), MLP {r['training']['hidden']}, "
        f"{r['training']['parameters']} parameters, ONNX {r['onnx']['bytes']} bytes "
        f"(max |ONNX - torch| = {r['onnx']['max_abs_diff_vs_torch']:.1e})",
        f"- data: {r['data']['train']['samples']} train / {r['data']['val']['samples']} "
        f"validation samples, split by source photo (train pool: "
        f"{r['data']['source_photos']['train']['grocery']} grocery + "
        f"{r['data']['source_photos']['train']['ccp']} ccp photos; validation pool: "
        f"{r['data']['source_photos']['val']['grocery']} + "
        f"{r['data']['source_photos']['val']['ccp']}; validation text uses held-out fonts "
        f"{', '.join(r['data']['source_photos']['val']['fonts'])}); recipe sha256 "
        f"`{r['data_recipe_sha256'][:16]}`",
        f"- time: building the set {r['seconds']['build_set']} s (cached afterwards), "
        f"training {r['seconds']['train']} s",
        "",
        "## Validation, per head",
        "",
        "Thresholds are chosen on this split (closest to 0.5 within 0.005 of the best "
        "F1), so these figures are slightly optimistic; the 0.5 column does not use that "
        "choice.",
        "",
        "| head | threshold | n | positives | accuracy | precision | recall | F1 | F1 at 0.5 "
        "| rule baseline | rule accuracy | rule F1 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for head in HEADS:
        v, b, h = r["validation"][head], r["rule_baseline_validation"][head], \
            r["validation_at_0.5"][head]
        lines.append(f"| {head} | {r['thresholds'][head]:.2f} | {v['n']} | {v['positives']} | "
                     f"{v['accuracy']:.3f} | {v['precision']:.3f} | {v['recall']:.3f} | "
                     f"{v['f1']:.3f} | {h['f1']:.3f} | `{b['rule']}` | {b['accuracy']:.3f} | "
                     f"{b['f1']:.3f} |")
    lines += ["", "The rule baseline is one feature with a threshold fitted on the train split "
              "(best F1), evaluated on the same validation rows. Scene counts leave out "
              "collages and framed photos (not labelled); collage counts leave out heavily "
              "blurred or upscaled samples, whose grid is no longer visible.", "",
              "## Validation accuracy per recipe", "",
              "| recipe | n | " + " | ".join(HEADS) + " |",
              "|---|---|" + "---|" * len(HEADS)]
    for name, row in r["validation_accuracy_per_recipe"].items():
        cells = [f"{row['accuracy'][h]:.3f}" if h in row["accuracy"] else "–" for h in HEADS]
        lines.append(f"| {name} | {row['n']} | " + " | ".join(cells) + " |")
    g, c = r["unmodified_photos"]["grocery"], r["unmodified_photos"]["ccp"]
    lines += [
        "", "## Unmodified photos", "",
        "The source photos as they are (most of them fed the train split through the "
        "recipes; the validation-pool column counts only photos the model never saw).", "",
        "| set | photos | expected | all | validation pool | flagged pure_text | "
        "flagged collage | flagged low_quality | feature ms/image (wall / CPU) |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| grocery (studio white) | {g['photos']} | plain | {g['predicted_plain']:.3f} | "
        f"{g['predicted_plain_validation_pool']:.3f} ({g['validation_pool_photos']}) | "
        f"{g['flagged_pure_text']:.3f} | {g['flagged_collage']:.3f} | "
        f"{g['flagged_low_quality']:.3f} | {g['feature_ms_per_image']} / "
        f"{g['feature_cpu_ms_per_image']} |",
        f"| ccp (street) | {c['photos']} | scene | {c['predicted_scene']:.3f} | "
        f"{c['predicted_scene_validation_pool']:.3f} ({c['validation_pool_photos']}) | "
        f"{c['flagged_pure_text']:.3f} | {c['flagged_collage']:.3f} | "
        f"{c['flagged_low_quality']:.3f} | {c['feature_ms_per_image']} / "
        f"{c['feature_cpu_ms_per_image']} |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
