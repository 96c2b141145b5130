"""Train the layout model, export it to ONNX and write its contract.

    .venv/bin/python training/layout_model/train.py [--epochs N] [--threads 2]

Reads the extracted layouts (`extract.py`, extracting first when the cache is missing),
encodes them with the vocabulary of `ddm_lang.generate.model` (`dataset.py`), trains the
transformer of `net.py` on the training templates with teacher forcing (cross-entropy on
every token after the prefix: each element's role, x, y, w, h and the end), keeps the
epoch with the lowest validation loss (validation = held-out templates), and writes:

- `ddm_lang/generate/weights/layout_model.onnx`: input `tokens` int64 [N, T], output
  `logits` float32 [N, T, V], dynamic N and T (T ≤ the vocabulary's `max_length`);
- `ddm_lang/generate/weights/layout_model.json`: the contract (vocabulary, network shape,
  ONNX digest, data digest, validation loss);
- `training/layout_model/run.json`: the data counts, the training curve and the check
  that onnxruntime's logits match torch's.

Seeded (torch, data order), deterministic kernels, a fixed thread count: on the same
machine and library versions a run repeats exactly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import dataset as ds  # noqa: E402
import extract  # noqa: E402

from ddm_lang.generate.model import INPUT_NAME, OUTPUT_NAME, WEIGHTS  # noqa: E402

MODEL_VERSION = "layout-model-1"
SEED = 17
WIDTH, LAYERS, HEADS, HIDDEN, DROPOUT = 128, 3, 4, 256, 0.2
EPOCHS = 12
SIGMA = 1.0           # grid steps: the spread of a coordinate's soft target
MIRROR = 0.5          # share of training sequences flipped left to right each epoch
BATCH = 64
LR = 2e-3
MIN_LR_SHARE = 0.05
WARMUP = 100          # steps
WEIGHT_DECAY = 0.05
RUN = HERE / "run.json"


def batch_tensors(items: list[ds.Example],
                  sequences: list[tuple[int, ...]] | None = None) -> tuple[Any, Any]:
    """Inputs (all but the last token) and targets (all but the first), padded with PAD;
    targets inside the prefix are PAD too: the prefix is given, never predicted.
    `sequences` replaces the examples' own tokens (their mirrored copies)."""
    import torch

    vocab = ds.VOCAB
    seqs = sequences if sequences is not None else [e.tokens for e in items]
    length = max(len(s) for s in seqs)
    seq = np.full((len(seqs), length), vocab.PAD, np.int64)
    for i, s in enumerate(seqs):
        seq[i, :len(s)] = s
    inputs, targets = seq[:, :-1].copy(), seq[:, 1:].copy()
    targets[:, :vocab.prefix_length - 1] = vocab.PAD
    return torch.from_numpy(inputs), torch.from_numpy(targets)


def mean_nll(net: Any, items: list[ds.Example]) -> tuple[float, int]:
    """Mean negative log-likelihood per predicted token (nats) and the token count."""
    import torch

    net.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(items), 256):
            x, y = batch_tensors(items[i:i + 256])
            logits = net(x)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                ignore_index=ds.VOCAB.PAD, reduction="sum")
            total += float(loss)
            count += int((y != ds.VOCAB.PAD).sum())
    return total / max(count, 1), count


def soft_loss(logits: Any, targets: Any) -> Any:
    """Mean cross-entropy against soft targets: a role or the end is one token; a
    coordinate is a Gaussian of `SIGMA` steps around its grid step, so a box one step off
    costs little and the model learns the geometry as ordered, not as 32 unrelated
    symbols (what keeps it from memorising each training design's exact grid steps)."""
    import torch

    vocab = ds.VOCAB
    logp = torch.log_softmax(logits, dim=-1)
    valid = targets != vocab.PAD
    coord = targets >= vocab.coord_base
    hard = -logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    steps = torch.arange(vocab.bins, dtype=logp.dtype)
    centre = (targets - vocab.coord_base).clamp(min=0).to(logp.dtype).unsqueeze(-1)
    soft = torch.exp(-0.5 * ((steps - centre) / SIGMA) ** 2)
    soft = soft / soft.sum(-1, keepdim=True)
    spread = -(soft * logp[..., vocab.coord_base:vocab.coord_base + vocab.bins]).sum(-1)
    loss = torch.where(coord, spread, hard)
    return loss[valid].mean()


