"""Mine how AdvertiseGen's human copy phrases each attribute, for the selling-point writer.

    .venv/bin/python training/mine_phrase_patterns.py            # writes the weights file
    .venv/bin/python training/mine_phrase_patterns.py --show 图案  # prints a group's patterns

Why: the writer used to say every attribute through one fixed template per key (条纹图案,
宽松版型, 泡泡袖设计), and joined a line's phrases so that a head word repeated (撞色图案，
印花图案，卡通图案). Copywriters say 条纹元素, 经典的条纹, 宽松的版型, and write one head
after several values (撞色、印花图案). This script counts, in the human summaries of
train.jsonl, the contexts in which each attribute value is mentioned and keeps those that
are generic enough to be said of any product with that value:

- a summary is cut into clauses (at ，。！？；: and spaces; 、 stays inside) and each clause
  into words by jieba with every attribute value added to its dictionary (so values stay
  whole), with jieba's part-of-speech tags;
- where a run of words spells one of the product's values, three shapes are counted:
  `{v}H` and `{v}的H` (H the next word: 图案, 设计, 元素, 气息, 风 …) and `A的{v}` (A the
  word before 的: 经典, 精致 …);
- a context word is kept only when it states no product fact: no attribute value of the
  train vocabulary (so the filled pattern passes `factuality.violations`), no digit,
  Latin letter or numeral character, no garment, body part, colour, season or gender
  character (`FACT_CHARS`; those in the key's own name are allowed: 下摆 may say 裙摆),
  not a pronoun, place, number or function word, and a head word H must be nominal
  (jieba tags n*, vn) or one of the suffix characters copy uses (风 范 感 系 调 型 式);
- counts are kept per key group (the key's last two characters, so 衣袖型 and 裙袖型
  share 袖型) when the pattern was seen at least `MIN_GROUP_COUNT` times with at least
  `MIN_GROUP_VALUES` different values (a pattern said of one value only is not generic),
  and per (group, value) when seen `MIN_VALUE_COUNT` times with that value;
- how copy merges values that share a head is counted too: `v1、v2H`, `v1v2H`, `v1和v2H`,
  `v1与v2H` with v1, v2 two values of one product; the most frequent joiner is the one
  the writer uses.

Output: `ddm_lang/copy/weights/phrase_patterns.json` (read by `ddm_lang/copy/patterns.py`):
`groups` {group: [[prefix, suffix, count, distinct values], …]} and `values`
{"group|value": [[prefix, suffix, count], …]}, most frequent first (ties by text), the
merge joiner counts and the data digest. A pattern is `prefix + value + suffix`. The run
is deterministic (no randomness, sorted output): the same data give the same bytes.

Data are read from `$DDM_TRAIN_DATA/copy-advertisegen` (default ../shared/data); only
counts of short generic context words are written, no text of the data set.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import salience_data as sd  # noqa: E402

from ddm_lang.copy.factuality import vocabulary  # noqa: E402
from ddm_lang.copy.patterns import (  # noqa: E402
    FACT_CHARS,
    FORMAT_VERSION,
    PATTERNS,
    group_of,
    word_ok,
)
from ddm_lang.copy.segment import is_cjk  # noqa: E402

VALUE_FREQ = 5000        # jieba frequency of attribute values: they win over its splits
MIN_GROUP_COUNT = 5      # a key-group pattern seen at least this often …
MIN_GROUP_VALUES = 3     # … with at least this many different values
MIN_VALUE_COUNT = 3      # a value's own pattern seen at least this often
MAX_GROUP_PATTERNS = 24  # kept per group, most frequent first
MAX_VALUE_PATTERNS = 8   # kept per value
CLAUSE = re.compile(r"[^，。！？；,.!?;：:\s~～…“”\"（）()<>《》【】]+")
# single-character heads copy puts after a value: 复古风, 学院范, 层次感, 黑色系, 暖色调
SUFFIX_CHARS = frozenset("风范感系调型式")
HEAD_TAGS = ("n", "vn")                      # jieba tags of a nominal head word
NOT_MODIFIER_TAGS = ("r", "f", "s", "m", "q", "p", "c", "u", "t", "x", "e", "y", "o", "d")
# words that pass the fact rule but do not make a phrase: heads that need more words
# ("the monotony of", "the whole", "while") or are verbs tagged as nouns; modifiers that
# are degree words or heads themselves (款式的卫衣)
NOT_HEAD = frozenset(["单调", "沉闷", "过程", "优势", "人们", "视觉", "整体", "作用", "同时",
                      "勾勒"])
NOT_MODIFIER = frozenset(["款式", "设计", "版型", "很好", "更加", "非常", "十分"])
JOINERS = ("、", "", "和", "与")
UNK = re.compile(r"<UNK>", re.IGNORECASE)


def _tagger(values: frozenset[str]):
    """jieba (dictionary and HMM) with every attribute value of the data added at a high
    frequency, so that values come out whole (知性|格子, not 知|性格|子), and its
    part-of-speech tagger. Built here rather than borrowed from `ddm_lang.copy.segment`,
    whose lexicon other features extend: the mined table depends only on the data and the
    jieba version."""
    import jieba
    from jieba.posseg import POSTokenizer

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in sorted(values):
        if len(word) > 1 and all(is_cjk(c) for c in word):
            tokenizer.add_word(word, max(tokenizer.FREQ.get(word) or 0, VALUE_FREQ))
    return POSTokenizer(tokenizer)


def _spans(words: list[str], value: str) -> list[tuple[int, int]]:
    """(start, end) word indices whose concatenation is `value`."""
    out = []
    for i in range(len(words)):
        text = ""
        for j in range(i, len(words)):
            text += words[j]
            if text == value:
                out.append((i, j + 1))
            if len(text) >= len(value):
                break
    return out


def _head_ok(word: str, tag: str, group: str, values: frozenset[str],
             vocab: frozenset[str]) -> bool:
    if word in NOT_HEAD or not word_ok(word, group, values, vocab):
        return False
    if len(word) == 1:
        return word in SUFFIX_CHARS
    return tag.startswith(HEAD_TAGS)


def _modifier_ok(word: str, tag: str, group: str, values: frozenset[str],
                 vocab: frozenset[str]) -> bool:
    if len(word) < 2 or word in NOT_MODIFIER or not word_ok(word, group, values, vocab):
        return False
    return not tag.startswith(NOT_MODIFIER_TAGS) and tag != "v"


def mine(rows: list[sd.Row]) -> dict:
    vocab = vocabulary()
    values = frozenset(v for r in rows for _, v in r.pairs)
    tagger = _tagger(values)
    group_counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    group_values: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(
        lambda: defaultdict(set))
    value_counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    joiners: Counter[str] = Counter()
    for row in rows:
        pairs = [(k, v) for k, v in row.pairs if k != "类型"]
        summary = UNK.sub("，", row.summary)
        for clause in CLAUSE.findall(summary):
            tagged = [(w.word, w.flag) for w in tagger.cut(clause)]
            words = [w.casefold() for w, _ in tagged]
            tags = [t for _, t in tagged]
            spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
            for key, value in pairs:
                g = group_of(key)
                for i, j in _spans(words, value.casefold()):
                    spans[g].append((i, j, value))
                    found: list[tuple[str, str]] = []
                    if j < len(words):
                        if words[j] == "的" and j + 1 < len(words):
                            if _head_ok(words[j + 1], tags[j + 1], g, values, vocab):
                                found.append(("", "的" + words[j + 1]))
                        elif _head_ok(words[j], tags[j], g, values, vocab):
                            found.append(("", words[j]))
                    if i >= 2 and words[i - 1] == "的" and _modifier_ok(
                            words[i - 2], tags[i - 2], g, values, vocab):
                        found.append((words[i - 2] + "的", ""))
                    for pattern in found:
                        group_counts[g][pattern] += 1
                        group_values[g][pattern].add(value)
                        value_counts[f"{g}|{value.casefold()}"][pattern] += 1
            # two values of one group, then a head word: how copy merges them
            for g, found_spans in spans.items():
                for _, j1, v1 in found_spans:
                    for i2, j2, v2 in found_spans:
                        if v1 == v2 or j2 >= len(words):
                            continue
                        between = "".join(words[j1:i2])
                        if between in JOINERS and i2 >= j1 and _head_ok(
                                words[j2], tags[j2], g, values, vocab):
                            joiners[between] += 1
    return _table(rows, group_counts, group_values, value_counts, joiners)


def _order(counter: Counter[tuple[str, str]]) -> list[tuple[tuple[str, str], int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _table(rows: list[sd.Row], group_counts: dict, group_values: dict, value_counts: dict,
           joiners: Counter[str]) -> dict:
    groups = {}
    for g in sorted(group_counts):
        kept = [[p, s, n, len(group_values[g][(p, s)])]
                for (p, s), n in _order(group_counts[g])
                if n >= MIN_GROUP_COUNT and len(group_values[g][(p, s)]) >= MIN_GROUP_VALUES]
        if kept:
            groups[g] = kept[:MAX_GROUP_PATTERNS]
    per_value = {}
    for gv in sorted(value_counts):
        kept = [[p, s, n] for (p, s), n in _order(value_counts[gv]) if n >= MIN_VALUE_COUNT]
        if kept:
            per_value[gv] = kept[:MAX_VALUE_PATTERNS]
    joiner = max(JOINERS, key=lambda j: (joiners[j], -JOINERS.index(j)))
    return {
        "format": FORMAT_VERSION,
        "source": "AdvertiseGen train.jsonl human summaries (counts of generic contexts)",
        "data_sha256": sd.digest(),
        "products": len(rows),
        "thresholds": {"min_group_count": MIN_GROUP_COUNT,
                       "min_group_values": MIN_GROUP_VALUES,
                       "min_value_count": MIN_VALUE_COUNT},
        "fact_chars": "".join(sorted(FACT_CHARS)),
        "merge": {"joiner": joiner, "counts": {j: joiners[j] for j in JOINERS}},
        "groups": groups,
        "values": per_value,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", help="print the patterns of one key group instead of writing")
    args = ap.parse_args()
    rows = sd.read("train")
    table = mine(rows)
    if args.show:
        for p, s, n, k in table["groups"].get(args.show, []):
            print(f"{p}{{v}}{s}\t{n}\t{k} values")
        for gv, pats in table["values"].items():
            if gv.startswith(args.show + "|"):
                print(gv, " ".join(f"{p}{{v}}{s}:{n}" for p, s, n in pats))
        return
    text = json.dumps(table, ensure_ascii=False, indent=0, sort_keys=False) + "\n"
    PATTERNS.write_text(text, encoding="utf-8")
    n_values = len(table["values"])
    print(f"{PATTERNS}: {len(text.encode())} bytes; {len(table['groups'])} key groups, "
          f"{n_values} values with their own patterns; merge joiner "
          f"{table['merge']['joiner']!r} {table['merge']['counts']}")


if __name__ == "__main__":
    main()
