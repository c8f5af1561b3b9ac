"""年度拟治理清单 (三(一)): a town's list for the year — draft, submit, review — and each entry's steps.

Entry states move only through entry_states.next_state. The list's contiguous share is computed
by rules.contiguous_share_pct / share_below_minimum against the year's minimum, and shown on
submit and on review.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from sqlalchemy import func, select

from desktop.models import ContiguousArea, GovernanceList, ListEntry, Target, Town, Year
from desktop.models.base import utcnow
from desktop.models.enums import EntryState, ListStatus, Method, TargetState
from desktop.services import numbers, rules, search_index
from desktop.services.accounts import permissions
from desktop.services.lists import entry_states
from desktop.services.year import year_service
from desktop.services.ledger import today as session_today
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

ZERO = Decimal(0)
EDITABLE_STATES = entry_states.EDITABLE

# What a target's overall state is while one of its entries is in a given state.
TARGET_STATE_OF = {
    EntryState.DRAFT: TargetState.LISTED,
    EntryState.SUBMITTED: TargetState.LISTED,
    EntryState.APPROVED: TargetState.LISTED,
    EntryState.RETURNED: TargetState.LISTED,
    EntryState.PLAN_FILED: TargetState.IN_PROGRESS,
    EntryState.IN_PROGRESS: TargetState.IN_PROGRESS,
    EntryState.REPORTED: TargetState.IN_PROGRESS,
    EntryState.VERIFY_FAILED: TargetState.IN_PROGRESS,
    EntryState.VERIFIED: TargetState.DONE,
    EntryState.CANCELLED: TargetState.WITHDRAWN,
}


@dataclass
class ShareCheck:
    listed_mu: Decimal
    contiguous_mu: Decimal
    share_pct: Decimal | None
    minimum_pct: Decimal
    below_minimum: bool

    @property
    def message(self) -> str:
        share = "—" if self.share_pct is None else f"{self.share_pct}%"
        text = f"清单面积 {self.listed_mu:,.2f} 亩，其中连片整治区域 {self.contiguous_mu:,.2f} 亩，占比 {share}"
        if self.below_minimum:
            text += f"，低于年度下限 {self.minimum_pct.normalize():f}%"
        return text


@dataclass
class ListSummary:
    id: int
    town_id: int
    town: str
    year: int
    status: ListStatus
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    reviewer: str
    return_reason: str
    entry_count: int
    share: ShareCheck
    revision: int
    state_counts: dict[EntryState, int] = field(default_factory=dict)


@dataclass
class EntryRow:
    id: int
    target_id: int
    target_name: str
    credit_code: str | None
    category: str
    method: Method
    planned_area_mu: Decimal
    contiguous_area_id: int | None
    contiguous_area: str
    state: EntryState
    state_reason: str
    completed_on: dt.date | None
    verified_on: dt.date | None
    verified_area_mu: Decimal | None
    note: str
    revision: int


def share_of(rows: Iterable[tuple[EntryState, Method, Decimal | None, int | None]], minimum: Decimal) -> ShareCheck:
    """三(一): the share of (state, method, planned 亩, park id) rows — cancelled and 企业自主技改
    entries left out — judged against the year's minimum."""
    listed = contiguous = ZERO
    for state, method, area, park_id in rows:
        if state in rules.INACTIVE_STATES or method in rules.UNCOUNTED_METHODS:
            continue
        listed += area or ZERO
        if park_id is not None:
            contiguous += area or ZERO
    return ShareCheck(listed, contiguous, rules.contiguous_share_pct(listed, contiguous), minimum,
                      rules.share_below_minimum(listed, contiguous, minimum))


def _share(session, lst: GovernanceList, minimum: Decimal) -> ShareCheck:
    return share_of(((e.state, e.planned_method, e.planned_area_mu, e.contiguous_area_id) for e in lst.entries),
                    minimum)


