"""The words a product title is made of, by the part they play in it.

A headline shortened from a title must keep what the product *is* (its head noun) and
may drop what only qualifies it: the brand, sizes, counts, measures, colours, model
numbers, variant suffixes. Which word is which cannot be read off its position alone
("Apple Golden Delicious" puts the noun first, "Vitamin C Glow Serum" last, "Brand Mug
Set, 2 x 11 oz" ends in a measure), so these tables name the product nouns of common
retail categories (after Google's product taxonomy, in English, Swedish and German
compounds by suffix, and Chinese), the colour words, and the adjectives and multi-word
modifiers that are never a head. They hold no fact about any product.
"""

from __future__ import annotations

import re

# Product nouns (singular, case-folded). A Latin word is a product noun when it is one of
# these, or its singular is, or it ends in one of at least four letters (Swedish and
# German compounds: "Mellanmjölk", "Apelsinjuice", "Vaniljyoghurt").
# Fruit and vegetables: shelf labels name them first ("Apple Granny Smith", "Pear
# Conference"), so a title that starts with one has found its head.
EN_PRODUCE = frozenset("""
apple apricot avocado banana berry blueberry cherry citrus clementine coconut date fig
fruit grape grapefruit kiwi lemon lime mandarin mango melon nectarine orange papaya peach
pear pineapple plum pomegranate satsuma strawberry raspberry watermelon asparagus aubergine
eggplant bean beet beetroot broccoli cabbage carrot cauliflower celery cucumber garlic
ginger kale leek lettuce mushroom onion pea pepper potato pumpkin radish spinach squash
tomato zucchini courgette herb basil olive
""".split())  # noqa: SIM905
EN_NOUNS = EN_PRODUCE | frozenset("""
milk yoghurt yogurt soyghurt cream butter cheese egg drink juice smoothie water soda cola
coffee tea espresso latte beer wine cider spirit gin rum vodka whisky whiskey lemonade
syrup honey jam sauce ketchup mayonnaise mustard oil vinegar salt spice flour sugar rice
pasta noodle bread cereal granola muesli oat oatmeal cookie biscuit cracker chip crisp
chocolate candy snack bar nut almond cashew peanut pistachio walnut seed soup broth meat
beef chicken pork ham sausage bacon fish salmon tuna shrimp tofu capsule tablet supplement
vitamin protein powder shampoo conditioner soap gel wash lotion cream serum moisturiser
moisturizer cleanser toner mask sunscreen balm oil perfume fragrance cologne deodorant
lipstick lipgloss gloss mascara eyeliner foundation concealer primer powder blush bronzer
palette polish nail brush comb razor toothbrush toothpaste floss shirt t-shirt tshirt tee
top blouse polo sweater jumper cardigan hoodie sweatshirt jacket coat parka vest gilet
blazer suit bodysuit onesie romper dress skirt trouser pant jean jeans short legging tight sock underwear bra
brief boxer pyjama pajama robe swimsuit bikini jumpsuit overall cap hat beanie scarf glove
mitten belt tie bag backpack rucksack handbag purse wallet tote clutch case luggage
suitcase umbrella sunglass sunglasses glasses watch bracelet necklace ring earring
jewellery jewelry shoe sneaker trainer boot sandal slipper loafer heel pump runner mug cup
glass tumbler bottle flask jar kettle teapot pot pan skillet wok plate bowl dish cutlery
fork knife spoon spatula grater board tray container lid blender mixer toaster grinder
scale towel napkin blanket pillow cushion duvet sheet mattress rug carpet curtain lamp
light bulb candle vase frame mirror clock chair table desk sofa couch shelf stool bench bed
cabinet drawer hook hanger basket box bin notebook journal diary planner notepad pad pen
pencil marker crayon eraser ruler folder binder paper envelope sticker card calendar book
puzzle game toy doll figure headphone headphones earphone earphones earbud earbuds headset
speaker soundbar microphone phone smartphone tablet laptop computer monitor keyboard mouse
charger cable adapter battery powerbank camera lens tripod drone router console controller
television tv projector printer watch tracker bike bicycle helmet ball racket mat dumbbell
kettlebell football basketball volleyball tent maker machine set kit pack bundle collection duo trio pair combo stand
holder rack dispenser organiser organizer thermometer protector hose alarm drill reader
opener shaker sharpener peeler timer paint goggle goggles collar leash harness poncho
stove grill heater fan
""".split())  # noqa: SIM905

