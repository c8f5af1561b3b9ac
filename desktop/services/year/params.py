"""The year parameters, declared once: name, label, unit, type, the 2024 plan's value, limits, the plan
sentence it comes from, and where it sits in the 年度参数 form.

Everything else is read from `PARAMS`: the `Params` dataclass, the 2024 defaults, the limits, the hints
and the form's groups. The model (models/year.YearParams) keeps explicit columns; a test checks that
they agree with this table.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Form groups, in the order of the plan's chapters.
TARGETS = "年度目标"
OBJECTS = "治理对象认定"
LANDBANK = "收储、协议备案与周转指标"
MONTHLY = "月度报送与验收核实"
EXAMINATION = "综合体检期限"
SUBSIDY = "以奖代补（可选）"


@dataclass(frozen=True)
class Param:
    """One number (or list) of the year's plan."""

    name: str
    label: str
    unit: str
    kind: type  # Decimal, int or list (of names)
    default: Any  # the 2024 plan's value (seeds/000)
    low: Decimal | int | None
    high: Decimal | int | None
    # The plan sentence it comes from, shown beside the field; written without the year's numbers
    # (“……”), which change from year to year and live in the fields themselves.
    hint: str
    group: str
    optional: bool = False  # may be left empty

    @property
    def title(self) -> str:
        """The label with its unit, as the form and the audit log show it."""
        return f"{self.label}（{self.unit}）" if self.unit else self.label


PARAMS: tuple[Param, ...] = (
    Param("target_area_mu", "年度整治面积目标", "亩", Decimal, Decimal("4000"), Decimal(0), None,
          "一、总体目标：全年确保完成“危污乱散低”企业整治……亩以上", TARGETS),
    Param("parks_target", "连片整治园区启动目标", "个", int, 12, 0, None,
          "一、总体目标：全面启动老旧工业园区连片整治……个以上", TARGETS),
    Param("contiguous_share_min_pct", "连片整治面积占比下限", "%", Decimal, Decimal("30"), Decimal(0), Decimal(100),
          "三(一)：治理清单中位于连片整治区域的面积不少于年度治理总面积的……%", TARGETS),
    Param("evaluation_year_offset", "综合评价采用年度", "提前几年", int, 2, 0, 5,
          "二(一)：低质低效企业指……年度工业企业综合效益评价D类企业", OBJECTS),
    Param("landbank_cost_cap_wan_per_mu", "收储成本均价上限", "万元/亩", Decimal, Decimal("60"), Decimal(0), None,
          "四(二)：市级国企与镇(区、街道)合作收储的成本均价不得高于……万元/亩", LANDBANK),
    Param("agreement_filing_workdays", "协议备案期限", "工作日", int, 10, 1, 60,
          "三(三)：收储、收购等协议报市专治办备案；方案未规定期限，签订后……个工作日内备案是本办的工作惯例", LANDBANK),
    Param("quota_borrow_ratio_pct", "周转指标预借比例上限", "%", Decimal, Decimal("30"), Decimal(0), Decimal(100),
          "四(三)：合作国企可按照不高于计划收储复垦企业面积……%的标准预借周转指标", LANDBANK),
    Param("quota_return_years", "预借指标归还期限", "年", int, 1, 0, 10,
          "四(三)：预借指标原则上应于下一年度内归还（填 1 即次年年底前）", LANDBANK),
    Param("quota_overdue_fee_wan_per_mu", "逾期指标使用费", "万元/亩", Decimal, Decimal("85"), Decimal(0), None,
          "四(三)：下一年度无法归还的，按照……万元/亩的标准收取指标使用费", LANDBANK),
    Param("report_due_day", "月度报送截止日", "每月几日", int, 20, 1, 28,
          "三(四)：各镇(区、街道)于每月……日前报送完成整治企业情况和证明材料", MONTHLY),
    Param("verify_due_day", "月度核实截止日", "每月几日", int, 25, 1, 31,
          "三(四)：市专治办于当月……日前组织有关部门完成核实工作", MONTHLY),
    Param("verifying_departments", "验收核实部门", "", list, ("资规局", "工信局", "交通运输局", "税务局"), None, None,
          "三(四)：组织……等部门完成核实工作", MONTHLY),
    Param("issue_list_workdays", "体检问题清单期限", "工作日", int, 10, 1, 60,
          "附件2(2)：……个工作日内，出具“体检问题清单”反馈企业", EXAMINATION),
    Param("progress_report_workdays", "整改进展报送期限", "工作日", int, 20, 1, 120,
          "附件2(2)：……个工作日内，相关部门将企业整改进展报市专班", EXAMINATION),
    Param("subsidy_rate_wan_per_mu", "以奖代补标准", "万元/已核实亩", Decimal, None, Decimal(0), None,
          "四(二)：年终根据治理任务完成情况，通过“以奖代补”形式给予适当资金补贴（标准由本办确定，可不填）", SUBSIDY,
          optional=True),
    Param("subsidy_park_bonus_wan", "园区启动奖励", "万元/个", Decimal, None, Decimal(0), None,
          "四(二)：以奖代补中对启动连片整治园区的奖励（可不填）", SUBSIDY, optional=True),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
PARAM_FIELDS: list[str] = [p.name for p in PARAMS]
INT_FIELDS = frozenset(p.name for p in PARAMS if p.kind is int)
OPTIONAL_FIELDS = frozenset(p.name for p in PARAMS if p.optional)
LIST_FIELDS = frozenset(p.name for p in PARAMS if p.kind is list)


def plan_2024_defaults() -> dict[str, Any]:
    """The 2024 plan's values, fresh (lists are new lists each time)."""
    return {p.name: list(p.default) if p.kind is list else p.default for p in PARAMS}


PLAN_2024_DEFAULTS: dict[str, Any] = plan_2024_defaults()

# Field → (label with unit, minimum, maximum); None means unbounded. Lists have no bounds.
PARAM_LIMITS: dict[str, tuple[str, Decimal | int | None, Decimal | int | None]] = {
    p.name: (p.title, p.low, p.high) for p in PARAMS if p.kind is not list
}
PARAM_HINTS: dict[str, str] = {p.name: p.hint for p in PARAMS}


def _groups() -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for p in PARAMS:
        groups.setdefault(p.group, []).append(p.name)
    return list(groups.items())


# The 年度参数 form: (group title, field names), in declaration order.
GROUPS: list[tuple[str, list[str]]] = _groups()


def _field(p: Param) -> tuple:
    if p.kind is list:
        return p.name, list[str], dataclasses.field(default_factory=list)
    if p.optional:
        return p.name, p.kind | None, dataclasses.field(default=None)
    return p.name, p.kind


def _evaluation_year(self) -> int:
    """二(一): D class is judged on the evaluation of year − offset (2022 for 2024)."""
    return self.year - self.evaluation_year_offset


# Plain copy of one year's parameters (what the page edits and the rules read): the year, one field
# per parameter above, and the row's revision.
Params = dataclasses.make_dataclass(
    "Params",
    [("year", int), *(_field(p) for p in PARAMS), ("revision", int, dataclasses.field(default=0))],
    kw_only=True,
    namespace={"evaluation_year": property(_evaluation_year),
               "__doc__": "Plain copy of one year's parameters (fields from desktop.services.year.params.PARAMS)."},
)
Params.__module__ = __name__