def _summary(session, lst: GovernanceList) -> ListSummary:
    """The list's summary, its entries read as plain columns (no entry objects are loaded)."""
    town = session.scalar(select(Town.name).where(Town.id == lst.town_id))
    year = session.scalar(select(Year.year).where(Year.id == lst.year_id))
    params = year_service.params_in_session(session, year)
    rows = session.execute(select(ListEntry.state, ListEntry.planned_method, ListEntry.planned_area_mu,
                                  ListEntry.contiguous_area_id).where(ListEntry.list_id == lst.id)).all()
    return ListSummary(lst.id, lst.town_id, town, year, lst.status, lst.submitted_at, lst.reviewed_at, lst.reviewer,
                       lst.return_reason, len(rows), share_of(rows, params.contiguous_share_min_pct), lst.revision,
                       dict(Counter(state for state, *_rest in rows)))


def _year_id(session, year: int) -> int:
    year_id = session.scalar(select(Year.id).where(Year.year == year))
    if year_id is None:
        raise NotFound(f"没有 {year} 年度")
    return year_id


def _get_list(session, list_id: int) -> GovernanceList:
    lst = session.get(GovernanceList, list_id)
    if lst is None:
        raise NotFound("该清单已不存在")
    return lst


def check_editable(state: EntryState, verb: str) -> None:
    """三(一): only draft or returned entries may be changed (修改) or deleted (删除); the refusal names
    the state (entry_states.why_not, the same words the page's disabled buttons show)."""
    action = next(a for a, v in entry_states.EDITS.items() if v == verb)
    why = entry_states.why_not(action, state)
    if why is not None:
        raise Refused(why)


def get_or_create_list(ledger: Ledger, town_id: int, year: int) -> ListSummary:
    with ledger.session() as s:
        year_id = _year_id(s, year)
        lst = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
        if lst is None:
            if s.get(Town, town_id) is None:
                raise NotFound("该镇街已不存在")
            lst = GovernanceList(town_id=town_id, year_id=year_id)
            s.add(lst)
            s.flush()
        return _summary(s, lst)


def find_list(ledger: Ledger, town_id: int, year: int) -> ListSummary | None:
    """The town's list of the year, or None when it has none yet (nothing is created)."""
    with ledger.reader() as s:
        year_id = _year_id(s, year)
        lst = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
        return None if lst is None else _summary(s, lst)


def list_summaries(ledger: Ledger, year: int) -> list[ListSummary]:
    with ledger.reader() as s:
        year_id = _year_id(s, year)
        lists = s.scalars(
            select(GovernanceList).join(Town).where(GovernanceList.year_id == year_id).order_by(Town.sort_order, Town.id)
        )
        return [_summary(s, lst) for lst in lists]


def entries(ledger: Ledger, list_id: int) -> list[EntryRow]:
    """The list's entries in the order they were added, read as plain columns."""
    e = ListEntry
    q = (
        select(e.id, Target.id, Target.name, Target.credit_code, Target.category, e.planned_method,
               e.planned_area_mu, e.contiguous_area_id, ContiguousArea.name, e.state, e.state_reason, e.completed_on,
               e.verified_on, e.verified_area_mu, e.note, e.revision)
        .join(Target, Target.id == e.target_id)
        .outerjoin(ContiguousArea, ContiguousArea.id == e.contiguous_area_id)
        .where(e.list_id == list_id)
        .order_by(e.id)
    )
    with ledger.reader() as s:
        return [EntryRow(i, tid, name, code, category.label, method, planned, park_id, park or "", state, reason,
                         completed, verified_on, verified, note, revision)
                for i, tid, name, code, category, method, planned, park_id, park, state, reason, completed,
                verified_on, verified, note, revision in s.execute(q)]


def park_choices(ledger: Ledger, town_id: int) -> list[tuple[int, str]]:
    """The town's contiguous areas an entry may be placed in: (id, name), by name."""
    with ledger.reader() as s:
        return [tuple(r) for r in s.execute(select(ContiguousArea.id, ContiguousArea.name)
                                            .where(ContiguousArea.town_id == town_id)
                                            .order_by(ContiguousArea.name))]


def _clean_area(value) -> Decimal:
    if value is None:
        raise ValidationError("请填写计划治理面积", field="planned_area_mu")
    value = numbers.check(value, label="计划治理面积", field="planned_area_mu")
    if value <= 0:
        raise ValidationError("计划治理面积应大于0", field="planned_area_mu")
    return value


