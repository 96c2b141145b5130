"""The shipped salience model, its frequency baseline and the quality metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddm_lang.copy import Facts, metrics, salience

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "copy-advertisegen" / "dev.jsonl"


def test_model_ships_small_with_its_contract() -> None:
    assert salience.DEFAULT_ONNX.is_file()
    assert salience.DEFAULT_ONNX.stat().st_size < 400_000
    contract = salience.contract()
    assert contract["dim"] == salience.DIM
    assert contract["feature_version"] == salience.FEATURE_VERSION
    assert contract["dev"]["model"]["roc_auc"] > contract["dev"]["key_frequency_baseline"]["roc_auc"]


@pytest.mark.model
def test_model_ranks_a_pattern_above_a_rarely_named_material() -> None:
    facts = Facts.from_content("类型#裙*材质#牛仔布*图案#刺绣*裙长#连衣裙")
    ranked = [(k, v) for k, v, _ in salience.rank(facts)]
    assert ranked.index(("图案", "刺绣")) < ranked.index(("材质", "牛仔布"))
    top = Facts.from_content("类型#上衣*图案#印花*衣样式#卫衣")
    assert [kv[:2] for kv in salience.rank(top)][-1] == ("类型", "上衣")  # said as 卫衣


def test_model_is_loaded_once() -> None:
    assert salience.model() is salience.model()


def test_baseline_ranks_by_key_frequency() -> None:
    facts = Facts.from_content("类型#上衣*图案#印花*衣样式#卫衣")
    scores = {k: s for k, _, s in salience.rank(facts, baseline=True)}
    assert scores["衣样式"] > scores["类型"]


@pytest.mark.model
def test_listing_metadata_is_never_ranked() -> None:
    facts = Facts.from_product({"id": "g", "title": "Garlic", "images": [], "attributes": {
        "url": "https://example.com/x", "country": "China",
        "nutrition_values_per_100_gram": "energy ca 200 kilojoule"}})
    assert [k for k, _, _ in salience.rank(facts)] == ["country"]


def test_bleu_and_rouge_by_hand() -> None:
    # identical strings: every precision 1, no brevity penalty
    assert metrics.bleu4(["简约条纹裙"], ["简约条纹裙"])["bleu4"] == pytest.approx(1.0)
    # half of a reference: precisions 1, brevity penalty exp(1 - 8/4)
    b = metrics.bleu4(["abcd"], ["abcdefgh"])
    assert b["bleu4_no_bp"] == pytest.approx(1.0)
    assert b["bleu4"] == pytest.approx(pytest.approx(2.718281828 ** -1))
    r = metrics.rouge_l("a b x c", "abc")
    assert (r["precision"], r["recall"]) == (pytest.approx(0.75), pytest.approx(1.0))
    assert metrics.lcs(list("ABCBDAB"), list("BDCABA")) == 4


def test_ranking_metrics_by_hand() -> None:
    assert metrics.average_precision([0.9, 0.8, 0.1], [1, 0, 1]) == pytest.approx((1 + 2 / 3) / 2)
    assert metrics.roc_auc([0.9, 0.5, 0.5], [1, 1, 0]) == pytest.approx(0.75)
    assert metrics.precision_at_k([0.1, 0.9, 0.5], [0, 1, 0], 1) == 1.0


@pytest.mark.model
@pytest.mark.skipif(not DEV.is_file(), reason="AdvertiseGen dev data not present")
def test_model_beats_the_frequency_baseline_on_dev() -> None:
    model = salience.model()
    table = salience.contract()["baseline"]
    runs: dict[str, list] = {"model": [], "base": []}
    for line in DEV.read_text(encoding="utf-8").splitlines()[:200]:
        row = json.loads(line)
        facts = Facts.from_content(row["content"])
        pairs = list(facts.attributes)
        labels = [salience.label(k, v, row["summary"]) for k, v in pairs]
        runs["model"].append((model.scores(facts.category, pairs).tolist(), labels))
        runs["base"].append((salience.baseline_scores(table, facts.category, pairs).tolist(),
                             labels))
    m = metrics.ranking_report(runs["model"], 0.5)
    b = metrics.ranking_report(runs["base"], 0.5)
    assert m["roc_auc"] > b["roc_auc"] + 0.05
    assert m["mean_product_ap"] > b["mean_product_ap"]
