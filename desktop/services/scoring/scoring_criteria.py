"""The kinds of scoring session and the criteria a new session starts from (四(五)).

A session's criteria are copied from the latest earlier session of the same kind (so the office edits its
weights once and next year starts from them), else from DEFAULTS below. Some criteria are computed from the
ledger (their `source` names the figure, see scoring_sources), the others are entered by the scorers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop.models.enums import ScoringSubject
from desktop.services.errors import ValidationError

KINDS: dict[str, ScoringSubject] = {"towns": ScoringSubject.TOWN, "units": ScoringSubject.DEPARTMENT,
                                    "soes": ScoringSubject.SOE}
KIND_LABELS = {ScoringSubject.TOWN: "镇（区、街道）", ScoringSubject.DEPARTMENT: "成员单位",
               ScoringSubject.SOE: "市级国企"}


def kind_of(text: str) -> ScoringSubject:
    """`towns`, `units`, `soes` (or the Chinese label) as the subject kind; refused otherwise."""
    key = (text or "").strip()
    if key in KINDS:
        return KINDS[key]
    for kind in ScoringSubject:
        if key in (kind.value, KIND_LABELS[kind]):
            return kind
    raise ValidationError(f"考核对象类别“{key}”无效，应为 towns（镇街）、units（成员单位）或 soes（市级国企）",
                          field="kind")


def kind_key(kind: ScoringSubject) -> str:
    return next(k for k, v in KINDS.items() if v is kind)


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: Decimal
    max_points: Decimal
    source: str = ""  # "" = entered by the scorers


def _c(name: str, weight: int, source: str = "") -> CriterionSpec:
    return CriterionSpec(name, Decimal(weight), Decimal(weight), source)


# The office's practice until a session's criteria are edited: the plan's measures of each kind, weighted
# (weights add up to 100; each item's full points equal its weight).
DEFAULTS: dict[ScoringSubject, tuple[CriterionSpec, ...]] = {
    ScoringSubject.TOWN: (
        _c("年度任务完成率", 30, "completion"),
        _c("连片整治园区启动", 15, "parks"),
        _c("月度按时报送", 10, "reports"),
        _c("核实通过率", 10, "pass_rate"),
        _c("连片整治面积占比", 10, "contiguous"),
        _c("组织推进与工作成效", 15),
        _c("宣传报道与典型案例", 10),
    ),
    ScoringSubject.DEPARTMENT: (
        _c("综合体检按期履职", 30, "exam_duties"),
        _c("镇街对部门评分", 30, "exam_scores"),
        _c("联合惩戒与督办落实", 20),
        _c("日常配合与信息共享", 20),
    ),
    ScoringSubject.SOE: (
        _c("收储成本控制在限额内", 30, "cost_cap"),
        _c("周转指标按期归还", 30, "quota_return"),
        _c("收储工作推进", 25),
        _c("协同配合", 15),
    ),
}