def train(items: list[ds.Example], held: list[ds.Example], epochs: int,
          keep: str = "last") -> tuple[Any, list[dict]]:
    """Train for `epochs`; returns the net of the last epoch (or, `keep="best"`, of the
    epoch with the lowest validation NLL) and the curve."""
    import torch
    from net import LayoutNet

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    vocab = ds.VOCAB
    net = LayoutNet(vocab.size, vocab.max_length, WIDTH, LAYERS, HEADS, HIDDEN, DROPOUT)
    decay = [p for n, p in net.named_parameters() if p.dim() >= 2]
    rest = [p for n, p in net.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": rest, "weight_decay": 0.0}], lr=LR)
    steps = epochs * math.ceil(len(items) / BATCH)

    def lr_at(step: int) -> float:
        if step < WARMUP:
            return (step + 1) / WARMUP
        t = (step - WARMUP) / max(steps - WARMUP, 1)
        return MIN_LR_SHARE + (1 - MIN_LR_SHARE) * 0.5 * (1 + math.cos(math.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    gen = np.random.default_rng(SEED)
    flipped = [ds.mirrored(e) for e in items]
    curve: list[dict] = []
    best: tuple[float, int, dict] | None = None
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        net.train()
        order = gen.permutation(len(items))
        flip = gen.random(len(items)) < MIRROR
        total, count = 0.0, 0
        for i in range(0, len(order), BATCH):
            chosen = order[i:i + BATCH]
            x, y = batch_tensors([items[j] for j in chosen],
                                 [flipped[j] if flip[j] else items[j].tokens for j in chosen])
            loss = soft_loss(net(x), y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            n = int((y != vocab.PAD).sum())
            total += float(loss.detach()) * n
            count += n
        val, _ = mean_nll(net, held)
        curve.append({"epoch": epoch, "train_loss": round(total / count, 4),
                      "validation_nll": round(val, 4),
                      "seconds": round(time.perf_counter() - started, 1)})
        print(json.dumps(curve[-1]), flush=True)
        if best is None or val < best[0]:
            best = (val, epoch, {k: v.clone() for k, v in net.state_dict().items()})
    assert best is not None
    BEST_STATE.clear()
    BEST_STATE.update(best[2])
    if keep == "best":
        net.load_state_dict(best[2])
    net.eval()
    return net, curve


BEST_STATE: dict[str, Any] = {}  # the lowest-validation-NLL epoch's weights, for --also-best


def export(net: Any, path: Path) -> None:
    import torch

    vocab = ds.VOCAB
    example = torch.tensor([ds.VOCAB.encode(e.condition, e.layout)[:8] for e in EXAMPLES[:2]])
    program = torch.onnx.export(
        net, (example,), None, dynamo=True, opset_version=18,
        input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_shapes=({0: torch.export.Dim("N"),
                         1: torch.export.Dim("T", min=1, max=vocab.max_length)},))
    program.optimize()
    tmp = path.with_suffix(".tmp.onnx")
    program.save(str(tmp), external_data=False)
    os.replace(tmp, path)


def check_onnx(net: Any, path: Path, items: list[ds.Example]) -> float:
    """Largest |logit difference| between onnxruntime and torch over validation batches
    of several lengths (full sequences and every prefix length of a few)."""
    import onnxruntime as ort
    import torch

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    batches = [batch_tensors(items[i:i + 64])[0] for i in range(0, min(len(items), 256), 64)]
    full = batches[0]
    batches += [full[:5, :t] for t in range(1, full.shape[1] + 1, 3)]
    with torch.no_grad():
        for x in batches:
            ref = net(x).numpy()
            got = sess.run([OUTPUT_NAME], {INPUT_NAME: x.numpy()})[0]
            worst = max(worst, float(np.abs(ref - got).max()))
    return worst


def counts(items: list[ds.Example], rows: list[dict]) -> dict[str, Any]:
    """Creatives and unique layouts by template, format and catalogue."""
    held = ds.validation_templates(r["template"] for r in rows)
    by = {}
    for key in ("template", "format", "catalogue"):
        creatives = Counter(r[key] for r in rows)
        unique = Counter(getattr(e, key) for e in items)
        by[key] = {k: {"creatives": creatives[k], "layouts": unique[k]}
                   for k in sorted(creatives)}
    roles = Counter(r for e in items for r in e.condition.roles)
    return {"creatives": len(rows), "layouts": len(items),
            "validation_templates": sorted(held), "by": by,
            "roles": {r: roles[r] for r in ds.ROLES}}


EXAMPLES: list[ds.Example] = []


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--keep", choices=("last", "best"), default="last",
                   help="the last epoch (default) or the lowest validation NLL")
    p.add_argument("--also-best", type=Path, metavar="ONNX",
                   help="also export the lowest-validation-NLL epoch here (for comparison)")
    args = p.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    rows = extract.load()
    items = ds.examples(rows)
    training, held = ds.split(items)
    EXAMPLES[:] = held
    print(f"{len(rows)} creatives, {len(items)} layouts: {len(training)} training, "
          f"{len(held)} validation ({', '.join(sorted({e.template for e in held}))})",
          flush=True)
    net, curve = train(training, held, args.epochs, args.keep)
    best = min(curve, key=lambda c: c["validation_nll"]) if args.keep == "best" \
        else curve[-1]
    train_seconds = time.perf_counter() - started

    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    export(net, WEIGHTS)
    worst = check_onnx(net, WEIGHTS, held)
    assert worst < 1e-4, f"ONNX and torch disagree by {worst}"
    val_nll, val_tokens = mean_nll(net, held)
    train_nll, _ = mean_nll(net, training)
    onnx_bytes = WEIGHTS.read_bytes()
    parameters = sum(p.numel() for p in net.parameters())
    contract = {
        "model_version": MODEL_VERSION,
        "input": INPUT_NAME, "output": OUTPUT_NAME,
        "vocabulary": ds.VOCAB.as_dict(),
        "network": {"width": WIDTH, "layers": LAYERS, "heads": HEADS, "hidden": HIDDEN,
                    "parameters": parameters},
        "onnx_sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "data_sha256": extract.digest(),
        "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "validation_templates": sorted({e.template for e in held}),
        "validation_nll": round(val_nll, 4),
        "validation_perplexity": round(math.exp(val_nll), 3),
        "epoch": best["epoch"],
    }
    WEIGHTS.with_suffix(".json").write_text(json.dumps(contract, indent=1) + "\n")
    run = {
        "model_version": MODEL_VERSION,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "threads": args.threads},
        "torch": torch.__version__,
        "training": {"seed": SEED, "epochs": args.epochs, "batch": BATCH, "lr": LR,
                     "warmup_steps": WARMUP, "min_lr_share": MIN_LR_SHARE,
                     "weight_decay": WEIGHT_DECAY, "dropout": DROPOUT,
                     "coordinate_sigma_steps": SIGMA, "mirror_share": MIRROR,
                     "kept": args.keep, "epoch": best["epoch"],
                     "lowest_validation_nll_epoch": min(
                         curve, key=lambda c: c["validation_nll"])["epoch"],
                     "seconds": round(train_seconds, 1)},
        "data": counts(items, rows),
        "training_layouts": len(training), "validation_layouts": len(held),
        "validation_tokens": val_tokens,
        "final": {"train_nll": round(train_nll, 4), "validation_nll": round(val_nll, 4),
                  "validation_perplexity": round(math.exp(val_nll), 3)},
        "onnx": {"bytes": len(onnx_bytes), "opset": 18, "parameters": parameters,
                 "max_abs_logit_diff_vs_torch": worst},
        "curve": curve,
    }
    RUN.write_text(json.dumps(run, indent=1) + "\n")
    if args.also_best:
        net.load_state_dict(BEST_STATE)
        net.eval()
        export(net, args.also_best)
        args.also_best.with_suffix(".json").write_text(json.dumps(
            {**contract, "epoch": min(curve, key=lambda c: c["validation_nll"])["epoch"],
             "onnx_sha256": hashlib.sha256(args.also_best.read_bytes()).hexdigest()},
            indent=1) + "\n")
    print(json.dumps({k: run[k] for k in ("final", "onnx")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
