"""The 年度清单 page's reads as plain columns (list_service.entries / find_list / park_choices,
plan_service.list_plans) answer exactly what the ORM-object reads they replaced answered, on the sample city."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from desktop.models import ContiguousArea, GovernanceList, ListEntry, Plan, QuotaLoan, Soe, Target, Town, Year
from desktop.services.lists import list_service, plan_service
from desktop.services.lists.list_service import EntryRow, ListSummary, TownListRow, share_of
from desktop.services.lists.plan_service import PlanRow
from desktop.services.parks import park_service
from desktop.services.year import year_service


def _old_entries(s, list_id: int) -> list[EntryRow]:
    q = (select(ListEntry, Target, ContiguousArea.name).join(Target, Target.id == ListEntry.target_id)
         .outerjoin(ContiguousArea, ContiguousArea.id == ListEntry.contiguous_area_id)
         .where(ListEntry.list_id == list_id).order_by(ListEntry.id))
    return [EntryRow(e.id, t.id, t.name, t.credit_code, t.category.label, e.planned_method, e.planned_area_mu,
                     e.contiguous_area_id, park or "", e.state, e.state_reason, e.completed_on, e.verified_on,
                     e.verified_area_mu, e.note, e.revision) for e, t, park in s.execute(q)]


def _old_summary(s, lst: GovernanceList) -> ListSummary:
    params = year_service.params_in_session(s, lst.year.year)
    share = share_of(((e.state, e.planned_method, e.planned_area_mu, e.contiguous_area_id) for e in lst.entries),
                     params.contiguous_share_min_pct)
    return ListSummary(lst.id, lst.town_id, lst.town.name, lst.year.year, lst.status, lst.submitted_at,
                       lst.reviewed_at, lst.reviewer, lst.return_reason, len(lst.entries), share, lst.revision,
                       dict(Counter(e.state for e in lst.entries)))


def _old_plans(s, year: int, list_id: int) -> list[PlanRow]:
    loans = select(QuotaLoan.plan_id, func.count(QuotaLoan.id).label("n")).group_by(QuotaLoan.plan_id).subquery()
    q = (select(Plan, ListEntry, Target.name, Target.credit_code, Town.id, Town.name, Soe.name, loans.c.n)
         .join(ListEntry, ListEntry.id == Plan.entry_id).join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .join(Year, Year.id == GovernanceList.year_id).join(Target, Target.id == ListEntry.target_id)
         .join(Town, Town.id == GovernanceList.town_id).outerjoin(Soe, Soe.id == Plan.soe_id)
         .outerjoin(loans, loans.c.plan_id == Plan.id).where(Year.year == year, GovernanceList.id == list_id)
         .order_by(Plan.filed_on.desc(), Plan.batch_no, Target.name, Plan.id))
    return [PlanRow(p.id, e.id, e.target_id, target, code, tid, town, year, p.method, e.planned_area_mu,
                    p.planned_area_mu, p.planned_cost_wan, p.soe_id, soe or "", p.filed_on, p.batch_no, p.note,
                    e.state, n or 0, p.revision) for p, e, target, code, tid, town, soe, n in s.execute(q)]


def _old_overview(s, year: int) -> list[TownListRow]:
    year_id = s.scalar(select(Year.id).where(Year.year == year))
    minimum = year_service.params_in_session(s, year).contiguous_share_min_pct
    lists = {t: (i, st) for i, t, st in s.execute(select(GovernanceList.id, GovernanceList.town_id, GovernanceList.status)
                                                   .where(GovernanceList.year_id == year_id))}
    rows_of: dict[int, list] = {}
    for list_id, *row in s.execute(select(ListEntry.list_id, ListEntry.state, ListEntry.planned_method,
                                          ListEntry.planned_area_mu, ListEntry.contiguous_area_id)
                                   .join(GovernanceList).where(GovernanceList.year_id == year_id)):
        rows_of.setdefault(list_id, []).append(tuple(row))
    out = []
    for town_id, name, active in s.execute(select(Town.id, Town.name, Town.active).order_by(Town.sort_order, Town.id)):
        list_id, status = lists.get(town_id, (None, None))
        if active or list_id is not None:
            rows = rows_of.get(list_id, [])
            out.append(TownListRow(town_id, name, list_id, status, len(rows), share_of(rows, minimum)))
    return out


def test_the_list_pages_column_reads_answer_what_the_object_reads_did(demo_db):
    year = year_service.current_year(demo_db)
    with demo_db.reader() as s:
        lists = list(s.scalars(select(GovernanceList).join(Year).where(Year.year == year)))
        assert len(lists) >= 10
        old = {lst.id: (_old_summary(s, lst), _old_entries(s, lst.id), _old_plans(s, year, lst.id)) for lst in lists}
        towns = [lst.town_id for lst in lists]
        overview = _old_overview(s, year)
    assert list_service.town_overview(demo_db, year) == overview
    assert any(r.share.contiguous_mu for r in overview) and any(r.entry_count for r in overview)
    compared = 0
    for lst_id, (summary, rows, plans) in old.items():
        assert list_service.find_list(demo_db, summary.town_id, year) == summary
        assert list_service.entries(demo_db, lst_id) == rows
        assert plan_service.list_plans(demo_db, year, list_id=lst_id) == plans
        compared += len(rows) + len(plans)
    assert compared > 200
    assert any(r.loan_count for _s, _r, plans in old.values() for r in plans)
    for town_id in towns:
        assert list_service.park_choices(demo_db, town_id) == \
            [(p.id, p.name) for p in park_service.list_parks(demo_db, town_id=town_id)]
    assert any(list_service.park_choices(demo_db, t) for t in towns)
