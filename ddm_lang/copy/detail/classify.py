"""What a block is: selling point, specification, boilerplate or other.

A transparent rule model, in this order (the first that holds decides):

1. **boilerplate** when the block's shop-notice evidence (`boilerplate_score`: phrases
   of shipping, returns, after-sales, guarantees, shop notices, copyright and calls to
   buy, each weighted by how surely it marks a notice) reaches BOILERPLATE, and is larger
   than its specification evidence;
2. **specification** when the block is a joined table, or at least half its lines are
   `key: value` with a short key, or it is an ingredient list, a care label or a size
   list, or numbers with units make up most of its words;
3. **other** when it is a heading with no content of its own (`is_heading`: a short
   line or two without sentence punctuation that is a section label, the product title,
   set in capitals or larger than the page's body text) or has fewer than MIN_CHARS
   letters and digits;
4. **selling_point** otherwise: a sentence or phrase about the product.

Then the page's sections correct what one block alone cannot tell (`in_context`): a shop
sets its notices together, under a heading of their own ("Customer care", "购物须知"), so
a would-be selling point in a section whose heading is boilerplate, or between two
boilerplate blocks (the page's end counts as one), is boilerplate too ("Our helpdesk is
open Monday to Friday" names no shipping word, its section does).

The phrase lists below are the model's only vocabulary. They were written before the
benchmark's notices and spec wordings (benchmarks/detail_page_set.py, a separate list in
other words) and extended only from failures on its tuning split, so its held-out
figures measure how these rules generalise rather than restate them. Their weakness is
there (benchmarks/results/detail_page_quality.md): a notice phrased without any of these
words ("Vouchers cannot be exchanged for cash"), in a section whose heading is not known
as a notice heading ("Our promise to you"), reads as a selling point.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from ddm_lang.copy.segment import UNITS, is_cjk
from ddm_lang.copy.text import normalise

from .model import Block, body_size

BOILERPLATE = 2.0     # notice evidence that makes a block boilerplate
MIN_CHARS = 3         # letters and digits a block needs to say anything
HEADING_WORDS = 5     # a heading has at most this many Latin words...
HEADING_CJK = 10      # ...or CJK characters
HEADING_SIZE = 1.25   # a line this much taller than body text is set as a heading
SECTION_SIZE = 1.15   # a short line this much taller than body text opens a section
TITLE_SIMILAR = 0.8   # a block this similar to the product title repeats it
KEY_WORDS = 4         # the key of a `key: value` line has at most this many words...
KEY_CJK = 6           # ...or CJK characters
LIST_ITEMS = 2        # commas after a `key:` that make the block a labelled list

# Shop-notice phrases (regular expressions on NFKC, case-folded text) and their weight:
# 2 marks a notice on its own, 1 or 1.5 needs a second hint. Stems match at a word's start
# only (OCR drops spaces: "Shippinginformation").
_EN_NOTICE = [(re.compile(p), w) for p, w in (
    (r"\bship(ping|ped|ment|s)?", 2), (r"\bdispatch", 2), (r"\bdeliver(y|ies)", 2),
    (r"\bdeliver(ed|s)?\b", 1), (r"\breturns?\b", 2), (r"\brefunds?\b", 2),
    (r"\bexchanges?\b", 1.5), (r"\bswaps?\b", 1.5), (r"\bwarrant(y|ies)", 2),
    (r"after[- ]?sales?", 2), (r"customer (service|care|support)", 2), (r"\bhelp ?desk", 2),
    (r"\b(contact|message|email|e-mail|call|write to|chat with) us\b", 2),
    (r"\bcontact\b", 1), (r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", 1),
    (r"\b(opening|office|service) hours\b", 2), (r"\barriv(al|es|ed)\b", 1),
    (r"\b(damaged|broken|missing|faulty|defective)\b", 1.5),
    (r"copyright|©|all rights reserved|\breproduc(e|tion)\b|\btrademark", 2),
    (r"\b(add|added) to (the )?(cart|basket|bag|wish ?list)\b", 2), (r"\bcheckout\b", 2),
    (r"\b(buy|purchase)", 1.5), (r"\bbutton\b", 1.5), (r"\bclick", 2), (r"\btap\b", 1.5),
    (r"\b(business|working) days?\b", 2), (r"\btracking\b", 2), (r"\bparcels?\b", 2),
    (r"\bcouriers?\b", 2), (r"\bpostage\b", 2), (r"\bvat\b", 1.5),
    (r"\b(mainland|overseas|international)\b", 1),
    (r"\b(our|the) (store|shop|team|website)\b", 1.5), (r"\bfollow us\b", 2),
    (r"\bsubscribe\b", 1.5), (r"\bplease note\b", 1.5), (r"\bdisclaimer", 2),
    (r"\bmay (vary|differ)\b", 1.5), (r"\b(screen|monitor|display)s?\b", 1.5),
    (r"\b(look|looks|appear) (a little |slightly )?different\b", 1.5),
    (r"for (reference|illustration)", 2), (r"\bactual (product|item|colou?r)\b", 1.5),
    (r"\breal thing\b", 1.5), (r"\bmoney[- ]back\b", 2), (r"\bsatisfaction\b", 1),
    (r"\bguarantee", 1), (r"\byour (order|purchase|package|item)s?\b", 1.5),
    (r"\borders?\b", 1), (r"\bwithin \d+ (days|hours)\b", 1), (r"\bpayment", 1.5),
    (r"\binvoices?\b", 1.5), (r"\bstock\b", 1), (r"\bfree of charge\b", 1),
    (r"\bcharges?\b", 1), (r"\bcollect\b", 1), (r"\bplease\b", 0.5), (r"\bwe\b", 0.5),
    (r"\bus\b", 0.5), (r"\bcustomers?\b", 1), (r"\bquestions?\b", 0.5),
)]
_ZH_NOTICE = [(p, w) for ws, w in (
    ("包邮 发货 快递 物流 运费 退换 退货 换货 退款 售后 客服 保修 质保 无理由 正品保障 假一赔 "
     "版权 盗图 盗用 点击 立即购买 购物车 加入收藏 收藏 关注 本店 店铺 温馨提示 色差 签收 拒收 "
     "好评 差评 下单 拍下 付款 到货 顺丰 偏远地区 购物须知 以实物为准 仅供参考 咨询 联系 "
     "工作日 验货 包装 破损 吊牌 发票 二次销售 受理", 2),
    ("亲 您 我们 敬请 谅解 请 误差 测量 拍摄 显示器 光线 赔付 补偿 不予", 1),
) for p in ws.split()]
# Section labels: a heading made of these announces content rather than stating any. Long
# stems match inside a word (OCR drops spaces: "Productinformation").
_EN_SECTION = re.compile(
    r"highlight|feature|detail|information|specification|overview|introduction|description|"
    r"nutrition|ingredient|parameter|collection|\b(product|fact|design|gallery|content)|"
    r"\b(info|specs?|about|why|size (guide|chart)|display|show|new|good to know|"
    r"at a glance|model|look|story|notes?)\b")
_ZH_SECTION = tuple(["亮点", "详情", "信息", "参数", "展示", "介绍", "说明", "推荐", "细节", "卖点", "特点", "尺码表", "模特", "实拍", "产品", "商品", "设计", "搭配", "款式", "面料", "工艺", "图"])
_SENTENCE_END = tuple(".!?。！？…")
_KEY_VALUE = re.compile(r"^\s*([^:：]{1,40})[:：]\s*\S")
_NUMBER_UNIT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(%|°\s?[cf]|[a-zµ]+|克|千克|公斤|毫升|升|厘米|毫米|米|cm|码|件|个|片|"
    r"粒|袋|瓶|支|包)", re.IGNORECASE)
_CARE = re.compile(r"(machine|hand) wash|do not (bleach|tumble|iron|wring|dry clean)|"
                   r"tumble dry|dry clean|wash (at|below) \d|iron (on|at) |"
                   r"手洗|机洗|水洗|不可漂白|不可干洗|熨烫|干洗|晾干|平铺晾|阴干")
_SIZES = re.compile(r"\b(xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl)\b")
_INGREDIENTS = re.compile(r"^\s*(ingredients?|ingredienser|contains|composition|配料|成分)")


@dataclass(frozen=True)
class Context:
    """What the classifier knows of the page: its body text size (`body_height`) and the
    product's title (a heading repeating it is `other`)."""

    body_height: float
    title: str = ""