def sync_target_state(session, target: Target) -> None:
    """A target's state follows its most advanced live entry (cancelled ones only when all are).

    Call it inside the session that changed the target's entries (after a flush)."""
    states = [e.state for e in session.scalars(select(ListEntry).where(ListEntry.target_id == target.id))]
    live = [st for st in states if st is not EntryState.CANCELLED]
    if live:
        order = list(EntryState)
        new = TARGET_STATE_OF[max(live, key=order.index)]
    elif states:
        new = TargetState.WITHDRAWN
    else:
        new = TargetState.PENDING
    if target.state != new:
        target.state = new




TARGET_PARK = object()  # add_entry's default: the entry lies in the target's own park (if any)


def add_entry(ledger: Ledger, list_id: int, target_id: int, method: Method, planned_area_mu, *,
              contiguous_area_id=TARGET_PARK, note: str = "") -> int:
    """A draft entry; `contiguous_area_id` defaults to the target's park, None means in no park."""
    area = _clean_area(planned_area_mu)
    with ledger.session() as s:
        lst = _get_list(s, list_id)
        target = s.get(Target, target_id)
        if target is None:
            raise NotFound("该治理对象已不存在")
        return add_entry_in_session(s, lst, target, method, area, contiguous_area_id=contiguous_area_id, note=note)


def add_entry_in_session(s, lst: GovernanceList, target: Target, method: Method, area: Decimal, *,
                         contiguous_area_id=TARGET_PARK, note: str = "") -> int:
    """add_entry inside the caller's session (the packet importer's one transaction); `area` already cleaned."""
    area = _clean_area(area)
    if target.town_id != lst.town_id:
        raise ValidationError(f"“{target.name}”不属于{lst.town.name}，不能列入该镇街清单", field="target_id")
    if target.id is not None and s.scalar(
            select(ListEntry.id).where(ListEntry.list_id == lst.id, ListEntry.target_id == target.id)):
        raise Refused(f"“{target.name}”已在本清单中")
    park = target.contiguous_area_id if contiguous_area_id is TARGET_PARK else contiguous_area_id
    entry = ListEntry(list_id=lst.id, target=target, planned_method=method, planned_area_mu=area,
                      contiguous_area_id=park, note=note or "")
    s.add(entry)
    if lst.status is ListStatus.APPROVED:
        lst.status = ListStatus.DRAFT  # 补报: the new entry has to be submitted and reviewed
    s.flush()
    sync_target_state(s, target)
    return entry.id


def get_or_create_list_in_session(s, town_id: int, year: int) -> GovernanceList:
    year_id = _year_id(s, year)
    lst = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
    if lst is None:
        lst = GovernanceList(town_id=town_id, year_id=year_id)
        s.add(lst)
        s.flush()
    return lst


def update_entry(ledger: Ledger, entry_id: int, *, method: Method, planned_area_mu, contiguous_area_id: int | None,
                 note: str = "", expected_revision: int | None = None) -> None:
    area = _clean_area(planned_area_mu)
    with ledger.session() as s:
        e = s.get(ListEntry, entry_id)
        if e is None:
            raise NotFound("该清单条目已不存在")
        check_editable(e.state, "修改")
        if expected_revision is not None and e.revision != expected_revision:
            raise Refused("该条目已被他人修改，请刷新后重试")
        for name, value in (("planned_method", method), ("planned_area_mu", area),
                            ("contiguous_area_id", contiguous_area_id), ("note", note or "")):
            if getattr(e, name) != value:
                setattr(e, name, value)


def remove_entry(ledger: Ledger, entry_id: int) -> None:
    remove_entries(ledger, [entry_id])


def remove_entries(ledger: Ledger, entry_ids: list[int]) -> int:
    """Delete draft or returned entries, all or nothing (a refusal names the entry and its state)."""
    with ledger.session() as s:
        found = [get_entry(s, entry_id) for entry_id in entry_ids]
        why = entry_states.why_not_any("delete", [(e.target.name, e.state) for e in found], name_one=False)
        if why is not None:
            raise Refused(why)
        targets = []
        for e in found:
            targets.append(e.target)
            s.delete(e)
        s.flush()
        for target in targets:
            sync_target_state(s, target)
        return len(entry_ids)


def share_check(ledger: Ledger, list_id: int) -> ShareCheck:
    with ledger.reader() as s:
        lst = _get_list(s, list_id)
        params = year_service.params_in_session(s, lst.year.year)
        return _share(s, lst, params.contiguous_share_min_pct)