# Swedish and German product nouns (grocery titles are often Swedish): matched as a
# suffix of a compound too.
OTHER_NOUNS = frozenset("""
mjölk filmjölk gräddfil grädde fil dryck yoghurt yoghurt gurt ost smör juice saft äpple
päron apelsin banan citron potatis lök morot tomat gurka svamp paprika milch saft käse brot
wasser kaffee tee schokolade kaffe vatten bröd ägg korv fisk kyckling ris mjöl socker
choklad kex flingor
""".split())  # noqa: SIM905

# Heads that name a grouping rather than a thing: "Mug Set", "Gift Box", "Starter Kit".
GENERIC_HEADS = frozenset("""
set kit pack bundle collection duo trio pair combo case box
""".split())  # noqa: SIM905

# Heads that name a form, a material or what holds something rather than a product,
# so never stand without the word before them ("Olive Oil", "Plant Pot", "Tennis Ball").
FORM_HEADS = frozenset("""
oil powder pot ball bar mat board stand holder rack pad
""".split())  # noqa: SIM905

COLOURS = frozenset("""
black white grey gray silver gold golden red blue navy green yellow orange purple violet
pink brown beige tan ivory khaki teal turquoise aqua cyan magenta maroon burgundy charcoal
coral mint lilac lavender mustard sand nude clear transparent multicolour multicolor
midnight sky royal forest dark light pale bright
""".split())  # noqa: SIM905

# Words that only qualify (English, Swedish, German): never a head noun or its partner.
ADJECTIVES = frozenset("""
new classic original premium organic ecological eco natural fresh wireless portable large
small medium mini maxi slim light heavy soft hard extra super ultra pure deluxe luxury
vintage modern pro plus max lite men's women's mens womens kid's kids children's
girls boys unisex ladies big tiny long short wide tall thin thick waterproof
lightweight reusable rechargeable foldable adjustable stainless insulated whole mild strong
sweet sour hot cold iced dry raw sparkling still low high free ekologisk ekologiska färsk
färskpressad naturell berikad drickfärdig lätt bio
""".split())  # noqa: SIM905
# Materials, named after the thing or before it, only describe it ("Laptop Stand
# Aluminium", "Leather Belt").
MATERIALS = frozenset("""
aluminium aluminum bamboo steel wood wooden cotton leather linen wool silk ceramic plastic
metal oak marble silicone brass copper canvas denim velvet suede cashmere merino porcelain
stoneware terracotta acacia walnut teak rattan jute
""".split())  # noqa: SIM905
ADJECTIVE_SUFFIXES = ("ed", "ing", "ful", "less", "ous", "ive", "able", "ible", "ic", "ical",
                      "isk", "iska", "ad", "ade")

# Gerunds that say what a thing is for, and so make one compound with it ("Running
# Shoes", "Frying Pan", "Cutting Board"); other "-ing" words only describe ("Foaming").
PURPOSE_GERUNDS = frozenset("""
running walking hiking training cycling swimming climbing camping fishing skiing riding
frying baking cooking cutting mixing measuring serving drinking dining eating sleeping
shopping building writing drawing colouring coloring reading charging cleaning washing
ironing sewing knitting gardening watering storage dressing changing
""".split())  # noqa: SIM905

# Words that, before a product noun, name another kind of product rather than a style
# of it: the activity it is for, the place or part of the body it goes on, or the
# trade's name for the type ("Rain Jacket", "Wall Clock", "Face Cream", "Hoop Earrings",
# "Smart Watch"). The noun alone after one of these says too little ("Jacket" for a rain
# jacket), so the pair goes whole; a style word ("Snapback Cap") may go.
CLASSIFIERS = frozenset("""
rain snow sun swim surf beach ski sports sport gym yoga pilates fitness golf tennis padel
squash football soccer rugby hockey baseball boxing dance ballet trail track travel
outdoor lunch picnic party work school office wall desk table floor ceiling window door
bath bathroom shower toilet kitchen garden patio bed bedside night face hand body eye lip
hair nail foot ankle knee shin wrist neck head chest hoop stud drop chain charm pendant
chino cargo jogger midi maxi pencil wrap shift jigsaw chef's chefs steak bread paring
carving copy printer photo picture string fairy activity smart weekly daily monthly
ice pet dog cat bird fish laundry
dish dishwasher diaper nappy action screen smoke makeup
""".split())  # noqa: SIM905

