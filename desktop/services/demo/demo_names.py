"""The fictional city (临澄市) the sample data is drawn from: its towns, SOEs, park and company names, people,
unified social credit codes, land certificates and sizes, all from one seeded random generator."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import ROUND_DOWN, Decimal

from desktop.services import credit_code

CHUNK = 5000
CITY = "临澄"
PROVINCE_ABBR = "苏"
AREA_CODE_PREFIX = "3209"  # fictional city's 6-digit administrative codes: 3209xx
ZERO = Decimal(0)
CENT = Decimal("0.01")

# (name, relative size) — fictional towns, districts and sub-districts.
TOWNS = [
    ("东港镇", 1.3), ("城南街道", 0.8), ("城北街道", 0.7), ("高新区", 1.5), ("经开区", 1.6), ("临江镇", 1.1),
    ("青石镇", 0.9), ("白荡镇", 0.8), ("双桥镇", 1.0), ("沙洲街道", 0.6), ("新塘镇", 1.0), ("柳湾镇", 0.7),
]
SOES = [
    f"{CITY}市城市建设投资集团有限公司", f"{CITY}市国有资产投资经营有限公司",
    f"{CITY}市产业发展集团有限公司", f"{CITY}市交通产业集团有限公司",
]
PARK_PLACES = ["", "北部", "南部", "滨江", "沿河", "老镇区", "东片", "西片"]
PARK_KINDS = [
    "老工业园区", "工业集中区", "化工片区", "五金产业片区", "印染片区", "小微企业园", "铸造集中区",
    "物流仓储片区", "电镀集中区", "建材片区", "老工业片区",
]
BRAND_CHARS = (
    "宏达鑫源恒信华盛永泰金利兴隆嘉禾瑞丰天成新宇顺昌鼎晟佳通德润汇宝长江振远海富东方联合中正昊明博凯"
    "安康锦云荣广聚益祥万启飞扬科创航骏"
)
# industry label → words used in company names
INDUSTRIES = {
    "机械制造": ["机械", "精密机械", "机械制造", "重工"],
    "金属制品": ["五金", "金属制品", "钢结构", "不锈钢制品"],
    "化学原料和化学制品": ["化工", "精细化工", "涂料", "化学品"],
    "纺织印染": ["纺织", "印染", "织造", "服饰"],
    "塑料制品": ["塑业", "塑料制品", "塑胶"],
    "铸造": ["铸造", "铸件"],
    "电镀及表面处理": ["电镀", "表面处理"],
    "非金属矿物制品": ["建材", "新型建材", "水泥制品", "混凝土"],
    "木材加工和家具": ["木业", "家具"],
    "造纸和包装印刷": ["包装", "印务", "纸业"],
    "电子电器": ["电子", "电器", "电子科技"],
    "食品制造": ["食品", "酿造"],
    "仓储物流": ["物流", "仓储"],
    "再生资源回收": ["再生资源", "物资回收"],
    "汽车零部件": ["汽车配件", "汽配"],
}
INDUSTRY_NAMES = list(INDUSTRIES)
ROADS = [
    "滨江路", "工业路", "创业路", "兴业路", "长江路", "人民路", "建设路", "园区路", "通港路", "纬一路", "经二路",
    "新华路", "环镇北路", "东方大道", "富民路", "振兴路", "港城大道", "青年路", "民营路", "科技大道",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈顾钱"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红志斌海燕玉兰文俊峰宇浩凯晨鹏飞"
VILLAGES = ["前进村", "新民村", "永安村", "红星村", "三合村", "长桥村", "友谊村", "联丰村"]
CANCEL_REASONS = ["企业已自主转型升级，不再列入", "权属争议暂无法推进，申请撤销", "与规划调整冲突，调出清单"]
VERIFY_FAIL_REASONS = ["地上建筑物未拆除到位", "税务部门核实尚有欠税", "交运部门核实码头设施未拆除"]
RETURN_REASON = "连片整治区域面积占比偏低，请补充片区内治理对象后重新报送"
REVIEWER = "市专治办"
COMPANY_SUFFIX = re.compile(r"(股份)?有限(责任)?公司$")


def dec(x: float, places: Decimal = CENT) -> Decimal:
    return Decimal(str(x)).quantize(places)


def allocate(total: Decimal, weights: list[float], step: Decimal) -> list[Decimal]:
    """Split `total` by weights in multiples of `step`; the remainder goes to the largest weight (exact sum)."""
    w = sum(weights)
    parts = [(total * Decimal(str(x / w)) / step).to_integral_value(rounding=ROUND_DOWN) * step for x in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


def allocate_int(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split an integer by weights (largest remainders, ties broken by the generator)."""
    w = sum(weights)
    raw = [total * x / w for x in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (raw[i] - parts[i], rng.random()), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def town_stem(town: str) -> str:
    for suffix in ("街道", "镇", "区"):
        if town.endswith(suffix):
            return town[: -len(suffix)]
    return town


_ORG_VALUES = {c: (int(c) if c.isdigit() else ord(c) - 55) for c in credit_code.ALPHABET}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714): 8 body characters and their check character."""
    if rng.random() < 0.6:  # codes issued since 2015 start with MA
        body = "MA" + "".join(rng.choices(credit_code.ALPHABET, k=6))
    else:
        body = "".join(rng.choices(credit_code.ALPHABET, k=8))
    c9 = 11 - sum(_ORG_VALUES[c] * w for c, w in zip(body, _ORG_WEIGHTS)) % 11
    return body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))


class Generator:
    def __init__(self, rng: random.Random, year: int, as_of: dt.date):
        self.rng = rng
        self.year = year
        self.as_of = as_of
        self.codes: set[str] = set()
        self.names: set[str] = set()
        self.certs: set[str] = set()

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def person(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def mobile(self) -> str:
        rng = self.rng
        return rng.choice(("139", "138", "137", "135", "150", "151", "152", "158", "159", "180", "181", "187", "189",
                           "177", "199")) + f"{rng.randint(0, 99_999_999):08d}"

    def credit_code(self, area_code: str, prefix: str) -> str:
        while True:
            first17 = prefix + area_code + _org_code(self.rng)
            code = first17 + credit_code.check_char(first17)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def land_cert_no(self) -> str:
        """不动产权证号, unique like the real ones."""
        while True:
            cert = (f"{PROVINCE_ABBR}({self.rng.randint(2016, self.year - 1)}){CITY}市不动产权"
                    f"第{self.rng.randint(1, 999_999):07d}号")
            if cert not in self.certs:
                self.certs.add(cert)
                return cert

    def brand(self) -> str:
        a, b = self.rng.sample(BRAND_CHARS, 2)
        return a + b

    def company_name(self, stem: str, industry: str, individual: bool) -> str:
        rng = self.rng
        for attempt in range(50):
            word = rng.choice(INDUSTRIES[industry])
            region = stem if rng.random() < 0.6 else CITY
            if individual:
                name = f"{stem}{self.brand()}{word}{rng.choice(('加工厂', '经营部', '加工场'))}"
            else:
                suffix = rng.choices(("有限公司", "有限责任公司", "股份有限公司", "厂"), (75, 10, 3, 12))[0]
                name = f"{region}{self.brand()}{word}{suffix}"
            if attempt > 40:
                name = name.replace("有限", f"第{attempt - 39}分厂有限", 1) if "有限" in name else name + str(attempt)
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("could not make a unique company name")  # pragma: no cover

    def address(self, town: str) -> str:
        return f"{town}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}号"

    def land_area(self, parcel: bool) -> Decimal:
        """亩: most 3–40, a few large."""
        rng = self.rng
        if rng.random() < (0.08 if parcel else 0.04):
            mu = rng.uniform(60, 320)
        else:
            mu = min(max(rng.lognormvariate(2.95 if parcel else 2.85, 0.75), 1.2), 120)
        return dec(mu)
