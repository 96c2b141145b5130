"""Headlines that keep the product: the acceptable-headline rate on a labelled title set.

A headline is the product title shortened to its box (`caption(kind: headline)`). It is
acceptable when it still says what the product is and reads as words a person wrote:

- it keeps the title's head phrase whole (the label's `head`; "A|B" accepts either);
- each labelled group ("2 x 11 oz", "Vitamin C", "Crew Neck") is kept whole or dropped
  whole, never in part;
- every Latin word in it is a whole word of the title, and it neither starts nor ends
  with a function word, a dash, "x", "&" or "+";
- it is empty only when not even the head phrase fits the box (the writer never
  overflows a box: an empty caption is the binder's business).

The set (`benchmarks/headlines/`, 340+ titles): feed-style titles written as merchant
feeds write them, with sizes, counts, bundles, variants, colours and model numbers, in
English, Swedish, German and Chinese (`feed_titles.tsv`); the grocery set's 81 titles
(read from ../shared/data/products-grocery, labelled by id in `grocery_heads.tsv`); the
sample catalogue (`sample_heads.tsv`); and Chinese titles built from AdvertiseGen's dev
attributes the way Taobao titles string attribute values before the garment noun, whose
head is the garment noun of the data (`--advertisegen N`, default 60).

Every title is written at 12 box budgets (5–24 full-width characters per line × 1 or 2
lines, the width model of `copy/text.py`), so a title counts 12 times.

    .venv/bin/python benchmarks/headline_quality.py [--label NAME] [--no-write]

Run against another tree (the figure before a change) with its package first on the
path: `PYTHONPATH=/tmp/old .venv/bin/python benchmarks/headline_quality.py --label old
--no-write`. Results: benchmarks/results/headline_quality.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ddm_lang.copy.facts import Facts
from ddm_lang.copy.text import fits, normalise
from ddm_lang.copy.writer import write

REPO = Path(__file__).resolve().parents[1]
SET = REPO / "benchmarks" / "headlines"
DATA = REPO.parent / "shared" / "data"
GROCERY = DATA / "products-grocery" / "iconic-images-and-descriptions"
ADVERTISEGEN = DATA / "copy-advertisegen" / "dev.jsonl"
SAMPLES = REPO / "ddm_lang" / "stdlib_templates" / "samples" / "catalogue.json"
RESULTS = REPO / "benchmarks" / "results"
BUDGETS = [(c, lines) for c in (5, 7, 9, 12, 16, 24) for lines in (1, 2)]
DANGLING = {"with", "and", "for", "of", "in", "on", "med", "och", "utan", "x", "×", "&", "+",
            "-", "–", "—", "/", "|", ",", "mit", "und", "de", "the", "a"}
_L = "A-Za-z\u00c0-\u024f0-9"
_LATIN = re.compile(rf"[{_L}](?:[{_L}'’.%#+-]|,(?=\d))*")


@dataclass(frozen=True)
class Title:
    source: str
    title: str
    lang: str
    brand: str | None
    heads: tuple[str, ...]
    groups: tuple[str, ...]


def _tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([*line.split("\t"), "", "", "", "", ""][:5])
    return rows


def _groups(cell: str) -> tuple[str, ...]:
    return tuple(g.strip() for g in cell.split(";") if g.strip())


def feed_titles() -> list[Title]:
    return [Title("feed", t, lang, brand or None, tuple(head.split("|")), _groups(groups))
            for t, lang, brand, head, groups in _tsv(SET / "feed_titles.tsv")]


def grocery_titles() -> list[Title]:
    if not GROCERY.is_dir():
        return []
    from ddm_lang.perception.catalogue import load_catalogue
    titles = {p.id: p.title for p in load_catalogue(GROCERY).products}
    return [Title("grocery", titles[pid], "en", None, tuple(head.split("|")), ())
            for pid, head, *_ in _tsv(SET / "grocery_heads.tsv") if pid in titles]


def sample_titles() -> list[Title]:
    products = {p["id"]: p for p in json.loads(SAMPLES.read_text(encoding="utf-8"))}
    out = []
    for pid, head, groups, *_ in _tsv(SET / "sample_heads.tsv"):
        p = products[pid]
        brand = (p.get("brand") or {}).get("name")
        out.append(Title("sample", p["title"], p.get("lang", "en"), brand,
                         tuple(head.split("|")), _groups(groups)))
    return out


NOUN_KEYS = ("衣样式", "裙型", "裤型", "类型")
MODIFIER_KEYS = ("风格", "图案", "材质", "领型", "袖型", "版型", "衣长", "裙长")


def advertisegen_titles(limit: int) -> list[Title]:
    """Titles as Taobao strings them: attribute values, then the garment noun; a colour
    or a season after a space. The head is the data's garment noun."""
    if not ADVERTISEGEN.is_file() or limit <= 0:
        return []
    out: list[Title] = []
    for line in ADVERTISEGEN.read_text(encoding="utf-8").splitlines():
        pairs = [kv.split("#", 1) for kv in json.loads(line)["content"].split("*") if "#" in kv]
        attrs: dict[str, list[str]] = {}
        for k, v in pairs:
            attrs.setdefault(k, []).append(v)
        noun = next((attrs[k][0] for k in NOUN_KEYS if k in attrs), None)
        if noun is None or len(noun) < 2:
            continue
        mods = [v for k in MODIFIER_KEYS for v in attrs.get(k, []) if v not in noun][:4]
        if len(mods) < 2:
            continue
        title = "".join(dict.fromkeys(mods)) + noun
        if "颜色" in attrs:
            title += " " + attrs["颜色"][0]
        out.append(Title("advertisegen", title, "zh", None, (noun,), ()))
        if len(out) >= limit:
            break
    return out