# Heads named with an ingredient that is only a feature of them ("Argan Oil Shampoo",
# "Tea Tree Soap", "Tomato Ketchup", "Apple Juice"): the head alone still says what the product is.
PREPARATIONS = frozenset("""
shampoo conditioner soap serum balm cleanser toner scrub moisturiser moisturizer
sunscreen deodorant toothpaste perfume ketchup mayonnaise juice
""".split())  # noqa: SIM905
# Words for the form a preparation comes in: after one, the preparation names the
# product ("Sunscreen Lotion" → "Sunscreen", "Deodorant Stick" → "Deodorant").
PREPARATION_FORMS = frozenset("""
lotion spray stick bar gel mist foam roll-on
""".split())  # noqa: SIM905

# Nouns for a wide family whose kinds are told apart by what they are for: after a gerund
# of purpose the noun alone says too little ("Running Shoes", "Charging Cable"), where a
# narrower noun does not ("Cycling Helmet" → "Helmet", "Frying Pan" → "Pan").
FAMILY_HEADS = frozenset("""
shoe sneaker trainer boot sandal sock short trouser pant legging tight jacket coat top
shirt t-shirt bra glove cable charger light lamp table chair pencil pen marker brush
""".split())  # noqa: SIM905

# Modifiers of two words that are dropped together, never half ("Crew Neck T-Shirt"
# → "T-Shirt", not "Neck T-Shirt").
MULTIWORD_MODIFIERS = frozenset(tuple(m.split()) for m in """
crew neck|v neck|round neck|scoop neck|flat bill|flat peak|colour block|color block|turtle neck|long sleeve|short sleeve|noise cancelling
noise canceling|stainless steel|whole bean|single origin|extra virgin|cold pressed
slim fit|regular fit|relaxed fit|high waist|low fat|fat free|sugar free|gluten free
lactose free|dairy free|caffeine free|limited edition|one size|fair trade
zero sugar|no sugar|earl grey|salted caramel|french press|gel effect|sharing bag|cast iron|true wireless|free range|memory foam|loose leaf|sea salt
sterling silver|organic cotton|merino wool|heavy duty|quick dry|low top|high top
tea tree|aloe vera|shea butter|hyaluronic acid|rose water|coconut oil
""".strip().replace("\n", "|").split("|"))

# Words that follow a number as its unit (see segment.UNITS) and containers that end a
# measure ("1 kg Bag", "6 x 330 ml Cans"): part of the measure, not a head.
CONTAINERS = frozenset("""
bag bags can cans bottle bottles jar jars box boxes pack packs tub tubs tin tins pouch
pouches carton cartons sachet sachets stick sticks roll rolls
""".split())  # noqa: SIM905
# Nouns a number counts before another word, singular as English writes them there
# ("Sleeping Bag 3 Season", "4 Slice Toaster", "2 Person Tent"): part of the measure.
COUNTED = frozenset("""
season person people piece slice cup seater tier layer port speed way ply pocket drawer
shelf burner zone
""".split())  # noqa: SIM905
# Names of several words that are one product noun, kept as one word.
FIXED_PHRASES = re.compile(r"\b(eau de (?:parfum|toilette|cologne)|sour cream|ice cream|"
                           r"sweet potato|soy sauce|hot dog|hot sauce|green tea|black tea|"
                           r"red wine|white wine|water melon|teddy bear|power bank|passion fruit|dragon fruit|star fruit)\b", re.IGNORECASE)
COUNT_HEADS = frozenset(["pack", "set", "box", "case", "bundle", "pair", "kit"])   # "Pack of 6"

