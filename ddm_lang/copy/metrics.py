"""Scores for copy and for salience rankings, written out so the figures can be checked.

Text metrics work on characters (after `tokens`: NFKC, case-folded, whitespace dropped),
the usual unit for Chinese, which has no spaces to split words on:

- `bleu4`: corpus BLEU (Papineni et al. 2002) over character 1- to 4-grams, clipped
  counts summed over the corpus, geometric mean with equal weights, brevity penalty
  exp(1 - r/c) when the candidates are shorter than the references. No smoothing: a
  corpus with no matching 4-gram scores 0.
- `rouge_l`: ROUGE-L (Lin 2004) per pair from the longest common subsequence of
  characters: precision LCS/len(candidate), recall LCS/len(reference), F1; averaged over
  pairs by the caller.

Ranking metrics for "is this attribute mentioned" take a score per attribute and a 0/1
label: average precision, ROC AUC (ties count half), precision at k within a product.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence


def tokens(text: str) -> list[str]:
    return [c for c in unicodedata.normalize("NFKC", text).casefold() if not c.isspace()]


def _ngrams(toks: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def bleu4(candidates: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Corpus character BLEU-4 with its n-gram precisions and brevity penalty."""
    match = [0] * 4
    total = [0] * 4
    c_len = r_len = 0
    for cand, ref in zip(candidates, references, strict=True):
        c, r = tokens(cand), tokens(ref)
        c_len += len(c)
        r_len += len(r)
        for n in range(1, 5):
            cg, rg = _ngrams(c, n), _ngrams(r, n)
            match[n - 1] += sum(min(k, rg[g]) for g, k in cg.items())
            total[n - 1] += max(0, len(c) - n + 1)
    precisions = [m / t if t else 0.0 for m, t in zip(match, total, strict=True)]
    if c_len == 0 or min(precisions) == 0.0:
        score = 0.0
    else:
        score = math.exp(sum(math.log(p) for p in precisions) / 4)
    bp = 1.0 if c_len > r_len else (math.exp(1 - r_len / c_len) if c_len else 0.0)
    return {"bleu4": bp * score, "brevity_penalty": bp, "bleu4_no_bp": score,
            **{f"p{n}": precisions[n - 1] for n in range(1, 5)},
            "candidate_chars": c_len, "reference_chars": r_len}


def lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (two-row dynamic programme)."""
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            cur[j] = prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1])
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str) -> dict[str, float]:
    c, r = tokens(candidate), tokens(reference)
    if not c or not r:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    n = lcs(c, r)
    p, rec = n / len(c), n / len(r)
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    return {"precision": p, "recall": rec, "f1": f1}


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Mean of precision at each positive, items ordered by score (ties: given order)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    hits, total = 0, 0.0
    for rank, i in enumerate(order, 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Probability that a random positive scores above a random negative (ties half)."""
    pos = sorted(s for s, y in zip(scores, labels, strict=True) if y)
    neg = sorted(s for s, y in zip(scores, labels, strict=True) if not y)
    if not pos or not neg:
        return float("nan")
    import bisect
    wins = 0.0
    for s in pos:
        lo = bisect.bisect_left(neg, s)
        hi = bisect.bisect_right(neg, s)
        wins += lo + 0.5 * (hi - lo)
    return wins / (len(pos) * len(neg))


def precision_at_k(scores: Sequence[float], labels: Sequence[int], k: int) -> float:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    return sum(labels[i] for i in order) / len(order) if order else 0.0


def f1_at(scores: Sequence[float], labels: Sequence[int], threshold: float) -> dict[str, float]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    tn = len(labels) - tp - fp - fn
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "accuracy": (tp + tn) / len(labels) if labels else 0.0,
            "negative_recall": tn / (tn + fp) if tn + fp else 0.0}


def ranking_report(products: Sequence[tuple[Sequence[float], Sequence[int]]],
                   threshold: float) -> dict[str, float]:
    """Pooled AUC, AP and F1 at `threshold`, plus per-product mean AP and P@1/P@3 over
    products that have both a mentioned and an unmentioned attribute (the others rank
    trivially)."""
    flat_s = [s for ss, _ in products for s in ss]
    flat_y = [y for _, ys in products for y in ys]
    mixed = [(s, y) for s, y in products if 0 < sum(y) < len(y)]
    out = {"pairs": len(flat_y), "positive_rate": sum(flat_y) / max(1, len(flat_y)),
           "roc_auc": roc_auc(flat_s, flat_y), "average_precision":
           average_precision(flat_s, flat_y), "products_ranked": len(mixed)}
    out.update({f"{k}_at_threshold": v for k, v in f1_at(flat_s, flat_y, threshold).items()})
    if mixed:
        out["mean_product_ap"] = sum(average_precision(s, y) for s, y in mixed) / len(mixed)
        out["p_at_1"] = sum(precision_at_k(s, y, 1) for s, y in mixed) / len(mixed)
        out["p_at_3"] = sum(precision_at_k(s, y, 3) for s, y in mixed) / len(mixed)
        # is the attribute the copy leaves out ranked last?
        out["unmentioned_ranked_last"] = sum(
            1 for s, y in mixed
            if y[min(range(len(s)), key=lambda i: (s[i], -i))] == 0) / len(mixed)
    return out
