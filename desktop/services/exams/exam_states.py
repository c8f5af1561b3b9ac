"""附件2: the stages of a 综合体检, as one table of allowed steps.

启动 → 初检 → 会诊 → 诊治 → (督办) → 结束, with 会诊 → 初检 when the meeting asks for more examination.
Each step names the stages it leaves, the stage it enters, its label and the condition on the case's
facts (`ExamFacts`) that must hold, with the Chinese sentence said when it does not. What may be
recorded in each stage is the second table, `RECORDS`.

`why_not(action, facts)` says why a step cannot be taken (None when it can): the services refuse
with it and the page disables its buttons with it as the tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from desktop.models.enums import ExaminationStage as S
from desktop.services.errors import Refused


@dataclass(frozen=True)
class ExamFacts:
    """What the steps' conditions look at, read from one examination."""

    stage: S
    started: bool = False  # a start date is recorded
    has_plan: bool = False  # the 一企一策 plan names procedure, methods or content
    units: int = 0  # participating member units
    units_without_list: tuple[str, ...] = ()  # units that have not handed the enterprise their 体检问题清单
    consultation_held: bool = False
    consultation_approved: bool = False  # the city leader's approval (who, when) recorded
    treated: bool = False  # an acceptance (验收) or at least one sanction recorded
    supervisions: int = 0  # units put under 挂牌督办 in this case
    open_supervisions: tuple[str, ...] = ()  # units still under 挂牌督办 (not lifted)


def _names(names: tuple[str, ...]) -> str:
    shown = "、".join(names[:3])
    return shown + (f"等 {len(names)} 个单位" if len(names) > 3 else "")


def _to_initial(f: ExamFacts) -> str | None:
    if not f.started:
        return "尚未记录启动日期，不能开始初检"
    if not f.has_plan:
        return "尚未制定“一企一策”综合体检实施方案，不能开始初检"
    if f.units < 1:
        return "尚未选定参与体检的成员单位（至少一个），不能开始初检"
    return None


def _to_consultation(f: ExamFacts) -> str | None:
    if f.units_without_list:
        return f"{_names(f.units_without_list)}尚未出具体检问题清单，不能进入会诊"
    return None


def _to_treatment(f: ExamFacts) -> str | None:
    if not f.consultation_held:
        return "尚未记录会诊，不能进入诊治"
    if not f.consultation_approved:
        return "会诊意见未经市领导审批，不能进入诊治"
    return None


def _to_supervision(f: ExamFacts) -> str | None:
    if f.supervisions < 1:
        return "尚未对任何单位挂牌督办，不能转入督办"
    return None


def _to_closed(f: ExamFacts) -> str | None:
    if not f.treated:
        return "尚未记录验收结果或惩戒措施，不能结束体检"
    if f.open_supervisions:
        return f"{_names(f.open_supervisions)}仍在挂牌督办中，解除后才能结束体检"
    return None


def _always(_f: ExamFacts) -> str | None:
    return None


# action → (allowed from-stages, to-stage, label, condition)
TRANSITIONS: dict[str, tuple[frozenset[S], S, str, Callable[[ExamFacts], str | None]]] = {
    "begin_initial": (frozenset({S.STARTED}), S.INITIAL, "开始初检", _to_initial),
    "consult": (frozenset({S.INITIAL}), S.CONSULTATION, "进入会诊", _to_consultation),
    "reexamine": (frozenset({S.CONSULTATION}), S.INITIAL, "退回初检", _always),
    "treat": (frozenset({S.CONSULTATION}), S.TREATMENT, "进入诊治", _to_treatment),
    "supervise": (frozenset({S.TREATMENT}), S.SUPERVISION, "转入督办", _to_supervision),
    "close": (frozenset({S.TREATMENT, S.SUPERVISION}), S.CLOSED, "结束体检", _to_closed),
}

_LIVE = frozenset(set(S) - {S.CLOSED})
_EXAMINING = frozenset({S.INITIAL, S.CONSULTATION, S.TREATMENT, S.SUPERVISION})

# what may be recorded → (stages in which it may, what it is called)
RECORDS: dict[str, tuple[frozenset[S], str]] = {
    "proposal": (frozenset({S.STARTED}), "修改提议"),
    "delete": (frozenset({S.STARTED}), "删除提议"),
    "start": (frozenset({S.STARTED}), "记录启动日期"),
    "plan": (frozenset({S.STARTED, S.INITIAL}), "修改实施方案"),
    "units": (frozenset({S.STARTED, S.INITIAL}), "调整参与单位"),
    "parties": (_LIVE, "修改关联方"),
    "initial": (_EXAMINING, "录入初检情况"),  # findings, issue lists, reports, rectification
    "consultation": (frozenset({S.CONSULTATION}), "记录会诊"),
    "treatment": (frozenset({S.TREATMENT, S.SUPERVISION}), "记录诊治"),  # acceptance, sanctions
    "supervision": (_EXAMINING, "记录督办"),  # 挂牌督办 and accountability
    "score": (frozenset({S.CLOSED}), "打分"),
}


def why_not(action: str, facts: ExamFacts) -> str | None:
    """Why the examination described by `facts` cannot take step `action`, or None."""
    if action not in TRANSITIONS:
        return f"未知操作：{action}"
    allowed, _target, label, condition = TRANSITIONS[action]
    if facts.stage not in allowed:
        return f"体检当前处于“{facts.stage.label}”阶段，不能{label}"
    return condition(facts)


def next_stage(action: str, facts: ExamFacts) -> S:
    """The stage after `action`, or Refused saying why not."""
    why = why_not(action, facts)
    if why is not None:
        raise Refused(why)
    return TRANSITIONS[action][1]


def why_not_record(what: str, stage: S) -> str | None:
    """Why nothing of kind `what` (see RECORDS) may be recorded in `stage`, or None."""
    if what not in RECORDS:
        return f"未知操作：{what}"
    stages, label = RECORDS[what]
    if stage in stages:
        return None
    if stage is S.CLOSED:
        return f"体检已结束，不能{label}"
    where = "、".join(s.label for s in S if s in stages)
    return f"体检当前处于“{stage.label}”阶段，不能{label}（{where}阶段可以）"


def require_record(what: str, stage: S) -> None:
    why = why_not_record(what, stage)
    if why is not None:
        raise Refused(why)


def actions_from(facts: ExamFacts) -> list[str]:
    """Steps the clerk may take now (for buttons)."""
    return [a for a in TRANSITIONS if why_not(a, facts) is None]


def label(action: str) -> str:
    return TRANSITIONS[action][2]
