"""年度 and 年度参数: the numbers every rule reads. The 2024 plan gives the defaults for a first year."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from desktop.models import Department, Year, YearParams
from desktop.services import units
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

# The 2024 work plan (seeds/000): 一 总体目标, 三(一), 四(二)(三), 三(四), 附件2, 二(一).
PLAN_2024_DEFAULTS = {
    "target_area_mu": Decimal("4000"),
    "parks_target": 12,
    "contiguous_share_min_pct": Decimal("30"),
    "landbank_cost_cap_wan_per_mu": Decimal("60"),
    "quota_borrow_ratio_pct": Decimal("30"),
    "quota_return_years": 1,
    "quota_overdue_fee_wan_per_mu": Decimal("85"),
    "report_due_day": 20,
    "verify_due_day": 25,
    "issue_list_workdays": 10,
    "progress_report_workdays": 20,
    "evaluation_year_offset": 2,
    "verifying_departments": ["资规局", "工信局", "交通运输局", "税务局"],
    "subsidy_rate_wan_per_mu": None,
    "subsidy_park_bonus_wan": None,
}
FIRST_YEAR = 2024


@dataclass
class Params:
    """Plain copy of one year's parameters (what the page edits and the rules read)."""

    year: int
    target_area_mu: Decimal
    parks_target: int
    contiguous_share_min_pct: Decimal
    landbank_cost_cap_wan_per_mu: Decimal
    quota_borrow_ratio_pct: Decimal
    quota_return_years: int
    quota_overdue_fee_wan_per_mu: Decimal
    report_due_day: int
    verify_due_day: int
    issue_list_workdays: int
    progress_report_workdays: int
    evaluation_year_offset: int
    verifying_departments: list[str] = field(default_factory=list)
    subsidy_rate_wan_per_mu: Decimal | None = None
    subsidy_park_bonus_wan: Decimal | None = None
    revision: int = 0

    @property
    def evaluation_year(self) -> int:
        """二(一): D class is judged on the evaluation of year − offset (2022 for 2024)."""
        return self.year - self.evaluation_year_offset


PARAM_FIELDS = [f.name for f in dataclasses.fields(Params) if f.name not in ("year", "revision")]

# Field → (label, minimum, maximum); None means unbounded. Used by validate() and the page.
PARAM_LIMITS: dict[str, tuple[str, Decimal | int | None, Decimal | int | None]] = {
    "target_area_mu": ("年度整治面积目标（亩）", Decimal(0), None),
    "parks_target": ("连片整治园区启动目标（个）", 0, None),
    "contiguous_share_min_pct": ("连片整治面积占比下限（%）", Decimal(0), Decimal(100)),
    "landbank_cost_cap_wan_per_mu": ("收储成本均价上限（万元/亩）", Decimal(0), None),
    "quota_borrow_ratio_pct": ("周转指标预借比例上限（%）", Decimal(0), Decimal(100)),
    "quota_return_years": ("预借指标归还期限（年）", 0, 10),
    "quota_overdue_fee_wan_per_mu": ("逾期指标使用费（万元/亩）", Decimal(0), None),
    "report_due_day": ("月度报送截止日（每月几日）", 1, 28),
    "verify_due_day": ("月度核实截止日（每月几日）", 1, 31),
    "issue_list_workdays": ("体检问题清单期限（工作日）", 1, 60),
    "progress_report_workdays": ("整改进展报送期限（工作日）", 1, 120),
    "evaluation_year_offset": ("综合评价采用年度（提前几年）", 0, 5),
    "subsidy_rate_wan_per_mu": ("以奖代补标准（万元/已核实亩）", Decimal(0), None),
    "subsidy_park_bonus_wan": ("园区启动奖励（万元/个）", Decimal(0), None),
}


