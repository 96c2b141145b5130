"""The labelled set of the attribute-salience model, read from AdvertiseGen.

Each line of `copy-advertisegen/{train,dev}.jsonl` is one product (`key#value*...`) with
the copy a person wrote for it. Every (key, value) of the product is one example, labelled
1 when the copy mentions the value or names the key (`ddm_lang.copy.salience.label`).
Repeated identical pairs of a line are kept once.

train.jsonl is split by a hash of the content string into a fitting part (90 %) and a
tuning part (10 %, used to pick the epoch count and the decision threshold); dev.jsonl is
only evaluated, by the training script and by benchmarks/caption_quality.py.

Data are read from `$DDM_TRAIN_DATA/copy-advertisegen` (default: ../shared/data relative
to the repository) and never copied into the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ddm_lang.copy.facts import Facts  # noqa: E402
from ddm_lang.copy.salience import label  # noqa: E402

TUNE_SHARE = 10  # percent of train.jsonl held out for tuning


def data_dir() -> Path:
    base = os.environ.get("DDM_TRAIN_DATA")
    return (Path(base) if base else ROOT.parent / "shared" / "data") / "copy-advertisegen"


@dataclass(frozen=True)
class Row:
    content: str
    summary: str
    facts: Facts
    labels: tuple[int, ...]

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return self.facts.attributes


def read(split: str, folder: Path | None = None) -> list[Row]:
    """The rows of `split` ("train" or "dev"), in file order."""
    path = (folder or data_dir()) / f"{split}.jsonl"
    if not path.is_file():
        raise SystemExit(f"{path}: not found; set DDM_TRAIN_DATA to the folder holding "
                         "copy-advertisegen/")
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            facts = Facts.from_content(item["content"])
            labels = tuple(label(k, v, item["summary"]) for k, v in facts.attributes)
            rows.append(Row(item["content"], item["summary"], facts, labels))
    return rows


def is_tune(row: Row) -> bool:
    return zlib.crc32(row.content.encode("utf-8")) % 100 < TUNE_SHARE


def digest(folder: Path | None = None) -> str:
    """sha256 of train.jsonl and dev.jsonl, recorded with the model."""
    h = hashlib.sha256()
    for split in ("train", "dev"):
        h.update(((folder or data_dir()) / f"{split}.jsonl").read_bytes())
    return h.hexdigest()


if __name__ == "__main__":
    for split in ("train", "dev"):
        rows = read(split)
        n = sum(len(r.labels) for r in rows)
        pos = sum(sum(r.labels) for r in rows)
        print(f"{split}: {len(rows)} products, {n} attributes, {pos / n:.3f} mentioned")
