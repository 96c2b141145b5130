"""Selling points phrased the way AdvertiseGen's copywriters phrase attributes
(`ddm_lang/copy/patterns.py`): no head word said twice in a line, patterns filled only
with the product's own values, deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddm_lang.copy import Facts, patterns, violations, write
from ddm_lang.copy.factuality import VOCAB
from ddm_lang.copy.writer import attribute_phrase

REPEATED = "类型#上衣*图案#撞色*图案#印花*图案#卡通"   # once written 撞色图案，印花图案，卡通图案
DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "copy-advertisegen" / "dev.jsonl"


def _point(content: str, **box: int) -> str:
    facts = Facts.from_content(content)
    return write("selling_point", facts, chars_per_line=box.get("chars", 16),
                 max_lines=box.get("lines", 2)).text


def test_a_shared_head_word_is_said_once() -> None:
    with patterns.disabled():
        before = _point(REPEATED)
    assert before == "撞色图案，印花图案，卡通图案"
    assert patterns.repeated_heads(before, "zh") == ["图案"]
    after = _point(REPEATED)
    assert patterns.repeated_heads(after, "zh") == []
    assert after.count("图案") <= 1
    assert all(v in after for v in ("撞色", "印花", "卡通"))


def test_values_of_one_group_share_one_head() -> None:
    assert _point("类型#上衣*材质#针织*材质#混纺*材质#纤维") == "针织混纺纤维面料"


def test_values_of_different_groups_are_not_run_together() -> None:
    # 荷叶边一字领设计 would put the ruffle on the collar
    text = _point("类型#裙*裙下摆#荷叶边*裙领型#一字领*裙款式#收腰")
    assert "荷叶边一字领" not in text and "一字领荷叶边" not in text
    assert patterns.repeated_heads(text, "zh") == []
    assert text.count("设计") <= 1


def test_english_heads_merge_too() -> None:
    facts = Facts.from_product({"id": "x", "title": "Olive oil", "lang": "en", "images": [],
                                "attributes": {"origin": "Crete", "country": "Greece"}})
    text = write("selling_point", facts, chars_per_line=30, max_lines=1).text
    assert text in ("From Crete and Greece", "From Greece and Crete")


def test_phrased_as_copy_says_it_and_variant_takes_the_next() -> None:
    first = attribute_phrase("图案", "条纹", "zh")
    assert first != "条纹图案" and "条纹" in first      # copy says 条纹元素 most often
    assert attribute_phrase("图案", "条纹", "zh", variant=1) not in (first, "条纹")
    with patterns.disabled():
        assert attribute_phrase("图案", "条纹", "zh") == "条纹图案"
    assert attribute_phrase("origin", "Crete", "en") == "From Crete"


def test_fixed_templates_when_the_table_is_missing(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    empty = patterns.load(tmp_path / "missing.json")
    monkeypatch.setattr(patterns, "load", lambda *a: empty)
    assert attribute_phrase("图案", "条纹", "zh") == "条纹图案"
    assert attribute_phrase("版型", "宽松", "zh") == "宽松版型"


def test_every_pattern_is_filled_only_with_the_products_value() -> None:
    """Each group pattern, filled with every vocabulary value of a key in that group, names
    no attribute value but that one and no number."""
    table = patterns.load()
    assert table.groups, "weights/phrase_patterns.json did not load"
    vocab = json.loads(VOCAB.read_text(encoding="utf-8"))["values"]
    checked = 0
    for value, keys in vocab.items():
        for key in keys:
            facts = Facts.from_content(f"{key}#{value}")
            for p in patterns.patterns_for(key, value):
                text = p.fill(value)
                assert not violations(text, facts), (key, value, text)
                assert not any(ch.isdigit() for ch in p.prefix + p.suffix)
                checked += 1
    assert checked > 1000


@pytest.mark.slow
@pytest.mark.skipif(not DEV.is_file(), reason="AdvertiseGen dev set not present")
def test_dev_selling_points_are_factual_and_never_repeat_a_head() -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        facts = Facts.from_content(row["content"])
        used: set[str] = set()
        for chars, lines in ((16, 2), (16, 2), (16, 2), (8, 1)):
            cap = write("selling_point", facts, chars_per_line=chars, max_lines=lines,
                        used=used)
            used |= cap.facts
            assert not violations(cap.text, facts), (row["content"], cap.text)
            assert patterns.repeated_heads(cap.text, "zh") == [], (row["content"], cap.text)


def test_writer_is_deterministic() -> None:
    facts = Facts.from_content(REPEATED + "*版型#宽松*风格#简约*衣袖型#泡泡袖")
    runs = [[write("selling_point", facts, chars_per_line=c, max_lines=2, variant=v)
             for c in (6, 10, 16) for v in (0, 1, 2)] for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0][0].text


def test_the_table_is_ordered_most_frequent_first() -> None:
    """The miner writes counts in a fixed order, so its output repeats byte for byte and
    "the most frequent pattern" is the first applicable one."""
    data = json.loads(patterns.PATTERNS.read_text(encoding="utf-8"))
    assert patterns.PATTERNS.stat().st_size < 300_000
    for rows in (*data["groups"].values(), *data["values"].values()):
        keys = [(-r[2], r[0], r[1]) for r in rows]
        assert keys == sorted(keys)