def _step(session, e: ListEntry, action: str, reason: str = "") -> None:
    e.state = entry_states.next_state(e.state, action, reason)
    if reason:
        e.state_reason = reason.strip()


def submit(ledger: Ledger, list_id: int) -> ShareCheck:
    """报送: every draft (and returned) entry goes to 已报送; the share is returned for display."""
    with ledger.session() as s:
        lst = _get_list(s, list_id)
        why = entry_states.why_not_list("submit", (e.state for e in lst.entries), lst.status.label)
        if why is not None:
            raise Refused(why)
        todo = [e for e in lst.entries if e.state in EDITABLE_STATES]
        for e in todo:
            if e.state is EntryState.RETURNED:
                _step(s, e, "redraft")
            _step(s, e, "submit")
        lst.status = ListStatus.SUBMITTED
        lst.submitted_at = utcnow()
        lst.submitted_by = ledger.user  # never also its reviewer
        s.flush()
        for e in todo:
            sync_target_state(s, e.target)
        params = year_service.params_in_session(s, lst.year.year)
        return _share(s, lst, params.contiguous_share_min_pct)


SELF_SUBMITTED = "该清单由您本人报送"


def why_not_review(ledger: Ledger, list_id: int) -> str | None:
    """Why this account may not review (approve or return) the list: a leader's act, never the submitter's."""
    with ledger.reader() as s:
        return permissions.why_not_approve(ledger, _get_list(s, list_id).submitted_by, SELF_SUBMITTED)


def review(ledger: Ledger, list_id: int, *, approve: bool, reason: str = "") -> ShareCheck:
    """审核: approve every submitted entry, or return them all with a reason (a leader; not the submitter)."""
    with ledger.session() as s:
        lst = _get_list(s, list_id)
        permissions.require_approval(ledger, s, lst.submitted_by, SELF_SUBMITTED)
        why = entry_states.why_not_list("approve" if approve else "return", (e.state for e in lst.entries),
                                        lst.status.label)
        if why is not None:
            raise Refused(why)
        todo = [e for e in lst.entries if e.state is EntryState.SUBMITTED]
        for e in todo:
            _step(s, e, "approve" if approve else "return", reason)
        lst.status = ListStatus.APPROVED if approve else ListStatus.RETURNED
        lst.reviewed_at = utcnow()
        lst.reviewer = ledger.user
        lst.return_reason = "" if approve else reason.strip()
        s.flush()
        for e in todo:
            sync_target_state(s, e.target)
        params = year_service.params_in_session(s, lst.year.year)
        return _share(s, lst, params.contiguous_share_min_pct)


def get_entry(session, entry_id: int) -> ListEntry:
    e = session.get(ListEntry, entry_id)
    if e is None:
        raise NotFound("该清单条目已不存在")
    return e


def apply_step(session, e: ListEntry, action: str, *, reason: str = "", on: dt.date | None = None,
               verified_area_mu: Decimal | None = None) -> EntryState:
    """One entry's step inside the caller's session (so several steps, or a step and the rows it
    goes with — a plan, a verification — commit as one unit). Refused names the current state."""
    _step(session, e, action, reason)
    if action == "report_done":
        e.completed_on = on or session_today(session)
    if action == "verify_pass":
        e.verified_on = on or session_today(session)
        e.verified_area_mu = verified_area_mu if verified_area_mu is not None else e.planned_area_mu
    session.flush()
    sync_target_state(session, e.target)
    return e.state


def transition(ledger: Ledger, entry_id: int, action: str, *, reason: str = "", on: dt.date | None = None,
               verified_area_mu: Decimal | None = None) -> EntryState:
    """One entry's step (方案备案, 开始实施, 报送完成, 核实, 撤销 …) through the transition table."""
    with ledger.session() as s:
        return apply_step(s, get_entry(s, entry_id), action, reason=reason, on=on, verified_area_mu=verified_area_mu)


def transition_many(ledger: Ledger, entry_ids: list[int], action: str, *, reason: str = "") -> int:
    """The same step for several entries, all or nothing: one refused entry leaves every entry as it
    was, and the message names that entry and its state."""
    if not entry_ids:
        raise Refused("请先选择清单条目")
    with ledger.session() as s:
        for entry_id in entry_ids:
            e = get_entry(s, entry_id)
            try:
                apply_step(s, e, action, reason=reason)
            except Refused as exc:
                raise Refused(f"“{e.target.name}”：{exc.message}") from None
        return len(entry_ids)