# Chinese product nouns (a title's head is the last of these in its main part).
ZH_NOUNS = frozenset("""
口红 唇膏 唇釉 粉底 粉底液 精华 精华液 面霜 乳液 爽肤水 面膜 洗面奶 防晒霜 香水 眼影 睫毛膏 洗发水 护发素 沐浴露 牙膏 牙刷 剃须刀 衬衫 衬衣 T恤 t恤 卫衣
毛衣 针织衫 外套 夹克 大衣 风衣 羽绒服 棉服 西装 马甲 背心 上衣 连衣裙 半身裙 裙 裙子 裙摆 大裙摆 裤 裤子 牛仔裤 阔腿裤 休闲裤 短裤 打底裤 运动裤 睡衣 内衣 文胸 袜子
帽子 棒球帽 鸭舌帽 渔夫帽 围巾 手套 腰带 领带 鞋 跑步鞋 运动鞋 休闲鞋 板鞋 帆布鞋 高跟鞋 凉鞋 靴 靴子 拖鞋 皮鞋 老爹鞋 包 背包 双肩包 手提包 单肩包 斜挎包
钱包 行李箱 拉杆箱 杯 水杯 保温杯 马克杯 咖啡杯 茶杯 玻璃杯 杯子 水壶 保温壶 茶壶 碗 盘子 筷子 勺子 锅 炒锅 笔记本 本子 笔 钢笔 铅笔 文具 台灯 灯 吊灯
椅子 桌子 沙发 枕头 被子 毛巾 床单 耳机 音箱 手机 平板 电脑 键盘 鼠标 充电器 数据线 充电宝 手表 手环 相机 显示器 咖啡 茶 茶叶 绿茶 红茶 乌龙茶 龙井 普洱
牛奶 酸奶 果汁 饮料 矿泉水 啤酒 白酒 葡萄酒 橄榄油 食用油 大米 面粉 零食 饼干 曲奇 曲奇饼干 巧克力 坚果 蜂蜜 套装 礼盒 组合
""".split())  # noqa: SIM905
# A Chinese word ending in one of these names a kind of thing (背带裙, 直筒裤, 棒球服).
ZH_HEAD_CHARS = frozenset("裙裤衣衫服袍帽鞋靴包袋杯壶碗盘锅灯笔本表机镜巾袜被枕椅桌柜架瓶罐盒")
ZH_GENERIC_HEADS = frozenset("""
套装 礼盒 组合 套 装
""".split())  # noqa: SIM905
ZH_COLOUR_SUFFIX = "色"
ZH_PEOPLE = frozenset("""
男 女 男士 女士 男款 女款 男女 男女款 同款 男女同款 情侣 儿童 童 宝宝 婴儿 中性 学生 成人 老人
""".split())  # noqa: SIM905
# Chinese measure words that follow a number ("100克", "500ml", "2件装").
ZH_UNITS = frozenset("""
克 千克 公斤 斤 毫升 升 支 片 盒 瓶 罐 袋 包 件 只 个 套 双 条 张 本 装 粒
""".split())  # noqa: SIM905


def singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("xes", "x"), ("oes", "o"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + repl
    return word


def is_product_noun(word: str) -> bool:
    """A Latin word that names a product (or ends in one, as compounds do)."""
    w = word.casefold().strip("'’.")
    if "\u00a0" in w or w in EN_NOUNS or w in OTHER_NOUNS or singular(w) in EN_NOUNS:
        return True
    return any(len(n) >= 4 and w.endswith(n) and len(w) > len(n)
               for n in OTHER_NOUNS | {"juice", "yoghurt", "yogurt", "melon", "berry"})


def is_adjective(word: str) -> bool:
    """A Latin word that only qualifies: listed, or shaped like an adjective or participle
    ("Cold-Pressed", "Cancelling", "Foldable")."""
    w = word.casefold().strip("'’.")
    if w in ADJECTIVES or w in COLOURS or w in MATERIALS:
        return True
    last = w.rsplit("-", 1)[-1]
    stem = next((last[: -len(x)] for x in ADJECTIVE_SUFFIXES if last.endswith(x)), "")
    return not is_product_noun(w) and len(stem) >= 4   # "Foam-ing", not "Str-ing"