def _latin_words(text: str) -> list[str]:
    return [w.strip(".,").casefold() for w in _LATIN.findall(text)]


def judge(item: Title, text: str, chars: float, lines: int) -> str | None:
    """Why `text` is not an acceptable headline for `item` in this box (None: it is)."""
    if not text:
        shortest = min(item.heads, key=len)
        return "empty though the head fits" if fits(shortest, chars, lines) else None
    folded = normalise(text)
    if not any(normalise(h) in folded for h in item.heads):
        return f"lost the head {'/'.join(item.heads)!r}"
    out_words = _latin_words(text)
    title_words = set(_latin_words(item.title))
    cut = [w for w in out_words if w not in title_words]
    if cut:
        return f"words not in the title: {cut}"
    title_count = {w: _latin_words(item.title).count(w) for w in title_words}
    for group in item.groups:
        if normalise(group) in folded:
            continue
        parts = _latin_words(group)
        # a word of the group that occurs elsewhere in the title proves nothing
        own = [p for p in parts if title_count.get(p, 0) == parts.count(p)]
        if len(parts) > 1 and any(p in out_words for p in own):
            return f"cut the group {group!r}"
    tokens = text.replace("，", " ").split()
    if tokens and (tokens[0].casefold() in DANGLING or tokens[-1].casefold() in DANGLING
                   or text.rstrip()[-1] in ",，、"):
        return "dangling word or separator"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--label", default="current")
    ap.add_argument("--advertisegen", type=int, default=60)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    items = feed_titles() + grocery_titles() + sample_titles() + \
        advertisegen_titles(args.advertisegen)
    per_source: dict[str, list[int]] = {}
    failures: list[dict] = []
    for item in items:
        facts = Facts(title=item.title, lang=item.lang, brand=item.brand)
        for chars, lines in BUDGETS:
            text = write("headline", facts, chars_per_line=chars, max_lines=lines).text
            why = judge(item, text, chars, lines)
            counts = per_source.setdefault(item.source, [0, 0])
            counts[1] += 1
            if why is None:
                counts[0] += 1
            else:
                failures.append({"source": item.source, "title": item.title,
                                 "budget": f"{chars}x{lines}", "headline": text, "why": why})
    ok = sum(c[0] for c in per_source.values())
    total = sum(c[1] for c in per_source.values())
    result = {
        "label": args.label,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "titles": len(items),
        "titles_per_source": {s: sum(1 for i in items if i.source == s) for s in per_source},
        "budgets": len(BUDGETS),
        "acceptable": ok,
        "cases": total,
        "rate": round(ok / total, 4) if total else None,
        "rate_per_source": {s: round(c[0] / c[1], 4) for s, c in per_source.items()},
        "failures": failures,
    }
    print(f"{args.label}: {ok}/{total} acceptable ({100 * ok / max(total, 1):.1f} %) over "
          f"{len(items)} titles × {len(BUDGETS)} budgets")
    for s, c in per_source.items():
        print(f"  {s:13} {c[0]}/{c[1]} ({100 * c[0] / c[1]:.1f} %)")
    for f in failures[:40]:
        print(f"  ✗ [{f['budget']}] {f['title']!r} → {f['headline']!r}: {f['why']}")
    if not args.no_write:
        _write(result)
    return 0


def _write(result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "headline_quality.json"
    previous = json.loads(path.read_text()) if path.is_file() else {}
    runs = {r["label"]: r for r in previous.get("runs", []) if r["label"] != result["label"]}
    runs[result["label"]] = {k: v for k, v in result.items() if k != "failures"} | {
        "failures": result["failures"][:200]}
    path.write_text(json.dumps({"runs": list(runs.values())}, ensure_ascii=False, indent=1)
                    + "\n", encoding="utf-8")
    lines = ["# Headline quality: the acceptable-headline rate",
             "",
             "`.venv/bin/python benchmarks/headline_quality.py` (definitions in its docstring).",
             "",
             "| run | date | titles | cases | acceptable | rate | per source |",
             "|---|---|---|---|---|---|---|"]
    for r in runs.values():
        per = ", ".join(f"{s} {100 * v:.1f} %" for s, v in r["rate_per_source"].items())
        lines.append(f"| {r['label']} | {r['date']} | {r['titles']} | {r['cases']} | "
                     f"{r['acceptable']} | {100 * (r['rate'] or 0):.1f} % | {per} |")
    lines += ["", f"Failures of `{result['label']}` (first 30):", ""]
    lines += [f"- [{f['budget']}] {f['title']} → “{f['headline']}”: {f['why']}"
              for f in result["failures"][:30]] or ["- none"]
    (RESULTS / "headline_quality.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