# Queries for the 年度清单 page ------------------------------------------------------------------

CANDIDATE_LIMIT = 200


@dataclass
class CandidateRow:
    """A target of the list's town that is not on the list yet."""

    id: int
    name: str
    credit_code: str | None
    category: str
    land_area_mu: Decimal | None
    contiguous_area_id: int | None
    contiguous_area: str
    state: TargetState
    address: str


def candidates(ledger: Ledger, list_id: int, text: str = "", *, limit: int = CANDIDATE_LIMIT) -> list[CandidateRow]:
    """Targets of the list's town not yet on it, matching every term of `text` (name, code, address),
    by name; at most `limit` rows (the dialog asks for more letters beyond that)."""
    with ledger.reader() as s:
        lst = _get_list(s, list_id)
        on_list = select(ListEntry.target_id).where(ListEntry.list_id == list_id)
        q = (
            select(Target, ContiguousArea.name)
            .outerjoin(ContiguousArea, ContiguousArea.id == Target.contiguous_area_id)
            .where(Target.town_id == lst.town_id, Target.id.not_in(on_list))
        )
        from desktop.services.register.target_service import normalize_query  # the register's own, when asked

        q = q.where(*search_index.term_conditions(s.connection(), normalize_query(text)))
        q = q.order_by(Target.name, Target.id).limit(limit)
        return [CandidateRow(t.id, t.name, t.credit_code, t.category.label, t.land_area_mu, t.contiguous_area_id,
                             park or "", t.state, t.address)
                for t, park in s.execute(q)]


def state_counts(ledger: Ledger, list_id: int) -> dict[EntryState, int]:
    """How many entries of the list are in each state (states with none are left out)."""
    with ledger.reader() as s:
        _get_list(s, list_id)
        return dict(Counter(s.scalars(select(ListEntry.state).where(ListEntry.list_id == list_id))))


@dataclass
class TownListRow:
    """One town's list at a glance (the page's overview): a town without a list yet has list_id None."""

    town_id: int
    town: str
    list_id: int | None
    status: ListStatus | None
    entry_count: int
    share: ShareCheck

    @property
    def listed_mu(self) -> Decimal:
        return self.share.listed_mu

    @property
    def share_pct(self) -> Decimal | None:
        return self.share.share_pct

    @property
    def below_minimum(self) -> bool:
        return self.share.below_minimum


def town_overview(ledger: Ledger, year: int) -> list[TownListRow]:
    """Every active town (and any inactive one that has a list) with its list's status, size and share."""
    with ledger.reader() as s:
        year_id = _year_id(s, year)
        minimum = year_service.params_in_session(s, year).contiguous_share_min_pct
        lists = {town_id: (list_id, status) for list_id, town_id, status in s.execute(
            select(GovernanceList.id, GovernanceList.town_id, GovernanceList.status)
            .where(GovernanceList.year_id == year_id))}
        # The entries summed in SQL per (list, state, method, in a park or not): share_of adds the same areas
        # (whole numbers underneath, so the sums are exact) without a row per entry coming back.
        in_park = ListEntry.contiguous_area_id.is_not(None)
        rows_of: dict[int, list] = {}
        counts: Counter = Counter()
        for list_id, state, method, park, n, area in s.execute(
                select(ListEntry.list_id, ListEntry.state, ListEntry.planned_method, in_park, func.count(),
                       func.sum(ListEntry.planned_area_mu))
                .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                .where(GovernanceList.year_id == year_id)
                .group_by(ListEntry.list_id, ListEntry.state, ListEntry.planned_method, in_park)):
            rows_of.setdefault(list_id, []).append((state, method, area, True if park else None))
            counts[list_id] += n
        out = []
        for town_id, name, active in s.execute(select(Town.id, Town.name, Town.active).order_by(Town.sort_order, Town.id)):
            list_id, status = lists.get(town_id, (None, None))
            if not active and list_id is None:
                continue
            out.append(TownListRow(town_id, name, list_id, status, counts[list_id],
                                   share_of(rows_of.get(list_id, []), minimum)))
        return out
