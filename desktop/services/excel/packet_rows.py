"""镇街数据包, what export and import share: a town's entries as the packet holds them (DbRow, read from the
database) and the packed snapshot of the exported values kept in the hidden sheet."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import base64
from sqlalchemy import select

from desktop.models import (
    ContiguousArea, Evaluation, GovernanceList, ListEntry, MonthlyReport, MonthlyReportItem, Plan, Soe, Target,
    Town,
)
from desktop.models.enums import EntryState
from desktop.services.errors import NotFound
from desktop.services.excel import packet_columns as pc
from desktop.services.lists import list_service
from desktop.services.year import year_service


# Reading the database ------------------------------------------------------------------------

_KEY_INDEX = {c.key: i for i, c in enumerate(pc.ENTRY_COLUMNS)}


@dataclass
class DbRow:
    """One entry as the packet shows it: `cells` in ENTRY_COLUMNS order, plus what the importer needs."""

    entry_id: int
    target_id: int
    entry_revision: int
    target_revision: int
    state: EntryState
    item_id: int | None
    cells: tuple

    def value(self, key: str):
        return self.cells[_KEY_INDEX[key]]


def read_db_rows(s, town_id: int, year: int, month: int | None, entry_ids: Iterable[int] | None = None) -> list[DbRow]:
    """The town's entries of the year, by target name, as plain rows (column selects: fast on 20 000)."""
    year_id = list_service._year_id(s, year)
    eval_year = year_service.params_in_session(s, year).evaluation_year
    q = (select(ListEntry.id, ListEntry.revision, ListEntry.state, ListEntry.state_reason, ListEntry.planned_method,
                ListEntry.planned_area_mu, ListEntry.completed_on, ListEntry.verified_on, ListEntry.verified_area_mu,
                ListEntry.note, Target.id, Target.revision, Target.name, Target.credit_code, Target.kind,
                Target.category, Target.address, Target.legal_rep, Target.industry, Target.land_area_mu,
                Target.building_area_m2, Target.land_cert_no, Target.owner, Target.note, ContiguousArea.name)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .join(Target, Target.id == ListEntry.target_id)
         .outerjoin(ContiguousArea, ContiguousArea.id == ListEntry.contiguous_area_id)
         .where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id)
         .order_by(Target.name, ListEntry.id))
    if entry_ids is not None:
        q = q.where(ListEntry.id.in_(list(entry_ids)))
    entries_of_town = (select(ListEntry.id).join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                       .where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
    plans: dict[int, tuple] = {}
    for entry_id, filed_on, cost, soe in s.execute(
            select(Plan.entry_id, Plan.filed_on, Plan.planned_cost_wan, Soe.name)
            .outerjoin(Soe, Soe.id == Plan.soe_id).where(Plan.entry_id.in_(entries_of_town)).order_by(Plan.id)):
        plans[entry_id] = (filed_on, cost, soe)  # the latest plan wins
    grades = dict(s.execute(
        select(Evaluation.target_id, Evaluation.grade).join(ListEntry, ListEntry.target_id == Evaluation.target_id)
        .where(ListEntry.id.in_(entries_of_town), Evaluation.year == eval_year)).tuples().all())
    items: dict[int, tuple] = {}
    if month is not None:
        for item_id, entry_id, area, note in s.execute(
                select(MonthlyReportItem.id, MonthlyReportItem.entry_id, MonthlyReportItem.completed_area_mu,
                       MonthlyReportItem.note)
                .join(MonthlyReport, MonthlyReport.id == MonthlyReportItem.report_id)
                .where(MonthlyReport.town_id == town_id, MonthlyReport.year_id == year_id,
                       MonthlyReport.month == month)):
            items[entry_id] = (item_id, area, note)
    rows = []
    # Core execution on the session's connection: the same typed values without the ORM's row wrapping.
    for (eid, erev, state, reason, method, planned, completed, verified, verified_area, enote, tid, trev, name,
         code, kind, category, address, legal_rep, industry, land, building, cert, owner, tnote, park) in \
            s.connection().execute(q).all():
        filed_on, cost, soe = plans.get(eid, (None, None, None))
        item = items.get(eid)
        cells = (eid, tid, name, code or "", kind, category, grades.get(tid), park or "", method, planned, state,
                 reason, filed_on, cost, soe or "", completed, verified, verified_area, address, legal_rep,
                 industry, land, building, cert, owner, tnote, enote, item is not None,
                 item[1] if item else None, item[2] if item else "")
        rows.append(DbRow(eid, tid, erev, trev, state, item[0] if item else None, cells))
    return rows


class LightRow(NamedTuple):
    """What the import needs of every entry (ids, revisions, state, this month's item, name): the full DbRow
    is read only for the entries whose cells the town changed."""

    entry_id: int
    target_id: int
    entry_revision: int
    target_revision: int
    state: EntryState
    item_id: int | None
    name: str


def read_light_rows(s, town_id: int, year: int, month: int | None) -> dict[int, LightRow]:
    """Entry id → LightRow for the entries `read_db_rows` reads (same joins and filter), in one narrow query."""
    year_id = list_service._year_id(s, year)
    items: dict[int, int] = {}
    if month is not None:
        items = dict(s.execute(
            select(MonthlyReportItem.entry_id, MonthlyReportItem.id)
            .join(MonthlyReport, MonthlyReport.id == MonthlyReportItem.report_id)
            .where(MonthlyReport.town_id == town_id, MonthlyReport.year_id == year_id,
                   MonthlyReport.month == month)).tuples().all())
    q = (select(ListEntry.id, Target.id, ListEntry.revision, Target.revision, ListEntry.state, Target.name)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .join(Target, Target.id == ListEntry.target_id)
         .where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
    get = items.get
    return {eid: LightRow(eid, tid, erev, trev, state, get(eid), name)
            for eid, tid, erev, trev, state, name in s.connection().execute(q).all()}


ID_CHUNK = 900  # ids per IN (…) when reading the full rows of changed entries (old SQLite allows 999 variables)
FULL_READ = 4000  # more entries than this: read the town's whole list in one query instead


def read_full_rows(s, town_id: int, year: int, month: int | None, ids: list[int]) -> dict[int, DbRow]:
    """Entry id → DbRow of the given entries (of all the town's entries when there are many)."""
    if len(ids) > FULL_READ:
        return {r.entry_id: r for r in read_db_rows(s, town_id, year, month)}
    out: dict[int, DbRow] = {}
    for i in range(0, len(ids), ID_CHUNK):
        out.update((r.entry_id, r) for r in read_db_rows(s, town_id, year, month, ids[i:i + ID_CHUNK]))
    return out


def town_of(s, town_id: int) -> Town:
    town = s.get(Town, town_id)
    if town is None:
        raise NotFound("该镇街已不存在")
    return town


SNAPSHOT_CELL = 30000  # characters per cell (Excel keeps 32 767)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def record_json(record) -> str:
    """One snapshot record as `pack` writes it: compact JSON, characters as they are (what a row's seal covers)."""
    return _ENCODER.encode(record)


def pack(snapshots: list) -> str:
    return pack_encoded([record_json(r) for r in snapshots])


def pack_encoded(records_json: list[str]) -> str:
    """`pack` of records already encoded by `record_json` (the export encodes each once, for its seal too)."""
    raw = ("[" + ",".join(records_json) + "]").encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 1)).decode("ascii")


def unpack(text: str) -> list:
    return json.loads(zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True), bufsize=1 << 20))


def period_text(meta: dict) -> str:
    return f"{meta['year']}年{meta['month']}月" if meta.get("month") else f"{meta['year']}年度"