def classify(block: Block, context: Context) -> str:
    """The block's class (see the module's rule order)."""
    text = fold(block.text)
    notice = boilerplate_score(text)
    spec = spec_score(block, text)
    if notice >= BOILERPLATE and notice > spec:
        return "boilerplate"
    if spec >= 1.0:
        return "specification"
    if sum(c.isalnum() for c in text) < MIN_CHARS or is_heading(block, text, context):
        return "other"
    return "selling_point"


def classify_page(blocks: list[Block], context: Context) -> list[Block]:
    """Every block of a page (in reading order) with its class, sections considered."""
    first = [b.with_(cls=classify(b, context)) for b in blocks]
    return in_context(first, context)


def in_context(blocks: list[Block], context: Context) -> list[Block]:
    """Selling points inside a notice section, or between two notices, made boilerplate."""
    out = list(blocks)
    section = ""   # the class of the current section's heading
    for i, b in enumerate(out):
        if b.cls in ("other", "boilerplate") and heading_shape(b, context):
            section = b.cls
            continue
        if b.cls != "selling_point":
            continue
        before = out[i - 1].cls if i else ""
        after = out[i + 1].cls if i + 1 < len(out) else "boilerplate"
        if section == "boilerplate" or before == after == "boilerplate":
            out[i] = b.with_(cls="boilerplate")
    return out