# Field → the plan sentence it comes from, shown beside the field. Written without the year's
# numbers ("……"), since the numbers change from year to year and live in the fields themselves.
PARAM_HINTS: dict[str, str] = {
    "target_area_mu": "一、总体目标：全年确保完成“危污乱散低”企业整治……亩以上",
    "parks_target": "一、总体目标：全面启动老旧工业园区连片整治……个以上",
    "contiguous_share_min_pct": "三(一)：治理清单中位于连片整治区域的面积不少于年度治理总面积的……%",
    "landbank_cost_cap_wan_per_mu": "四(二)：市级国企与镇(区、街道)合作收储的成本均价不得高于……万元/亩",
    "quota_borrow_ratio_pct": "四(三)：合作国企可按照不高于计划收储复垦企业面积……%的标准预借周转指标",
    "quota_return_years": "四(三)：预借指标原则上应于下一年度内归还（填 1 即次年年底前）",
    "quota_overdue_fee_wan_per_mu": "四(三)：下一年度无法归还的，按照……万元/亩的标准收取指标使用费",
    "report_due_day": "三(四)：各镇(区、街道)于每月……日前报送完成整治企业情况和证明材料",
    "verify_due_day": "三(四)：市专治办于当月……日前组织有关部门完成核实工作",
    "issue_list_workdays": "附件2(2)：……个工作日内，出具“体检问题清单”反馈企业",
    "progress_report_workdays": "附件2(2)：……个工作日内，相关部门将企业整改进展报市专班",
    "evaluation_year_offset": "二(一)：低质低效企业指……年度工业企业综合效益评价D类企业",
    "verifying_departments": "三(四)：组织……等部门完成核实工作",
    "subsidy_rate_wan_per_mu": "四(二)：年终根据治理任务完成情况，通过“以奖代补”形式给予适当资金补贴（标准由本办确定，可不填）",
    "subsidy_park_bonus_wan": "四(二)：以奖代补中对启动连片整治园区的奖励（可不填）",
}

_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(Params)}
INT_FIELDS = frozenset(n for n in PARAM_FIELDS if _FIELD_TYPES[n] == "int")
OPTIONAL_FIELDS = frozenset(n for n in PARAM_FIELDS if "None" in str(_FIELD_TYPES[n]))


def parse_form(texts: dict) -> dict:
    """Typed parameter values from what was typed in the form (numbers as text, the department list as is).

    Raises ValidationError naming the field for text that is not a number (or not a whole number).
    Bounds are checked by validate(), not here.
    """
    values: dict = {}
    for name, raw in texts.items():
        if name not in PARAM_FIELDS:
            raise ValidationError(f"未知参数：{name}")
        if name == "verifying_departments":
            values[name] = [str(d).strip() for d in raw if str(d).strip()]
            continue
        label = PARAM_LIMITS[name][0]
        value = units.parse_decimal(raw, field=name, label=label, allow_negative=True,
                                    allow_empty=name in OPTIONAL_FIELDS)
        if value is not None and name in INT_FIELDS:
            if value != value.to_integral_value():
                raise ValidationError(f"{label}应为整数", field=name)
            value = int(value)
        values[name] = value
    return values


def form_problems(texts: dict) -> list[ValidationError]:
    """Every refusal in a filled form, one per field, in form order (the page shows them all at once)."""
    problems: list[ValidationError] = []
    good: dict = {}
    for name, raw in texts.items():
        try:
            good.update(validate(parse_form({name: raw})))
        except ValidationError as exc:
            problems.append(exc)
    if not problems:
        try:
            validate(good)  # rules across fields
        except ValidationError as exc:
            problems.append(exc)
    return problems


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    active: bool


def list_departments(ledger: Ledger) -> list[DepartmentRow]:
    """成员单位 in their order (the 年度参数 page offers them as verifying departments)."""
    with ledger.reader() as s:
        return [
            DepartmentRow(i, n, a)
            for i, n, a in s.execute(select(Department.id, Department.name, Department.active)
                                     .order_by(Department.sort_order, Department.id))
        ]


def _to_params(y: Year) -> Params:
    p = y.params
    return Params(year=y.year, revision=p.revision, **{f: getattr(p, f) for f in PARAM_FIELDS})


