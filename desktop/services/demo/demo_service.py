"""示例数据: a fictional city (临澄市) to look around in, deterministic for a seed.

Towns with their 附件1 targets (summing exactly to the year's target), city SOEs, old industrial
parks, enterprises with valid 统一社会信用代码 and parcels, evaluations, and each town's list with
entries in every state. Rows go in with Core bulk inserts in one transaction (100k objects in
seconds); the audit log gets one record with the counts.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Callable

from sqlalchemy import func, insert, select

from desktop.models import (
    ContiguousArea,
    Evaluation,
    GovernanceList,
    ListEntry,
    Plan,
    Soe,
    Target,
    Town,
    TownTarget,
    Year,
)
from desktop.models.base import utcnow
from desktop.models.enums import (
    Category,
    EntryState,
    EvaluationClass,
    ListStatus,
    Method,
    ParkStatus,
    TargetKind,
    TargetState,
)
from desktop.services import audit, credit_code, rules
from desktop.services.demo import demo_landbank, demo_quota, demo_reports
from desktop.services.year import year_service
from desktop.services.lists.list_service import TARGET_STATE_OF
from desktop.services.errors import Refused
from desktop.services.search_text import search_text_for
from desktop.services.units import M2_PER_MU
from desktop.services.ledger import Ledger

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
_COMPANY_SUFFIX = re.compile(r"(股份)?有限(责任)?公司$")


@dataclass
class DemoSummary:
    year: int
    seed: int
    towns: int = 0
    soes: int = 0
    parks: int = 0
    parks_started: int = 0
    enterprises: int = 0
    parcels: int = 0
    evaluations: int = 0
    lists: int = 0
    entries: int = 0
    plans: int = 0
    city_target_mu: Decimal = ZERO
    land_area_mu: Decimal = ZERO
    listed_area_mu: Decimal = ZERO
    contiguous_area_mu: Decimal = ZERO
    verified_area_mu: Decimal = ZERO
    entries_by_state: dict[str, int] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)  # counts from the areas' populate_demo
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in (
            "towns", "soes", "parks", "parks_started", "enterprises", "parcels", "evaluations", "lists", "entries",
            "plans")}


class _Cancelled(Exception):
    pass


def _dec(x: float, places: Decimal = CENT) -> Decimal:
    return Decimal(str(x)).quantize(places)


def _allocate(total: Decimal, weights: list[float], step: Decimal) -> list[Decimal]:
    """Split `total` by weights in multiples of `step`; the remainder goes to the largest weight (exact sum)."""
    w = sum(weights)
    parts = [(total * Decimal(str(x / w)) / step).to_integral_value(rounding=ROUND_DOWN) * step for x in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


def _allocate_int(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split an integer by weights (largest remainders, ties broken by the generator)."""
    w = sum(weights)
    raw = [total * x / w for x in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (raw[i] - parts[i], rng.random()), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _stem(town: str) -> str:
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


class _Generator:
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
        return _dec(mu)


def _as_of(year: int, today: dt.date) -> dt.date:
    """The day the sample year 'stands at': today within the running year, else 31 Oct of that year."""
    end = dt.date(year, 10, 31)
    if today.year == year:
        return max(min(today, end), dt.date(year, 2, 1))
    return end


# States of an approved list's entries other than 已核实, with weights.
APPROVED_LIST_STATES = [
    (EntryState.APPROVED, 10), (EntryState.PLAN_FILED, 14), (EntryState.IN_PROGRESS, 30),
    (EntryState.REPORTED, 14), (EntryState.VERIFY_FAILED, 5), (EntryState.CANCELLED, 5),
]
PLANNED_STATES = frozenset({EntryState.PLAN_FILED, EntryState.IN_PROGRESS, EntryState.REPORTED,
                            EntryState.VERIFIED, EntryState.VERIFY_FAILED})


def _existing(s) -> list[str]:
    found = []
    for label, model in (("镇街", Town), ("治理对象", Target), ("连片整治片区", ContiguousArea), ("市级国企", Soe)):
        n = s.scalar(select(func.count()).select_from(model))
        if n:
            found.append(f"{label} {n} 个")
    return found


def generate(ledger: Ledger, *, enterprises: int = 300, seed: int = 2024, year: int | None = None,
             progress: Callable[[int, int], None] | None = None, cancel=None) -> DemoSummary:
    """Fill a sample city into an initialised, empty database (no towns, targets, parks or SOEs yet)."""
    if enterprises < 0:
        raise Refused("治理对象数量不能为负数")
    started = time.perf_counter()
    year = year or year_service.current_year(ledger)
    try:
        with ledger.session() as s:
            present = _existing(s)
            if present:
                raise Refused("数据库中已有数据（" + "、".join(present) + "），示例数据只能载入空数据库；"
                              "请另建一个数据库文件（zzb --db 新文件 demo）。")
            params = year_service.params_in_session(s, year)
            year_id = s.scalar(select(Year.id).where(Year.year == year))
            summary = _build(s, params, year_id, enterprises, seed, progress, cancel)
            summary.extra = _populate_areas(s, seed, params, year_id, _as_of(year, dt.date.today()))
            audit.record(s, "示例数据", "database", label=f"示例数据：{CITY}市（种子 {seed}，{enterprises} 个治理对象）",
                         after={**summary.counts(), "seed": seed, "year": year})
    except _Cancelled:
        raise Refused("已取消") from None
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


# Areas of the year's work that add their own sample rows (each module's populate_demo), in order.
DEMO_AREAS = (demo_landbank, demo_reports, demo_quota)


def _populate_areas(s, seed: int, params, year_id: int, as_of: dt.date) -> dict[str, int]:
    """Let each area add its sample rows through the ORM in this same transaction (one audit record
    covers the whole sample city, so the per-row hook is off meanwhile)."""
    counts: dict[str, int] = {}
    s.flush()
    s.info["skip_audit"] = True
    try:
        for i, module in enumerate(DEMO_AREAS):
            counts.update(module.populate_demo(s, random.Random(seed * 1000 + i), params, year_id, as_of))
            s.flush()
    finally:
        s.info["skip_audit"] = False
    return counts


def _build(s, params, year_id: int, n_objects: int, seed: int, progress, cancel) -> DemoSummary:
    rng = random.Random(seed)
    year = params.year
    as_of = _as_of(year, dt.date.today())
    gen = _Generator(rng, year, as_of)
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now, "revision": 1}
    summary = DemoSummary(year=year, seed=seed, city_target_mu=params.target_area_mu)

    def check_cancel() -> None:
        if cancel is not None and getattr(cancel, "cancelled", False):
            raise _Cancelled

    # ---- towns and 附件1 targets ------------------------------------------------------------
    town_names = [t for t, _ in TOWNS]
    weights = [w * rng.uniform(0.8, 1.25) for _, w in TOWNS]
    n_towns = len(town_names)
    target_area = _allocate(params.target_area_mu, weights, Decimal(10))
    target_parks = _allocate_int(params.parks_target, weights, rng)
    area_codes = [f"{AREA_CODE_PREFIX}{81 + i:02d}" if i < 9 else f"{AREA_CODE_PREFIX}{i - 8:02d}"
                  for i in range(n_towns)]

    # List status per town: most approved; three small towns lag (draft, submitted, returned).
    by_size = sorted(range(n_towns), key=lambda i: weights[i])
    lagging = rng.sample(by_size[:5], 3)
    list_status = [ListStatus.APPROVED] * n_towns
    list_status[lagging[0]] = ListStatus.DRAFT
    list_status[lagging[1]] = ListStatus.SUBMITTED
    list_status[lagging[2]] = ListStatus.RETURNED
    approved_towns = [i for i in range(n_towns) if list_status[i] is ListStatus.APPROVED]
    # 三(一): most towns reach the minimum contiguous share; the returned one (and maybe one more) does not.
    low_share = {lagging[2]}
    if rng.random() < 0.6:
        low_share.add(rng.choice(approved_towns))

    # ---- contiguous areas (parks) ----------------------------------------------------------
    # Started this year: each town its target, except one town one short; extra starts elsewhere,
    # so the city starts at least the year's target.
    started_per_town = list(target_parks)
    short = [i for i in range(n_towns) if started_per_town[i] > 0]
    extra = 0
    if short:
        started_per_town[rng.choice(short)] -= 1
        extra = rng.randint(1, 3)
    for _ in range(extra):
        started_per_town[rng.choices(range(n_towns), weights)[0]] += 1
    park_status: list[list[ParkStatus]] = [[ParkStatus.STARTED] * k for k in started_per_town]
    for i in range(n_towns):
        if not park_status[i]:
            park_status[i].append(ParkStatus.PLANNED)
    for _ in range(rng.randint(1, 2)):
        park_status[rng.randrange(n_towns)].append(ParkStatus.COMPLETED)
    goal = rng.randint(16, 20)
    while sum(map(len, park_status)) < goal:
        park_status[rng.choices(range(n_towns), weights)[0]].append(ParkStatus.PLANNED)

    parks: list[dict] = []  # in memory, 'town' index; ids assigned at insert
    park_names: set[str] = set()
    parks_of_town: list[list[int]] = [[] for _ in range(n_towns)]
    for i, statuses in enumerate(park_status):
        stem = _stem(town_names[i])
        for status in statuses:
            for attempt in range(100):
                name = f"{stem}{rng.choice(PARK_PLACES)}{rng.choice(PARK_KINDS)}"
                if attempt > 50:  # a town with very many parks: number them
                    name += f"{attempt - 50}号区"
                if name not in park_names:
                    break
            park_names.add(name)
            if status is ParkStatus.STARTED:
                start = gen.date_between(dt.date(year, 1, 15), as_of)
                note = ""
            elif status is ParkStatus.COMPLETED:
                start = gen.date_between(dt.date(year - 1, 3, 1), dt.date(year - 1, 9, 30))
                note = f"{year - 1}年启动，已整治完成"
            else:
                start, note = None, "谋划中，待镇街报送启动方案"
            parks_of_town[i].append(len(parks))
            parks.append({"name": name, "town": i, "status": status, "start_date": start, "note": note, "land": ZERO})

    # ---- targets ---------------------------------------------------------------------------
    n_parcels = round(n_objects * 0.1)
    per_town = _allocate_int(n_objects, weights, rng)
    kinds = [TargetKind.PARCEL] * n_parcels + [TargetKind.ENTERPRISE] * (n_objects - n_parcels)
    rng.shuffle(kinds)
    eval_year = params.evaluation_year
    eval_source = f"{eval_year}年度工业企业资源集约利用综合评价"
    targets: list[dict] = []
    evaluations: list[tuple[int, EvaluationClass]] = []  # (target index, grade)
    k = 0
    for i in range(n_towns):
        town = town_names[i]
        stem = _stem(town)
        town_parks = parks_of_town[i]
        for _ in range(per_town[i]):
            kind = kinds[k]
            k += 1
            if k % CHUNK == 0:
                check_cancel()
            parcel = kind is TargetKind.PARCEL
            if parcel:
                category = rng.choices((Category.OTHER, Category.CONTIGUOUS, Category.POINT), (60, 25, 15))[0]
            else:
                category = rng.choices((Category.D_CLASS, Category.POINT, Category.CONTIGUOUS, Category.OTHER),
                                       (28, 22, 35, 15))[0]
            park = None
            if category is Category.CONTIGUOUS:
                park = rng.choice(town_parks)
            elif rng.random() < 0.1:
                park = rng.choice(town_parks)
            land = gen.land_area(parcel)
            row = {
                "kind": kind, "town": i, "category": category, "park": park, "land_area_mu": land,
                "state": TargetState.PENDING, "note": "", "credit_code": None, "legal_rep": "",
                "building_area_m2": None, "industry": "", "land_cert_no": "", "owner": "",
            }
            if parcel:
                industry = rng.choice(INDUSTRY_NAMES)
                roll = rng.random()
                if roll < 0.3:
                    row["name"] = f"{stem}{rng.choice(('老', '东', '西', '南', '北', '货运', '散货'))}码头{rng.randint(1, 9)}号泊位"
                    row["industry"] = "码头仓储"
                    if row["name"] in gen.names:
                        row["name"] += f"（{rng.choice(ROADS)}段）"
                    row["address"] = gen.address(town)
                elif roll < 0.7:
                    row["name"] = "原" + _COMPANY_SUFFIX.sub("", gen.company_name(stem, industry, False)) + "地块"
                    row["address"] = gen.address(town)
                else:
                    side = f"{rng.choice(ROADS)}{rng.choice('东西南北')}侧"
                    row["name"] = f"{stem}{side}地块"
                    row["address"] = f"{town}{side}"
                gen.names.add(row["name"])
                row["land_cert_no"] = gen.land_cert_no()
                owner_roll = rng.random()
                if owner_roll < 0.45:
                    row["owner"] = gen.company_name(stem, industry, False)
                elif owner_roll < 0.8:
                    row["owner"] = f"{town}{rng.choice(VILLAGES)}股份经济合作社"
                else:
                    row["owner"] = f"{town}人民政府" if town.endswith("镇") else f"{CITY}市{town}管理委员会"
                if rng.random() < 0.6:
                    row["building_area_m2"] = _dec(float(land * M2_PER_MU) * rng.uniform(0.1, 0.6))
                if rng.random() < 0.2:
                    row["note"] = rng.choice(("地块闲置多年", "地上建筑物老旧，存在安全隐患", "原企业已注销"))
            else:
                individual = rng.random() < 0.1
                prefix = "92" if individual else ("93" if rng.random() < 0.02 else "91")
                industry = rng.choice(INDUSTRY_NAMES)
                row["name"] = gen.company_name(stem, industry, individual)
                row["credit_code"] = gen.credit_code(area_codes[i], prefix)
                row["legal_rep"] = gen.person()
                row["industry"] = industry
                row["address"] = gen.address(town)
                row["building_area_m2"] = _dec(float(land * M2_PER_MU) * rng.uniform(0.3, 1.1))
                if category is Category.D_CLASS:
                    evaluations.append((len(targets), EvaluationClass.D))
                elif not individual and rng.random() < 0.8:
                    evaluations.append((len(targets), rng.choices(
                        (EvaluationClass.A, EvaluationClass.B, EvaluationClass.C), (15, 45, 40))[0]))
                if rng.random() < 0.05:
                    row["note"] = rng.choice(("安全生产隐患突出", "环保信访多次", "长期欠缴税款", "租赁厂房经营"))
            if park is not None:
                parks[park]["land"] += land
            targets.append(row)

    # ---- lists and entries -------------------------------------------------------------------
    by_town: list[list[int]] = [[] for _ in range(n_towns)]
    for idx, t in enumerate(targets):
        by_town[t["town"]].append(idx)
    minimum = params.contiguous_share_min_pct
    forced = [EntryState.VERIFIED] + [st for st, _ in APPROVED_LIST_STATES]  # every state at least once
    entries: list[dict] = []
    lists: list[dict] = []
    approved_seen = 0
    for i in range(n_towns):
        status = list_status[i]
        submitted = reviewed = None
        if status is not ListStatus.DRAFT:
            day = gen.date_between(dt.date(year, 1, 20), dt.date(year, 3, 10))
            submitted = dt.datetime.combine(day, dt.time(9, 30))
        if status in (ListStatus.APPROVED, ListStatus.RETURNED):
            reviewed = submitted + dt.timedelta(days=rng.randint(3, 12), hours=6)
        lists.append({
            "town": i, "status": status, "submitted_at": submitted, "reviewed_at": reviewed,
            "reviewer": REVIEWER if reviewed else "",
            "return_reason": RETURN_REASON if status is ListStatus.RETURNED else "",
        })
        goal_total = target_area[i] * Decimal(str(rng.uniform(1.05, 1.25)))
        share_goal = Decimal(str(rng.uniform(0.10, 0.22) if i in low_share else rng.uniform(0.34, 0.46)))
        verified_goal = target_area[i] * Decimal(str(rng.uniform(0.45, 0.85)))
        chosen = _choose(rng, targets, by_town[i], goal_total, share_goal)
        town_entries: list[dict] = []
        verified_sum = ZERO
        for n, (idx, planned, method) in enumerate(chosen):
            t = targets[idx]
            if status is ListStatus.APPROVED:
                if n == 0 and approved_seen < len(forced):
                    state = forced[approved_seen]
                elif (rules.counts_toward_completion(EntryState.VERIFIED, method)
                      and verified_sum + planned <= verified_goal and rng.random() < 0.85):
                    state = EntryState.VERIFIED
                else:
                    state = rng.choices([st for st, _ in APPROVED_LIST_STATES], [w for _, w in APPROVED_LIST_STATES])[0]
            else:
                state = {ListStatus.DRAFT: EntryState.DRAFT, ListStatus.SUBMITTED: EntryState.SUBMITTED,
                         ListStatus.RETURNED: EntryState.RETURNED}[status]
            e = {"list": i, "target": idx, "planned_method": method, "planned_area_mu": planned,
                 "contiguous_area": t["park"], "state": state, "state_reason": "", "completed_on": None,
                 "verified_on": None, "verified_area_mu": None, "note": ""}
            if state in (EntryState.REPORTED, EntryState.VERIFIED, EntryState.VERIFY_FAILED):
                e["completed_on"] = gen.date_between(dt.date(year, 3, 1), as_of - dt.timedelta(days=3))
            if state is EntryState.VERIFIED:
                e["verified_on"] = min(e["completed_on"] + dt.timedelta(days=rng.randint(2, 15)), as_of)
                e["verified_area_mu"] = (planned * Decimal(str(rng.uniform(0.92, 1.0)))).quantize(CENT, ROUND_DOWN)
                if rules.counts_toward_completion(state, method):
                    verified_sum += e["verified_area_mu"]
            elif state is EntryState.VERIFY_FAILED:
                e["state_reason"] = rng.choice(VERIFY_FAIL_REASONS)
            elif state is EntryState.CANCELLED:
                e["state_reason"] = rng.choice(CANCEL_REASONS)
            elif state is EntryState.RETURNED:
                e["state_reason"] = RETURN_REASON
            if method is Method.SELF_RENOVATION:
                e["note"] = "企业自主技改，不计入治理面积"
            town_entries.append(e)
        _settle_share(town_entries, minimum, low=i in low_share)
        for e in town_entries:
            targets[e["target"]]["state"] = TARGET_STATE_OF[e["state"]]
        entries.extend(town_entries)
        if status is ListStatus.APPROVED and chosen:
            approved_seen += 1

    # ---- plans (三(二)) for entries past 方案已备案 --------------------------------------------
    soe_names = SOES[: rng.choice((3, 4))]
    plans: list[dict] = []
    for n, e in enumerate(entries):
        if e["state"] not in PLANNED_STATES:
            continue
        method, area = e["planned_method"], e["planned_area_mu"]
        rate = {Method.LAND_BANKING: (38, 63), Method.ACQUISITION: (30, 55), Method.REUSE: (5, 20)}.get(method)
        plans.append({
            "entry": n, "batch_no": f"{_stem(town_names[e['list']])}-{year}-{rng.randint(1, 3):02d}",
            "method": method, "planned_area_mu": area,
            "planned_cost_wan": (area * Decimal(str(rng.uniform(*rate)))).quantize(CENT) if rate else None,
            "soe": rng.randrange(len(soe_names)) if method is Method.LAND_BANKING else None,
            "filed_on": gen.date_between(dt.date(year, 3, 15), min(dt.date(year, 5, 31), as_of)),
            "note": "",
        })

    # ---- write -----------------------------------------------------------------------------
    total = (n_towns * 2 + len(soe_names) + len(parks) + len(targets) + len(evaluations) + len(lists)
             + len(entries) + len(plans))
    done = 0

    def insert_rows(model, rows: list[dict], *, ids: bool = False) -> list[int]:
        nonlocal done
        table = model.__table__
        out: list[int] = []
        for start in range(0, len(rows), CHUNK):
            check_cancel()
            chunk = rows[start:start + CHUNK]
            if ids:
                stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                out.extend(s.execute(stmt, chunk).scalars())
            else:
                s.execute(insert(table), chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        return out

    if progress:
        progress(0, total)
    town_ids = insert_rows(Town, [
        {"name": name, "sort_order": i + 1, "liaison_name": gen.person(), "liaison_phone": gen.mobile(),
         "active": True, **stamp} for i, name in enumerate(town_names)], ids=True)
    insert_rows(TownTarget, [
        {"town_id": town_ids[i], "year_id": year_id, "target_area_mu": target_area[i],
         "target_parks": target_parks[i], **stamp} for i in range(n_towns)])
    soe_ids = insert_rows(Soe, [
        {"name": name, "credit_code": gen.credit_code(f"{AREA_CODE_PREFIX}00", "91"), "contact": gen.person(),
         "phone": gen.mobile(), **stamp} for name in soe_names], ids=True)
    park_ids = insert_rows(ContiguousArea, [
        {"name": p["name"], "town_id": town_ids[p["town"]],
         "area_mu": (p["land"] * Decimal(str(rng.uniform(1.15, 1.45)))).quantize(CENT) if p["land"]
         else _dec(rng.uniform(80, 400)),
         "start_date": p["start_date"], "status": p["status"], "note": p["note"], **stamp} for p in parks], ids=True)
    target_rows = []
    for t in targets:
        row = {key: t[key] for key in ("kind", "name", "category", "address", "land_area_mu", "state", "note",
                                       "credit_code", "legal_rep", "building_area_m2", "industry", "land_cert_no",
                                       "owner")}
        row["town_id"] = town_ids[t["town"]]
        row["contiguous_area_id"] = park_ids[t["park"]] if t["park"] is not None else None
        row["credit_code_override"] = False
        row["search_text"] = search_text_for(t["name"], t["credit_code"], t["address"])
        row.update(stamp)
        target_rows.append(row)
    insert_rows(Target, target_rows)
    del target_rows
    # The register was empty before (refused otherwise), so every target row is ours: map the ids
    # back through the unique credit code / certificate number (cheaper than RETURNING row by row).
    t_table = Target.__table__
    by_key = {code or cert: tid for tid, code, cert in
              s.execute(select(t_table.c.id, t_table.c.credit_code, t_table.c.land_cert_no))}
    target_ids = [by_key[t["credit_code"] or t["land_cert_no"]] for t in targets]
    del by_key
    insert_rows(Evaluation, [
        {"target_id": target_ids[idx], "year": eval_year, "grade": grade, "source": eval_source}
        for idx, grade in evaluations])
    list_ids = insert_rows(GovernanceList, [
        {"town_id": town_ids[li["town"]], "year_id": year_id, "status": li["status"],
         "submitted_at": li["submitted_at"], "reviewed_at": li["reviewed_at"], "reviewer": li["reviewer"],
         "return_reason": li["return_reason"], **stamp} for li in lists], ids=True)
    entry_ids = insert_rows(ListEntry, [
        {"list_id": list_ids[e["list"]], "target_id": target_ids[e["target"]],
         "planned_method": e["planned_method"], "planned_area_mu": e["planned_area_mu"],
         "contiguous_area_id": park_ids[e["contiguous_area"]] if e["contiguous_area"] is not None else None,
         "state": e["state"], "state_reason": e["state_reason"], "completed_on": e["completed_on"],
         "verified_on": e["verified_on"], "verified_area_mu": e["verified_area_mu"], "note": e["note"], **stamp}
        for e in entries], ids=True)
    insert_rows(Plan, [
        {"entry_id": entry_ids[p["entry"]], "batch_no": p["batch_no"], "method": p["method"],
         "planned_area_mu": p["planned_area_mu"], "planned_cost_wan": p["planned_cost_wan"],
         "soe_id": soe_ids[p["soe"]] if p["soe"] is not None else None, "filed_on": p["filed_on"],
         "note": p["note"], **stamp} for p in plans])

    # ---- summary ---------------------------------------------------------------------------
    summary.towns = n_towns
    summary.soes = len(soe_ids)
    summary.parks = len(parks)
    summary.parks_started = sum(1 for p in parks if p["status"] is ParkStatus.STARTED
                                and p["start_date"] is not None and p["start_date"].year == year)
    summary.parcels = n_parcels
    summary.enterprises = n_objects - n_parcels
    summary.evaluations = len(evaluations)
    summary.lists = len(lists)
    summary.entries = len(entries)
    summary.plans = len(plans)
    summary.land_area_mu = sum((t["land_area_mu"] for t in targets), ZERO)
    states = Counter(e["state"] for e in entries)
    summary.entries_by_state = {st.value: states.get(st, 0) for st in EntryState}
    for e in entries:
        if e["state"] in rules.INACTIVE_STATES or e["planned_method"] in rules.UNCOUNTED_METHODS:
            continue
        summary.listed_area_mu += e["planned_area_mu"]
        if e["contiguous_area"] is not None:
            summary.contiguous_area_mu += e["planned_area_mu"]
        if rules.counts_toward_completion(e["state"], e["planned_method"]):
            summary.verified_area_mu += e["verified_area_mu"]
    return summary


def _pick_method(rng: random.Random, parcel: bool) -> Method:
    if parcel:
        return rng.choices((Method.LAND_BANKING, Method.REUSE, Method.ACQUISITION), (55, 30, 15))[0]
    return rng.choices((Method.LAND_BANKING, Method.ACQUISITION, Method.REUSE, Method.SELF_RENOVATION),
                       (42, 28, 24, 6))[0]


def _choose(rng: random.Random, targets: list[dict], candidates: list[int], goal_total: Decimal,
            share_goal: Decimal) -> list[tuple[int, Decimal, Method]]:
    """Pick a town's list: park targets up to the share goal, others up to the rest of the area goal.

    Returns (target index, planned area ≤ land area, method) in list order. Entries that will not
    count (企业自主技改) are listed but do not advance the goals.
    """
    in_park = [i for i in candidates if targets[i]["park"] is not None]
    outside = [i for i in candidates if targets[i]["park"] is None]
    rng.shuffle(in_park)
    rng.shuffle(outside)
    slack = goal_total * Decimal("0.08")

    def take(pool: list[int], goal: Decimal) -> list[tuple[int, Decimal, Method]]:
        out, total = [], ZERO
        for idx in pool:
            if total >= goal:
                break
            land = targets[idx]["land_area_mu"]
            planned = land
            if rng.random() >= 0.7:  # part of the site
                planned = (land * Decimal(str(rng.uniform(0.7, 1.0)))).quantize(CENT, ROUND_DOWN)
            if planned <= 0 or total + planned > goal + slack:
                continue
            method = _pick_method(rng, targets[idx]["kind"] is TargetKind.PARCEL)
            out.append((idx, planned, method))
            if method not in rules.UNCOUNTED_METHODS:
                total += planned
        return out

    picked = take(in_park, goal_total * share_goal) + take(outside, goal_total - goal_total * share_goal)
    rng.shuffle(picked)
    return picked


def _settle_share(entries: list[dict], minimum: Decimal, *, low: bool) -> None:
    """三(一): keep a normal town's contiguous share at or above the minimum and a low one below it.

    Drops entries from the end of the list (never the first, which may carry a state the sample
    must show) until the share, counted as progress_service counts it, is where it should be.
    """
    if minimum <= 0:
        return

    def counted(e: dict) -> bool:
        return e["state"] not in rules.INACTIVE_STATES and e["planned_method"] not in rules.UNCOUNTED_METHODS

    def sums() -> tuple[Decimal, Decimal]:
        listed = sum((e["planned_area_mu"] for e in entries if counted(e)), ZERO)
        contiguous = sum((e["planned_area_mu"] for e in entries
                          if counted(e) and e["contiguous_area"] is not None), ZERO)
        return listed, contiguous

    def drop_last(in_park: bool) -> bool:
        for n in range(len(entries) - 1, 0, -1):
            e = entries[n]
            if counted(e) and (e["contiguous_area"] is not None) == in_park:
                del entries[n]
                return True
        return False

    if low:
        while not rules.share_below_minimum(*sums(), max(minimum - 2, Decimal(0))) and drop_last(True):
            pass
    else:
        while rules.share_below_minimum(*sums(), min(minimum + 1, Decimal(100))) and drop_last(False):
            pass