def heading_shape(block: Block, context: Context) -> bool:
    """Set as a heading: one or two short lines without sentence punctuation, in type
    larger than the body's."""
    text = block.text
    return (len(block.lines) <= 2 and not text.rstrip().endswith(_SENTENCE_END)
            and len(text) <= 40 and block.size >= SECTION_SIZE * context.body_height)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def boilerplate_score(text: str) -> float:
    """Shop-notice evidence in folded text: the weights of the phrases it holds."""
    score = sum(w for p, w in _EN_NOTICE if p.search(text))
    return score + sum(w for p, w in _ZH_NOTICE if p in text)


def spec_score(block: Block, text: str) -> float:
    """Specification evidence: 1 or more makes a block product data."""
    lines = [fold(line.text) for line in block.lines]
    if block.is_table:
        return 1.0 + sum(line.key is not None for line in block.lines) / len(block.lines)
    keyed = sum(_is_key_value(line) for line in lines)
    score = keyed / len(lines) * 2 if keyed else 0.0
    if _INGREDIENTS.match(text) or _CARE.search(text):
        score += 1.0
    elif keyed and _is_key_value(lines[0]) and len(re.findall(r"[,，、/;；]", text)) >= LIST_ITEMS:
        score += 1.0   # a labelled list: "Made with: water, oats, rapeseed oil, salt"
    words = max(len(re.findall(r"[a-z]+|[\u4e00-\u9fff]", text)), 1)
    units = [m for m in _NUMBER_UNIT.finditer(text) if _unit(m.group(2))]
    if len(units) >= 2 and len(units) * 3 >= words:
        score += 1.0
    if len(_SIZES.findall(text)) >= 3:
        score += 1.0
    return score


def _unit(unit: str) -> bool:
    u = unit.casefold().replace(" ", "")
    return u in UNITS or u.startswith("°") or not u.isascii()


def _is_key_value(line: str) -> bool:
    """A `key: value` line whose key is short (a label, not a sentence with a colon)."""
    m = _KEY_VALUE.match(line)
    if m is None:
        return False
    key = m.group(1).strip()
    cjk = sum(is_cjk(c) for c in key)
    return cjk <= KEY_CJK if cjk else len(key.split()) <= KEY_WORDS


def is_heading(block: Block, text: str, context: Context) -> bool:
    """A heading with no content of its own: one or two short lines without sentence
    punctuation that are a section label, set in capitals, or set larger than the page's
    body text; or up to three that repeat the product title."""
    if len(block.lines) > 3 or text.rstrip().endswith(_SENTENCE_END):
        return False
    if context.title and repeats(text, context.title):
        return True
    if len(block.lines) > 2:
        return False
    cjk = sum(is_cjk(c) for c in text)
    latin = re.findall(r"[^\W\d_]+|\d+", "".join(c for c in text if not is_cjk(c)))
    if cjk > HEADING_CJK or (not cjk and len(text.split()) > HEADING_WORDS):
        return False
    if _EN_SECTION.search(text) or any(w in text for w in _ZH_SECTION):
        return True
    raw = block.text
    if not cjk and raw.upper() == raw and any(c.isalpha() for c in raw):
        return True
    if cjk and latin and not re.search(r"\d", text) and len("".join(latin)) > cjk:
        return True   # a Latin subtitle under a CJK heading ("PRODUCT DETAILS")
    return block.size >= HEADING_SIZE * context.body_height


def similar(a: str, b: str) -> float:
    """How alike two texts are (0..1), compared in `normalise`d form."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    return SequenceMatcher(None, na, nb, autojunk=False).ratio()


def repeats(text: str, other: str) -> bool:
    """Whether `text` says nothing `other` does not: alike (TITLE_SIMILAR), or all of it
    inside `other` (a heading "Asparagus" under the title "Asparagus Green Class 1")."""
    na, no = normalise(text), normalise(other)
    if len(na) >= 2 and na in no:
        return True
    return similar(text, other) >= TITLE_SIMILAR


def body_height(blocks: list[Block]) -> float:
    """The page's body text size (`model.body_size` over the blocks' lines)."""
    return body_size([line for b in blocks for line in b.lines])