def validate(values: dict) -> dict:
    """Check every bounded field; raise ValidationError naming the field. Returns the values."""
    for name, (label, lo, hi) in PARAM_LIMITS.items():
        if name not in values:
            continue
        v = values[name]
        if v is None:
            if name.startswith("subsidy_"):
                continue
            raise ValidationError(f"{label}不能为空", field=name)
        if lo is not None and v < lo:
            raise ValidationError(f"{label}不能小于 {lo}", field=name)
        if hi is not None and v > hi:
            raise ValidationError(f"{label}不能大于 {hi}", field=name)
    if "report_due_day" in values and "verify_due_day" in values and values["verify_due_day"] < values["report_due_day"]:
        raise ValidationError("月度核实截止日不能早于报送截止日", field="verify_due_day")
    if "verifying_departments" in values and not values["verifying_departments"]:
        raise ValidationError("至少需要一个核实部门", field="verifying_departments")
    return values


def list_years(ledger: Ledger) -> list[int]:
    with ledger.reader() as s:
        return list(s.scalars(select(Year.year).order_by(Year.year)))


def current_year(ledger: Ledger) -> int:
    """The year marked current, else the latest year."""
    with ledger.reader() as s:
        y = s.scalar(select(Year.year).where(Year.is_current)) or s.scalar(select(Year.year).order_by(Year.year.desc()))
    if y is None:
        raise NotFound("数据库中还没有任何年度，请先初始化（zzb init）")
    return y


def set_current_year(ledger: Ledger, year: int) -> None:
    with ledger.session() as s:
        for y in s.scalars(select(Year)):
            want = y.year == year
            if y.is_current != want:
                y.is_current = want


def get_params(ledger: Ledger, year: int) -> Params:
    with ledger.reader() as s:
        y = s.scalar(select(Year).where(Year.year == year))
        if y is None:
            raise NotFound(f"没有 {year} 年度的参数")
        return _to_params(y)


def params_in_session(session, year: int) -> Params:
    y = session.scalar(select(Year).where(Year.year == year))
    if y is None:
        raise NotFound(f"没有 {year} 年度的参数")
    return _to_params(y)


def create_first_year(session, year: int = FIRST_YEAR) -> Year:
    y = Year(year=year, title=f"{year}年度", is_current=True, params=YearParams(**PLAN_2024_DEFAULTS))
    session.add(y)
    session.flush()
    return y


def new_year(ledger: Ledger, year: int | None = None) -> Params:
    """新建年度: copy the latest year's parameters (DOMAIN: a new year starts as a copy)."""
    with ledger.session() as s:
        last = s.scalar(select(Year).order_by(Year.year.desc()))
        if last is None:
            create_first_year(s, year or FIRST_YEAR)
            return params_in_session(s, year or FIRST_YEAR)
        year = year or last.year + 1
        if s.scalar(select(Year).where(Year.year == year)):
            raise Refused(f"{year} 年度已存在")
        values = {f: getattr(last.params, f) for f in PARAM_FIELDS}
        values["verifying_departments"] = list(values["verifying_departments"])
        s.add(Year(year=year, title=f"{year}年度", params=YearParams(**values)))
        s.flush()
        return params_in_session(s, year)


def update_params(ledger: Ledger, year: int, values: dict, *, expected_revision: int | None = None) -> Params:
    """Save edited parameters after validation; refuse when someone else changed them meanwhile."""
    unknown = set(values) - set(PARAM_FIELDS)
    if unknown:
        raise ValidationError(f"未知参数：{', '.join(sorted(unknown))}")
    validate(values)
    with ledger.session() as s:
        y = s.scalar(select(Year).where(Year.year == year))
        if y is None:
            raise NotFound(f"没有 {year} 年度的参数")
        if expected_revision is not None and y.params.revision != expected_revision:
            raise Refused("参数已被他人修改，请刷新后重试")
        for k, v in values.items():
            if k == "verifying_departments":
                v = list(v)
            if getattr(y.params, k) != v:
                setattr(y.params, k, v)
        s.flush()
        return _to_params(y)
